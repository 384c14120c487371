using System.Text.Json;
using System.Text.Json.Nodes;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>Real invoice and payment bodies (tests/Payloads/invoice, tests/Payloads/payment) through the client.</summary>
public class InvoicesAndPaymentsClientTests : IDisposable
{
    private static readonly TimeSpan Pdt = TimeSpan.FromHours(-7);

    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondTo(string path, string body) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath(path)).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json;charset=utf-8").WithBody(body));

    private static InvoiceCreateRequest RecordedInvoiceRequest(string? docNumber = null, DateOnly? txnDate = null) => new()
    {
        CustomerRef = new QuickBooksReference("1"),
        Line =
        [
            new QuickBooksLine
            {
                Amount = 100.0m,
                DetailType = "SalesItemLineDetail",
                SalesItemLineDetail = new QuickBooksSalesItemLineDetail { ItemRef = new QuickBooksReference("1", "Services") },
            },
        ],
        DocNumber = docNumber,
        TxnDate = txnDate,
    };

    private static void AssertRecordedInvoice(Invoice invoice)
    {
        invoice.Id.Should().Be("266");
        invoice.SyncToken.Should().Be("0");
        invoice.DocNumber.Should().Be("1043");
        invoice.TxnDate.Should().Be(new DateOnly(2020, 9, 29));
        invoice.DueDate.Should().Be(new DateOnly(2020, 10, 29));
        invoice.TotalAmt.Should().Be(100.00m);
        invoice.Balance.Should().Be(100.00m);
        invoice.CustomerRef!.Value.Should().Be("1");
        invoice.CustomerRef.Name.Should().Be("Amy's Bird Sanctuary");
        invoice.CurrencyRef!.Value.Should().Be("USD");
        invoice.LinkedTxn.Should().BeEmpty();
        invoice.MetaData!.CreateTime.Should().Be(new DateTimeOffset(2020, 9, 29, 5, 58, 7, Pdt));
        invoice.MetaData.CreateTime!.Value.Offset.Should().Be(Pdt);
        invoice.MetaData.LastUpdatedTime.Should().Be(new DateTimeOffset(2020, 9, 29, 5, 58, 7, Pdt));

        invoice.Line.Should().HaveCount(2, "QBO adds a SubTotalLineDetail line");
        var sales = invoice.Line![0];
        sales.Id.Should().Be("1");
        sales.LineNum.Should().Be(1);
        sales.Amount.Should().Be(100.00m);
        sales.DetailType.Should().Be("SalesItemLineDetail");
        sales.SalesItemLineDetail!.ItemRef!.Value.Should().Be("1");
        sales.SalesItemLineDetail.ItemRef.Name.Should().Be("Services");
        sales.SalesItemLineDetail.TaxCodeRef!.Value.Should().Be("NON");
        var subtotal = invoice.Line[1];
        subtotal.DetailType.Should().Be("SubTotalLineDetail");
        subtotal.Amount.Should().Be(100.00m);
        subtotal.Id.Should().BeNull();
        subtotal.AdditionalProperties.Should().ContainKey("SubTotalLineDetail");

        invoice.AdditionalProperties.Should().ContainKeys("CustomField", "TxnTaxDetail", "BillAddr", "ShipAddr", "PrintStatus",
            "EmailStatus", "AllowOnlinePayment", "ApplyTaxAfterDiscount", "domain", "sparse");
        invoice.AdditionalProperties!["CustomField"][0].GetProperty("Name").GetString().Should().Be("Crew #");
        invoice.AdditionalProperties["TxnTaxDetail"].GetProperty("TotalTax").GetDecimal().Should().Be(0m);
        invoice.AdditionalProperties["PrintStatus"].GetString().Should().Be("NeedToPrint");
    }

    [Fact]
    public async Task Invoice_create_parses_the_real_response_and_sends_the_recorded_request_shape()
    {
        RespondTo("invoice", Payload.Read("invoice/create-response.json"));

        var created = await _harness.Client.Invoices.CreateAsync(ClientHarness.Realm, RecordedInvoiceRequest(), requestId: "inv-1043");

        AssertRecordedInvoice(created);
        var request = _harness.Server.LogEntries.Single().Request();
        request.Method.Should().Be("POST");
        request.QueryValue("requestid").Should().Be("inv-1043");
        request.HeaderValue("Content-Type").Should().StartWith("application/json");
        // Same members as the recorded create-request.json (QbSync writes the customer first; order is irrelevant to QBO).
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), JsonNode.Parse(Payload.Read("invoice/create-request.json")))
            .Should().BeTrue("the body was {0}", request.Body);
    }

    [Fact]
    public async Task Invoice_create_request_body_has_customer_ref_sales_line_doc_number_and_date_as_yyyy_mm_dd()
    {
        RespondTo("invoice", Payload.Read("invoice/create-response.json"));

        await _harness.Client.Invoices.CreateAsync(ClientHarness.Realm, RecordedInvoiceRequest("1043", new DateOnly(2020, 9, 29)));

        var request = _harness.Server.LogEntries.Single().Request();
        request.QueryValue("requestid").Should().MatchRegex("^[0-9a-f]{32}$");
        using var body = JsonDocument.Parse(request.Body!);
        var root = body.RootElement;
        root.GetProperty("CustomerRef").GetProperty("value").GetString().Should().Be("1");
        root.GetProperty("CustomerRef").TryGetProperty("name", out _).Should().BeFalse("nulls are never written");
        var line = root.GetProperty("Line").EnumerateArray().Single();
        line.GetProperty("DetailType").GetString().Should().Be("SalesItemLineDetail");
        line.GetProperty("Amount").GetDecimal().Should().Be(100m);
        line.GetProperty("SalesItemLineDetail").GetProperty("ItemRef").GetProperty("value").GetString().Should().Be("1");
        line.TryGetProperty("Id", out _).Should().BeFalse();
        line.TryGetProperty("LinkedTxn", out _).Should().BeFalse();
        root.GetProperty("DocNumber").GetString().Should().Be("1043");
        root.GetProperty("TxnDate").GetString().Should().Be("2020-09-29");
        root.TryGetProperty("DueDate", out _).Should().BeFalse();
        root.TryGetProperty("PrivateNote", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Invoice_read_parses_the_same_real_body()
    {
        RespondTo("invoice/266", Payload.Read("invoice/create-response.json"));

        var invoice = await _harness.Client.Invoices.GetAsync(ClientHarness.Realm, "266");

        AssertRecordedInvoice(invoice);
        var request = _harness.Server.LogEntries.Single().Request();
        request.Method.Should().Be("GET");
        request.Query!.ContainsKey("requestid").Should().BeFalse("reads carry no request id");
    }

    [Fact]
    public async Task Invoice_void_response_parses_with_zero_amounts_and_new_sync_token()
    {
        RespondTo("invoice/264", Payload.Read("invoice/void-response.json"));

        var invoice = await _harness.Client.Invoices.GetAsync(ClientHarness.Realm, "264");

        invoice.Id.Should().Be("264");
        invoice.DocNumber.Should().Be("1041");
        invoice.SyncToken.Should().Be("1");
        invoice.PrivateNote.Should().Be("Voided");
        invoice.TotalAmt.Should().Be(0m);
        invoice.Balance.Should().Be(0m);
        invoice.Line!.Select(l => l.Amount).Should().Equal(0m, 0m);
        invoice.MetaData!.LastUpdatedTime.Should().Be(new DateTimeOffset(2022, 9, 2, 5, 58, 56, Pdt));
    }

    [Fact]
    public async Task Invoice_find_by_doc_number_escapes_the_number_on_the_wire_and_parses_the_rows()
    {
        // No recorded invoice query exists: the recorded invoice entity is wrapped in a QueryResponse.
        var invoice = JsonNode.Parse(Payload.Read("invoice/create-response.json"))!["Invoice"]!.ToJsonString();
        RespondTo("query", $$"""{"QueryResponse":{"Invoice":[{{invoice}}],"startPosition":1,"maxResults":1},"time":"2020-09-29T05:58:08.000-07:00"}""");

        var found = await _harness.Client.Invoices.FindByDocNumberAsync(ClientHarness.Realm, @"10'43\A");

        AssertRecordedInvoice(found.Should().ContainSingle().Subject);
        var request = _harness.Server.LogEntries.Single().Request();
        request.Body.Should().Be(@"SELECT * FROM Invoice WHERE DocNumber = '10\'43\\A' STARTPOSITION 1 MAXRESULTS 1000");
        request.HeaderValue("Content-Type").Should().StartWith("application/text");
    }

    [Fact]
    public async Task Invoice_find_by_doc_number_with_no_match_is_empty()
    {
        RespondTo("query", Payload.Read("customer/query-empty-past-end.json"));

        (await _harness.Client.Invoices.FindByDocNumberAsync(ClientHarness.Realm, "9999")).Should().BeEmpty();
    }

    [Fact]
    public async Task Payment_create_parses_the_real_response_tolerating_jaxb_line_ex()
    {
        RespondTo("payment", Payload.Read("payment/create-response-lineex.json"));

        var payment = await _harness.Client.Payments.CreateAsync(ClientHarness.Realm, new PaymentCreateRequest
        {
            CustomerRef = new QuickBooksReference("123"),
            TotalAmt = 100.00m,
            TxnDate = new DateOnly(2019, 12, 3),
            PaymentRefNum = "123",
            Line = [new QuickBooksLine { Amount = 100.00m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = "123", TxnType = "Invoice" }] }],
        }, requestId: "pay-123");

        payment.Id.Should().Be("123");
        payment.SyncToken.Should().Be("0");
        payment.CustomerRef!.Value.Should().Be("123");
        payment.CustomerRef.Name.Should().Be("Lola");
        payment.DepositToAccountRef!.Value.Should().Be("123");
        payment.PaymentMethodRef!.Value.Should().Be("29");
        payment.PaymentRefNum.Should().Be("123");
        payment.TotalAmt.Should().Be(100.00m);
        payment.UnappliedAmt.Should().Be(0m);
        payment.TxnDate.Should().Be(new DateOnly(2019, 12, 3));
        payment.CurrencyRef!.Value.Should().Be("USD");
        payment.MetaData!.CreateTime.Should().Be(new DateTimeOffset(2019, 12, 3, 10, 14, 3, TimeSpan.FromHours(-8)));
        payment.MetaData.CreateTime!.Value.Offset.Should().Be(TimeSpan.FromHours(-8));
        payment.AdditionalProperties!["ProcessPayment"].GetBoolean().Should().BeFalse();

        var line = payment.Line.Should().ContainSingle().Subject;
        line.Amount.Should().Be(100.00m);
        line.DetailType.Should().BeNull("payment lines have no DetailType");
        var linked = line.LinkedTxn.Should().ContainSingle().Subject;
        linked.TxnId.Should().Be("123");
        linked.TxnType.Should().Be("Invoice");
        var lineEx = line.AdditionalProperties!["LineEx"].GetProperty("any");
        lineEx.GetArrayLength().Should().Be(3);
        lineEx[1].GetProperty("value").GetProperty("Name").GetString().Should().Be("txnOpenBalance");
        lineEx[1].GetProperty("value").GetProperty("Value").GetString().Should().Be("100.00");
        lineEx[2].GetProperty("value").GetProperty("Value").GetString().Should().Be("1038");
    }

    [Fact]
    public async Task Payment_create_request_body_applies_the_amount_to_the_invoice_through_linked_txn()
    {
        RespondTo("payment", Payload.Read("payment/create-response-lineex.json"));

        await _harness.Client.Payments.CreateAsync(ClientHarness.Realm, new PaymentCreateRequest
        {
            CustomerRef = new QuickBooksReference("1"),
            TotalAmt = 100.00m,
            TxnDate = new DateOnly(2019, 12, 3),
            Line = [new QuickBooksLine { Amount = 100.00m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = "266", TxnType = "Invoice" }] }],
        }, requestId: "pay-266");

        var request = _harness.Server.LogEntries.Single().Request();
        request.QueryValue("requestid").Should().Be("pay-266");
        request.Body.Should().Be(
            """{"CustomerRef":{"value":"1"},"TotalAmt":100.00,"TxnDate":"2019-12-03","Line":[{"Amount":100.00,"LinkedTxn":[{"TxnId":"266","TxnType":"Invoice"}]}]}""");
    }

    [Fact]
    public async Task Payment_read_parses_the_same_real_body()
    {
        RespondTo("payment/123", Payload.Read("payment/create-response-lineex.json"));

        var payment = await _harness.Client.Payments.GetAsync(ClientHarness.Realm, "123");

        payment.TotalAmt.Should().Be(100.00m);
        payment.Line![0].LinkedTxn![0].TxnType.Should().Be("Invoice");
        payment.Line[0].AdditionalProperties.Should().ContainKey("LineEx");
    }
}
