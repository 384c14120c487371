using System.Text.Json;
using System.Text.Json.Nodes;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>Real change-data-capture bodies (tests/Payloads/cdc, JSON only) through <see cref="ChangeDataCaptureClient"/>.</summary>
public class ChangeDataCaptureClientTests : IDisposable
{
    private static readonly TimeSpan Pdt = TimeSpan.FromHours(-7);

    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondToCdc(string body) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("cdc")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json;charset=utf-8").WithBody(body));

    private static string EntityOf(string payload, string key) => JsonNode.Parse(Payload.Read(payload))![key]!.ToJsonString();

    [Fact]
    public async Task Estimate_changes_land_in_Other_and_entities_and_changed_since_go_on_the_query_string()
    {
        RespondToCdc(Payload.Read("cdc/cdc-estimate.json"));

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Estimate"],
            new DateTimeOffset(2011, 10, 10, 9, 0, 0, Pdt));

        var request = _harness.Server.LogEntries.Single().Request();
        request.Method.Should().Be("GET");
        request.QueryValue("entities").Should().Be("Estimate");
        request.QueryValue("changedSince").Should().Be("2011-10-10T09:00:00-07:00");
        request.QueryValue("minorversion").Should().Be("75");
        request.Url.Should().Contain("changedSince=2011-10-10T09%3A00%3A00-07%3A00");
        request.Query.Should().NotContainKey("requestid");

        changes.Other.Keys.Should().Equal("Estimate");
        var estimates = changes.Other["Estimate"];
        estimates.Select(e => e.GetProperty("Id").GetString()).Should().Equal("48", "46", "41", "100");
        estimates[0].GetProperty("TotalAmt").GetDecimal().Should().Be(1005.00m);
        estimates[0].GetProperty("LinkedTxn")[0].GetProperty("TxnId").GetString().Should().Be("49");
        estimates[3].GetProperty("TxnTaxDetail").GetProperty("TotalTax").GetDecimal().Should().Be(26.06m);
        estimates[3].GetProperty("SyncToken").GetString().Should().Be("7");
        changes.Customers.Should().BeEmpty();
        changes.Vendors.Should().BeEmpty();
        changes.Employees.Should().BeEmpty();
        changes.Items.Should().BeEmpty();
        changes.Invoices.Should().BeEmpty();
        changes.Payments.Should().BeEmpty();
        changes.Deleted.Should().BeEmpty();
    }

    [Fact]
    public async Task Deposit_changes_without_start_position_or_max_results_land_in_Other_with_their_raw_values()
    {
        RespondToCdc(Payload.Read("cdc/cdc-deposit-java-sdk-test.json"));

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Deposit"],
            new DateTimeOffset(2015, 9, 7, 0, 0, 0, Pdt));

        var deposits = changes.Other.Should().ContainKey("Deposit").WhoseValue;
        deposits.Select(d => d.GetProperty("Id").GetString()).Should().Equal("12037", "12039");
        deposits[0].GetProperty("TotalAmt").GetDecimal().Should().Be(100m);
        deposits[0].GetProperty("PrivateNote").GetString().Should().Be("PrivateNote8691daaa");
        deposits[0].GetProperty("Line")[0].GetProperty("DepositLineDetail").GetProperty("Entity").GetProperty("name").GetString()
            .Should().Be("$%^(&");
        changes.Deleted.Should().BeEmpty();
        changes.Customers.Should().BeEmpty();
    }

    [Fact]
    public async Task Several_entities_are_joined_with_commas_and_a_positive_offset_is_escaped()
    {
        RespondToCdc(Payload.Read("cdc/cdc-estimate.json"));

        await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Customer", "Invoice", "Payment"],
            new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.5)));

        var request = _harness.Server.LogEntries.Single().Request();
        request.QueryValue("entities").Should().Be("Customer,Invoice,Payment");
        request.QueryValue("changedSince").Should().Be("2024-01-02T03:04:05+05:30", "a raw '+' would arrive as a space");
        request.Url.Should().Contain("changedSince=2024-01-02T03%3A04%3A05%2B05%3A30");
    }

    [Fact]
    public async Task Modelled_entities_land_in_their_lists_and_deleted_ones_in_Deleted()
    {
        // No JSON CDC capture holds these entities: the recorded entity bodies are placed in one CDC response, with the
        // deleted-entity shape QBO uses ({"domain":"QBO","status":"Deleted","Id":…,"MetaData":{"LastUpdatedTime":…}}).
        var customer = EntityOf("customer/read-response.json", "Customer");
        var employee = EntityOf("lists/employee-sparse-deactivate-response.json", "Employee");
        var vendor = JsonNode.Parse(Payload.Read("lists/vendor-query-last-page.json"))!["QueryResponse"]!["Vendor"]![0]!.ToJsonString();
        var invoice = EntityOf("invoice/create-response.json", "Invoice");
        var payment = EntityOf("payment/create-response-lineex.json", "Payment");
        const string deletedCustomer = """{"domain":"QBO","status":"Deleted","Id":"39","MetaData":{"LastUpdatedTime":"2015-12-18T14:34:32-08:00"}}""";
        const string deletedInvoice = """{"domain":"QBO","status":"Deleted","Id":"266","MetaData":{"LastUpdatedTime":"2020-09-29T06:02:35-07:00"}}""";
        var deposit = JsonNode.Parse(Payload.Read("cdc/cdc-deposit-java-sdk-test.json"))!["CDCResponse"]![0]!["QueryResponse"]![0]!["Deposit"]![0]!.ToJsonString();
        RespondToCdc($$"""
            {"CDCResponse":[{"QueryResponse":[
              {"Customer":[{{customer}},{{deletedCustomer}}],"startPosition":1,"maxResults":2,"totalCount":2},
              {"Vendor":[{{vendor}}],"startPosition":1,"maxResults":1},
              {"Employee":[{{employee}}]},
              {},
              {"Invoice":[{{invoice}},{{deletedInvoice}}],"startPosition":1,"maxResults":2},
              {"Payment":[{{payment}}],"startPosition":1,"maxResults":1},
              {"Deposit":[{{deposit}}]}
            ]}],"time":"2020-09-29T08:02:53.512-07:00"}
            """);

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm,
            ["Customer", "Vendor", "Employee", "Invoice", "Payment", "Deposit"], new DateTimeOffset(2020, 9, 1, 0, 0, 0, Pdt));

        var changedCustomer = changes.Customers.Should().ContainSingle("the deleted customer is not a changed one").Subject;
        changedCustomer.Id.Should().Be("5");
        changedCustomer.DisplayName.Should().Be("Dukes Basketball Camp");
        changedCustomer.SyncToken.Should().Be("1");
        changes.Vendors.Should().ContainSingle().Which.DisplayName.Should().Be("Tony Rondonuwu");
        var employeeChange = changes.Employees.Should().ContainSingle().Subject;
        employeeChange.IsActive.Should().BeFalse("an inactive employee is a change, not a deletion");
        employeeChange.BareDisplayName.Should().Be("Emily Platt");
        var invoiceChange = changes.Invoices.Should().ContainSingle().Subject;
        invoiceChange.DocNumber.Should().Be("1043");
        invoiceChange.TotalAmt.Should().Be(100.00m);
        var paymentChange = changes.Payments.Should().ContainSingle().Subject;
        paymentChange.TotalAmt.Should().Be(100.00m);
        paymentChange.Line![0].LinkedTxn![0].TxnId.Should().Be("123");
        paymentChange.Line[0].AdditionalProperties.Should().ContainKey("LineEx");
        changes.Items.Should().BeEmpty();
        changes.Other.Keys.Should().Equal("Deposit");

        changes.Deleted.Should().HaveCount(2);
        var gone = changes.Deleted.Single(d => d.EntityName == "Customer");
        gone.Id.Should().Be("39");
        gone.DeletedAt.Should().Be(new DateTimeOffset(2015, 12, 18, 14, 34, 32, TimeSpan.FromHours(-8)));
        gone.DeletedAt!.Value.Offset.Should().Be(TimeSpan.FromHours(-8));
        var voided = changes.Deleted.Single(d => d.EntityName == "Invoice");
        voided.Id.Should().Be("266");
        voided.DeletedAt.Should().Be(new DateTimeOffset(2020, 9, 29, 6, 2, 35, Pdt));
    }

    [Fact]
    public async Task A_deleted_entity_without_meta_data_has_no_deletion_time()
    {
        // The shape of invoice/delete-response.json's entity: no MetaData at all.
        var deleted = EntityOf("invoice/delete-response.json", "Invoice");
        RespondToCdc($$"""{"CDCResponse":[{"QueryResponse":[{"Invoice":[{{deleted}}]}]}],"time":"2020-09-29T06:02:35.106-07:00"}""");

        var changes = await _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Invoice"], DateTimeOffset.UnixEpoch);

        changes.Deleted.Should().ContainSingle().Which.Should().Be(new QuickBooksDeletedEntity("Invoice", "266", null));
        changes.Invoices.Should().BeEmpty();
    }

    [Fact]
    public async Task A_body_without_CDCResponse_is_an_invalid_response()
    {
        RespondToCdc(Payload.Read("customer/count-response.json"));

        var thrown = await FluentActions.Awaiting(() => _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Customer"], DateTimeOffset.UnixEpoch))
            .Should().ThrowAsync<QuickBooksException>();
        thrown.Which.InnerException.Should().BeOfType<JsonException>();
    }

    [Fact]
    public async Task An_entity_name_that_is_not_an_identifier_is_refused_before_sending()
    {
        await FluentActions.Awaiting(() => _harness.Client.ChangeDataCapture.GetChangesAsync(ClientHarness.Realm, ["Customer&x=1"], DateTimeOffset.UnixEpoch))
            .Should().ThrowAsync<ArgumentException>();
        _harness.Server.LogEntries.Should().BeEmpty();
    }
}
