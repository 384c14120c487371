using System.ComponentModel.DataAnnotations;

namespace QbSync.QuickBooks;

/// <summary>Which QuickBooks Online environment the client talks to.</summary>
public enum QuickBooksEnvironment
{
    /// <summary>Intuit's sandbox companies: <c>https://sandbox-quickbooks.api.intuit.com</c>.</summary>
    Sandbox = 0,

    /// <summary>Real companies: <c>https://quickbooks.api.intuit.com</c>.</summary>
    Production = 1,
}

/// <summary>Settings of the QuickBooks Online data client. Bound from configuration and validated at start-up.</summary>
public sealed class QuickBooksClientOptions
{
    /// <summary>The default configuration section: <c>QbSync:QuickBooks</c>.</summary>
    public const string DefaultSectionName = "QbSync:QuickBooks";

    /// <summary>The environment, used when <see cref="BaseUrl"/> is not set.</summary>
    /// <value>The default is <see cref="QuickBooksEnvironment.Sandbox"/>.</value>
    public QuickBooksEnvironment Environment { get; set; } = QuickBooksEnvironment.Sandbox;

    /// <summary>
    /// A base URL that overrides <see cref="Environment"/> (a fake, a proxy); requests go to
    /// <c>{BaseUrl}/v3/company/{realmId}/…</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Uri? BaseUrl { get; set; }

    /// <summary>The <c>minorversion</c> sent on every call.</summary>
    /// <value>The default is 75, the lowest version QBO still serves and the one this release is tested against.</value>
    [Range(1, 999)]
    public int MinorVersion { get; set; } = 75;

    /// <summary>Whether requests are throttled per realm in this process.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableThrottling { get; set; } = true;

    /// <summary>Requests in flight at once per realm; more wait in a queue.</summary>
    /// <value>The default is 10, QBO's limit.</value>
    [Range(1, 1000)]
    public int MaxConcurrentRequestsPerRealm { get; set; } = 10;

    /// <summary>Requests per <see cref="ThrottleWindow"/> per realm, batch requests included.</summary>
    /// <value>The default is 500, QBO's per-minute limit.</value>
    [Range(1, 100_000)]
    public int RequestsPerWindowPerRealm { get; set; } = 500;

    /// <summary>Batch requests per <see cref="ThrottleWindow"/> per realm.</summary>
    /// <value>The default is 40, QBO's per-minute batch limit.</value>
    [Range(1, 100_000)]
    public int BatchRequestsPerWindowPerRealm { get; set; } = 40;

    /// <summary>The sliding window the two rate limits count over.</summary>
    /// <value>The default is one minute.</value>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Retries of a transient failure (429, 408, 500, 502, 503, 504, timeouts, connection errors).</summary>
    /// <value>The default is 4.</value>
    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>Base delay of the exponential, jittered backoff between retries of server errors.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait after a 429 that carries no <c>Retry-After</c> header (Intuit says: wait 60 seconds).</summary>
    /// <value>The default is 60 seconds.</value>
    public TimeSpan ThrottledRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one attempt; QBO times requests out after 120 seconds.</summary>
    /// <value>The default is 100 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Time allowed for one call, retries and waits included.</summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The base URL requests go to.</summary>
    /// <returns><see cref="BaseUrl"/> when set, else the environment's URL.</returns>
    public Uri ResolveBaseUrl() => BaseUrl ?? (Environment == QuickBooksEnvironment.Production
        ? new Uri("https://quickbooks.api.intuit.com")
        : new Uri("https://sandbox-quickbooks.api.intuit.com"));
}
