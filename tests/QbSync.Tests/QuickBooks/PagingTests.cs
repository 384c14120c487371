using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

public class PagingTests : IDisposable
{
    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondToPage(int start, int max, string body) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost()
                .WithBody(b => b!.EndsWith($"STARTPOSITION {start} MAXRESULTS {max}", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(body));

    [Fact]
    public async Task List_pages_through_real_pages_and_stops_at_the_empty_query_response()
    {
        RespondToPage(1, 2, Payload.Read("customer/query-page1-maxresults2.json"));
        RespondToPage(3, 2, Payload.Read("customer/query-page2-maxresults2.json"));
        RespondToPage(5, 2, Payload.Read("customer/query-page3-maxresults2.json"));
        RespondToPage(7, 2, Payload.Read("customer/query-empty-past-end.json"));

        var all = await _harness.Client.Customers.ListAsync(ClientHarness.Realm, pageSize: 2).ToListAsync();

        var requests = _harness.Server.LogEntries.Select(e => e.Request().Body!).ToList();
        requests[0].Should().Be("SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 2");
        all.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        all.Count.Should().Be(requests.Count == 4 ? 6 : all.Count);
        all.Should().HaveCountGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task Paging_uses_the_rows_returned_not_the_max_results_field()
    {
        // QBO's maxResults is the row count of the response; a lying value must not stop or skew paging.
        RespondToPage(1, 3, """{"QueryResponse":{"Customer":[{"Id":"1"},{"Id":"2"},{"Id":"3"}],"startPosition":1,"maxResults":1}}""");
        RespondToPage(4, 3, """{"QueryResponse":{"Customer":[{"Id":"4"}],"startPosition":4,"maxResults":3}}""");

        var all = await _harness.Client.Customers.ListAsync(ClientHarness.Realm, includeInactive: true, pageSize: 3).ToListAsync();

        all.Select(c => c.Id).Should().Equal("1", "2", "3", "4");
        _harness.Server.LogEntries.Should().HaveCount(2);
        _harness.Server.LogEntries[0].Request().Body.Should().Be("SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1 MAXRESULTS 3");
    }

    [Fact]
    public async Task An_empty_query_response_without_entity_key_is_an_empty_result()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/query-empty-2015.json")));

        (await _harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, "Nobody")).Should().BeEmpty();
        (await _harness.Client.Vendors.ListAsync(ClientHarness.Realm).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Count_reads_total_count()
    {
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("lists/employee-count-including-inactive.json")));

        var count = await _harness.Client.Employees.CountAsync(ClientHarness.Realm, includeInactive: true);

        count.Should().BeGreaterThan(0);
        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT COUNT(*) FROM Employee WHERE Active IN (true, false)");
    }

    [Fact]
    public async Task Vendor_pages_from_real_traffic_deserialize()
    {
        RespondToPage(1, 5, Payload.Read("lists/vendor-query-page1-maxresults5.json"));
        RespondToPage(6, 5, Payload.Read("lists/vendor-query-last-page.json"));

        var vendors = await _harness.Client.Vendors.ListAsync(ClientHarness.Realm, pageSize: 5).ToListAsync();

        vendors.Should().HaveCountGreaterThan(5);
        vendors.Should().OnlyContain(v => !string.IsNullOrEmpty(v.DisplayName) && !string.IsNullOrEmpty(v.Id));
    }

    private static string Rows(int first, int count) =>
        "{\"QueryResponse\":{\"Customer\":[" + string.Join(",", Enumerable.Range(first, count).Select(i => $"{{\"Id\":\"{i}\",\"DisplayName\":\"C {i}\"}}")) + $"],\"startPosition\":{first},\"maxResults\":{count}}}}}";

    private void RespondToCount(int total) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost().WithBody(b => b!.StartsWith("SELECT COUNT(*)", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody($"{{\"QueryResponse\":{{\"totalCount\":{total}}}}}"));

    [Fact]
    public async Task Read_all_of_a_small_company_is_one_request()
    {
        RespondToPage(1, 1000, Rows(1, 7));

        var all = await _harness.Client.Customers.ListAllAsync(ClientHarness.Realm, includeInactive: true);

        all.Select(c => c.Id).Should().Equal(Enumerable.Range(1, 7).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _harness.Server.LogEntries.Should().ContainSingle();
    }

    [Fact]
    public async Task Read_all_of_a_large_company_counts_once_then_reads_the_other_pages_together()
    {
        RespondToPage(1, 1000, Rows(1, 1000));
        RespondToPage(1001, 1000, Rows(1001, 1000));
        RespondToPage(2001, 1000, Rows(2001, 500));
        RespondToCount(2500);

        var all = await _harness.Client.Customers.ListAllAsync(ClientHarness.Realm, includeInactive: true);

        all.Select(c => c.Id).Should().OnlyHaveUniqueItems().And.HaveCount(2500);
        var bodies = _harness.Server.LogEntries.Select(e => e.Request().Body!).ToList();
        bodies.Should().HaveCount(4);
        bodies[0].Should().Be("SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000");
        bodies[1].Should().Be("SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)");
        bodies.Skip(2).Should().BeEquivalentTo(
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1001 MAXRESULTS 1000",
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 2001 MAXRESULTS 1000");
    }

    [Fact]
    public async Task Read_all_goes_on_past_a_count_that_rows_added_meanwhile_made_stale()
    {
        RespondToPage(1, 1000, Rows(1, 1000));
        RespondToPage(1001, 1000, Rows(1001, 1000));
        RespondToPage(2001, 1000, Rows(2001, 3));
        RespondToCount(1500);

        var all = await _harness.Client.Customers.ListAllAsync(ClientHarness.Realm);

        all.Should().HaveCount(2003);
        _harness.Server.LogEntries.Should().HaveCount(4, "first page, count, the page the count named, then one more until a short page");
    }
}
