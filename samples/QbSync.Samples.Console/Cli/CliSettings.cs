using System.Reflection;
using Microsoft.Extensions.Configuration;
using QbSync.QuickBooks;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>
/// One setting the command line reads: from its option when given, else from an environment variable, else from the
/// user secrets under <c>QbSync:Key</c>. The app's keys (client id and secret) have no option: they come only from the
/// environment or user secrets, so that they never reach shell history or the process list.
/// </summary>
internal sealed record CliSetting(string EnvironmentVariable, string SecretsKey)
{
    public static readonly CliSetting ClientId = new("QBSYNC_CLIENT_ID", "QbSync:ClientId");
    public static readonly CliSetting ClientSecret = new("QBSYNC_CLIENT_SECRET", "QbSync:ClientSecret");
    public static readonly CliSetting Database = new("QBSYNC_DB", "QbSync:Database");
    public static readonly CliSetting Firm = new("QBSYNC_FIRM", "QbSync:Firm");
    public static readonly CliSetting User = new("QBSYNC_USER", "QbSync:User");
    public static readonly CliSetting Role = new("QBSYNC_ROLE", "QbSync:Role");
    public static readonly CliSetting BaseUrl = new("QBSYNC_BASE_URL", "QbSync:BaseUrl");
    public static readonly CliSetting Environment = new("QBSYNC_ENVIRONMENT", "QbSync:Environment");
    public static readonly CliSetting RedirectUri = new("QBSYNC_REDIRECT_URI", "QbSync:RedirectUri");
    public static readonly CliSetting AuthorizationEndpoint = new("QBSYNC_AUTHORIZATION_ENDPOINT", "QbSync:AuthorizationEndpoint");
    public static readonly CliSetting TokenEndpoint = new("QBSYNC_TOKEN_ENDPOINT", "QbSync:TokenEndpoint");
    public static readonly CliSetting RevocationEndpoint = new("QBSYNC_REVOCATION_ENDPOINT", "QbSync:RevocationEndpoint");
}

/// <summary>Looks settings up in the environment and (for the process) the user secrets.</summary>
internal sealed class CliSettingsSource
{
    private readonly CliContext _context;
    private readonly Lazy<IConfiguration?> _secrets;

    public CliSettingsSource(CliContext context)
    {
        _context = context;
        _secrets = new Lazy<IConfiguration?>(() => context.UseUserSecrets
            ? new ConfigurationBuilder().AddUserSecrets(Assembly.GetExecutingAssembly(), optional: true).Build()
            : null);
    }

    /// <summary>The option's value when given, else the environment's, else the user secrets'.</summary>
    public string? Get(CliSetting setting, string? fromOption = null)
    {
        if (!string.IsNullOrWhiteSpace(fromOption))
        {
            return fromOption.Trim();
        }

        var value = _context.GetEnvironmentVariable(setting.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value.Trim();
        }

        value = _secrets.Value?[setting.SecretsKey];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>Where and as whom a command runs, resolved from options, environment variables and user secrets.</summary>
internal sealed record CliSettings
{
    /// <summary>The database used when neither <c>--db</c> nor <c>QBSYNC_DB</c> says otherwise.</summary>
    public static string DefaultDatabasePath { get; } = Path.Combine(
        System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData, System.Environment.SpecialFolderOption.DoNotVerify),
        "QbSync", "qbsync.db");

    public required StoreKind Store { get; init; }

    public required string DatabasePath { get; init; }

    public required string FirmId { get; init; }

    public required SyncActor Actor { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public Uri? BaseUrl { get; init; }

    public QuickBooksEnvironment Environment { get; init; } = QuickBooksEnvironment.Sandbox;

    public required Uri RedirectUri { get; init; }

    public Uri? AuthorizationEndpoint { get; init; }

    public Uri? TokenEndpoint { get; init; }

    public Uri? RevocationEndpoint { get; init; }

    public bool Verbose { get; init; }
}
