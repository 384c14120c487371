using System.Security.Claims;

namespace QbSync.AspNetCore;

/// <summary>Settings of QbSync's ASP.NET Core endpoints. Validated when the host starts.</summary>
public sealed class QbSyncAspNetCoreOptions
{
    /// <summary>The claim holding the firm id of the signed-in user.</summary>
    /// <value>The default is <c>qbsync_firm</c>.</value>
    public string FirmIdClaimType { get; set; } = "qbsync_firm";

    /// <summary>The claim holding the user's id.</summary>
    /// <value>The default is <see cref="ClaimTypes.NameIdentifier"/>.</value>
    public string UserIdClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>The claim holding the user's role in the firm: <c>Owner</c>, <c>Admin</c> or <c>Employee</c> (any
    /// case). A user without a known role has no rights.</summary>
    /// <value>The default is <see cref="ClaimTypes.Role"/>.</value>
    public string RoleClaimType { get; set; } = ClaimTypes.Role;

    /// <summary>The webhook verifier token from the Intuit developer portal (not the client secret). Webhooks are
    /// refused (503) while it is not set.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? WebhookVerifierToken { get; set; }

    /// <summary>How long a connect <c>state</c> stays usable.</summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan OAuthStateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest webhook body read; a larger one is refused with 413.</summary>
    /// <value>The default is 1 MiB.</value>
    public int WebhookMaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Whether this process applies recorded webhook events in the background. Turn it off where another
    /// process (a worker) runs <see cref="QuickBooksWebhookProcessor"/>, or to drive it by hand.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ProcessWebhooksInBackground { get; set; } = true;

    /// <summary>How often the webhook processor looks for recorded events (it also wakes when one is recorded by this
    /// process).</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan WebhookPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the processor holds a claimed event before another may take it.</summary>
    /// <value>The default is 2 minutes.</value>
    public TimeSpan WebhookLeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts after which an event that keeps failing is given up (marked done with its error).</summary>
    /// <value>The default is 5.</value>
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>Events claimed at once.</summary>
    /// <value>The default is 100.</value>
    public int WebhookBatchSize { get; set; } = 100;

    /// <summary>The processor's id in leases.</summary>
    /// <value>The default is the machine name, the process id and a random suffix.</value>
    public string ProcessorId { get; set; } = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
}
