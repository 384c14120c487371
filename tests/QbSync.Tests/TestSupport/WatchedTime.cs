using Microsoft.Extensions.Time.Testing;

namespace QbSync.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test every timer the code under test arms (a <c>Task.Delay</c>, a
/// Polly backoff or attempt timeout, a <c>CancelAfter</c>), so that a test moves the clock only once the code is
/// actually waiting on it, never on a guess of how long real work takes. Each armed timer is reported once.
/// </summary>
internal sealed class WatchedTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>How long a test waits, in real time, for a timer or for the code to finish before it fails (a hang guard only).</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _armed = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Watched(this, base.CreateTimer(callback, state, dueTime, period));
        Armed(dueTime);
        return timer;
    }

    /// <summary>Waits until the code arms a timer whose due time matches (one not reported before), and returns its due time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match, Task? unlessDone = null)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var index = _armed.FindIndex(d => match(d));
                if (index >= 0)
                {
                    var due = _armed[index];
                    _armed.RemoveAt(index);
                    return due;
                }

                changed = _changed.Task;
            }

            if (unlessDone is { IsCompleted: true })
            {
                return Timeout.InfiniteTimeSpan;
            }

            var waits = unlessDone is null ? new[] { changed } : new[] { changed, unlessDone };
            await Task.WhenAny(waits).WaitAsync(guard.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="task"/> to its end, advancing the clock by the due time of every matching timer the code arms
    /// meanwhile (and only then), so that backoffs and timeouts pass exactly when the code waits for them.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, Func<TimeSpan, bool> match)
    {
        while (!task.IsCompleted)
        {
            var due = await WaitForTimerAsync(match, task).ConfigureAwait(false);
            if (due != Timeout.InfiniteTimeSpan)
            {
                Advance(due);
            }
        }

        return await task.ConfigureAwait(false);
    }

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_lock)
        {
            _armed.Add(dueTime);
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Reports a timer armed later with <see cref="ITimer.Change"/> (as <c>CancelAfter</c> and <c>Task.Delay</c> may do).</summary>
    private sealed class Watched(WatchedTime owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (changed)
            {
                owner.Armed(dueTime);
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
