using System.CommandLine;
using System.Globalization;
using QbSync.QuickBooks;
using QbSync.Sync;
using Spectre.Console;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>The operator's commands, each a thin layer over <see cref="IAccountSyncService"/>.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(GlobalOptions g, CliContext context)
    {
        yield return ConnectCommand.Create(g, context);
        yield return Import(g, context);
        yield return SyncCommand(g, context);
        yield return Status(g, context);
        yield return Customers(g, context);
        yield return Link(g, context);
        yield return Create(g, context);
        yield return Unsync(g, context);
        yield return History(g, context);
        yield return Problems(g, context);
    }

    private static Argument<string> AccountId() => new("account-id") { Description = "The account's id in the practice software." };

    private static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table." };

    private static Command Import(GlobalOptions g, CliContext context)
    {
        var file = new Argument<string>("file") { Description = "CSV file with a header row: id,name,has-billing-activity (quoted fields allowed)." };
        var command = new Command("import", "Registers the firm's accounts from a CSV file. All or nothing: a file with any bad row imports nothing.") { file };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var path = run.Parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException($"no such file: {path}. Nothing was imported.");
            }

            var accounts = AccountCsv.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), out var problems);
            if (problems.Count > 0)
            {
                var message = new System.Text.StringBuilder($"{path} has {problems.Count} problem(s); nothing was imported:");
                foreach (var problem in problems)
                {
                    message.AppendLine().Append("  ").Append(problem);
                }

                throw new CliException(message.ToString());
            }

            // One bulk registration: the library checks every row again before writing any.
            var registered = await run.Sync.RegisterAccountsAsync(run.Settings.FirmId, accounts, ct).ConfigureAwait(false);
            run.Out.WriteLine($"Imported {accounts.Count} account(s) into firm '{run.Settings.FirmId}' ({registered.Added} new, {registered.Updated} updated, {registered.Unchanged} unchanged; {accounts.Count(a => a.HasBillingActivity)} with invoices or payments). `sync` runs the pending work.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SyncCommand(GlobalOptions g, CliContext context)
    {
        var account = new Argument<string?>("account-id") { Description = "One account to sync now (its id); without it, all pending work of the firm.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("sync", "Syncs one account (\"Sync account with QuickBooks\"), or runs the firm's pending work with a progress bar.") { account };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            // Without a company the engine would record the account as Failed (NotConnected), or find nothing due:
            // the operator most likely forgot `connect`, so say so and change nothing.
            await RequireRealmAsync(run, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(account) is { Length: > 0 } accountId)
            {
                CliOutput.State(run.Out, await run.Sync.SyncAsync(run.Actor, accountId, ct).ConfigureAwait(false));
                return ExitCodes.Ok;
            }

            var totals = await RunPendingWithProgressAsync(run, ct).ConfigureAwait(false);
            var table = CliOutput.Table("Claimed", "Synced", "Failed", "Retrying");
            table.Row(Number(totals.Claimed), Number(totals.Synced), Number(totals.Failed), Number(totals.Retrying));
            run.Out.Write(table);
            if (totals.NextAttemptAt is { } next)
            {
                run.Out.WriteLine($"Next retry due at {next.ToString("u", CultureInfo.InvariantCulture)}; run `sync` again then.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    // RunPendingAsync claims a batch of due accounts; rounds go on until nothing is due (retries wait for their time).
    private static async Task<SyncRunResult> RunPendingWithProgressAsync(CommandRun run, CancellationToken cancellationToken)
    {
        var totals = new SyncRunResult(0, 0, 0, 0);
        await run.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progressContext =>
            {
                for (var round = 1; round <= 1000; round++)
                {
                    var task = progressContext.AddTask(round == 1 ? "Syncing pending accounts" : $"Syncing pending accounts (round {round})", maxValue: 1);
                    var result = await run.Sync.RunPendingAsync(run.Settings.FirmId, new SyncProgress(task), cancellationToken).ConfigureAwait(false);
                    task.MaxValue = Math.Max(1, result.Claimed);
                    task.Value = task.MaxValue;
                    task.StopTask();
                    totals = new SyncRunResult(totals.Claimed + result.Claimed, totals.Synced + result.Synced, totals.Failed + result.Failed, totals.Retrying + result.Retrying)
                    {
                        NextAttemptAt = result.NextAttemptAt,
                    };
                    if (result.Claimed == 0 || result.Claimed == result.Retrying)
                    {
                        break;
                    }
                }
            }).ConfigureAwait(false);
        return totals;
    }

    /// <summary>Feeds the progress bar from <see cref="IAccountSyncService.RunPendingAsync(string, IProgress{SyncRunProgress}?, CancellationToken)"/>,
    /// synchronously (a <see cref="Progress{T}"/> would post reports after the run ends).</summary>
    private sealed class SyncProgress(ProgressTask task) : IProgress<SyncRunProgress>
    {
        public void Report(SyncRunProgress value)
        {
            task.MaxValue = Math.Max(1, value.Claimed);
            task.Value = value.Done;
            task.Description = $"Syncing {value.Claimed} account(s): {value.Synced} synced, {value.Failed} failed, {value.Retrying} retrying";
        }
    }

    private static Command Status(GlobalOptions g, CliContext context)
    {
        var status = new Option<SyncStatus[]>("--status")
        {
            Description = "Only accounts in these statuses: Synced, NotSynced, Skipped, Failed, Syncing (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var pageSize = new Option<int>("--page-size") { Description = "Accounts per page (1-1000).", DefaultValueFactory = _ => 50 };
        var page = new Option<string?>("--page") { Description = "The continuation token a previous page printed." };
        var all = new Option<bool>("--all") { Description = "Every page." };
        var json = Json();
        var command = new Command("status", "The accounts list with its QuickBooks column: status, reason and tooltip.") { status, pageSize, page, all, json };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var size = run.Parse.GetValue(pageSize);
            if (size is < 1 or > 1000)
            {
                throw new CliException($"--page-size must be 1 to 1000, not {size}.");
            }

            var statuses = run.Parse.GetValue(status) ?? [];
            var token = run.Parse.GetValue(page);
            var accounts = new List<AccountSyncState>();
            do
            {
                AccountSyncPage result;
                try
                {
                    result = await run.Sync.ListAccountsAsync(run.Actor, new AccountQuery { Statuses = statuses, PageSize = size, ContinuationToken = token }, ct).ConfigureAwait(false);
                }
                catch (ArgumentException) when (token is not null)
                {
                    throw new CliException($"--page '{token}' is not a continuation token this command printed.");
                }

                accounts.AddRange(result.Items);
                token = result.ContinuationToken;
            }
            while (run.Parse.GetValue(all) && token is not null);

            if (run.Parse.GetValue(json))
            {
                CliOutput.Json(run.Out, new StatusJson([.. accounts.Select(AccountJson.From)], token), CliJsonContext.Default.StatusJson);
                return ExitCodes.Ok;
            }

            var table = CliOutput.Table("Account", "Name", "QuickBooks", "Customer", "Tooltip (on hover)");
            foreach (var s in accounts)
            {
                table.Row(s.AccountId, s.AccountName, s.Reason == SyncReason.None ? s.Label : $"{s.Label} [{s.Reason}]", s.CustomerId is null ? null : $"{s.CustomerDisplayName} ({s.CustomerId})", s.Tooltip);
            }

            run.Out.Write(table);
            run.Out.WriteLine(token is null ? $"{accounts.Count} account(s)." : $"{accounts.Count} account(s) shown; next page: --page {token}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Customers(GlobalOptions g, CliContext context)
    {
        var search = new Option<string?>("--search") { Description = "Text the customer's name, company or email contains." };
        var account = new Option<string?>("--account") { Description = "The account the pick is for: also lists customers with similar names." };
        var inactive = new Option<bool>("--inactive") { Description = "Include inactive customers (reactivate with `link --reactivate`)." };
        var skip = new Option<int>("--skip") { Description = "Customers to skip (paging).", DefaultValueFactory = _ => 0 };
        var take = new Option<int>("--take") { Description = "Customers per page (1-100).", DefaultValueFactory = _ => 25 };
        var json = Json();
        var command = new Command("customers", "The customer picker: QuickBooks Online customers no account is linked to, searchable and paged.") { search, account, inactive, skip, take, json };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var (from, count) = (run.Parse.GetValue(skip), run.Parse.GetValue(take));
            if (from < 0 || count is < 1 or > 100)
            {
                throw new CliException("--skip must be 0 or more and --take 1 to 100.");
            }

            var accountId = run.Parse.GetValue(account);
            var picker = await run.Sync.ListAvailableCustomersAsync(run.Actor, new CustomerPickerQuery
            {
                AccountId = accountId,
                SearchText = run.Parse.GetValue(search),
                IncludeInactive = run.Parse.GetValue(inactive),
                Skip = from,
                Take = count,
            }, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(json))
            {
                CliOutput.Json(run.Out, new CustomersJson([.. picker.Items.Select(c => new CustomerJson(c.CustomerId, c.DisplayName, c.CompanyName, c.Email, c.IsActive))], picker.TotalCount, from),
                    CliJsonContext.Default.CustomersJson);
                return ExitCodes.Ok;
            }

            var table = CliOutput.Table("Customer id", "Display name", "Company", "Email", "Active");
            foreach (var c in picker.Items)
            {
                table.Row(c.CustomerId, c.DisplayName, c.CompanyName, c.Email, c.IsActive ? "yes" : "no");
            }

            run.Out.Write(table);
            run.Out.WriteLine($"{picker.Items.Count} of {picker.TotalCount} (from {from}).");
            if (accountId is not null)
            {
                var suggestions = await run.Sync.SuggestCustomersAsync(run.Actor, accountId, ct).ConfigureAwait(false);
                if (suggestions.Count > 0)
                {
                    var similar = CliOutput.Table("Suggested customer", "Id", "Score", "Why");
                    foreach (var s in suggestions)
                    {
                        similar.Row(s.Customer.DisplayName, s.Customer.CustomerId, s.Score.ToString("0.00", CultureInfo.CurrentCulture), s.Why.ToString());
                    }

                    run.Out.Write(similar);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Link(GlobalOptions g, CliContext context)
    {
        var accountId = AccountId();
        var customerId = new Argument<string>("customer-id") { Description = "The QuickBooks Online customer's id (`customers` lists them)." };
        var reactivate = new Option<bool>("--reactivate") { Description = "Reactivate the customer first when it is inactive." };
        var command = new Command("link", "Links an account to a QuickBooks Online customer the user picks.") { accountId, customerId, reactivate };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var account = run.Parse.GetValue(accountId)!;
            var customer = run.Parse.GetValue(customerId)!.Trim();
            if (run.Services.Policy.IsAllowed(run.Actor, SyncAction.Link))
            {
                // The service would record a missing customer as the account's Failed status; a typo should change
                // nothing, so the command checks the account and the customer first.
                await run.Sync.GetStateAsync(run.Actor, account, ct).ConfigureAwait(false);
                await EnsureCustomerExistsAsync(run, customer, ct).ConfigureAwait(false);
            }

            CliOutput.State(run.Out, await run.Sync.LinkAsync(run.Actor, account, customer, run.Parse.GetValue(reactivate), ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string> RequireRealmAsync(CommandRun run, CancellationToken cancellationToken)
    {
        var settings = await run.Sync.GetSettingsAsync(run.Actor, cancellationToken).ConfigureAwait(false);
        return settings.RealmId
            ?? throw new CliException($"firm '{run.Settings.FirmId}' has not connected a QuickBooks Online company. Nothing was changed. Run `connect` first (as the owner).", ExitCodes.Failed);
    }

    private static async Task EnsureCustomerExistsAsync(CommandRun run, string customerId, CancellationToken cancellationToken)
    {
        var realmId = await RequireRealmAsync(run, cancellationToken).ConfigureAwait(false);

        var notFound = new CliException(
            $"QuickBooks Online company {realmId} has no customer with id '{customerId}'. Nothing was changed. `customers --search <text>` lists the customers to pick from.",
            ExitCodes.NotFound);
        if (customerId.Length == 0 || !customerId.All(char.IsAsciiDigit))
        {
            throw notFound; // QBO ids are numbers; anything else would be a query error.
        }

        try
        {
            await run.Services.QuickBooks.Customers.GetAsync(realmId, customerId, cancellationToken).ConfigureAwait(false);
        }
        catch (QuickBooksObjectNotFoundException)
        {
            throw notFound;
        }
    }

    private static Command Create(GlobalOptions g, CliContext context)
    {
        var accountId = AccountId();
        var name = new Option<string?>("--name") { Description = "The customer's display name (default: the account's name)." };
        var command = new Command("create", "Creates a QuickBooks Online customer for the account and links it (customer type Individual when the company has it).") { accountId, name };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            CliOutput.State(run.Out, await run.Sync.CreateCustomerAsync(run.Actor, run.Parse.GetValue(accountId)!, run.Parse.GetValue(name), ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Unsync(GlobalOptions g, CliContext context)
    {
        var accountId = AccountId();
        var command = new Command("unsync", "\"Do not sync this account\": turns QuickBooks sync off for the account (Skipped).") { accountId };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            CliOutput.State(run.Out, await run.Sync.UnsyncAsync(run.Actor, run.Parse.GetValue(accountId)!, ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command History(GlobalOptions g, CliContext context)
    {
        var accountId = AccountId();
        var json = Json();
        var command = new Command("history", "Who changed the account's status, when and why.") { accountId, json };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var id = run.Parse.GetValue(accountId)!;
            var history = await run.Sync.GetHistoryAsync(run.Actor, id, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(json))
            {
                CliOutput.Json(run.Out, new HistoryJson(id, [.. history.Select(h => new HistoryEntryJson(h.At, h.ActorId, h.From, h.To, h.Trigger, h.Reason, h.Note))]),
                    CliJsonContext.Default.HistoryJson);
                return ExitCodes.Ok;
            }

            var table = CliOutput.Table("When (UTC)", "Who", "From", "To", "Trigger", "Reason", "Note");
            foreach (var h in history)
            {
                table.Row(h.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), h.ActorId, h.From.ToString(), h.To.ToString(), h.Trigger.ToString(), h.Reason.ToString(), h.Note);
            }

            run.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Problems(GlobalOptions g, CliContext context)
    {
        var json = Json();
        var command = new Command("problems", "The firm's sync problems (the error banner): Failed accounts with what QuickBooks said and what to do.") { json };
        Cli.Handle(command, g, context, async (run, ct) =>
        {
            var problems = await run.Sync.ListProblemsAsync(run.Actor, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(json))
            {
                CliOutput.Json(run.Out, new ProblemsJson([.. problems.Select(AccountJson.From)]), CliJsonContext.Default.ProblemsJson);
                return ExitCodes.Ok;
            }

            if (problems.Count == 0)
            {
                run.Out.WriteLine("No problems.");
                return ExitCodes.Ok;
            }

            foreach (var problem in problems)
            {
                CliOutput.State(run.Out, problem);
                run.Out.WriteLine();
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Number(int value) => value.ToString(CultureInfo.CurrentCulture);
}
