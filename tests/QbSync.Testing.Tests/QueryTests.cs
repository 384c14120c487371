using System.Net;
using System.Text.Json.Nodes;
using QbSync.Testing.Query;

namespace QbSync.Testing.Tests;

public class QueryParserTests
{
    [Fact]
    public void Parses_select_with_where_orderby_and_paging()
    {
        var q = QueryParser.Parse("SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien \\\\ Sons' AND Active IN (true, false) ORDERBY DisplayName DESC STARTPOSITION 3 MAXRESULTS 2");
        q.IsCount.Should().BeFalse();
        q.Entity.Should().Be("Customer");
        q.Where.Should().HaveCount(2);
        q.Where[0].Values[0].Text.Should().Be("O'Brien \\ Sons");
        q.Where[1].Operator.Should().Be("IN");
        q.OrderBy.Should().ContainSingle().Which.Descending.Should().BeTrue();
        q.StartPosition.Should().Be(3);
        q.MaxResults.Should().Be(2);
    }

    [Fact]
    public void Parses_lowercase_count()
    {
        var q = QueryParser.Parse("select count(*) from customer where Id IN ('5','6')");
        q.IsCount.Should().BeTrue();
        q.Where[0].Values.Should().HaveCount(2);
    }

    [Fact]
    public void Unescaped_apostrophe_gives_the_qbo_parse_error_text()
    {
        var act = () => QueryParser.Parse("SELECT * FROM Customer WHERE DisplayName = 'Amy's Bird Sanctuary'");
        act.Should().Throw<QueryParseException>().Which.Message.Should()
            .StartWith("QueryParserError: Encountered \" <IDENTIFIER> \"s \"\" at line 1, column 49.\nWas expecting one of:\n    <EOF> \n    <AND> ...");
    }

    [Fact]
    public void Unknown_character_gives_a_lexical_error()
    {
        var act = () => QueryParser.Parse("SELECT & FROM Customer");
        act.Should().Throw<QueryParseException>().Which.Message.Should().StartWith("QueryParserError: Invalid content. Lexical error at line 1, column 8.");
    }

    [Fact]
    public void Trailing_backslash_leaves_the_literal_unterminated()
    {
        var act = () => QueryParser.Parse("SELECT * FROM Customer WHERE DisplayName = 'abc\\'");
        act.Should().Throw<QueryParseException>().Which.Message.Should().Contain("Lexical error").And.Contain("<EOF>");
    }

    [Theory]
    [InlineData("")]
    [InlineData("SELECT Id FROM Customer")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'")]
    [InlineData("SELECT * FROM Customer WHERE")]
    public void Bad_syntax_is_refused(string text)
    {
        var act = () => QueryParser.Parse(text);
        act.Should().Throw<QueryParseException>();
    }
}

public class QueryEndpointTests : FakeTestBase
{
    public QueryEndpointTests()
    {
        for (var i = 1; i <= 5; i++)
        {
            Company.AddCustomer($"Customer {i}");
        }

        Company.AddCustomer("Inactive One", active: false);
        Company.AddCustomer("Amy's Bird Sanctuary");
    }

    [Fact]
    public async Task Select_all_hides_inactive_records_and_reports_startposition_and_maxresults()
    {
        var (status, body) = await Query("SELECT * FROM Customer");
        status.Should().Be(HttpStatusCode.OK);
        var response = body["QueryResponse"]!;
        response["Customer"]!.AsArray().Should().HaveCount(6);
        response["startPosition"]!.GetValue<int>().Should().Be(1);
        response["maxResults"]!.GetValue<int>().Should().Be(6);
        response["totalCount"].Should().BeNull();
    }

    [Fact]
    public async Task Active_in_true_false_includes_inactive_records_with_the_deleted_suffix()
    {
        var (_, body) = await Query("SELECT * FROM Customer WHERE Active IN (true, false)");
        var names = body["QueryResponse"]!["Customer"]!.AsArray().Select(c => c!["DisplayName"]!.GetValue<string>());
        names.Should().HaveCount(7).And.Contain("Inactive One (deleted)");
    }

    [Fact]
    public async Task Active_false_returns_only_inactive_records()
    {
        var (_, body) = await Query("select * from Customer where Active = false");
        body["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Count_returns_only_total_count_of_active_records()
    {
        var (_, body) = await Query("SELECT COUNT(*) FROM Customer");
        body["QueryResponse"]!.AsObject().Select(p => p.Key).Should().Equal("totalCount");
        body["QueryResponse"]!["totalCount"]!.GetValue<int>().Should().Be(6);
    }

    [Fact]
    public async Task Empty_result_is_an_empty_query_response()
    {
        var (_, body) = await Query("SELECT * FROM Customer WHERE DisplayName = 'Nobody'");
        body["QueryResponse"]!.AsObject().Count.Should().Be(0);
    }

    [Fact]
    public async Task Paging_uses_one_based_startposition_and_past_the_end_is_empty()
    {
        var (_, page2) = await Query("SELECT * FROM Customer STARTPOSITION 3 MAXRESULTS 2");
        page2["QueryResponse"]!["startPosition"]!.GetValue<int>().Should().Be(3);
        page2["QueryResponse"]!["Customer"]!.AsArray().Select(c => c!["DisplayName"]!.GetValue<string>()).Should().Equal("Customer 3", "Customer 4");

        var (_, past) = await Query("SELECT * FROM Customer STARTPOSITION 50 MAXRESULTS 2");
        past["QueryResponse"]!.AsObject().Count.Should().Be(0);
    }

    [Fact]
    public async Task Default_page_is_100()
    {
        for (var i = 0; i < 120; i++)
        {
            Company.AddCustomer($"Bulk {i}");
        }

        var (_, body) = await Query("SELECT * FROM Customer");
        body["QueryResponse"]!["maxResults"]!.GetValue<int>().Should().Be(100);
    }

    [Fact]
    public async Task Maxresults_over_1000_answers_4001()
    {
        var (status, body) = await Query("SELECT * FROM Customer MAXRESULTS 1500");
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("4001");
        FirstError(body)["Detail"]!.GetValue<string>().Should().Be("QueryValidationError: value 1500 is too large. Max allowed value is 1000");
    }

    [Fact]
    public async Task Unknown_entity_answers_4001_invalid_context_declaration()
    {
        var (_, body) = await Query("SELECT * FROM Custmoer");
        FirstError(body)["Detail"]!.GetValue<string>().Should().Be("QueryValidationError: invalid context declaration: Custmoer");
    }

    [Fact]
    public async Task Unescaped_apostrophe_answers_4000_in_http_400()
    {
        var (status, body) = await Query("SELECT * FROM Customer WHERE DisplayName = 'Amy's Bird Sanctuary'");
        status.Should().Be(HttpStatusCode.BadRequest);
        var error = FirstError(body);
        error["code"]!.GetValue<string>().Should().Be("4000");
        error["Message"]!.GetValue<string>().Should().Be("Error parsing query");
        body["Fault"]!["type"]!.GetValue<string>().Should().Be("ValidationFault");
    }

    [Fact]
    public async Task Escaped_apostrophe_matches_over_get_and_post()
    {
        var (_, post) = await Query("SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'");
        post["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();

        var (_, get) = await Get("query?query=" + Uri.EscapeDataString("SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'") + "&minorversion=75");
        get["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Like_supports_percent_wildcards()
    {
        var (_, body) = await Query("SELECT * FROM Customer WHERE DisplayName LIKE 'Customer%'");
        body["QueryResponse"]!["Customer"]!.AsArray().Should().HaveCount(5);
        var (_, middle) = await Query("SELECT * FROM Customer WHERE DisplayName LIKE '%Bird%'");
        middle["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Comparison_operators_work_on_ids_and_metadata_times()
    {
        var (_, ids) = await Query("SELECT * FROM Customer WHERE Id > '3' AND Id <= '5'");
        ids["QueryResponse"]!["Customer"]!.AsArray().Select(c => c!["Id"]!.GetValue<string>()).Should().Equal("4", "5");

        Clock.Advance(TimeSpan.FromHours(1));
        Company.AddCustomer("Later");
        var (_, later) = await Query("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2025-03-01T05:30:00-07:00'");
        later["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Orderby_sorts()
    {
        var (_, body) = await Query("SELECT * FROM Customer ORDERBY DisplayName DESC MAXRESULTS 1");
        body["QueryResponse"]!["Customer"]![0]!["DisplayName"]!.GetValue<string>().Should().Be("Customer 5");
    }

    [Fact]
    public async Task Name_lists_vendor_employee_item_and_customertype_are_queryable()
    {
        Company.AddVendor("Vendor A");
        Company.AddEmployee("Employee A");
        foreach (var entity in new[] { "Vendor", "Employee", "Item", "CustomerType" })
        {
            var (_, body) = await Query($"SELECT * FROM {entity}");
            body["QueryResponse"]![entity]!.AsArray().Should().NotBeEmpty(entity);
        }
    }
}

public class QuerySettingTests() : FakeTestBase(o => o.QueryParseErrorHttpStatus = 200)
{
    [Fact]
    public async Task Parse_errors_can_come_inside_http_200_as_in_2015()
    {
        var (status, body) = await Query("SELECT * FROM Customer WHERE DisplayName = 'Amy's'");
        status.Should().Be(HttpStatusCode.OK);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("4000");
    }
}

public class SeedWithoutIndividualTests() : FakeTestBase(o => o.SeedIndividualCustomerType = false)
{
    [Fact]
    public void Customer_types_are_seeded_with_or_without_individual()
    {
        Company.CustomerTypes.Select(t => t["Name"]!.GetValue<string>()).Should().NotContain("Individual").And.Contain("Retail");
        using var other = QuickBooksOnlineFake.Start();
        other.Company("1").CustomerTypes.Select(t => t["Name"]!.GetValue<string>()).Should().Contain("Individual");
    }
}
