using Microsoft.Extensions.Time.Testing;

namespace QbSync.Tests.TestSupport;

internal static class Clock
{
    /// <summary>Advances fake time in small steps until the task completes (bounded, so a hang fails the test).</summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted && advanced < limit)
        {
            await Task.Delay(2);
            time.Advance(step);
            advanced += step;
        }

        for (var i = 0; i < 500 && !task.IsCompleted; i++)
        {
            await Task.Delay(10);
        }

        return await task;
    }

    /// <summary>Lets background continuations run without moving fake time.</summary>
    public static async Task SettleAsync(Func<bool> until, int maxMilliseconds = 5000)
    {
        for (var waited = 0; waited < maxMilliseconds && !until(); waited += 10)
        {
            await Task.Delay(10);
        }
    }
}
