using System.Text.Json;
using QbSync.Testing;
using Spectre.Console.Testing;

namespace QbSync.Samples.Console.Tests;

/// <summary>An operator's day against a QuickBooks Online company: connect, import, sync, look, fix, unsync.</summary>
public sealed class OperatorFlowTests : IDisposable
{
    private const string Accounts = """
        id,name,has-billing-activity
        acc-1,Acme Ltd,true
        acc-2,"Smith, John",yes
        acc-3,"The ""Quoted"" Bakery",1
        acc-4,John Smith,false
        acc-5,Books by Bessie,true
        acc-6,"Riverside
        Dental",true
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private void SeedCompany()
    {
        _cli.Realm.AddCustomer("Acme Ltd");
        _cli.Realm.AddCustomer("Smith, John");
        _cli.Realm.AddCustomer("J. Smith");
        _cli.Realm.AddVendor("Books by Bessie");
    }

    private async Task<JsonElement> StatusJsonAsync(params string[] more)
    {
        var result = await _cli.RunAsync(["status", "--json", "--all", .. more]);
        result.ExitCode.Should().Be(0, result.ToString());
        return JsonDocument.Parse(result.Output).RootElement;
    }

    private static Dictionary<string, string> StatusById(JsonElement status) =>
        status.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("accountId").GetString()!, a => a.GetProperty("status").GetString()!);

    [Fact]
    public async Task Import_then_sync_then_status_json_shows_each_account_as_the_help_article_says()
    {
        SeedCompany();
        await _cli.ConnectAsync();

        var import = await _cli.RunAsync("import", _cli.File("accounts.csv", Accounts));
        import.ExitCode.Should().Be(0, import.ToString());
        import.Output.Should().Contain("Imported 6 account(s)");

        var sync = await _cli.RunAsync("sync");
        sync.ExitCode.Should().Be(0, sync.ToString());
        sync.Output.Should().Contain("Claimed");

        var status = await StatusJsonAsync();
        StatusById(status).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["acc-1"] = "Synced",              // a customer has the name
            ["acc-2"] = "Synced",              // quoted field with a comma
            ["acc-3"] = "Synced",              // created: no customer had the name
            ["acc-4"] = "NotSynced",           // no invoices or payments: not synced by default
            ["acc-5"] = "Failed",              // a vendor holds the name
            ["acc-6"] = "Synced",              // a quoted line break in the name
        });
        var accounts = status.GetProperty("accounts").EnumerateArray().ToList();
        accounts.Single(a => a.GetProperty("accountId").GetString() == "acc-3").GetProperty("accountName").GetString().Should().Be("The \"Quoted\" Bakery");
        var bessie = accounts.Single(a => a.GetProperty("accountId").GetString() == "acc-5");
        bessie.GetProperty("reason").GetString().Should().Be("NameHeldByVendor");
        bessie.GetProperty("tooltip").GetString().Should().Contain("vendor");
        _cli.Realm.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).Should().Contain("The \"Quoted\" Bakery")
            .And.Contain("Riverside Dental", "QBO names hold no line break: the created customer's name has a space instead");

        var failedOnly = await StatusJsonAsync("--status", "Failed");
        StatusById(failedOnly).Keys.Should().Equal("acc-5");

        var table = await _cli.RunAsync("status");
        table.ExitCode.Should().Be(0);
        table.Output.Should().Contain("Books by Bessie").And.Contain("Failed").And.Contain("6 account(s).");
    }

    [Fact]
    public async Task Sync_draws_a_progress_bar_fed_by_the_run()
    {
        SeedCompany();
        await _cli.ConnectAsync();
        (await _cli.RunAsync("import", _cli.File("accounts.csv", Accounts))).ExitCode.Should().Be(0);

        var sync = await _cli.RunAsync(["sync"], console: new TestConsole().Interactive());

        sync.ExitCode.Should().Be(0, sync.ToString());
        sync.Output.Should().Contain("Syncing 5 account(s): 4 synced, 1 failed, 0 retrying").And.Contain("100%");
    }

    [Fact]
    public async Task Status_pages_with_a_continuation_token()
    {
        await _cli.ConnectAsync();
        (await _cli.RunAsync("import", _cli.File("accounts.csv", Accounts))).ExitCode.Should().Be(0);

        var first = JsonDocument.Parse((await _cli.RunAsync("status", "--json", "--page-size", "4")).Output).RootElement;
        first.GetProperty("accounts").GetArrayLength().Should().Be(4);
        var token = first.GetProperty("continuationToken").GetString();
        token.Should().NotBeNullOrEmpty();

        var second = JsonDocument.Parse((await _cli.RunAsync("status", "--json", "--page-size", "4", "--page", token!)).Output).RootElement;
        second.GetProperty("accounts").GetArrayLength().Should().Be(2);
        second.GetProperty("continuationToken").ValueKind.Should().Be(JsonValueKind.Null);
        StatusById(first).Keys.Concat(StatusById(second).Keys).Should().BeEquivalentTo(["acc-1", "acc-2", "acc-3", "acc-4", "acc-5", "acc-6"]);
    }

    [Fact]
    public async Task Customers_link_create_unsync_history_and_problems_work_as_an_admin_would_use_them()
    {
        SeedCompany();
        await _cli.ConnectAsync();
        (await _cli.RunAsync("import", _cli.File("accounts.csv", Accounts))).ExitCode.Should().Be(0);
        (await _cli.RunAsync("sync")).ExitCode.Should().Be(0);

        // The picker: customers no account is linked to ("Smith, John" is linked to acc-2 by name).
        var picker = await _cli.RunAsync("customers", "--search", "smith", "--json");
        picker.ExitCode.Should().Be(0, picker.ToString());
        var choices = JsonDocument.Parse(picker.Output).RootElement.GetProperty("customers").EnumerateArray()
            .ToDictionary(c => c.GetProperty("displayName").GetString()!, c => c.GetProperty("customerId").GetString()!);
        choices.Keys.Should().Equal("J. Smith");

        var suggestions = await _cli.RunAsync("customers", "--account", "acc-4");
        suggestions.ExitCode.Should().Be(0, suggestions.ToString());
        suggestions.Output.Should().Contain("J. Smith").And.Contain("Suggested customer");

        // link John Smith (not synced: no billing activity) to the customer picked.
        var link = await _cli.RunAsync("link", "acc-4", choices["J. Smith"]);
        link.ExitCode.Should().Be(0, link.ToString());
        link.Output.Should().Contain("Synced").And.Contain($"J. Smith (id {choices["J. Smith"]})");

        // create: Books by Bessie under another name, as the failed status suggests.
        var create = await _cli.RunAsync("create", "acc-5", "--name", "Books by Bessie (client)");
        create.ExitCode.Should().Be(0, create.ToString());
        create.Output.Should().Contain("Synced");
        _cli.Realm.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).Should().Contain("Books by Bessie (client)");

        var problems = await _cli.RunAsync("problems", "--json");
        problems.ExitCode.Should().Be(0, problems.ToString());
        JsonDocument.Parse(problems.Output).RootElement.GetProperty("accounts").GetArrayLength().Should().Be(0);

        var unsync = await _cli.RunAsync("unsync", "acc-1", "--user", "adam.admin");
        unsync.ExitCode.Should().Be(0, unsync.ToString());
        unsync.Output.Should().Contain("Skipped");
        StatusById(await StatusJsonAsync())["acc-1"].Should().Be("Skipped");

        var history = await _cli.RunAsync("history", "acc-1", "--json");
        history.ExitCode.Should().Be(0, history.ToString());
        var entries = JsonDocument.Parse(history.Output).RootElement.GetProperty("entries").EnumerateArray().ToList();
        entries.Last().GetProperty("to").GetString().Should().Be("Skipped");
        entries.Last().GetProperty("actorId").GetString().Should().Be("adam.admin");

        var table = await _cli.RunAsync("history", "acc-1");
        table.ExitCode.Should().Be(0);
        table.Output.Should().Contain("adam.admin").And.Contain("UnsyncRequested");

        // sync one account again by hand.
        var again = await _cli.RunAsync("sync", "acc-1");
        again.ExitCode.Should().Be(0, again.ToString());
        StatusById(await StatusJsonAsync())["acc-1"].Should().Be("Synced");
    }

    [Fact]
    public async Task Problems_lists_failed_accounts_with_what_to_do()
    {
        SeedCompany();
        await _cli.ConnectAsync();
        (await _cli.RunAsync("import", _cli.File("accounts.csv", Accounts))).ExitCode.Should().Be(0);
        (await _cli.RunAsync("sync")).ExitCode.Should().Be(0);

        var problems = await _cli.RunAsync("problems");
        problems.ExitCode.Should().Be(0, problems.ToString());
        problems.Output.Should().Contain("Books by Bessie (acc-5)").And.Contain("vendor");

        var json = JsonDocument.Parse((await _cli.RunAsync("problems", "--json")).Output).RootElement;
        var only = json.GetProperty("accounts").EnumerateArray().Single();
        only.GetProperty("accountId").GetString().Should().Be("acc-5");
        only.GetProperty("problem").GetProperty("suggestedDisplayName").GetString().Should().Be("Books by Bessie (client)");
    }

    [Fact]
    public async Task Connect_takes_the_redirect_pasted_at_its_prompt()
    {
        var console = new TestConsole();
        var input = new PromptAnswer { PrintedSoFar = () => console.Output };
        var connect = _cli.RunAsync(["connect", "--role", "owner"], input, console);
        var url = await input.PromptedAsync(); // the operator reads the URL, consents in the browser, pastes the address
        input.Answer(await _cli.ConsentAsync(url));
        var result = await connect;

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain($"Connected QuickBooks Online company {_cli.Realm.RealmId} to firm '{CliHarness.FirmId}'");
        _cli.TokenRequests.Should().Be(1, "the code was exchanged once");
    }

    [Fact]
    public async Task Help_lists_every_command_and_how_credentials_are_given()
    {
        var help = await _cli.RunAsync("--help");

        help.ExitCode.Should().Be(0, help.ToString());
        foreach (var command in new[] { "demo", "connect", "import", "sync", "status", "customers", "link", "create", "unsync", "history", "problems" })
        {
            help.Output.Should().Contain("  " + command + " ");
        }

        help.Output.Should().Contain("QBSYNC_CLIENT_ID").And.Contain("never from the command line");
    }

    [Fact]
    public async Task With_no_arguments_the_demo_runs()
    {
        var demo = await _cli.RunAsync();

        demo.ExitCode.Should().Be(0, demo.ToString());
        demo.Output.Should().Contain("QbSync console demo").And.Contain("The accounts list at the end").And.Contain("Requests QuickBooks Online received");
    }

    [Fact]
    public async Task The_demo_sends_invoices_and_payments_of_synced_accounts_and_holds_those_of_a_skipped_one()
    {
        var demo = await _cli.RunAsync();

        demo.ExitCode.Should().Be(0, demo.ToString());
        var billing = demo.Output[demo.Output.IndexOf("records invoices and payments", StringComparison.Ordinal)..];
        billing.Should().MatchRegex(@"Invoice inv-1[^\n]*Synced").And.MatchRegex(@"Payment pay-1[^\n]*Synced")
            .And.MatchRegex(@"Invoice inv-3[^\n]*Skipped", "Contoso Partners was unsynced: its invoice waits");
        billing.Should().Contain("HB-2026-001").And.Contain("HB-2026-002").And.Contain("ch_3Nf8aa", "the fake holds what was sent");
        demo.Output.Should().NotContain("HB-2026-003", "the held invoice never reached the fake");
    }

    [Fact]
    public async Task The_demo_takes_its_culture_and_store_options()
    {
        var demo = await _cli.RunAsync("demo", "--culture", "ro", "--store", "memory");

        demo.ExitCode.Should().Be(0, demo.ToString());
        demo.Output.Should().Contain("Sincronizat");
    }

    /// <summary>Standard input at connect's prompt: the test reads the printed URL, then answers.</summary>
    private sealed class PromptAnswer : TextReader
    {
        private readonly TaskCompletionSource _prompted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<string>? PrintedSoFar { get; set; }

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            _prompted.TrySetResult();
            return new ValueTask<string?>(_answer.Task.WaitAsync(cancellationToken)!);
        }

        public async Task<Uri> PromptedAsync()
        {
            await _prompted.Task.WaitAsync(TimeSpan.FromMinutes(1));
            return CliHarness.AuthorizationUrlIn(new CliResult(0, PrintedSoFar!(), string.Empty));
        }

        public void Answer(string line) => _answer.SetResult(line);
    }
}
