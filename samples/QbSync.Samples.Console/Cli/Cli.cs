using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Sync;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>
/// The command line: with no command it runs the demo against the built-in fake; its commands (<c>connect</c>,
/// <c>import</c>, <c>sync</c>, <c>status</c>, <c>customers</c>, <c>link</c>, <c>create</c>, <c>unsync</c>,
/// <c>history</c>, <c>problems</c>) work against a real company or any base URL. <see cref="RunAsync"/> is the whole
/// program, callable in-process by tests.
/// </summary>
internal static class Cli
{
    /// <summary>Options that would put the app's keys or tokens on the command line: refused, whatever their value.</summary>
    private static readonly string[] CredentialOptions =
        ["--client-id", "--client-secret", "--secret", "--clientid", "--clientsecret", "--access-token", "--refresh-token", "--token", "--password"];

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var credential = args.FirstOrDefault(a => CredentialOptions.Any(o => a.Equals(o, StringComparison.OrdinalIgnoreCase) || a.StartsWith(o + "=", StringComparison.OrdinalIgnoreCase) || a.StartsWith(o + ":", StringComparison.OrdinalIgnoreCase)));
        if (credential is not null)
        {
            var name = credential.Split('=', ':')[0];
            await context.Error.WriteLineAsync(
                $"error: {name} is not accepted: credentials never go on the command line (shell history and the process list would keep them). "
                + $"Set the environment variables {CliSetting.ClientId.EnvironmentVariable} and {CliSetting.ClientSecret.EnvironmentVariable}, "
                + "or keep them in user secrets: dotnet user-secrets set QbSync:ClientId <id> --project samples/QbSync.Samples.Console "
                + "(and QbSync:ClientSecret). Tokens are kept in the store by `connect`.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var root = Build(context);
        var parse = root.Parse([.. args]);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await context.Error.WriteLineAsync("error: " + parseError.Message).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse.CommandResult))} --help' for the commands and options.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult? command)
    {
        var names = new Stack<string>();
        for (var current = command; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(current.Parent is null ? "QbSync.Samples.Console" : current.Command.Name);
        }

        return names;
    }

    private static RootCommand Build(CliContext context)
    {
        var g = new GlobalOptions();
        var root = new RootCommand(
            "QbSync console: with no command, a demo against the built-in QuickBooks Online fake; with a command, an operator's tool "
            + "against a real QuickBooks Online company (or any base URL). App keys come from QBSYNC_CLIENT_ID and QBSYNC_CLIENT_SECRET "
            + "or user secrets, never from the command line.");
        g.AddTo(root);
        root.SetAction(parse => RunDemoAsync(parse, g, context));

        var demo = new Command("demo", "The walkthrough of the help article against the built-in fake (the default with no command).");
        demo.SetAction(parse => RunDemoAsync(parse, g, context));
        root.Add(demo);

        foreach (var command in Commands.All(g, context))
        {
            root.Add(command);
        }

        return root;
    }

    private static async Task<int> RunDemoAsync(ParseResult parse, GlobalOptions g, CliContext context)
    {
        try
        {
            var culture = g.Culture(parse);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            var store = g.StoreKind(parse);
            using var demo = DemoHost.Start(new DemoArguments(store, culture, parse.GetValue(g.Verbose)));
            await new Walkthrough(demo, new ConsoleOutput(context.Out)).RunAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (CliException error)
        {
            await context.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            return error.ExitCode;
        }
    }

    /// <summary>
    /// Runs a command's body with its settings and services, and turns what can go wrong into one clear message and
    /// an exit code. The library's exceptions are thrown before anything changes (unknown account, refused role,
    /// state that does not allow the action), so the message says so.
    /// </summary>
    public static void Handle(Command command, GlobalOptions g, CliContext context, Func<CommandRun, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = context.Error;
            try
            {
                var settings = g.Resolve(parse, new CliSettingsSource(context));
                CultureInfo.CurrentCulture = g.Culture(parse);
                CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture;
                await using var services = CliServices.Create(settings);
                return await body(new CommandRun(parse, context, settings, services), cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (SyncAccountNotFoundException e)
            {
                await error.WriteLineAsync($"error: unknown account '{e.AccountId}' in firm '{e.FirmId}'. Nothing was changed. `status` lists the firm's accounts; `import` adds accounts.").ConfigureAwait(false);
                return ExitCodes.NotFound;
            }
            catch (SyncAuthorizationException e)
            {
                await error.WriteLineAsync($"error: refused: {e.Message} Nothing was changed. Only the firm's owner or an admin may sync, unsync, link or create; connecting is the owner's (--role).").ConfigureAwait(false);
                return ExitCodes.Refused;
            }
            catch (QuickBooksCompanyHeldByAnotherFirmException e)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Refused;
            }
            catch (SyncTransitionException e)
            {
                await error.WriteLineAsync($"error: {e.Message} Nothing was changed.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync($"error: settings: {string.Join(" ", e.Failures)} "
                    + $"(app keys: {CliSetting.ClientId.EnvironmentVariable}/{CliSetting.ClientSecret.EnvironmentVariable} or user secrets; see --help).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            catch (QuickBooksReconnectRequiredException e)
            {
                await error.WriteLineAsync($"error: {e.Message} Run `connect` again (as the owner).").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (QuickBooksOAuthException e)
            {
                await error.WriteLineAsync($"error: Intuit's OAuth server refused: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (QuickBooksException e)
            {
                await error.WriteLineAsync($"error: QuickBooks Online: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"error: could not reach QuickBooks Online: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("has not connected", StringComparison.Ordinal))
            {
                await error.WriteLineAsync($"error: {e.Message} Run `connect` first (as the owner).").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (ArgumentException e)
            {
                var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
                await error.WriteLineAsync($"error: {message} Nothing was changed.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
        });
    }
}

/// <summary>A command being run: its parse result, the console, its settings and the sync engine.</summary>
internal sealed record CommandRun(ParseResult Parse, CliContext Context, CliSettings Settings, CliServices Services)
{
    public SyncActor Actor => Settings.Actor;

    public IAccountSyncService Sync => Services.Sync;

    public Spectre.Console.IAnsiConsole Out => Context.Out;
}
