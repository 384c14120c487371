namespace QbSync.Sync;

/// <summary>
/// Wakes the background worker in this process as soon as there is new work (a company connected, an account
/// registered, a sync requested, settings changed), instead of at its next poll. The service wakes it by itself; a
/// host that makes work due another way (a bulk import through the store) calls <see cref="Wake"/>. Other processes
/// notice the work at their next poll (<see cref="QbSyncOptions.WorkerPollInterval"/>).
/// </summary>
public sealed class SyncWorkSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the worker (cheap; safe to call often and from anywhere). A wake while the worker is busy is
    /// kept: its next wait returns at once.</summary>
    public void Wake()
    {
        lock (_lock)
        {
            _next.TrySetResult();
        }
    }

    /// <summary>Waits for a <see cref="Wake"/> (one already made counts), at most <paramref name="timeout"/>.</summary>
    internal async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task woken;
        lock (_lock)
        {
            if (_next.Task.IsCompleted)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return;
            }

            woken = _next.Task;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(timeout, time, delay.Token);
        await Task.WhenAny(woken, timer).ConfigureAwait(false);
        await delay.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            if (_next.Task.IsCompleted)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
