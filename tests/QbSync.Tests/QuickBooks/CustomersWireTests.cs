using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

public class CustomersWireTests : IDisposable
{
    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Find_by_display_name_posts_an_escaped_query_as_application_text_with_minorversion()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Payload.Read("customer/query-displayname-apostrophe.json")));

        var found = await _harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, @"Amy's Bird\Sanctuary");

        found.Should().NotBeEmpty();
        var request = _harness.Server.LogEntries.Single().Request();
        request.HeaderValue("Content-Type").Should().StartWith("application/text");
        request.HeaderValue("Accept").Should().Contain("application/json");
        request.QueryValue("minorversion").Should().Be("75");
        request.Body.Should().Be(
            @"SELECT * FROM Customer WHERE DisplayName IN ('Amy\'s Bird\\Sanctuary', 'Amy\'s Bird\\Sanctuary (deleted)') " +
            "AND Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000");
    }

    [Fact]
    public async Task Minor_version_is_configurable_and_sent_on_reads()
    {
        using var harness = new ClientHarness(o => o.MinorVersion = 70);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        var customer = await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        customer.DisplayName.Should().Be("Dukes Basketball Camp");
        harness.Server.LogEntries.Single().Request().QueryValue("minorversion").Should().Be("70");
    }

    [Fact]
    public async Task Create_sends_only_set_fields_and_a_generated_request_id()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/create-response.json")));

        var created = await _harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest
        {
            DisplayName = "King's Groceries",
            CustomerTypeRef = new QuickBooksReference("7"),
        });

        created.Id.Should().NotBeNullOrEmpty();
        var request = _harness.Server.LogEntries.Single().Request();
        request.Body.Should().Be("{\"DisplayName\":\"King's Groceries\",\"CustomerTypeRef\":{\"value\":\"7\"}}");
        request.HeaderValue("Content-Type").Should().StartWith("application/json");
        request.QueryValue("requestid").Should().MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public async Task Sparse_update_and_reactivate_send_id_sync_token_and_sparse_flag()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/doc-sparse-update-response.json")));

        await _harness.Client.Customers.ReactivateAsync(ClientHarness.Realm, "2", "4", requestId: "reactivate-2");

        var request = _harness.Server.LogEntries.Single().Request();
        request.Body.Should().Be("{\"Id\":\"2\",\"SyncToken\":\"4\",\"sparse\":true,\"Active\":true}");
        request.QueryValue("requestid").Should().Be("reactivate-2");
    }

    [Fact]
    public async Task A_request_id_longer_than_50_characters_is_refused_before_sending()
    {
        await FluentActions.Awaiting(() => _harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "x" }, new string('a', 51)))
            .Should().ThrowAsync<ArgumentException>();
        _harness.Server.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task Inactive_customers_expose_the_bare_name_without_the_deleted_suffix()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(
                """{"QueryResponse":{"Customer":[{"Id":"9","SyncToken":"2","DisplayName":"Jane Doe (deleted)","FullyQualifiedName":"Jane Doe (deleted)","Active":false},{"Id":"10","DisplayName":"Shop (deleted)","Active":true}],"startPosition":1,"maxResults":2},"time":"2020-09-29T06:04:50.776-07:00"}"""));

        var found = await _harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, "Jane Doe");

        found[0].IsActive.Should().BeFalse();
        found[0].DisplayName.Should().Be("Jane Doe (deleted)");
        found[0].BareDisplayName.Should().Be("Jane Doe");
        found[1].BareDisplayName.Should().Be("Shop (deleted)", "an active record's name is its real name");
    }

    [Fact]
    public async Task Realm_id_is_escaped_into_the_path()
    {
        _harness.Server.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        _harness.Connect("12/../34");
        await _harness.Client.Customers.GetAsync("12/../34", "5/x");

        _harness.Server.LogEntries.Single().Request().Url.Should().Contain("/v3/company/12%2F..%2F34/customer/5%2Fx?");
    }

    [Fact]
    public async Task Every_client_method_refuses_missing_arguments()
    {
        var c = _harness.Client;
        await FluentActions.Awaiting(() => c.Customers.GetAsync("", "1")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Customers.GetAsync("1", null!)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Customers.FindByDisplayNameAsync("1", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Customers.CreateAsync("1", null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => c.Customers.UpdateAsync("1", null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => c.Vendors.FindByDisplayNameAsync(null!, "x")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Employees.CountAsync("")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.CustomerTypes.ListAsync("")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Items.FindByNameAsync("1", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Invoices.CreateAsync("1", null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => c.Invoices.FindByDocNumberAsync("1", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Payments.CreateAsync("1", null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => c.Payments.GetAsync("1", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => c.Batch.ExecuteAsync("1", null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => c.Batch.ExecuteAsync("1", new QuickBooksBatch())).Should().ThrowAsync<InvalidOperationException>();
        await FluentActions.Awaiting(() => c.ChangeDataCapture.GetChangesAsync("1", [], DateTimeOffset.UnixEpoch)).Should().ThrowAsync<ArgumentException>();
        _harness.Server.LogEntries.Should().BeEmpty();
    }
}
