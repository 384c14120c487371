using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QbSync.Sync;
using Spectre.Console;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>A connect in progress: the <c>state</c> sent to Intuit, for whom, since when.</summary>
internal sealed record ConnectState(string FirmId, string State, DateTimeOffset CreatedAt);

/// <summary>
/// <c>connect</c>: the owner connects the firm's QuickBooks Online company with OAuth 2.0. The command prints the
/// authorization URL with a new unguessable <c>state</c>; the owner opens it, consents, and pastes back the URL the
/// browser was redirected to (at the prompt, or later with <c>--redirect-url</c>). The command checks that the
/// redirect's <c>state</c> is the one it sent (CSRF), exchanges the code and keeps the tokens in the store.
/// </summary>
internal static class ConnectCommand
{
    /// <summary>How long a printed authorization URL stays good.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(15);

    private static readonly Dictionary<string, ConnectState> InMemoryStates = new(StringComparer.Ordinal);

    public static Command Create(GlobalOptions g, CliContext context)
    {
        var redirect = new Option<string?>("--redirect-url")
        {
            Description = "The URL Intuit redirected the browser to (with code, state and realmId), from an earlier `connect`.",
        };
        var command = new Command("connect", "Connects the firm's QuickBooks Online company (owner only): prints the authorization URL, takes the redirect back.") { redirect };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            if (!run.Services.Policy.IsAllowed(run.Actor, SyncAction.ConnectCompany))
            {
                throw new CliException($"refused: only the firm's owner may connect QuickBooks Online (user '{run.Actor.UserId}' is {run.Actor.Role}; use --role owner). Nothing was changed.", ExitCodes.Refused);
            }

            var redirectUrl = run.Parse.GetValue(redirect);
            if (string.IsNullOrWhiteSpace(redirectUrl))
            {
                var state = new ConnectState(run.Settings.FirmId, NewState(), run.Context.TimeProvider.GetUtcNow());
                Save(run.Settings, state);
                var url = run.Services.OAuth.GetAuthorizationUrl(state.State);
                run.Out.WriteLine("Open this URL in a browser, sign in to Intuit and pick the company to connect:");
                run.Out.WriteLine();
                run.Out.Profile.Out.Writer.WriteLine(url.AbsoluteUri); // unwrapped, so it can be copied whole
                run.Out.WriteLine();
                run.Out.WriteLine($"Intuit then sends the browser to {run.Settings.RedirectUri}?code=...&state=...&realmId=... (the page may not load: only its address is needed).");
                run.Out.WriteLine("Paste that address here and press Enter (or press Enter now and run `connect --redirect-url <address>` within 15 minutes):");
                redirectUrl = await run.Context.Input.ReadLineAsync(ct).ConfigureAwait(false);
                if (string.IsNullOrWhiteSpace(redirectUrl))
                {
                    run.Out.WriteLine("Not connected yet: run `connect --redirect-url <address>` with the address the browser was sent to.");
                    return ExitCodes.Ok;
                }
            }

            return await CompleteAsync(run, redirectUrl.Trim(), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> CompleteAsync(CommandRun run, string redirectUrl, CancellationToken cancellationToken)
    {
        var query = ParseQuery(redirectUrl);
        if (query.TryGetValue("error", out var refusal))
        {
            throw new CliException($"Intuit did not connect the company ({refusal}). Nothing was connected; run `connect` to try again.", ExitCodes.Failed);
        }

        if (!query.TryGetValue("code", out var code) || !query.TryGetValue("realmId", out var realmId) || !query.TryGetValue("state", out var returnedState))
        {
            throw new CliException("that is not the address Intuit redirected to: it needs code, state and realmId. Nothing was connected.");
        }

        var pending = Load(run.Settings)
            ?? throw new CliException($"no connect is in progress for firm '{run.Settings.FirmId}': run `connect` first. Nothing was connected.");
        if (!string.Equals(pending.FirmId, run.Settings.FirmId, StringComparison.Ordinal) || !SameState(pending.State, returnedState))
        {
            throw new CliException("the redirect's state is not the one this connect sent (an old or someone else's authorization). Nothing was connected; run `connect` again.");
        }

        if (run.Context.TimeProvider.GetUtcNow() - pending.CreatedAt > StateLifetime)
        {
            Delete(run.Settings);
            throw new CliException("this connect started more than 15 minutes ago. Nothing was connected; run `connect` again.");
        }

        var settings = await run.Sync.ConnectCompanyAsync(run.Actor, realmId, code, cancellationToken).ConfigureAwait(false);
        Delete(run.Settings);
        run.Out.WriteLine($"Connected QuickBooks Online company {settings.RealmId} to firm '{settings.FirmId}'. The tokens are kept in the store; `sync` runs the pending work.");
        return ExitCodes.Ok;
    }

    private static Dictionary<string, string> ParseQuery(string url)
    {
        var query = url;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            query = uri.Query;
        }
        else if (url.IndexOf('?', StringComparison.Ordinal) is var mark and >= 0)
        {
            query = url[(mark + 1)..];
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            if (name.Length > 0 && value.Length > 0)
            {
                values.TryAdd(name, value);
            }
        }

        return values;
    }

    private static string NewState() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool SameState(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    // With the SQLite store the pending state sits beside the database, so that `connect --redirect-url` in a later
    // process can check it; with the memory store it lives only as long as the process.
    private static string? StatePath(CliSettings settings) =>
        settings.Store == StoreKind.Sqlite ? Path.GetFullPath(settings.DatabasePath) + "." + FileSafe(settings.FirmId) + ".connect.json" : null;

    private static string FileSafe(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();

    private static void Save(CliSettings settings, ConnectState state)
    {
        if (StatePath(settings) is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(state, CliJsonContext.Default.ConnectState));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        else
        {
            lock (InMemoryStates)
            {
                InMemoryStates[settings.FirmId] = state;
            }
        }
    }

    private static ConnectState? Load(CliSettings settings)
    {
        if (StatePath(settings) is { } path)
        {
            try
            {
                return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Default.ConnectState) : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        lock (InMemoryStates)
        {
            return InMemoryStates.GetValueOrDefault(settings.FirmId);
        }
    }

    private static void Delete(CliSettings settings)
    {
        if (StatePath(settings) is { } path)
        {
            File.Delete(path);
        }
        else
        {
            lock (InMemoryStates)
            {
                InMemoryStates.Remove(settings.FirmId);
            }
        }
    }
}
