using System.Diagnostics;
using System.Globalization;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Samples.ConsoleHost;

/// <summary>The demo, step by step, following the help article. Every account change goes through
/// <see cref="IAccountSyncService"/>; the fake is only read to show what QuickBooks Online now holds.</summary>
internal sealed class Walkthrough(DemoHost demo, ConsoleOutput output)
{
    private readonly IAccountSyncService _sync = demo.Sync;

    public async Task RunAsync()
    {
        var watch = Stopwatch.StartNew();
        output.Say($"QbSync console demo: firm '{DemoHost.FirmId}' against the built-in QuickBooks Online fake at {demo.Qbo.BaseUrl}");
        SeedQuickBooks();
        await ConnectAsync();
        await RegisterAccountsAsync();
        await RunFirstSyncAsync();
        await ShowAccountsAsync("The accounts list (column \"QuickBooks\")");
        await EmployeeTriesToUnsyncAsync();
        await AdminUnsyncsAsync();
        await PushInvoicesAndPaymentsAsync();
        await ReactivateAndLinkAsync();
        await CreateUnderAnotherNameAsync();
        await SuggestAndLinkAsync();
        await ShowProblemsAsync();
        await ShowHistoryAsync(DemoData.OldClientId);
        await ShowAccountsAsync("The accounts list at the end");
        ShowQuickBooksRequests(watch.Elapsed);
    }

    private void SeedQuickBooks()
    {
        output.Section("The firm's QuickBooks Online company (the fake)");
        DemoData.SeedCompany(demo.Company);
        output.Field("Realm", DemoHost.RealmId);
        output.Field("Customers", string.Join(", ", demo.Company.Customers.Select(c => DisplayName(c) + (IsActive(c) ? string.Empty : " (inactive)"))));
        output.Field("Vendors", string.Join(", ", demo.Company.Vendors.Select(DisplayName)));
        output.Field("Employees", string.Join(", ", demo.Company.Employees.Select(DisplayName)));
        output.Field("Customer types", string.Join(", ", demo.Company.CustomerTypes.Select(t => t["Name"]!.GetValue<string>())));
    }

    private async Task ConnectAsync()
    {
        output.Section("The owner connects QuickBooks Online");
        // In a real app: redirect the owner to QuickBooksOAuthClient's authorization URL; Intuit calls back with
        // ?code=...&realmId=... Here the fake's OAuth server hands out the code the callback would carry.
        var code = demo.Qbo.OAuth.CreateAuthorizationCode(DemoHost.RealmId);
        var settings = await _sync.ConnectCompanyAsync(demo.Owner, DemoHost.RealmId, code);
        output.Field("Connected realm", settings.RealmId);
        output.Field("Sync scope", settings.Scope);
        output.Field("Create customers", settings.CreateMissingCustomers ? "yes, when no customer has the account's name" : "no, a person decides");
    }

    private async Task RegisterAccountsAsync()
    {
        output.Section("The practice software registers the firm's accounts");
        foreach (var account in DemoData.Accounts)
        {
            await _sync.RegisterAccountAsync(DemoHost.FirmId, account);
            output.Field(account.AccountId, $"{account.Name,-22} {(account.HasBillingActivity ? "has invoices/payments" : "no invoices or payments")}");
        }
    }

    private async Task RunFirstSyncAsync()
    {
        output.Section("First sync (the pending work; a worker service would run it in the background)");
        var run = await _sync.RunPendingAsync(DemoHost.FirmId);
        output.Field("Claimed", run.Claimed);
        output.Field("Synced", run.Synced);
        output.Field("Failed", run.Failed);
        output.Field("Retrying", run.Retrying);
        var jane = await _sync.GetStateAsync(demo.Owner, DemoData.JaneDoeId);
        if (jane.CustomerId is not null && demo.Company.Get("Customer", jane.CustomerId) is { } created)
        {
            var typeId = created["CustomerTypeRef"]?["value"]?.GetValue<string>();
            var typeName = typeId is null ? "(empty)" : demo.Company.Get("CustomerType", typeId)?["Name"]?.GetValue<string>();
            output.Field("Created in QBO", $"customer '{DisplayName(created)}' with customer type {typeName}");
        }
    }

    private async Task ShowAccountsAsync(string title)
    {
        output.Section(title);
        var rows = new List<IReadOnlyList<string>>();
        string? token = null;
        do
        {
            var page = await _sync.ListAccountsAsync(demo.Employee, new AccountQuery { PageSize = 50, ContinuationToken = token });
            rows.AddRange(page.Items.Select(s => (IReadOnlyList<string>)[s.AccountName, s.Label, s.Tooltip]));
            token = page.ContinuationToken;
        }
        while (token is not null);
        output.Table(["Account", "QuickBooks", "Tooltip (on hover)"], rows);
    }

    private async Task EmployeeTriesToUnsyncAsync()
    {
        output.Section("An employee tries \"Do not sync this account\" on Contoso Partners");
        try
        {
            await _sync.UnsyncAsync(demo.Employee, DemoData.ContosoId);
            output.Say("   Unexpected: the employee was allowed.");
        }
        catch (SyncAuthorizationException refused)
        {
            output.Say($"   Refused by the service: {refused.Message}");
        }

        var state = await _sync.GetStateAsync(demo.Employee, DemoData.ContosoId);
        output.Say($"   Contoso Partners is still {state.Label}; the employee's menu offers: {(state.AvailableActions.Count == 0 ? "nothing" : string.Join(" | ", state.AvailableActions.Select(SyncStatusTexts.ActionLabel)))}");
    }

    private async Task AdminUnsyncsAsync()
    {
        output.Section("An admin unsyncs Contoso Partners");
        output.State(await _sync.UnsyncAsync(demo.Admin, DemoData.ContosoId));
    }

    private async Task PushInvoicesAndPaymentsAsync()
    {
        output.Section("The practice software records invoices and payments; those of synced accounts reach QuickBooks");
        var billing = demo.Billing;
        var day = new DateOnly(2026, 11, 2);
        InvoiceInfo Invoice(string id, string accountId, string number, params InvoiceLineInfo[] lines) =>
            new() { InvoiceId = id, AccountId = accountId, Number = number, IssueDate = day, DueDate = day.AddDays(30), Currency = "USD", Lines = lines };

        await billing.RecordInvoiceAsync(DemoHost.FirmId, Invoice("inv-1", DemoData.AcmeId, "HB-2026-001",
            new InvoiceLineInfo("Tax return 2025", 1m, 300m, 300m, "Tax Return"), new InvoiceLineInfo("Bookkeeping, October", 2m, 75.25m, 150.50m, "Bookkeeping")));
        await billing.RecordInvoiceAsync(DemoHost.FirmId, Invoice("inv-2", DemoData.JaneDoeId, "HB-2026-002",
            new InvoiceLineInfo("Consultation", 1.5m, 120m, 180m, "Advisory")));
        await billing.RecordInvoiceAsync(DemoHost.FirmId, Invoice("inv-3", DemoData.ContosoId, "HB-2026-003",
            new InvoiceLineInfo("Payroll, October", 1m, 95m, 95m, "Bookkeeping")));
        await billing.RecordPaymentAsync(DemoHost.FirmId, new PaymentInfo
        {
            PaymentId = "pay-1", AccountId = DemoData.AcmeId, Date = day.AddDays(5), Amount = 500m, Currency = "USD",
            Method = "card", Reference = "ch_3Nf8aa", Applications = [new PaymentApplication("inv-1", 450.50m)],
        });
        output.Say("   \"Advisory\" is no QBO item: the firm's default item covers it.");
        await billing.SetDefaultItemAsync(demo.Admin, "Services");

        // A worker service does this in the background (AddBackgroundWorker).
        var run = await billing.RunPendingDocumentsAsync(DemoHost.FirmId);
        output.Field("Run", $"{run.Claimed} claims, {run.Synced} sent");
        var documents = await billing.ListDocumentsAsync(demo.Employee, new BillingDocumentQuery());
        output.Table(
            ["Document", "Account", "QuickBooks", "QBO id", "Tooltip"],
            documents.Items.Select(d => (IReadOnlyList<string>)[d.Kind + " " + d.DocumentId, d.AccountId, d.Label, d.QuickBooksId ?? "-", d.Tooltip]));
        output.Say("   QuickBooks Online now holds:");
        output.Table(
            ["Type", "Id", "Number / ref", "Customer", "Total", "Open / unapplied", "Private note"],
            demo.Company.Invoices.Select(i => (IReadOnlyList<string>)["Invoice", Text(i, "Id"), Text(i, "DocNumber"), i["CustomerRef"]!["name"]!.GetValue<string>(), Text(i, "TotalAmt"), Text(i, "Balance"), Text(i, "PrivateNote")])
                .Concat(demo.Company.Payments.Select(p => (IReadOnlyList<string>)["Payment", Text(p, "Id"), Text(p, "PaymentRefNum"), p["CustomerRef"]!["name"]!.GetValue<string>(), Text(p, "TotalAmt"), Text(p, "UnappliedAmt"), Text(p, "PrivateNote").Replace('\n', ' ')])),
            lastColumnWidth: 36);
    }

    private static string Text(System.Text.Json.Nodes.JsonObject entity, string name) => entity[name] switch
    {
        null => "-",
        System.Text.Json.Nodes.JsonValue value when value.TryGetValue<string>(out var text) => text,
        var node => node.ToJsonString(),
    };

    private async Task ReactivateAndLinkAsync()
    {
        output.Section("Old Client: an inactive QBO customer holds the name");
        var failed = await _sync.GetStateAsync(demo.Admin, DemoData.OldClientId);
        output.State(failed);
        var holder = failed.Problem is { CustomerIds.Count: > 0 } p ? p.CustomerIds[0] : null;
        if (holder is null || !failed.AvailableActions.Contains(SyncAvailableAction.ReactivateAndLink))
        {
            output.Say("   (no inactive holder to reactivate)");
            return;
        }

        output.Say($"   The admin chooses \"Reactivate and link\" for customer {holder}:");
        output.State(await _sync.LinkAsync(demo.Admin, DemoData.OldClientId, holder, reactivateIfInactive: true));
    }

    private async Task CreateUnderAnotherNameAsync()
    {
        output.Section("Books by Bessie: a vendor holds the name");
        var failed = await _sync.GetStateAsync(demo.Admin, DemoData.BessieId);
        output.State(failed);
        var name = failed.Problem?.SuggestedDisplayName;
        if (name is null || !failed.AvailableActions.Contains(SyncAvailableAction.CreateWithAnotherName))
        {
            output.Say("   (no other name offered)");
            return;
        }

        output.Say($"   The admin creates the customer as \"{name}\":");
        output.State(await _sync.CreateCustomerAsync(demo.Admin, DemoData.BessieId, name));
    }

    private async Task SuggestAndLinkAsync()
    {
        output.Section("John Smith: no customer has the exact name (and no invoices, so not synced automatically)");
        var suggestions = await _sync.SuggestCustomersAsync(demo.Admin, DemoData.JohnSmithId);
        output.Table(
            ["Suggested customer", "Id", "Score", "Why"],
            suggestions.Select(s => (IReadOnlyList<string>)[s.Customer.DisplayName, s.Customer.CustomerId, s.Score.ToString("0.00", CultureInfo.CurrentCulture), s.Why.ToString()]));
        var picker = await _sync.ListAvailableCustomersAsync(demo.Admin, new CustomerPickerQuery { AccountId = DemoData.JohnSmithId, SearchText = "smith" });
        output.Say($"   The picker, searching \"smith\": {string.Join(", ", picker.Items.Select(c => $"{c.DisplayName} ({c.CustomerId})"))} of {picker.TotalCount}");
        if (suggestions.Count == 0)
        {
            return;
        }

        var best = suggestions[0].Customer;
        output.Say($"   The admin picks \"{best.DisplayName}\" and links it:");
        output.State(await _sync.LinkAsync(demo.Admin, DemoData.JohnSmithId, best.CustomerId));
    }

    private async Task ShowProblemsAsync()
    {
        output.Section("The firm's sync problems (error banner)");
        var problems = await _sync.ListProblemsAsync(demo.Owner);
        if (problems.Count == 0)
        {
            output.Say("   No problems.");
            return;
        }

        for (var i = 0; i < problems.Count; i++)
        {
            var problem = problems[i];
            if (i > 0)
            {
                output.Say(string.Empty);
            }

            output.State(problem);
            if (problem.Problem is { } details)
            {
                output.Field("QBO said", $"{details.QuickBooksErrorCode} {details.QuickBooksMessage}".Trim());
            }
        }
    }

    private async Task ShowHistoryAsync(string accountId)
    {
        var state = await _sync.GetStateAsync(demo.Employee, accountId);
        output.Section($"History of {state.AccountName}");
        var history = await _sync.GetHistoryAsync(demo.Employee, accountId);
        output.Table(
            ["When (UTC)", "Who", "From", "To", "Trigger", "Reason", "Note"],
            history.Select(h => (IReadOnlyList<string>)[h.At.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture), h.ActorId, h.From.ToString(), h.To.ToString(), h.Trigger.ToString(), h.Reason.ToString(), h.Note ?? string.Empty]),
            lastColumnWidth: 40);
    }

    private void ShowQuickBooksRequests(TimeSpan elapsed)
    {
        output.Section("Requests QuickBooks Online received");
        var counts = demo.Qbo.Journal.CountsByKind();
        output.Table(
            ["Kind", "Requests"],
            counts.OrderBy(c => c.Key).Select(c => (IReadOnlyList<string>)[c.Key.ToString(), c.Value.ToString(CultureInfo.InvariantCulture)]));
        var data = counts.Where(c => c.Key is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).Sum(c => c.Value);
        output.Say($"   {data} accounting API requests and {demo.Qbo.Journal.Count(FakeRequestKind.Token)} token request(s) for {DemoData.Accounts.Count} accounts; demo ran in {elapsed.TotalSeconds:0.0} s.");
    }

    private static string DisplayName(System.Text.Json.Nodes.JsonObject entity) => entity["DisplayName"]!.GetValue<string>();

    private static bool IsActive(System.Text.Json.Nodes.JsonObject entity) => entity["Active"]?.GetValue<bool>() ?? true;
}
