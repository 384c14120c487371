using System.Text.Json.Nodes;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>Updates, voids, deletes, queries and preferences on the wire, with the recorded bodies in tests/Payloads.</summary>
public sealed class InvoiceAndPaymentWritesClientTests : IDisposable
{
    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondTo(string path, string body) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath(path)).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json;charset=utf-8").WithBody(body));

    [Fact]
    public async Task Invoice_void_sends_the_recorded_request_with_operation_void_and_parses_the_recorded_response()
    {
        RespondTo("invoice", Payload.Read("invoice/void-response.json"));

        var voided = await _harness.Client.Invoices.VoidAsync(ClientHarness.Realm, new QuickBooksTransactionReference { Id = "264", SyncToken = "0" }, "void-264");

        var request = _harness.Server.LogEntries.Single().Request();
        request.Method.Should().Be("POST");
        request.QueryValue("operation").Should().Be("void");
        request.QueryValue("requestid").Should().Be("void-264");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), JsonNode.Parse(Payload.Read("invoice/void-request.json"))).Should().BeTrue("the body was {0}", request.Body);
        voided.Id.Should().Be("264");
        voided.SyncToken.Should().Be("1");
        voided.TotalAmt.Should().Be(0m);
        voided.PrivateNote.Should().Be("Voided");
    }

    [Fact]
    public async Task Invoice_delete_sends_the_recorded_request_and_parses_the_status_only_response()
    {
        RespondTo("invoice", Payload.Read("invoice/delete-response.json"));

        var deleted = await _harness.Client.Invoices.DeleteAsync(ClientHarness.Realm, new QuickBooksTransactionReference { Id = "266", SyncToken = "0" });

        var request = _harness.Server.LogEntries.Single().Request();
        request.QueryValue("operation").Should().Be("delete");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), JsonNode.Parse(Payload.Read("invoice/delete-request.json"))).Should().BeTrue("the body was {0}", request.Body);
        deleted.Id.Should().Be("266");
        deleted.AdditionalProperties!["status"].GetString().Should().Be("Deleted");
    }

    [Fact]
    public async Task Invoice_update_is_sparse_with_id_and_sync_token()
    {
        RespondTo("invoice", Payload.Read("invoice/create-response.json"));

        await _harness.Client.Invoices.UpdateAsync(ClientHarness.Realm, new InvoiceUpdateRequest { Id = "266", SyncToken = "0", DueDate = new DateOnly(2020, 11, 30), PrivateNote = "QbSync invoice:9" });

        var body = JsonNode.Parse(_harness.Server.LogEntries.Single().Request().Body!)!.AsObject();
        body["Id"]!.GetValue<string>().Should().Be("266");
        body["SyncToken"]!.GetValue<string>().Should().Be("0");
        body["sparse"]!.GetValue<bool>().Should().BeTrue();
        body["DueDate"]!.GetValue<string>().Should().Be("2020-11-30");
        body.Should().NotContainKey("Line", "fields not set are not sent");
    }

    [Fact]
    public async Task Payment_void_is_a_sparse_update_with_include_void_and_payment_delete_uses_operation_delete()
    {
        RespondTo("payment", Payload.Read("payment/create-response-lineex.json"));

        await _harness.Client.Payments.VoidAsync(ClientHarness.Realm, new QuickBooksTransactionReference { Id = "123", SyncToken = "0" });
        await _harness.Client.Payments.DeleteAsync(ClientHarness.Realm, new QuickBooksTransactionReference { Id = "123", SyncToken = "1" });

        var requests = _harness.Server.LogEntries.Select(e => e.Request()).ToList();
        requests[0].QueryValue("operation").Should().Be("update");
        requests[0].QueryValue("include").Should().Be("void");
        JsonNode.Parse(requests[0].Body!)!["sparse"]!.GetValue<bool>().Should().BeTrue();
        requests[1].QueryValue("operation").Should().Be("delete");
        JsonNode.Parse(requests[1].Body!)!.AsObject().Should().NotContainKey("sparse");
    }

    [Fact]
    public async Task Queries_by_customer_and_date_are_escaped_and_parse_the_rows()
    {
        RespondTo("query", """{"QueryResponse":{"Payment":[{"Id":"7","SyncToken":"0","TotalAmt":10.00,"PrivateNote":"QbSync payment:p1"}],"startPosition":1,"maxResults":1},"time":"2020-09-29T05:58:07.300-07:00"}""");

        var page = await _harness.Client.Payments.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Payment").WhereEquals("CustomerRef", "5").WhereEquals("TxnDate", "2020-09-29"));

        page.Items.Should().ContainSingle().Which.PrivateNote.Should().Be("QbSync payment:p1");
        _harness.Server.LogEntries.Single().Request().Body.Should().Contain("CustomerRef = '5'").And.Contain("TxnDate = '2020-09-29'");
    }

    [Fact]
    public async Task Preferences_give_the_home_currency_and_the_multicurrency_flag()
    {
        RespondTo("preferences", """{"Preferences":{"CurrencyPrefs":{"MultiCurrencyEnabled":false,"HomeCurrency":{"value":"USD"}},"domain":"QBO","sparse":false,"Id":"1","SyncToken":"7"},"time":"2020-09-29T05:58:07.300-07:00"}""");

        var preferences = await _harness.Client.Preferences.GetAsync(ClientHarness.Realm);

        preferences.CurrencyPrefs!.MultiCurrencyEnabled.Should().BeFalse();
        preferences.CurrencyPrefs.HomeCurrency!.Value.Should().Be("USD");
        _harness.Server.LogEntries.Single().Request().Method.Should().Be("GET");
    }
}
