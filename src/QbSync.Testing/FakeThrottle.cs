using System.Collections.Concurrent;

namespace QbSync.Testing;

/// <summary>Per-realm throttling as QBO does it: concurrent requests, requests per minute, batch requests per minute.</summary>
public sealed class FakeThrottle
{
    private readonly FakeThrottleOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, RealmState> _realms = new(StringComparer.Ordinal);

    internal FakeThrottle(FakeThrottleOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        Enabled = options.Enabled;
    }

    /// <summary>Whether throttling is applied; switch it at any time.</summary>
    public bool Enabled { get; set; }

    /// <summary>How many requests were refused with 429 so far.</summary>
    public int ThrottledCount => _throttled;

    private int _throttled;
    private int _peakInFlight;
    private int _peakInWindow;

    /// <summary>The most requests one realm had in flight at once (counted while throttling is enabled).</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>The most requests one realm had in one window (<see cref="FakeThrottleOptions.Window"/>, counted while
    /// throttling is enabled).</summary>
    public int PeakInWindow => Volatile.Read(ref _peakInWindow);

    /// <summary>Forgets the windows and counters.</summary>
    public void Reset()
    {
        _realms.Clear();
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _peakInFlight, 0);
        Interlocked.Exchange(ref _peakInWindow, 0);
    }

    internal bool TryEnter(string realmId, bool isBatch)
    {
        var state = _realms.GetOrAdd(realmId, _ => new RealmState());
        var now = _time.GetUtcNow();
        lock (state)
        {
            Trim(state.Requests, now);
            Trim(state.Batches, now);
            if (state.InFlight >= _options.MaxConcurrentRequestsPerRealm
                || state.Requests.Count >= _options.RequestsPerMinutePerRealm
                || (isBatch && state.Batches.Count >= _options.BatchRequestsPerMinutePerRealm))
            {
                Interlocked.Increment(ref _throttled);
                return false;
            }

            state.InFlight++;
            state.Requests.Enqueue(now);
            RaisePeak(ref _peakInFlight, state.InFlight);
            RaisePeak(ref _peakInWindow, state.Requests.Count);
            if (isBatch)
            {
                state.Batches.Enqueue(now);
            }

            return true;
        }
    }

    internal void Exit(string realmId)
    {
        if (_realms.TryGetValue(realmId, out var state))
        {
            lock (state)
            {
                state.InFlight = Math.Max(0, state.InFlight - 1);
            }
        }
    }

    private static void RaisePeak(ref int peak, int value)
    {
        var current = Volatile.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void Trim(Queue<DateTimeOffset> window, DateTimeOffset now)
    {
        while (window.Count > 0 && now - window.Peek() >= _options.Window)
        {
            window.Dequeue();
        }
    }

    private sealed class RealmState
    {
        public int InFlight { get; set; }

        public Queue<DateTimeOffset> Requests { get; } = new();

        public Queue<DateTimeOffset> Batches { get; } = new();
    }
}
