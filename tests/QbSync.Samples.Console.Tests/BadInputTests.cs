using System.Text.Json;
using QbSync.Testing;

namespace QbSync.Samples.Console.Tests;

/// <summary>Bad input gets one clear message, a non-zero exit code, and changes nothing.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task ConnectAndImportAsync()
    {
        _cli.Realm.AddCustomer("Acme Ltd");
        await _cli.ConnectAsync();
        var import = await _cli.RunAsync("import", _cli.File("accounts.csv", "id,name,has-billing-activity\nacc-1,Acme Ltd,true\nacc-2,Jane Doe,false\n"));
        import.ExitCode.Should().Be(0, import.ToString());
        (await _cli.RunAsync("sync")).ExitCode.Should().Be(0);
    }

    /// <summary>Everything the store holds for the firm that a command could change: statuses, and each history.</summary>
    private async Task<string> SnapshotAsync()
    {
        var status = await _cli.RunAsync("status", "--json", "--all");
        status.ExitCode.Should().Be(0, status.ToString());
        var snapshot = status.Output;
        foreach (var account in JsonDocument.Parse(status.Output).RootElement.GetProperty("accounts").EnumerateArray())
        {
            snapshot += (await _cli.RunAsync("history", account.GetProperty("accountId").GetString()!, "--json")).Output;
        }

        return snapshot;
    }

    private int QuickBooksWrites() => _cli.Fake.Journal.Count(FakeRequestKind.Create) + _cli.Fake.Journal.Count(FakeRequestKind.Update);

    [Theory]
    [InlineData("sync", "acc-404")]
    [InlineData("unsync", "acc-404")]
    [InlineData("create", "acc-404")]
    [InlineData("history", "acc-404")]
    [InlineData("link", "acc-404", "1")]
    public async Task An_unknown_account_is_named_and_nothing_changes(params string[] args)
    {
        await ConnectAndImportAsync();
        var before = await SnapshotAsync();
        var writes = QuickBooksWrites();

        var result = await _cli.RunAsync(args);

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Should().Contain("unknown account 'acc-404' in firm 'firm-cli'");
        (await SnapshotAsync()).Should().Be(before);
        QuickBooksWrites().Should().Be(writes);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("sync", "acc-1")]
    [InlineData("link", "acc-1", "1")]
    public async Task Syncing_before_connect_says_to_connect_and_changes_nothing(params string[] args)
    {
        var import = await _cli.RunAsync("import", _cli.File("accounts.csv", "id,name,has-billing-activity\nacc-1,Acme Ltd,true\n"));
        import.ExitCode.Should().Be(0, import.ToString());
        var before = await SnapshotAsync();

        var result = await _cli.RunAsync(args);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("has not connected a QuickBooks Online company").And.Contain("Run `connect` first");
        (await SnapshotAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_malformed_csv_reports_every_bad_line_and_imports_nothing()
    {
        await ConnectAndImportAsync();
        var before = await SnapshotAsync();
        var csv = string.Join('\n',
            "id,name,has-billing-activity",
            "acc-10,Good Row,true",
            "acc-11,Missing activity",                // line 3: too few fields
            "acc-12,Bad bool,perhaps",                // line 4: not a boolean
            ",No id,true",                            // line 5: empty id
            "acc-10,Same id again,false",             // line 6: repeats line 2
            "acc-13,Bad \"quote,true",                // line 7: quote inside an unquoted field
            "acc-14,\"Fine, quoted\",no");

        var result = await _cli.RunAsync("import", _cli.File("bad.csv", csv));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("nothing was imported")
            .And.Contain("line 3: 2 field(s) where the header has 3")
            .And.Contain("line 4: has-billing-activity is 'perhaps'")
            .And.Contain("line 5: the account id is empty")
            .And.Contain("line 6: account id 'acc-10' repeats line 2")
            .And.Contain("line 7: a quote inside a field");
        result.Error.Should().NotContain("line 2:").And.NotContain("line 8:");
        (await SnapshotAsync()).Should().Be(before, "not even the good rows were imported");
    }

    [Theory]
    [InlineData("name,id\nAcme,acc-1\n", "line 1: the header row must name the columns id, name and has-billing-activity; missing: has-billing-activity")]
    [InlineData("acc-1,Acme Ltd,true\n", "line 1: the header row must name the columns")]
    [InlineData("", "line 1: the file is empty")]
    [InlineData("id,name,has-billing-activity\n", "line 2: the file has a header row but no account")]
    [InlineData("id,name,has-billing-activity\nacc-1,\"Acme,true\n", "line 2: a quoted field is not closed")]
    public async Task A_csv_without_a_usable_header_or_rows_imports_nothing(string csv, string message)
    {
        var result = await _cli.RunAsync("import", _cli.File("bad.csv", csv));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(message);
        (await _cli.RunAsync("status", "--json")).Output.Should().Contain("\"accounts\": []");
    }

    [Fact]
    public async Task A_missing_csv_file_is_named()
    {
        var result = await _cli.RunAsync("import", "/no/such/accounts.csv");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("no such file: /no/such/accounts.csv");
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("not-a-number")]
    public async Task Linking_a_customer_that_does_not_exist_changes_nothing(string customerId)
    {
        await ConnectAndImportAsync();
        var before = await SnapshotAsync();
        var writes = QuickBooksWrites();

        var result = await _cli.RunAsync("link", "acc-2", customerId);

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Should().Contain($"has no customer with id '{customerId}'").And.Contain("Nothing was changed");
        (await SnapshotAsync()).Should().Be(before);
        QuickBooksWrites().Should().Be(writes);
    }

    [Theory]
    [InlineData("--client-secret", "s3cr3t-value")]
    [InlineData("--client-id=ABc123-client")]
    [InlineData("--CLIENT-SECRET:s3cr3t-value")]
    public async Task Credentials_on_the_command_line_are_refused_without_echoing_them(params string[] credential)
    {
        var result = await _cli.RunAsync(["status", .. credential]);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("credentials never go on the command line").And.Contain("QBSYNC_CLIENT_SECRET").And.Contain("user-secrets");
        result.Error.Should().NotContain("s3cr3t-value").And.NotContain("ABc123-client");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task An_employee_is_refused_by_the_service_and_nothing_changes()
    {
        await ConnectAndImportAsync();
        var before = await SnapshotAsync();

        var result = await _cli.RunAsync("unsync", "acc-1", "--role", "employee", "--user", "emma.employee");

        result.ExitCode.Should().Be(4, result.ToString());
        result.Error.Should().Contain("refused").And.Contain("emma.employee");
        (await SnapshotAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Only_the_owner_may_connect()
    {
        var result = await _cli.RunAsync("connect", "--role", "admin");

        result.ExitCode.Should().Be(4, result.ToString());
        result.Error.Should().Contain("only the firm's owner may connect");
        result.Output.Should().NotContain("state=");
    }

    [Fact]
    public async Task A_redirect_with_another_state_connects_nothing()
    {
        var started = await _cli.RunAsync("connect", "--role", "owner");
        started.ExitCode.Should().Be(0, started.ToString());
        var redirect = await _cli.ConsentAsync(CliHarness.AuthorizationUrlIn(started));
        var forged = System.Text.RegularExpressions.Regex.Replace(redirect, "state=[^&]+", "state=someone-elses-state");

        var result = await _cli.RunAsync("connect", "--role", "owner", "--redirect-url", forged);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("state is not the one this connect sent").And.Contain("Nothing was connected");
        _cli.TokenRequests.Should().Be(0, "the code was never exchanged");
        var customers = await _cli.RunAsync("customers");
        customers.ExitCode.Should().Be(1, customers.ToString());
        customers.Error.Should().Contain("has not connected");

        // The genuine redirect still works afterwards.
        var genuine = await _cli.RunAsync("connect", "--role", "owner", "--redirect-url", redirect);
        genuine.ExitCode.Should().Be(0, genuine.ToString());
    }

    [Fact]
    public async Task A_redirect_after_the_state_expired_connects_nothing()
    {
        var started = await _cli.RunAsync("connect", "--role", "owner");
        var redirect = await _cli.ConsentAsync(CliHarness.AuthorizationUrlIn(started));
        _cli.Time = new Later(TimeSpan.FromMinutes(16));

        var result = await _cli.RunAsync("connect", "--role", "owner", "--redirect-url", redirect);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("more than 15 minutes ago").And.Contain("Nothing was connected");
        _cli.TokenRequests.Should().Be(0);
    }

    [Fact]
    public async Task A_redirect_for_another_firm_connects_nothing()
    {
        var started = await _cli.RunAsync("connect", "--role", "owner");
        var redirect = await _cli.ConsentAsync(CliHarness.AuthorizationUrlIn(started));

        var result = await _cli.RunAsync("connect", "--role", "owner", "--firm", "firm-other", "--redirect-url", redirect);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("no connect is in progress for firm 'firm-other'");
        _cli.TokenRequests.Should().Be(0);
    }

    private sealed class Later(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }

    [Fact]
    public async Task A_redirect_without_a_connect_in_progress_connects_nothing()
    {
        var code = _cli.Fake.OAuth.CreateAuthorizationCode(_cli.Realm.RealmId);

        var result = await _cli.RunAsync("connect", "--role", "owner", "--redirect-url", $"http://localhost:5000/qbo/callback?code={code}&state=abc&realmId={_cli.Realm.RealmId}");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("no connect is in progress");
        _cli.TokenRequests.Should().Be(0);
    }

    [Fact]
    public async Task A_denied_consent_connects_nothing()
    {
        (await _cli.RunAsync("connect", "--role", "owner")).ExitCode.Should().Be(0);

        var result = await _cli.RunAsync("connect", "--role", "owner", "--redirect-url", "http://localhost:5000/qbo/callback?error=access_denied&state=x");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("access_denied").And.Contain("Nothing was connected");
    }

    [Theory]
    [InlineData(new[] { "status", "--role", "boss" }, "unknown role 'boss'")]
    [InlineData(new[] { "status", "--environment", "staging" }, "unknown environment 'staging'")]
    [InlineData(new[] { "status", "--base-url", "ftp://example" }, "--base-url / QBSYNC_BASE_URL is not an absolute http(s) URL")]
    [InlineData(new[] { "status", "--page-size", "0" }, "--page-size must be 1 to 1000")]
    [InlineData(new[] { "status", "--store", "oracle" }, "unknown store 'oracle'")]
    [InlineData(new[] { "status", "--culture", "xx-NOPE" }, "unknown culture 'xx-NOPE'")]
    public async Task Bad_options_get_a_clear_message(string[] args, string message)
    {
        var result = await _cli.RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(message);
    }

    [Fact]
    public async Task Connect_without_the_app_keys_says_where_to_set_them()
    {
        _cli.Environment.Remove("QBSYNC_CLIENT_ID");
        _cli.Environment.Remove("QBSYNC_CLIENT_SECRET");

        var result = await _cli.RunAsync("connect", "--role", "owner");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("QBSYNC_CLIENT_ID").And.Contain("user secrets");
        result.Output.Should().NotContain("state=");
    }

    [Fact]
    public async Task A_page_token_that_status_did_not_print_is_refused()
    {
        var result = await _cli.RunAsync("status", "--page", "not-a-token");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("--page 'not-a-token' is not a continuation token this command printed");
    }

    [Fact]
    public async Task A_command_without_a_firm_says_how_to_give_one()
    {
        _cli.Environment.Remove("QBSYNC_FIRM");

        var result = await _cli.RunAsync("status");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("--firm").And.Contain("QBSYNC_FIRM");
    }

    [Fact]
    public async Task An_unknown_command_or_option_is_a_parse_error()
    {
        var result = await _cli.RunAsync("stauts");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("stauts").And.Contain("--help");
    }

    [Fact]
    public async Task A_status_filter_that_is_no_status_is_a_parse_error()
    {
        var result = await _cli.RunAsync("status", "--status", "Broken");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("Broken").And.Contain("status --help");
    }

    [Fact]
    public async Task A_missing_argument_is_a_parse_error()
    {
        var result = await _cli.RunAsync("link", "acc-1");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("customer-id");
    }

    [Fact]
    public async Task Status_filters_take_any_case()
    {
        var result = await _cli.RunAsync("status", "--status", "failed", "--status", "NOTSYNCED", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
    }
}
