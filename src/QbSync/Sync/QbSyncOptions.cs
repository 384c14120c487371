using System.ComponentModel.DataAnnotations;

namespace QbSync.Sync;

/// <summary>Settings of the sync engine. Bound from configuration and validated at start-up.</summary>
public sealed class QbSyncOptions
{
    /// <summary>The default configuration section: <c>QbSync:Sync</c>.</summary>
    public const string DefaultSectionName = "QbSync:Sync";

    /// <summary>The customer type given to customers QbSync creates, when the company has an active one of that name.</summary>
    /// <value>The default is <c>Individual</c>, as the help article says.</value>
    [Required]
    public string CustomerTypeName { get; set; } = "Individual";

    /// <summary>How long a realm's customer types are cached.</summary>
    /// <value>The default is one hour.</value>
    public TimeSpan CustomerTypeCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the customer list behind the picker and suggestions is reused before it is read again.</summary>
    /// <value>The default is two minutes.</value>
    public TimeSpan CustomerDirectoryCacheDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts of one account's work (the first, each retry after a transient failure, each resume after an
    /// interruption) before it turns Failed (<see cref="SyncReason.RetriesExhausted"/>).</summary>
    /// <value>The default is 5.</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First wait before retrying an account's work after a transient failure; it doubles each time.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a worker holds an account it works on without renewing; leases are renewed every third of this
    /// while any call for the account is in flight, so a long QBO call never lets another worker in. After a process
    /// stops, another worker resumes the work when the lease ends. At least 30 seconds.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Accounts claimed at once by a run of pending work.</summary>
    /// <value>The default is 500.</value>
    [Range(1, 10_000)]
    public int ClaimBatchSize { get; set; } = 500;

    /// <summary>Units of work of one realm in flight at once in a run of pending work: batches of creates, or single
    /// accounts. QBO allows 10 requests in flight per realm; the default leaves room for people's actions.</summary>
    /// <value>The default is 8.</value>
    [Range(1, 10)]
    public int MaxConcurrentAccountsPerRealm { get; set; } = 8;

    /// <summary>From this many customers to create in one run, they are created in batches of 30 instead of one request
    /// each. (Names are always decided locally, on the realm's directory.)</summary>
    /// <value>The default is 20.</value>
    [Range(1, 100_000)]
    public int BulkThreshold { get; set; } = 20;

    /// <summary>How often the background worker looks for due work.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan WorkerPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Firms worked on at once by the background worker.</summary>
    /// <value>The default is 4.</value>
    [Range(1, 64)]
    public int WorkerMaxConcurrentFirms { get; set; } = 4;

    /// <summary>This process's id as lease owner.</summary>
    /// <value>The default is the machine name and a random suffix.</value>
    [Required]
    public string WorkerId { get; set; } = Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The suffix offered to create a customer when a vendor or employee holds the name.</summary>
    /// <value>The default is <c>" (client)"</c>.</value>
    [Required]
    public string AlternativeNameSuffix { get; set; } = " (client)";
}
