using System.Text.Json;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>
/// Real QBO customer, vendor and employee bodies (tests/Payloads/customer, tests/Payloads/lists) fed through the
/// client: WireMock returns the file, the client method parses it.
/// </summary>
public class PayloadNameListClientTests : IDisposable
{
    private static readonly TimeSpan Pdt = TimeSpan.FromHours(-7);

    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondTo(string path, string payload, Func<IRequestBuilder, IRequestBuilder>? method = null) =>
        _harness.Server.Given((method ?? (r => r.UsingAnyMethod()))(Request.Create().WithPath(_harness.CompanyPath(path))))
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/json;charset=utf-8")
                .WithBody(Payload.Read(payload)));

    private static void ShouldBeExactly(DateTimeOffset? actual, DateTimeOffset expected)
    {
        actual.Should().Be(expected);
        actual!.Value.Offset.Should().Be(expected.Offset, "QBO sends times in the company's offset and it must be kept");
    }

    // ----- customer/ -----
    [Fact]
    public async Task Customer_read_response_is_parsed_into_every_modelled_field()
    {
        RespondTo("customer/5", "customer/read-response.json", r => r.UsingGet());

        var customer = await _harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        customer.Id.Should().Be("5");
        customer.SyncToken.Should().Be("1");
        ShouldBeExactly(customer.MetaData!.CreateTime, new DateTimeOffset(2015, 10, 1, 16, 54, 59, Pdt));
        ShouldBeExactly(customer.MetaData.LastUpdatedTime, new DateTimeOffset(2016, 8, 27, 1, 37, 57, Pdt));
        customer.DisplayName.Should().Be("Dukes Basketball Camp");
        customer.BareDisplayName.Should().Be("Dukes Basketball Camp");
        customer.FullyQualifiedName.Should().Be("Dukes Basketball Camp");
        customer.CompanyName.Should().Be("Dukes Basketball Camp");
        customer.PrintOnCheckName.Should().Be("Dukes Basketball Camp");
        customer.GivenName.Should().Be("Peter");
        customer.FamilyName.Should().Be("Dukes");
        customer.Active.Should().BeTrue();
        customer.IsActive.Should().BeTrue();
        customer.Job.Should().BeFalse();
        customer.Balance.Should().Be(0m);
        customer.CurrencyRef!.Value.Should().Be("USD");
        customer.CurrencyRef.Name.Should().Be("United States Dollar");
        customer.PrimaryPhone!.FreeFormNumber.Should().Be("(520) 420-5638");
        customer.PrimaryEmailAddr!.Address.Should().Be("Dukes_bball@intuit.com");
        customer.BillAddr!.Id.Should().Be("6");
        customer.BillAddr.Line1.Should().Be("25 Court St.");
        customer.BillAddr.City.Should().Be("Tucson");
        customer.BillAddr.CountrySubDivisionCode.Should().Be("AZ");
        customer.BillAddr.PostalCode.Should().Be("85719");

        // Not modelled, kept as sent.
        customer.AdditionalProperties.Should().ContainKeys("Taxable", "ShipAddr", "BillWithParent", "BalanceWithJobs",
            "PreferredDeliveryMethod", "domain", "sparse", "DefaultTaxCodeRef");
        customer.AdditionalProperties!["ShipAddr"].GetProperty("Lat").GetString().Should().Be("32.2841116");
        customer.AdditionalProperties["DefaultTaxCodeRef"].GetProperty("value").GetString().Should().Be("2");
        customer.AdditionalProperties["Taxable"].GetBoolean().Should().BeTrue();
        customer.AdditionalProperties.Should().NotContainKey("Id", "modelled properties are not duplicated");
    }

    [Fact]
    public async Task Customer_create_response_gives_the_new_id_sync_token_zero_and_the_defaults_qbo_filled_in()
    {
        RespondTo("customer", "customer/create-response.json", r => r.UsingPost());

        var created = await _harness.Client.Customers.CreateAsync(ClientHarness.Realm,
            new CustomerCreateRequest { DisplayName = "Doe5, Jane" }, requestId: "create-doe5");

        created.Id.Should().Be("70");
        created.SyncToken.Should().Be("0");
        created.DisplayName.Should().Be("Doe5, Jane");
        created.FullyQualifiedName.Should().Be("Doe5, Jane");
        created.PrintOnCheckName.Should().Be("Doe5, Jane");
        created.Active.Should().BeTrue();
        created.Job.Should().BeFalse();
        created.Balance.Should().Be(0m);
        created.CurrencyRef!.Value.Should().Be("USD");
        ShouldBeExactly(created.MetaData!.CreateTime, new DateTimeOffset(2020, 9, 29, 5, 58, 16, Pdt));
        ShouldBeExactly(created.MetaData.LastUpdatedTime, new DateTimeOffset(2020, 9, 29, 5, 58, 16, Pdt));
        created.AdditionalProperties!["PreferredDeliveryMethod"].GetString().Should().Be("Print");
        created.AdditionalProperties["BillWithParent"].GetBoolean().Should().BeFalse();

        var request = _harness.Server.LogEntries.Single().Request();
        request.Body.Should().Be("""{"DisplayName":"Doe5, Jane"}""", "the recorded create request was exactly this");
        request.QueryValue("requestid").Should().Be("create-doe5");
    }

    [Fact]
    public async Task Customer_sparse_update_doc_response_is_parsed_with_the_new_sync_token_and_money_written_as_85_0()
    {
        RespondTo("customer", "customer/doc-sparse-update-response.json", r => r.UsingPost());

        var updated = await _harness.Client.Customers.UpdateAsync(ClientHarness.Realm, new CustomerUpdateRequest
        {
            Id = "2",
            SyncToken = "0",
            GivenName = "Bill",
            PrimaryEmailAddr = new QuickBooksEmailAddress { Address = "Surf@Intuit.com" },
        });

        updated.Id.Should().Be("2");
        updated.SyncToken.Should().Be("1");
        updated.DisplayName.Should().Be("Bill's Windsurf Shop");
        updated.MiddleName.Should().Be("Mark");
        updated.GivenName.Should().Be("Bill");
        updated.FamilyName.Should().Be("Lucchini");
        updated.PrimaryEmailAddr!.Address.Should().Be("Surf@Intuit.com");
        updated.PrimaryPhone!.FreeFormNumber.Should().Be("(415) 444-6538");
        updated.Balance.Should().Be(85m);
        updated.BillAddr!.City.Should().Be("Half Moon Bay");
        ShouldBeExactly(updated.MetaData!.LastUpdatedTime, new DateTimeOffset(2015, 7, 23, 11, 7, 55, Pdt));
        updated.AdditionalProperties!["sparse"].GetBoolean().Should().BeFalse("QBO echoes sparse:false even for a sparse update");
        updated.AdditionalProperties["BalanceWithJobs"].GetDecimal().Should().Be(85m);

        var request = _harness.Server.LogEntries.Single().Request();
        request.Body.Should().Be(
            """{"Id":"2","SyncToken":"0","sparse":true,"GivenName":"Bill","PrimaryEmailAddr":{"Address":"Surf@Intuit.com"}}""");
        request.QueryValue("requestid").Should().MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public async Task Customer_full_update_response_recorded_without_sparse_flag_still_parses_through_UpdateAsync()
    {
        RespondTo("customer", "customer/update-response.json", r => r.UsingPost());

        var updated = await _harness.Client.Customers.UpdateAsync(ClientHarness.Realm,
            new CustomerUpdateRequest { Id = "68", SyncToken = "0", DisplayName = "Jack Moe" });

        updated.Id.Should().Be("68");
        updated.SyncToken.Should().Be("1");
        updated.DisplayName.Should().Be("Jack Moe");
        updated.FullyQualifiedName.Should().Be("Jack Moe");
        updated.PrintOnCheckName.Should().Be("Jack Moe");
        updated.PrimaryPhone!.FreeFormNumber.Should().Be("(415) 444-1234");
        ShouldBeExactly(updated.MetaData!.CreateTime, new DateTimeOffset(2020, 9, 29, 4, 48, 37, Pdt));
        ShouldBeExactly(updated.MetaData.LastUpdatedTime, new DateTimeOffset(2020, 9, 29, 6, 0, 7, Pdt));
    }

    [Fact]
    public async Task Customer_read_before_update_is_parsed_with_sync_token_zero()
    {
        RespondTo("customer/68", "customer/update-read-before.json", r => r.UsingGet());

        var customer = await _harness.Client.Customers.GetAsync(ClientHarness.Realm, "68");

        customer.Id.Should().Be("68");
        customer.SyncToken.Should().Be("0");
    }

    [Fact]
    public async Task Customer_query_pages_of_two_are_read_in_order_with_sub_customers_and_decimal_balances()
    {
        void Page(int start, string payload) =>
            _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("query")).UsingPost()
                    .WithBody(b => b!.EndsWith($"STARTPOSITION {start} MAXRESULTS 2", StringComparison.Ordinal)))
                .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read(payload)));
        Page(1, "customer/query-page1-maxresults2.json");
        Page(3, "customer/query-page2-maxresults2.json");
        Page(5, "customer/query-page3-maxresults2.json");
        Page(7, "customer/query-empty-past-end.json");

        var all = await _harness.Client.Customers.ListAsync(ClientHarness.Realm, includeInactive: true, pageSize: 2).ToListAsync();

        all.Select(c => c.Id).Should().Equal("5", "6", "7", "8", "9", "10");
        all.Select(c => c.DisplayName).Should().Equal(
            "Dukes Basketball Camp", "Dylan Sollfrank", "Freeman Sporting Goods", "0969 Ocean View Road", "55 Twin Lane", "Geeta Kalapatapu");
        var subCustomer = all.Single(c => c.Id == "8");
        subCustomer.Job.Should().BeTrue();
        subCustomer.ParentRef!.Value.Should().Be("7");
        subCustomer.FullyQualifiedName.Should().Be("Freeman Sporting Goods:0969 Ocean View Road");
        subCustomer.AdditionalProperties!["Level"].GetInt32().Should().Be(1);
        all.Single(c => c.Id == "9").Balance.Should().Be(85.00m);
        all.Single(c => c.Id == "10").Balance.Should().Be(629.10m);
        all.Single(c => c.Id == "7").AdditionalProperties!["WebAddr"].GetProperty("URI").GetString().Should().Be("http://sportinggoods.intuit.com");
        _harness.Server.LogEntries.Select(e => e.Request().Body).Should().Equal(
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1 MAXRESULTS 2",
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 3 MAXRESULTS 2",
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 5 MAXRESULTS 2",
            "SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 7 MAXRESULTS 2");
    }

    [Fact]
    public async Task Customer_query_of_41_rows_with_max_results_1000_is_one_request_and_every_row_parses()
    {
        RespondTo("query", "customer/query-all-maxresults1000.json", r => r.UsingPost());

        var all = await _harness.Client.Customers.ListAsync(ClientHarness.Realm).ToListAsync();

        all.Should().HaveCount(41);
        _harness.Server.LogEntries.Should().ContainSingle("41 rows is less than the 1000 asked for")
            .Which.Request().Body.Should().Be("SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1000");
        all.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        all.Should().OnlyContain(c => c.SyncToken != null && c.MetaData!.CreateTime != null && c.DisplayName != null);
        all.Single(c => c.Id == "25").Balance.Should().Be(160.00m);
        all.Single(c => c.Id == "17").Balance.Should().Be(314.28m);
        var jack = all.Single(c => c.Id == "64");
        jack.Job.Should().BeTrue();
        jack.ParentRef!.Value.Should().Be("62");
        jack.FullyQualifiedName.Should().Be("Doe, Jack:Jack Doe");
        all.Where(c => c.DisplayName == "Jack Doe").Select(c => c.Id).Should().BeEquivalentTo(["64", "60"],
            "a sub-customer may share the display name of a top-level customer");
    }

    [Fact]
    public async Task Customer_found_by_a_display_name_with_an_apostrophe_is_read_from_the_real_response()
    {
        RespondTo("query", "customer/query-displayname-apostrophe.json", r => r.UsingPost());

        var found = await _harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, "Amy's Bird Sanctuary", includeInactive: false);

        var amy = found.Should().ContainSingle().Subject;
        amy.Id.Should().Be("1");
        amy.DisplayName.Should().Be("Amy's Bird Sanctuary");
        amy.Balance.Should().Be(739.00m);
        amy.BillAddr!.Line1.Should().Be("4581 Finch St.");
        ShouldBeExactly(amy.MetaData!.LastUpdatedTime, new DateTimeOffset(2020, 9, 29, 5, 58, 7, Pdt));
        _harness.Server.LogEntries.Single().Request().Body.Should().Be(
            @"SELECT * FROM Customer WHERE DisplayName = 'Amy\'s Bird Sanctuary' STARTPOSITION 1 MAXRESULTS 1000");
    }

    [Fact]
    public async Task Customer_doc_query_response_abbreviated_by_intuit_yields_the_rows_present()
    {
        RespondTo("query", "customer/doc-query-response-abbreviated.json", r => r.UsingPost());

        var page = await _harness.Client.Customers.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Customer").Page(1, 6));

        page.Items.Should().HaveCount(2, "Intuit's sample says maxResults 6 but lists two; the rows are what counts");
        page.StartPosition.Should().Be(1);
        page.RequestedMaxResults.Should().Be(6);
        page.MayHaveMore.Should().BeFalse();
        page.Items.Should().OnlyContain(c => c.Id != null && c.DisplayName != null);
    }

    [Fact]
    public async Task Customer_count_reads_total_count_and_sends_a_count_query()
    {
        RespondTo("query", "customer/count-response.json", r => r.UsingPost());

        (await _harness.Client.Customers.CountAsync(ClientHarness.Realm)).Should().Be(41);

        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT COUNT(*) FROM Customer");
    }

    [Fact]
    public async Task Customer_count_response_to_a_lower_case_count_query_is_read_the_same_way()
    {
        RespondTo("query", "customer/count-where-id-in.json", r => r.UsingPost());

        (await _harness.Client.Customers.CountAsync(ClientHarness.Realm, includeInactive: true)).Should().Be(6);

        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)");
    }

    // ----- lists/: vendors -----
    [Fact]
    public async Task Vendor_count_reads_total_count()
    {
        RespondTo("query", "lists/vendor-count.json", r => r.UsingPost());

        (await _harness.Client.Vendors.CountAsync(ClientHarness.Realm)).Should().Be(26);

        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT COUNT(*) FROM Vendor");
    }

    [Fact]
    public async Task Vendor_first_page_of_five_is_full_and_keeps_unmodelled_fields()
    {
        RespondTo("query", "lists/vendor-query-page1-maxresults5.json", r => r.UsingPost());

        var page = await _harness.Client.Vendors.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Vendor").Page(1, 5));

        page.Items.Select(v => v.Id).Should().Equal("56", "30", "31", "32", "33");
        page.MayHaveMore.Should().BeTrue();
        var bessie = page.Items[1];
        bessie.DisplayName.Should().Be("Books by Bessie");
        bessie.CompanyName.Should().Be("Books by Bessie");
        bessie.GivenName.Should().Be("Bessie");
        bessie.FamilyName.Should().Be("Williams");
        bessie.AdditionalProperties!["AcctNum"].GetString().Should().Be("1345");
        bessie.AdditionalProperties["Vendor1099"].GetBoolean().Should().BeFalse();
        var brosnahan = page.Items[2];
        brosnahan.AdditionalProperties!["Balance"].GetDecimal().Should().Be(241.23m);
        brosnahan.AdditionalProperties["Vendor1099"].GetBoolean().Should().BeTrue();
        page.Items[0].CompanyName.Should().BeNull("Bob's Burger Joint has no company name");
        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT * FROM Vendor STARTPOSITION 1 MAXRESULTS 5");
    }

    [Fact]
    public async Task Vendor_last_page_with_one_row_reports_no_more()
    {
        RespondTo("query", "lists/vendor-query-last-page.json", r => r.UsingPost());

        var page = await _harness.Client.Vendors.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Vendor").Page(26, 5));

        var tony = page.Items.Should().ContainSingle().Subject;
        tony.Id.Should().Be("52");
        tony.DisplayName.Should().Be("Tony Rondonuwu");
        tony.GivenName.Should().Be("Tony");
        tony.FamilyName.Should().Be("Rodonuwu", "QBO's name fields are independent of the display name");
        tony.AdditionalProperties!["Suffix"].GetString().Should().Be("Jr.");
        page.StartPosition.Should().Be(26);
        page.MayHaveMore.Should().BeFalse();
    }

    [Fact]
    public async Task Vendor_list_including_inactive_exposes_the_deleted_vendor_with_its_bare_name()
    {
        RespondTo("query", "lists/vendor-query-including-inactive.json", r => r.UsingPost());

        var all = await _harness.Client.Vendors.ListAsync(ClientHarness.Realm, includeInactive: true).ToListAsync();

        all.Should().HaveCount(27);
        var treasury = all.Single(v => v.Id == "53");
        treasury.DisplayName.Should().Be("United States Treasury (deleted)");
        treasury.Active.Should().BeFalse();
        treasury.IsActive.Should().BeFalse();
        treasury.BareDisplayName.Should().Be("United States Treasury");
        treasury.PrintOnCheckName.Should().Be("United States Treasury", "QBO never appends the suffix here");
        treasury.SyncToken.Should().Be("1");
        ShouldBeExactly(treasury.MetaData!.LastUpdatedTime, new DateTimeOffset(2018, 1, 5, 11, 23, 0, TimeSpan.FromHours(-8)));
        all.Where(v => v.Id != "53").Should().OnlyContain(v => v.IsActive && v.BareDisplayName == v.DisplayName);
        all.Single(v => v.Id == "48").DisplayName.Should().Be("PG&E");
        all.Single(v => v.Id == "47").CompanyName.Should().Be("Pam Seitz, CPA");
        _harness.Server.LogEntries.Single().Request().Body.Should().Be(
            "SELECT * FROM Vendor WHERE Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000");
    }

    [Fact]
    public async Task Vendor_found_by_a_display_name_with_an_ampersand_sends_the_ampersand_unescaped_in_the_text_body()
    {
        RespondTo("query", "lists/vendor-query-displayname-ampersand.json", r => r.UsingPost());

        var found = await _harness.Client.Vendors.FindByDisplayNameAsync(ClientHarness.Realm, "Robertson & Associates");

        var vendor = found.Should().ContainSingle().Subject;
        vendor.Id.Should().Be("49");
        vendor.DisplayName.Should().Be("Robertson & Associates");
        vendor.CompanyName.Should().Be("Robertson & Associates");
        vendor.AdditionalProperties!["Balance"].GetDecimal().Should().Be(315.00m);
        vendor.AdditionalProperties["AcctNum"].GetString().Should().Be("000005641", "leading zeros of a string id are kept");
        _harness.Server.LogEntries.Single().Request().Body.Should().Be(
            "SELECT * FROM Vendor WHERE DisplayName IN ('Robertson & Associates', 'Robertson & Associates (deleted)') " +
            "AND Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000");
    }

    // ----- lists/: employees -----
    [Fact]
    public async Task Employee_count_including_inactive_reads_total_count()
    {
        RespondTo("query", "lists/employee-count-including-inactive.json", r => r.UsingPost());

        (await _harness.Client.Employees.CountAsync(ClientHarness.Realm, includeInactive: true)).Should().Be(2);

        _harness.Server.LogEntries.Single().Request().Body.Should().Be("SELECT COUNT(*) FROM Employee WHERE Active IN (true, false)");
    }

    [Fact]
    public async Task Employee_list_including_inactive_strips_the_deleted_suffix_only_from_the_inactive_employee()
    {
        RespondTo("query", "lists/employee-query-including-inactive.json", r => r.UsingPost());

        var all = await _harness.Client.Employees.ListAsync(ClientHarness.Realm, includeInactive: true).ToListAsync();

        all.Select(e => e.Id).Should().Equal("55", "54");
        var emily = all[0];
        emily.DisplayName.Should().Be("Emily Platt (deleted)");
        emily.BareDisplayName.Should().Be("Emily Platt");
        emily.PrintOnCheckName.Should().Be("Emily Platt");
        emily.Active.Should().BeFalse();
        emily.GivenName.Should().Be("Emily");
        emily.FamilyName.Should().Be("Platt");
        emily.SyncToken.Should().Be("1");
        ShouldBeExactly(emily.MetaData!.LastUpdatedTime, new DateTimeOffset(2016, 10, 4, 3, 51, 17, Pdt));
        var john = all[1];
        john.IsActive.Should().BeTrue();
        john.BareDisplayName.Should().Be("John Johnson");
        john.AdditionalProperties!["BirthDate"].GetString().Should().Be("1984-10-02");
        john.AdditionalProperties["HiredDate"].GetString().Should().Be("2015-09-08");
        john.AdditionalProperties["BillableTime"].GetBoolean().Should().BeFalse();
        john.AdditionalProperties["PrimaryPhone"].GetProperty("FreeFormNumber").GetString().Should().Be("(540) 555-9645");
    }

    [Fact]
    public async Task Employee_sparse_deactivate_response_parses_as_an_employee_entity()
    {
        // QbSync has no employee write; the {"Employee":{…}} body QBO returned to the deactivate is parsed through the
        // same entity reader as a read.
        RespondTo("employee/55", "lists/employee-sparse-deactivate-response.json", r => r.UsingGet());

        var emily = await _harness.Client.Employees.GetAsync(ClientHarness.Realm, "55");

        emily.Id.Should().Be("55");
        emily.SyncToken.Should().Be("1", "the employee was already inactive, so nothing changed");
        emily.Active.Should().BeFalse();
        emily.DisplayName.Should().Be("Emily Platt (deleted)");
        emily.BareDisplayName.Should().Be("Emily Platt");
        emily.AdditionalProperties!["sparse"].ValueKind.Should().Be(JsonValueKind.False);
        ShouldBeExactly(emily.MetaData!.CreateTime, new DateTimeOffset(2015, 10, 7, 11, 21, 48, Pdt));
    }
}
