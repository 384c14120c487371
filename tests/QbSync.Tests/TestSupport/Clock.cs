using Microsoft.Extensions.Time.Testing;

namespace QbSync.Tests.TestSupport;

internal static class Clock
{
    /// <summary>Lets background continuations run without moving fake time.</summary>
    public static async Task SettleAsync(Func<bool> until, int maxMilliseconds = 5000)
    {
        for (var waited = 0; waited < maxMilliseconds && !until(); waited += 10)
        {
            await Task.Delay(10);
        }
    }
}
