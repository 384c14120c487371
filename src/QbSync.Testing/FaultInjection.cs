namespace QbSync.Testing;

/// <summary>A failure the fake can answer with instead of the real response.</summary>
public enum InjectedFault
{
    /// <summary>HTTP 429 with QBO's XML 3001 ThrottleExceeded body.</summary>
    TooManyRequests,

    /// <summary>HTTP 500 with the lowercase gateway fault JSON (3100 InternalServerError).</summary>
    InternalServerError,

    /// <summary>HTTP 503 with the load balancer's HTML page.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 401 with the lowercase AuthenticationFault JSON ("Token expired") and a Www-Authenticate header.</summary>
    Unauthorized,

    /// <summary>No answer for <see cref="FaultInjection.TimeoutDuration"/>, then the connection is closed.</summary>
    Timeout,

    /// <summary>The connection is closed without an answer.</summary>
    DroppedConnection,

    /// <summary>HTTP 200 with an HTML page (a proxy or captive portal answering for QBO); nothing is processed.</summary>
    HtmlOk,

    /// <summary>The request IS processed (a write takes effect), but the answer is cut in half: HTTP 200 with a
    /// truncated JSON body. What a lost answer after a successful write looks like to the client.</summary>
    TruncatedAfterWrite,
}

/// <summary>Fault and latency injection for accounting API requests (<c>/v3/...</c>); thread-safe.</summary>
public sealed class FaultInjection
{
    private readonly object _gate = new();
    private readonly Queue<InjectedFault?> _script = new();
    private Random _random = new(12345);
    private double _rate;
    private InjectedFault[] _rateFaults = [];
    private TimeSpan _minLatency;
    private TimeSpan _maxLatency;
    private volatile bool _active;

    /// <summary>How long a <see cref="InjectedFault.Timeout"/> holds the request before closing. Default 100 seconds.</summary>
    public TimeSpan TimeoutDuration { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Also inject faults (not latency) on the OAuth endpoints. Default false.</summary>
    public bool IncludeOAuthEndpoints { get; set; }

    /// <summary>Scripts the next requests: each step answers one request, in order; a null step lets that request through.</summary>
    /// <param name="steps">The faults, or null for a pass.</param>
    public void Enqueue(params InjectedFault?[] steps)
    {
        lock (_gate)
        {
            foreach (var step in steps)
            {
                _script.Enqueue(step);
            }

            Refresh();
        }
    }

    /// <summary>Answers a random share of requests (after the script is used up) with one of <paramref name="faults"/>.</summary>
    /// <param name="rate">From 0 (never) to 1 (always).</param>
    /// <param name="faults">The faults to pick from, uniformly.</param>
    /// <param name="seed">Seed of the random generator, for repeatable runs.</param>
    public void SetRate(double rate, InjectedFault[] faults, int seed = 12345)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        ArgumentNullException.ThrowIfNull(faults);
        lock (_gate)
        {
            _rate = faults.Length == 0 ? 0 : rate;
            _rateFaults = [.. faults];
            _random = new Random(seed);
            Refresh();
        }
    }

    /// <summary>Adds the same latency to every request (zero to turn it off).</summary>
    /// <param name="latency">The delay.</param>
    public void SetLatency(TimeSpan latency) => SetLatency(latency, latency);

    /// <summary>Adds a uniformly random latency between <paramref name="min"/> and <paramref name="max"/> to every request.</summary>
    /// <param name="min">Shortest delay.</param>
    /// <param name="max">Longest delay.</param>
    public void SetLatency(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        lock (_gate)
        {
            _minLatency = min;
            _maxLatency = max;
            Refresh();
        }
    }

    /// <summary>Removes the script, the rate and the latency.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _script.Clear();
            _rate = 0;
            _rateFaults = [];
            _minLatency = _maxLatency = TimeSpan.Zero;
            Refresh();
        }
    }

    /// <summary>Steps of the script not used yet.</summary>
    public int PendingScriptSteps
    {
        get
        {
            lock (_gate)
            {
                return _script.Count;
            }
        }
    }

    internal bool Active => _active;

    internal InjectedFault? Next()
    {
        if (!_active)
        {
            return null;
        }

        lock (_gate)
        {
            if (_script.Count > 0)
            {
                var step = _script.Dequeue();
                Refresh();
                return step;
            }

            if (_rate > 0 && _random.NextDouble() < _rate)
            {
                return _rateFaults[_random.Next(_rateFaults.Length)];
            }

            return null;
        }
    }

    internal TimeSpan NextLatency()
    {
        if (!_active)
        {
            return TimeSpan.Zero;
        }

        lock (_gate)
        {
            if (_maxLatency <= TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            return _minLatency == _maxLatency ? _minLatency : _minLatency + ((_maxLatency - _minLatency) * _random.NextDouble());
        }
    }

    private void Refresh() => _active = _script.Count > 0 || _rate > 0 || _maxLatency > TimeSpan.Zero;
}
