using System.Net;
using Microsoft.Data.Sqlite;
using QbSync.Samples.ConsoleHost.Cli;
using QbSync.Testing;
using Spectre.Console.Testing;

namespace QbSync.Samples.Console.Tests;

/// <summary>What one command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Output}\n--- err ---\n{Error}";
}

/// <summary>
/// Runs the console's commands in-process, as an operator would type them, against a QuickBooks Online fake in OAuth
/// mode and a SQLite database in a temp folder. Settings come in as environment variables, the way an operator sets
/// them; the app's keys are the fake's.
/// </summary>
public sealed class CliHarness : IDisposable
{
    public const string FirmId = "firm-cli";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "qbsync-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public CliHarness()
    {
        Directory.CreateDirectory(_folder);
        Fake = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
        Realm = Fake.CreateCompany();
        Environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["QBSYNC_CLIENT_ID"] = Fake.OAuth.ClientId,
            ["QBSYNC_CLIENT_SECRET"] = Fake.OAuth.ClientSecret,
            ["QBSYNC_BASE_URL"] = Fake.BaseUrl,
            ["QBSYNC_AUTHORIZATION_ENDPOINT"] = Fake.AuthorizationEndpoint,
            ["QBSYNC_TOKEN_ENDPOINT"] = Fake.TokenEndpoint,
            ["QBSYNC_REVOCATION_ENDPOINT"] = Fake.RevocationEndpoint,
            ["QBSYNC_REDIRECT_URI"] = "http://localhost:5000/qbo/callback",
            ["QBSYNC_DB"] = DatabasePath,
            ["QBSYNC_FIRM"] = FirmId,
            ["QBSYNC_USER"] = "olivia.owner",
            ["QBSYNC_ROLE"] = "admin",
        };
    }

    public QuickBooksOnlineFake Fake { get; }

    public FakeCompany Realm { get; }

    public string DatabasePath => Path.Combine(_folder, "qbsync.db");

    public Dictionary<string, string?> Environment { get; }

    /// <summary>The commands' clock (connect's state expires).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Authorization codes exchanged at the fake's token endpoint (refreshes included).</summary>
    public int TokenRequests => Fake.Journal.Requests.Count(r => r.Path == QuickBooksOnlineFake.TokenPath);

    public string File(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs one command line; <paramref name="input"/> is what the operator types at a prompt.</summary>
    public async Task<CliResult> RunAsync(string[] args, TextReader? input = null, TestConsole? console = null)
    {
        console ??= new TestConsole();
        console.Width(250);
        using var error = new StringWriter();
        var context = new CliContext
        {
            Out = console,
            Error = error,
            Input = input ?? TextReader.Null,
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            TimeProvider = Time,
        };
        var exit = await Cli.RunAsync(args, context);
        var result = new CliResult(exit, console.Output, error.ToString());
        console.Dispose();
        return result;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>The authorization URL that <c>connect</c> printed.</summary>
    public static Uri AuthorizationUrlIn(CliResult printed) =>
        new(printed.Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal) && l.Contains("state=", StringComparison.Ordinal)));

    /// <summary>The owner's browser: opens the authorization URL, consents to <see cref="Realm"/>, and returns the
    /// address Intuit redirects to (code, state, realmId).</summary>
    public async Task<string> ConsentAsync(Uri authorizationUrl, string? realmId = null)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var consent = await http.GetAsync(authorizationUrl);
        consent.StatusCode.Should().Be(HttpStatusCode.OK, "the consent page accepts the app's client id and redirect URI");
        var query = System.Web.HttpUtility.ParseQueryString(authorizationUrl.Query);
        var approve = $"{Fake.AuthorizationEndpoint}/approve?decision=allow&realmId={Uri.EscapeDataString(realmId ?? Realm.RealmId)}"
            + $"&state={Uri.EscapeDataString(query["state"]!)}&redirect_uri={Uri.EscapeDataString(query["redirect_uri"]!)}";
        var redirect = await http.GetAsync(approve);
        redirect.StatusCode.Should().Be(HttpStatusCode.Found);
        return redirect.Headers.Location!.AbsoluteUri;
    }

    /// <summary>The owner connects the firm's company: <c>connect</c>, consent in the browser, <c>connect --redirect-url</c>.</summary>
    public async Task ConnectAsync()
    {
        var started = await RunAsync("connect", "--role", "owner");
        started.ExitCode.Should().Be(0, started.ToString());
        var redirect = await ConsentAsync(AuthorizationUrlIn(started));
        var done = await RunAsync("connect", "--role", "owner", "--redirect-url", redirect);
        done.ExitCode.Should().Be(0, done.ToString());
    }

    public void Dispose()
    {
        Fake.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on some platform: the temp folder is cleaned later.
        }
    }
}
