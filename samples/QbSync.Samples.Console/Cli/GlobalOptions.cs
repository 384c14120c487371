using System.CommandLine;
using System.Globalization;
using QbSync.QuickBooks;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>The options every command takes (recursive options of the root command).</summary>
internal sealed class GlobalOptions
{
    public Option<string> Store { get; } = new("--store")
    {
        Description = "Where accounts, history, settings and tokens are kept: sqlite (a database file, the default) or memory (gone at exit).",
        DefaultValueFactory = _ => "sqlite",
        Recursive = true,
    };

    public Option<string?> Database { get; } = new("--db")
    {
        Description = $"The SQLite database file (env QBSYNC_DB; default {CliSettings.DefaultDatabasePath}). The demo always uses a new one in the temp folder.",
        Recursive = true,
    };

    public Option<string?> Firm { get; } = new("--firm")
    {
        Description = "The firm (tenant) id the command works for (env QBSYNC_FIRM).",
        Recursive = true,
    };

    public Option<string?> User { get; } = new("--user")
    {
        Description = "Who runs the command, recorded in the history (env QBSYNC_USER; default: the OS user name).",
        Recursive = true,
    };

    public Option<string?> Role { get; } = new("--role")
    {
        Description = "The user's role in the firm: owner, admin or employee (env QBSYNC_ROLE; default admin). Connecting is the owner's.",
        Recursive = true,
    };

    public Option<string?> BaseUrl { get; } = new("--base-url")
    {
        Description = "The QuickBooks Online API base URL, overriding --environment (env QBSYNC_BASE_URL).",
        Recursive = true,
    };

    public Option<string?> Environment { get; } = new("--environment")
    {
        Description = "sandbox (the default) or production (env QBSYNC_ENVIRONMENT).",
        Recursive = true,
    };

    public Option<string?> RedirectUri { get; } = new("--redirect-uri")
    {
        Description = "The redirect URI registered for the app at developer.intuit.com (env QBSYNC_REDIRECT_URI; default http://localhost:5000/qbo/callback).",
        Recursive = true,
    };

    public Option<string> CultureName { get; } = new("--culture")
    {
        Description = "Language of labels and tooltips: en or ro.",
        DefaultValueFactory = _ => "en-US",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Show the engine's logs (on standard error for commands).",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Store);
        root.Options.Add(Database);
        root.Options.Add(Firm);
        root.Options.Add(User);
        root.Options.Add(Role);
        root.Options.Add(BaseUrl);
        root.Options.Add(Environment);
        root.Options.Add(RedirectUri);
        root.Options.Add(CultureName);
        root.Options.Add(Verbose);
    }

    public CultureInfo Culture(ParseResult parse)
    {
        var name = parse.GetValue(CultureName) ?? "en-US";
        try
        {
            return CultureInfo.GetCultureInfo(name, predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            throw new CliException($"unknown culture '{name}' (en or ro).");
        }
    }

    public StoreKind StoreKind(ParseResult parse) => (parse.GetValue(Store) ?? "sqlite").ToUpperInvariant() switch
    {
        "SQLITE" => ConsoleHost.StoreKind.Sqlite,
        "MEMORY" => ConsoleHost.StoreKind.Memory,
        var other => throw new CliException($"unknown store '{parse.GetValue(Store)}' (memory or sqlite)."),
    };

    /// <summary>Resolves the settings: option, else environment variable, else user secrets; checks each.</summary>
    public CliSettings Resolve(ParseResult parse, CliSettingsSource source)
    {
        var firm = source.Get(CliSetting.Firm, parse.GetValue(Firm))
            ?? throw new CliException("no firm: pass --firm <id> or set QBSYNC_FIRM.");
        var user = source.Get(CliSetting.User, parse.GetValue(User)) ?? System.Environment.UserName;
        var roleText = source.Get(CliSetting.Role, parse.GetValue(Role)) ?? "admin";
        var role = roleText.ToUpperInvariant() switch
        {
            "OWNER" => FirmRole.Owner,
            "ADMIN" => FirmRole.Admin,
            "EMPLOYEE" => FirmRole.Employee,
            _ => throw new CliException($"unknown role '{roleText}' (owner, admin or employee)."),
        };
        var environmentText = source.Get(CliSetting.Environment, parse.GetValue(Environment)) ?? "sandbox";
        var environment = environmentText.ToUpperInvariant() switch
        {
            "SANDBOX" => QuickBooksEnvironment.Sandbox,
            "PRODUCTION" => QuickBooksEnvironment.Production,
            _ => throw new CliException($"unknown environment '{environmentText}' (sandbox or production)."),
        };

        return new CliSettings
        {
            Store = StoreKind(parse),
            DatabasePath = source.Get(CliSetting.Database, parse.GetValue(Database)) ?? CliSettings.DefaultDatabasePath,
            FirmId = firm,
            Actor = SyncActor.User(firm, user, role),
            ClientId = source.Get(CliSetting.ClientId),
            ClientSecret = source.Get(CliSetting.ClientSecret),
            Environment = environment,
            BaseUrl = Url(source.Get(CliSetting.BaseUrl, parse.GetValue(BaseUrl)), "--base-url / QBSYNC_BASE_URL"),
            RedirectUri = Url(source.Get(CliSetting.RedirectUri, parse.GetValue(RedirectUri)), "--redirect-uri / QBSYNC_REDIRECT_URI")
                ?? new Uri("http://localhost:5000/qbo/callback"),
            AuthorizationEndpoint = Url(source.Get(CliSetting.AuthorizationEndpoint), "QBSYNC_AUTHORIZATION_ENDPOINT"),
            TokenEndpoint = Url(source.Get(CliSetting.TokenEndpoint), "QBSYNC_TOKEN_ENDPOINT"),
            RevocationEndpoint = Url(source.Get(CliSetting.RevocationEndpoint), "QBSYNC_REVOCATION_ENDPOINT"),
            Verbose = parse.GetValue(Verbose),
        };
    }

    private static Uri? Url(string? text, string what) => text switch
    {
        null => null,
        _ when Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) => uri,
        _ => throw new CliException($"{what} is not an absolute http(s) URL: '{text}'."),
    };
}
