using System.Net;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

public class TransactionTests : FakeTestBase
{
    private static JsonObject Invoice(string customerId, decimal amount, string? docNumber = null, string itemId = "1")
    {
        var invoice = new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["Line"] = new JsonArray(new JsonObject
            {
                ["DetailType"] = "SalesItemLineDetail",
                ["Amount"] = amount,
                ["SalesItemLineDetail"] = new JsonObject { ["ItemRef"] = new JsonObject { ["value"] = itemId } },
            }),
        };
        if (docNumber is not null)
        {
            invoice["DocNumber"] = docNumber;
        }

        return invoice;
    }

    [Fact]
    public async Task Invoice_create_computes_totals_lines_and_balance()
    {
        var customer = await CreateCustomer("Acme");
        var (status, body) = await PostJson("invoice?minorversion=75", Invoice(customer["Id"]!.GetValue<string>(), 150m, "ACME-1"));

        status.Should().Be(HttpStatusCode.OK);
        var invoice = body["Invoice"]!;
        invoice["TotalAmt"]!.GetValue<decimal>().Should().Be(150m);
        invoice["Balance"]!.GetValue<decimal>().Should().Be(150m);
        invoice["DocNumber"]!.GetValue<string>().Should().Be("ACME-1");
        invoice["TxnDate"]!.GetValue<string>().Should().Be("2025-03-01");
        invoice["CustomerRef"]!["name"]!.GetValue<string>().Should().Be("Acme");
        invoice["Line"]!.AsArray().Should().HaveCount(2);
        invoice["Line"]![1]!["DetailType"]!.GetValue<string>().Should().Be("SubTotalLineDetail");
        Company.Get("Customer", customer["Id"]!.GetValue<string>())!["Balance"]!.GetValue<decimal>().Should().Be(150m);
    }

    [Fact]
    public async Task Invoice_for_an_inactive_customer_answers_610_and_for_a_missing_one_2500()
    {
        var inactive = Company.AddCustomer("Gone", active: false);
        var (s1, b1) = await PostJson("invoice", Invoice(inactive["Id"]!.GetValue<string>(), 10m));
        s1.Should().Be(HttpStatusCode.BadRequest);
        FirstError(b1)["code"]!.GetValue<string>().Should().Be("610");

        var (s2, b2) = await PostJson("invoice", Invoice("999", 10m));
        s2.Should().Be(HttpStatusCode.BadRequest);
        FirstError(b2)["code"]!.GetValue<string>().Should().Be("2500");
    }

    [Fact]
    public async Task Invoice_with_a_missing_item_answers_2500_on_the_item_ref()
    {
        var customer = await CreateCustomer("Acme");
        var (status, body) = await PostJson("invoice", Invoice(customer["Id"]!.GetValue<string>(), 10m, itemId: "999"));
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("2500");
        FirstError(body)["element"]!.GetValue<string>().Should().Be("Line.SalesItemLineDetail.ItemRef");
    }

    [Fact]
    public async Task Duplicate_docnumber_answers_6140_unless_allowed()
    {
        var customerId = (await CreateCustomer("Acme"))["Id"]!.GetValue<string>();
        (await PostJson("invoice", Invoice(customerId, 10m, "INV-1"))).Status.Should().Be(HttpStatusCode.OK);
        var (status, body) = await PostJson("invoice", Invoice(customerId, 10m, "INV-1"));
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("6140");

        (await PostJson("invoice?include=allowduplicatedocnum", Invoice(customerId, 10m, "INV-1"))).Status.Should().Be(HttpStatusCode.OK);

        Company.RejectDuplicateDocNumbers = false;
        (await PostJson("invoice", Invoice(customerId, 10m, "INV-1"))).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Payment_without_totalamt_answers_6000()
    {
        var customerId = (await CreateCustomer("Acme"))["Id"]!.GetValue<string>();
        var (status, body) = await PostJson("payment", new JsonObject { ["CustomerRef"] = new JsonObject { ["value"] = customerId } });
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("6000");
    }

    [Fact]
    public async Task Payment_linked_to_an_invoice_reduces_its_balance_and_keeps_the_unapplied_rest()
    {
        var customerId = (await CreateCustomer("Acme"))["Id"]!.GetValue<string>();
        var (_, inv) = await PostJson("invoice", Invoice(customerId, 100m));
        var invoiceId = inv["Invoice"]!["Id"]!.GetValue<string>();

        var (status, body) = await PostJson("payment", new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["TotalAmt"] = 65m,
            ["Line"] = new JsonArray(new JsonObject { ["Amount"] = 55m, ["LinkedTxn"] = new JsonArray(new JsonObject { ["TxnId"] = invoiceId, ["TxnType"] = "Invoice" }) }),
        });

        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        body["Payment"]!["UnappliedAmt"]!.GetValue<decimal>().Should().Be(10m);
        var (_, read) = await Get("invoice/" + invoiceId);
        read["Invoice"]!["Balance"]!.GetValue<decimal>().Should().Be(45m);
        read["Invoice"]!["SyncToken"]!.GetValue<string>().Should().Be("1");
        read["Invoice"]!["LinkedTxn"]![0]!["TxnType"]!.GetValue<string>().Should().Be("Payment");
        Company.Get("Customer", customerId)!["Balance"]!.GetValue<decimal>().Should().Be(45m);

        var paymentId = body["Payment"]!["Id"]!.GetValue<string>();
        var (deleted, deleteBody) = await PostJson("payment?operation=delete", new JsonObject { ["Id"] = paymentId, ["SyncToken"] = "0" });
        deleted.Should().Be(HttpStatusCode.OK, deleteBody.ToJsonString());
        (await Get("invoice/" + invoiceId)).Body["Invoice"]!["Balance"]!.GetValue<decimal>().Should().Be(100m);
    }

    [Fact]
    public async Task Invoice_delete_and_void_are_shaped_like_qbo()
    {
        var customerId = (await CreateCustomer("Acme"))["Id"]!.GetValue<string>();
        var first = (await PostJson("invoice", Invoice(customerId, 100m))).Body["Invoice"]!["Id"]!.GetValue<string>();
        var second = (await PostJson("invoice", Invoice(customerId, 100m))).Body["Invoice"]!["Id"]!.GetValue<string>();

        var (_, deleted) = await PostJson("invoice?operation=delete", new JsonObject { ["Id"] = first, ["SyncToken"] = "0" });
        deleted["Invoice"]!["status"]!.GetValue<string>().Should().Be("Deleted");
        (await Get("invoice/" + first)).Status.Should().Be(HttpStatusCode.BadRequest);

        var (_, voided) = await PostJson("invoice?operation=void", new JsonObject { ["Id"] = second, ["SyncToken"] = "0" });
        voided["Invoice"].Should().NotBeNull(voided.ToJsonString());
        voided["Invoice"]!["TotalAmt"]!.GetValue<decimal>().Should().Be(0m);
        voided["Invoice"]!["PrivateNote"]!.GetValue<string>().Should().Be("Voided");
        voided["Invoice"]!["SyncToken"]!.GetValue<string>().Should().Be("1");
    }
}

public class BatchTests : FakeTestBase
{
    [Fact]
    public async Task Batch_answers_each_item_with_its_entity_query_response_or_fault()
    {
        Company.AddCustomer("Taken");
        var request = JsonNode.Parse("""
        {"BatchItemRequest":[
          {"bId":"bid1","operation":"create","Customer":{"DisplayName":"New One"}},
          {"bId":"bid2","operation":"create","Customer":{"DisplayName":"Taken"}},
          {"bId":"bid3","operation":"update","Customer":{"Id":"1","SyncToken":"7","sparse":true,"Notes":"x"}},
          {"bId":"bid4","Query":"select * from Customer where DisplayName = 'Taken'"},
          {"bId":"bid5","operation":"delete","Invoice":{"Id":"129","SyncToken":"0"}}
        ]}
        """)!;
        var (status, body) = await PostJson("batch?minorversion=75", request);

        status.Should().Be(HttpStatusCode.OK);
        var items = body["BatchItemResponse"]!.AsArray().ToDictionary(i => i!["bId"]!.GetValue<string>(), i => i!.AsObject());
        items["bid1"]["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("New One");
        items["bid2"]["Fault"]!["Error"]![0]!["code"]!.GetValue<string>().Should().Be("6240");
        items["bid3"]["Fault"]!["Error"]![0]!["code"]!.GetValue<string>().Should().Be("5010");
        items["bid4"]["QueryResponse"]!["Customer"]!.AsArray().Should().ContainSingle();
        items["bid5"]["Fault"]!["Error"]![0]!["code"]!.GetValue<string>().Should().Be("610");
        body["time"].Should().NotBeNull();
    }

    [Fact]
    public async Task Batch_of_more_than_30_items_is_refused()
    {
        var items = new JsonArray();
        for (var i = 0; i < 31; i++)
        {
            items.Add(new JsonObject { ["bId"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Query"] = "select * from Customer" });
        }

        var (status, body) = await PostJson("batch", new JsonObject { ["BatchItemRequest"] = items });
        status.Should().Be(HttpStatusCode.BadRequest);
        body["Fault"].Should().NotBeNull();
    }
}

public class RequestIdTests : FakeTestBase
{
    [Fact]
    public async Task Repeated_requestid_replays_the_first_response_without_a_second_write()
    {
        var first = await PostJson("customer?requestid=abc-1", new JsonObject { ["DisplayName"] = "Once" });
        var second = await PostJson("customer?requestid=abc-1", new JsonObject { ["DisplayName"] = "Once" });

        first.Status.Should().Be(HttpStatusCode.OK);
        second.Status.Should().Be(HttpStatusCode.OK);
        second.Body.ToJsonString().Should().Be(first.Body.ToJsonString());
        Company.Customers.Should().ContainSingle();
        Fake.Journal.Requests[^1].Replayed.Should().BeTrue();
    }

    [Fact]
    public async Task Requestid_is_per_realm()
    {
        await PostJson("customer?requestid=same", new JsonObject { ["DisplayName"] = "Realm one" });
        using var other = new StringContent("{\"DisplayName\":\"Realm two\"}", System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/v3/company/222/customer?requestid=same", other);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Fake.Company("222").Customers.Should().ContainSingle();
    }

    [Fact]
    public async Task Replay_of_a_fault_answers_the_same_fault()
    {
        Company.AddCustomer("Taken");
        var first = await PostJson("customer?requestid=f", new JsonObject { ["DisplayName"] = "Taken" });
        Company.AddCustomer("Free");
        var second = await PostJson("customer?requestid=f", new JsonObject { ["DisplayName"] = "Other" });
        second.Status.Should().Be(first.Status);
        second.Body.ToJsonString().Should().Be(first.Body.ToJsonString());
    }
}

public class ChangeDataCaptureTests : FakeTestBase
{
    [Fact]
    public async Task Cdc_returns_changed_entities_per_type_and_deleted_transactions()
    {
        Company.AddCustomer("Before");
        Clock.Advance(TimeSpan.FromHours(2));
        var changed = Company.AddCustomer("After");
        var invoice = Company.AddInvoice(changed["Id"]!.GetValue<string>(), 10m);
        await PostJson("invoice?operation=delete", new JsonObject { ["Id"] = invoice["Id"]!.GetValue<string>(), ["SyncToken"] = "0" });

        var since = Uri.EscapeDataString("2025-03-01T06:00:00-07:00");
        var (status, body) = await Get($"cdc?entities=Customer,Invoice,Payment&changedSince={since}&minorversion=75");

        status.Should().Be(HttpStatusCode.OK);
        var responses = body["CDCResponse"]![0]!["QueryResponse"]!.AsArray();
        responses.Should().HaveCount(3);
        responses[0]!["Customer"]!.AsArray().Select(c => c!["DisplayName"]!.GetValue<string>()).Should().Equal("After");
        responses[1]!["Invoice"]!.AsArray().Should().Contain(i => i!["status"] != null && i["status"]!.GetValue<string>() == "Deleted");
        responses[2]!.AsObject().Count.Should().Be(0);
    }
}
