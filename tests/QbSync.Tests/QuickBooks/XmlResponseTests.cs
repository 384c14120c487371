using System.Net;
using System.Text.Json;
using System.Xml;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Serialization;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>
/// QBO answers XML now and then although the client asks for JSON: the real XML bodies of tests/Payloads, served
/// with <c>Content-Type: application/xml</c>, through the client methods that would receive them.
/// </summary>
public class XmlResponseTests : IDisposable
{
    private static readonly TimeSpan Pst = TimeSpan.FromHours(-8);
    private static readonly TimeSpan Pdt = TimeSpan.FromHours(-7);
    private static readonly TimeSpan Mst = TimeSpan.FromHours(-7);

    private readonly ClientHarness _harness = new(options => options.MaxRetryAttempts = 0);

    public void Dispose() => _harness.Dispose();

    private void RespondTo(string path, string body, int status = 200, string contentType = "application/xml") =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath(path)).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

    private void RespondWithPayload(string path, string payload, int status = 200, string contentType = "application/xml") =>
        RespondTo(path, Payload.Read(payload), status, contentType);

    private static void ShouldBeExactly(DateTimeOffset? actual, DateTimeOffset expected)
    {
        actual.Should().Be(expected);
        actual!.Value.Offset.Should().Be(expected.Offset, "the offset QBO sent must be kept");
    }

    private static JsonElement Convert(string xml)
    {
        using var document = QuickBooksXmlConverter.ToJsonDocument(xml);
        return document.RootElement.Clone();
    }

    // ----- customer/query-response.xml -----
    [Fact]
    public async Task Customer_xml_query_with_start_position_zero_is_read_by_QueryAsync()
    {
        RespondWithPayload("query", "customer/query-response.xml");

        var page = await _harness.Client.Customers.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Customer").Page(1, 5));

        page.Items.Select(c => c.Id).Should().Equal("3", "4", "5", "2", "1");
        page.Items.Select(c => c.DisplayName).Should().Equal("Acme Enterprises", "Little Acme, Inc.", "CodyTest", "Sunset Bakery", "Thrifty Meats");
        page.Items.Should().OnlyContain(c => c.Active == true && c.IsActive);

        var acme = page.Items[0];
        acme.SyncToken.Should().Be("0");
        ShouldBeExactly(acme.MetaData!.CreateTime, new DateTimeOffset(2013, 11, 15, 14, 58, 20, Pst));
        ShouldBeExactly(acme.MetaData.LastUpdatedTime, new DateTimeOffset(2013, 11, 15, 14, 58, 38, Pst));
        acme.CompanyName.Should().Be("Acme Enterprises");
        acme.Job.Should().BeFalse();
        acme.Balance.Should().Be(0m);
        acme.BillAddr!.Id.Should().Be("4");
        acme.BillAddr.Line1.Should().Be("100 Global Domination Ave");
        acme.BillAddr.PostalCode.Should().Be("95060");
        acme.AdditionalProperties!["domain"].GetString().Should().Be("QBO");
        acme.AdditionalProperties["sparse"].GetBoolean().Should().BeFalse();
        acme.AdditionalProperties["Taxable"].GetBoolean().Should().BeFalse();
        acme.AdditionalProperties["ShipAddr"].GetProperty("Lat").GetString().Should().Be("37.0105307", "coordinates stay strings as in QBO's JSON");

        var littleAcme = page.Items[1];
        littleAcme.Job.Should().BeTrue();
        littleAcme.FullyQualifiedName.Should().Be("Acme Enterprises:Little Acme, Inc.");
        littleAcme.ParentRef!.Value.Should().Be("3");
        littleAcme.ParentRef.Name.Should().BeNull();
        littleAcme.AdditionalProperties!["Level"].GetString().Should().Be("1");

        var bakery = page.Items[3];
        bakery.Balance.Should().Be(50.00m);
        bakery.GivenName.Should().Be("Rebecca");
        bakery.Notes.Should().Be("Some other details");
        bakery.AdditionalProperties!["SalesTermRef"].GetProperty("value").GetString().Should().Be("2");
        bakery.AdditionalProperties["ResaleNum"].GetString().Should().Be("123456");

        var meats = page.Items[4];
        meats.PrimaryPhone!.FreeFormNumber.Should().Be("(415) 555-1212");
        meats.PrimaryEmailAddr!.Address.Should().Be("info@thriftymeats.com");
        meats.AdditionalProperties!["WebAddr"].GetProperty("URI").GetString().Should().Be("http://www.google.com");
    }

    [Fact]
    public async Task Customer_xml_query_is_read_by_FindByDisplayNameAsync_and_ListAsync()
    {
        RespondWithPayload("query", "customer/query-response.xml");

        var found = await _harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, "Sunset Bakery");
        var listed = new List<Customer>();
        await foreach (var customer in _harness.Client.Customers.ListAsync(ClientHarness.Realm))
        {
            listed.Add(customer);
        }

        found.Should().HaveCount(5, "WireMock returns the whole recorded page");
        found.Should().ContainSingle(c => c.DisplayName == "Sunset Bakery").Which.Id.Should().Be("2");
        listed.Select(c => c.Id).Should().Equal("3", "4", "5", "2", "1");
        _harness.Server.LogEntries.Should().HaveCount(2, "a page of 5 rows under a page size of 1000 ends the listing");
    }

    // ----- customer/inactive-customer-read.xml -----
    [Fact]
    public async Task Inactive_customer_xml_read_keeps_the_deleted_suffix_and_gives_the_bare_name()
    {
        RespondWithPayload("customer/1", "customer/inactive-customer-read.xml");

        var customer = await _harness.Client.Customers.GetAsync(ClientHarness.Realm, "1");

        customer.Id.Should().Be("1");
        customer.SyncToken.Should().Be("4");
        customer.Active.Should().BeFalse();
        customer.IsActive.Should().BeFalse();
        customer.DisplayName.Should().Be("Thrifty Meats (deleted)");
        customer.BareDisplayName.Should().Be("Thrifty Meats");
        customer.FullyQualifiedName.Should().Be("Thrifty Meats (deleted)");
        customer.PrintOnCheckName.Should().Be("Neo Pets");
        customer.CompanyName.Should().Be("Neo Pets");
        ShouldBeExactly(customer.MetaData!.CreateTime, new DateTimeOffset(2013, 11, 15, 11, 50, 19, Pst));
        ShouldBeExactly(customer.MetaData.LastUpdatedTime, new DateTimeOffset(2013, 11, 16, 11, 33, 57, Pst));
        customer.BillAddr!.City.Should().Be("Santa Cruz");
        customer.AdditionalProperties!["ShipAddr"].GetProperty("Id").GetString().Should().Be("7");
    }

    // ----- lists/customertype-query.xml -----
    [Fact]
    public async Task Customer_type_xml_query_is_read_by_CustomerTypes_ListAsync()
    {
        RespondWithPayload("query", "lists/customertype-query.xml");

        var types = await _harness.Client.CustomerTypes.ListAsync(ClientHarness.Realm);

        types.Select(t => t.Name).Should().Equal("Retail", "Drop Ship", "Distributor", "Wholesale");
        types.Select(t => t.Id).Should().Equal("1", "2", "3", "4");
        types.Should().OnlyContain(t => t.Active == true && t.SyncToken == "0");
        ShouldBeExactly(types[0].MetaData!.CreateTime, new DateTimeOffset(2020, 2, 26, 5, 40, 25, Mst));
    }

    // ----- lists/item-query.xml -----
    [Fact]
    public async Task Item_xml_query_is_read_by_ListAsync_and_FindByNameAsync()
    {
        RespondWithPayload("query", "lists/item-query.xml");

        var listed = new List<Item>();
        await foreach (var item in _harness.Client.Items.ListAsync(ClientHarness.Realm))
        {
            listed.Add(item);
        }

        var found = await _harness.Client.Items.FindByNameAsync(ClientHarness.Realm, "Plush Baby Doll");

        listed.Select(i => i.Id).Should().Equal("2", "1");
        found.Select(i => i.Name).Should().Equal("Plush Baby Doll", "Sales");
        var doll = listed[0];
        doll.Name.Should().Be("Plush Baby Doll");
        doll.Description.Should().Be("A fine baby doll - in many colors");
        doll.Type.Should().Be("Service");
        doll.UnitPrice.Should().Be(50m);
        doll.Active.Should().BeTrue();
        doll.IncomeAccountRef!.Value.Should().Be("1");
        doll.IncomeAccountRef.Name.Should().Be("Sales");
        doll.AdditionalProperties!["TrackQtyOnHand"].GetBoolean().Should().BeFalse();
        doll.AdditionalProperties["PurchaseCost"].GetString().Should().Be("0");
        ShouldBeExactly(doll.MetaData!.CreateTime, new DateTimeOffset(2013, 11, 16, 17, 42, 3, Pst));
        listed[1].UnitPrice.Should().Be(0m);
    }

    // ----- cdc/ -----
    [Fact]
    public async Task Cdc_xml_with_a_deleted_customer_lands_in_Deleted()
    {
        RespondWithPayload("cdc", "cdc/cdc-customer-deleted.xml");

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Customer"],
            new DateTimeOffset(2014, 12, 1, 0, 0, 0, Pst));

        changes.Customers.Should().BeEmpty();
        var deleted = changes.Deleted.Should().ContainSingle().Subject;
        deleted.EntityName.Should().Be("Customer");
        deleted.Id.Should().Be("39");
        ShouldBeExactly(deleted.DeletedAt, new DateTimeOffset(2014, 12, 8, 19, 36, 24, Pst));
    }

    [Fact]
    public async Task Cdc_xml_with_many_entities_and_empty_query_responses_is_read_entity_by_entity()
    {
        RespondWithPayload("cdc", "cdc/cdc-multi-entity.xml");

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm,
            ["Bill", "BillPayment", "Invoice", "Payment"], new DateTimeOffset(2016, 4, 12, 0, 0, 0, Pdt));

        changes.Other["Bill"].Select(b => b.GetProperty("Id").GetString()).Should().Equal("126", "19");
        changes.Other["Bill"][0].GetProperty("Line").GetArrayLength().Should().Be(2);
        changes.Other["Bill"][0].GetProperty("LinkedTxn")[0].GetProperty("TxnId").GetString().Should().Be("148");
        changes.Other["Bill"][1].GetProperty("Line").GetArrayLength().Should().Be(1, "a single Line is still an array");
        changes.Other["BillPayment"].Select(b => b.GetProperty("Id").GetString()).Should().Equal("148", "149");

        var invoice = changes.Invoices.Should().ContainSingle().Subject;
        invoice.Id.Should().Be("103");
        invoice.DocNumber.Should().Be("1033");
        invoice.TxnDate.Should().Be(new DateOnly(2016, 2, 23));
        invoice.DueDate.Should().Be(new DateOnly(2016, 3, 24));
        invoice.TotalAmt.Should().Be(629.10m);
        invoice.Balance.Should().Be(0m);
        invoice.CustomerRef!.Value.Should().Be("10");
        invoice.CustomerRef.Name.Should().Be("Geeta Kalapatapu");
        invoice.CurrencyRef!.Value.Should().Be("USD");
        invoice.LinkedTxn!.Select(l => l.TxnId).Should().Equal("41", "147");
        invoice.Line!.Should().HaveCount(4);
        invoice.Line![1].LineNum.Should().Be(2);
        invoice.Line[1].Amount.Should().Be(262.50m);
        invoice.Line[1].SalesItemLineDetail!.Qty.Should().Be(3.5m);
        invoice.Line[1].SalesItemLineDetail!.ItemRef!.Name.Should().Be("Design");
        invoice.Line[1].SalesItemLineDetail!.TaxCodeRef!.Value.Should().Be("NON");
        invoice.Line[3].DetailType.Should().Be("SubTotalLineDetail");
        invoice.AdditionalProperties!["CustomField"][0].GetProperty("Name").GetString().Should().Be("Crew #");
        invoice.AdditionalProperties["CustomerMemo"].GetProperty("value").GetString().Should().StartWith("Thank you");
        invoice.AdditionalProperties["TxnTaxDetail"].GetProperty("TaxLine")[0].GetProperty("TaxLineDetail")
            .GetProperty("PercentBased").GetBoolean().Should().BeTrue();

        var deleted = changes.Deleted.Should().ContainSingle().Subject;
        deleted.Should().Be(new QuickBooksDeletedEntity("Invoice", "65", new DateTimeOffset(2016, 4, 13, 7, 34, 31, Pdt)));

        var payment = changes.Payments.Should().ContainSingle().Subject;
        payment.Id.Should().Be("147");
        payment.TotalAmt.Should().Be(629.10m);
        payment.CustomerRef!.Value.Should().Be("10");
        payment.Line!.Single().LinkedTxn!.Single().TxnId.Should().Be("103");
        payment.Line!.Single().AdditionalProperties!.Should().ContainKey("LineEx");
    }

    // ----- payment/payment-with-lineex.xml -----
    [Fact]
    public async Task Bare_payment_xml_with_line_ex_is_read_by_Payments_GetAsync()
    {
        RespondWithPayload("payment/83", "payment/payment-with-lineex.xml");

        var payment = await _harness.Client.Payments.GetAsync(ClientHarness.Realm, "83");

        payment.Id.Should().Be("83");
        payment.SyncToken.Should().Be("0");
        ShouldBeExactly(payment.MetaData!.CreateTime, new DateTimeOffset(2017, 7, 17, 14, 26, 54, Pdt));
        payment.TxnDate.Should().Be(new DateOnly(2016, 9, 16));
        payment.TotalAmt.Should().Be(2400.00m);
        payment.UnappliedAmt.Should().Be(0m);
        payment.CustomerRef!.Value.Should().Be("3");
        payment.CustomerRef.Name.Should().Be("Acme Enterprises");
        payment.DepositToAccountRef!.Value.Should().Be("4");
        payment.DepositToAccountRef.Name.Should().BeNull();
        var line = payment.Line.Should().ContainSingle().Subject;
        line.Amount.Should().Be(2400.00m);
        line.LinkedTxn!.Single().TxnId.Should().Be("68");
        line.LinkedTxn!.Single().TxnType.Should().Be("Invoice");
        var nameValues = line.AdditionalProperties!["LineEx"].GetProperty("NameValue");
        nameValues.EnumerateArray().Select(nv => nv.GetProperty("Name").GetString()).Should().Equal("txnId", "txnOpenBalance", "txnReferenceNumber");
        nameValues[1].GetProperty("Value").GetString().Should().Be("2400.00");
    }

    // ----- count and batch (no XML capture exists: built from the recorded XML and JSON shapes) -----
    [Fact]
    public async Task Xml_count_response_gives_the_total_count()
    {
        RespondTo("query", """<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2020-09-29T08:13:18.783-07:00"><QueryResponse totalCount="41"/></IntuitResponse>""");

        var count = await _harness.Client.Customers.CountAsync(ClientHarness.Realm);

        count.Should().Be(41);
    }

    [Fact]
    public async Task Xml_batch_response_gives_query_rows_and_per_item_faults_without_failing_the_whole_call()
    {
        var recorded = Payload.Read("customer/query-response.xml");
        var queryResponse = recorded[recorded.IndexOf("<QueryResponse", StringComparison.Ordinal)..(recorded.IndexOf("</QueryResponse>", StringComparison.Ordinal) + "</QueryResponse>".Length)];
        RespondTo("batch", $"""
            <IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2013-11-16T09:25:49.366-08:00">
              <BatchItemResponse bId="customers">{queryResponse}</BatchItemResponse>
              <BatchItemResponse bId="bid2"><Fault type="ValidationFault"><Error code="610" element=""><Message>Object Not Found</Message><Detail>Object Not Found : Something you're trying to use has been made inactive.</Detail></Error></Fault></BatchItemResponse>
            </IntuitResponse>
            """);

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, new QuickBooksBatch()
            .Query("customers", QuickBooksQuery.Select("Customer"))
            .Create("bid2", new CustomerCreateRequest { DisplayName = "x" }));

        result.TryGet("customers", out var query).Should().BeTrue();
        query.IsSuccess.Should().BeTrue();
        query.GetQueryRows<Customer>().Select(c => c.Id).Should().Equal("3", "4", "5", "2", "1");
        result.TryGet("bid2", out var failed).Should().BeTrue();
        failed.Fault.Should().BeOfType<QuickBooksObjectNotFoundException>().Which.ErrorCode.Should().Be("610");
    }

    // ----- what must not be converted -----
    [Fact]
    public async Task Xml_fault_in_http_400_is_still_the_duplicate_name_exception()
    {
        RespondWithPayload("customer", "faults/6240-duplicate-name-placeholder.xml", status: 400);

        var thrown = await FluentActions.Awaiting(() => _harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "Acme" }))
            .Should().ThrowAsync<QuickBooksDuplicateNameException>();

        thrown.Which.ErrorCode.Should().Be("6240");
    }

    [Fact]
    public async Task Xml_fault_in_http_200_is_still_an_exception_not_a_converted_body()
    {
        RespondWithPayload("query", "faults/4001-query-validation-min-value.xml", status: 200);

        var thrown = await FluentActions.Awaiting(() => _harness.Client.Customers.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Customer")))
            .Should().ThrowAsync<QuickBooksValidationException>();

        thrown.Which.ErrorCode.Should().Be("4001");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("faults/html-maintenance-abbreviated.txt")]
    [InlineData("faults/503-html-avi-vantage.txt")]
    [InlineData("faults/404-html-apache.txt")]
    public async Task Html_page_in_http_200_is_an_invalid_response_not_xml_entity_data(string payload)
    {
        QuickBooksXmlConverter.LooksLikeXml(Payload.Read(payload)).Should().BeFalse();
        RespondWithPayload("customer/1", payload, status: 200, contentType: "text/html");

        var thrown = await FluentActions.Awaiting(() => _harness.Client.Customers.GetAsync(ClientHarness.Realm, "1"))
            .Should().ThrowAsync<QuickBooksException>();

        thrown.Which.InnerException.Should().BeAssignableTo<JsonException>("the HTML was never handed to the XML converter");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("<IntuitResponse xmlns=\"http://schema.intuit.com/finance/v3\"><Customer><Id>1</Id>")]
    [InlineData("<!DOCTYPE IntuitResponse [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><IntuitResponse><Customer><Id>&x;</Id></Customer></IntuitResponse>")]
    public async Task Malformed_xml_or_a_dtd_is_an_invalid_response(string body)
    {
        RespondTo("customer/1", body);

        var thrown = await FluentActions.Awaiting(() => _harness.Client.Customers.GetAsync(ClientHarness.Realm, "1"))
            .Should().ThrowAsync<QuickBooksException>();

        thrown.Which.InnerException.Should().BeOfType<XmlException>();
    }

    [Fact]
    public async Task Xml_body_with_a_bom_and_leading_whitespace_is_read()
    {
        RespondTo("customer/1", "\uFEFF\r\n  " + Payload.Read("customer/inactive-customer-read.xml"));

        var customer = await _harness.Client.Customers.GetAsync(ClientHarness.Realm, "1");

        customer.BareDisplayName.Should().Be("Thrifty Meats");
    }

    // ----- the converter's rules -----
    [Fact]
    public void Converter_maps_refs_booleans_arrays_attributes_and_omits_empty_elements()
    {
        var root = Convert("""
            <?xml version="1.0" encoding="UTF-8"?>
            <IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2016-04-13T07:52:34.949-07:00">
              <Invoice domain="QBO" sparse="false">
                <Id>7</Id>
                <CustomerRef name="Amy">1</CustomerRef>
                <SalesTermRef>3</SalesTermRef>
                <Line><Amount>10.00</Amount><LinkedTxn><TxnId>5</TxnId></LinkedTxn></Line>
                <CustomField><DefinitionId>1</DefinitionId></CustomField>
                <Tag>a</Tag>
                <Tag>b</Tag>
                <AllowIPNPayment>false</AllowIPNPayment>
                <DisplayName>true</DisplayName>
                <Notes/>
                <SubTotalLineDetail></SubTotalLineDetail>
                <Entity type="CUSTOMER" name="Amy">1</Entity>
              </Invoice>
            </IntuitResponse>
            """);

        root.GetProperty("time").GetString().Should().Be("2016-04-13T07:52:34.949-07:00");
        var invoice = root.GetProperty("Invoice");
        invoice.ValueKind.Should().Be(JsonValueKind.Object);
        invoice.GetProperty("domain").GetString().Should().Be("QBO");
        invoice.GetProperty("sparse").ValueKind.Should().Be(JsonValueKind.False);
        invoice.GetProperty("Id").GetString().Should().Be("7");
        invoice.GetProperty("CustomerRef").GetRawText().Should().Be("""{"value":"1","name":"Amy"}""");
        invoice.GetProperty("SalesTermRef").GetRawText().Should().Be("""{"value":"3"}""");
        invoice.GetProperty("Line").ValueKind.Should().Be(JsonValueKind.Array);
        invoice.GetProperty("Line")[0].GetProperty("Amount").GetString().Should().Be("10.00");
        invoice.GetProperty("Line")[0].GetProperty("LinkedTxn")[0].GetProperty("TxnId").GetString().Should().Be("5");
        invoice.GetProperty("CustomField").ValueKind.Should().Be(JsonValueKind.Array);
        invoice.GetProperty("Tag").EnumerateArray().Select(t => t.GetString()).Should().Equal("a", "b");
        invoice.GetProperty("AllowIPNPayment").ValueKind.Should().Be(JsonValueKind.False);
        invoice.GetProperty("DisplayName").GetString().Should().Be("true", "free text is never a flag");
        invoice.TryGetProperty("Notes", out _).Should().BeFalse("empty elements are omitted, as QBO's JSON omits unset values");
        invoice.TryGetProperty("SubTotalLineDetail", out _).Should().BeFalse();
        invoice.GetProperty("Entity").GetRawText().Should().Be("""{"value":"1","type":"CUSTOMER","name":"Amy"}""");
    }

    [Fact]
    public void Converter_gives_query_cdc_and_batch_responses_the_json_shapes()
    {
        var query = Convert("""<IntuitResponse><QueryResponse startPosition="1" maxResults="1" totalCount="9"><Customer><Id>1</Id></Customer></QueryResponse></IntuitResponse>""");
        query.GetProperty("QueryResponse").GetRawText().Should().Be("""{"startPosition":1,"maxResults":1,"totalCount":9,"Customer":[{"Id":"1"}]}""");

        var empty = Convert("""<IntuitResponse time="t"><QueryResponse/></IntuitResponse>""");
        empty.GetRawText().Should().Be("""{"QueryResponse":{},"time":"t"}""");

        var cdc = Convert("""
            <IntuitResponse><CDCResponse>
              <QueryResponse maxResults="1"><Customer domain="QBO" status="Deleted"><Id>39</Id></Customer></QueryResponse>
              <QueryResponse/>
            </CDCResponse></IntuitResponse>
            """);
        cdc.GetProperty("CDCResponse").GetRawText().Should().Be(
            """[{"QueryResponse":[{"maxResults":1,"Customer":[{"domain":"QBO","status":"Deleted","Id":"39"}]},{}]}]""");

        var batch = Convert("""
            <IntuitResponse>
              <BatchItemResponse bId="bid1"><Vendor><Id>5</Id></Vendor></BatchItemResponse>
              <BatchItemResponse bId="bid2"><Fault type="ValidationFault"><Error code="610" element=""><Message>Object Not Found</Message></Error></Fault></BatchItemResponse>
            </IntuitResponse>
            """);
        batch.GetProperty("BatchItemResponse").GetRawText().Should().Be(
            """[{"bId":"bid1","Vendor":{"Id":"5"}},{"bId":"bid2","Fault":{"type":"ValidationFault","Error":[{"code":"610","element":"","Message":"Object Not Found"}]}}]""");
    }

    [Theory]
    [InlineData("customer/query-response.xml")]
    [InlineData("customer/inactive-customer-read.xml")]
    [InlineData("lists/customertype-query.xml")]
    [InlineData("lists/item-query.xml")]
    [InlineData("cdc/cdc-customer-deleted.xml")]
    [InlineData("cdc/cdc-multi-entity.xml")]
    [InlineData("payment/payment-with-lineex.xml")]
    public void Every_xml_entity_payload_is_recognised_and_converted(string payload)
    {
        var body = Payload.Read(payload);

        QuickBooksXmlConverter.LooksLikeXml(body).Should().BeTrue();
        var root = Convert(body);
        root.ValueKind.Should().Be(JsonValueKind.Object);
        root.EnumerateObject().Should().NotBeEmpty();
    }
}
