using System.Net;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

/// <summary>What the fake does for billing: preferences, currency, cents, payment void.</summary>
public class BillingFakeTests : FakeTestBase
{
    private static JsonObject Invoice(string customerId, params decimal[] amounts) => new()
    {
        ["CustomerRef"] = new JsonObject { ["value"] = customerId },
        ["Line"] = new JsonArray([.. amounts.Select(a => (JsonNode)new JsonObject
        {
            ["DetailType"] = "SalesItemLineDetail",
            ["Amount"] = a,
            ["SalesItemLineDetail"] = new JsonObject { ["ItemRef"] = new JsonObject { ["value"] = "1" } },
        })]),
    };

    [Fact]
    public async Task Line_amounts_are_kept_to_the_cent_and_the_total_is_their_sum()
    {
        var customer = await CreateCustomer("Acme");
        var (status, body) = await PostJson("invoice", Invoice(customer["Id"]!.GetValue<string>(), 0.005m, 0.1m, 0.2m));

        status.Should().Be(HttpStatusCode.OK);
        body["Invoice"]!["TotalAmt"]!.GetValue<decimal>().Should().Be(0.31m);
        body["Invoice"]!["Line"]![0]!["Amount"]!.GetValue<decimal>().Should().Be(0.01m);
    }

    [Fact]
    public async Task A_foreign_currency_is_refused_without_multicurrency_and_kept_with_it()
    {
        var customer = await CreateCustomer("Acme");
        var invoice = Invoice(customer["Id"]!.GetValue<string>(), 10m);
        invoice["CurrencyRef"] = new JsonObject { ["value"] = "EUR" };

        var (refused, fault) = await PostJson("invoice", invoice);
        Company.MultiCurrencyEnabled = true;
        var (accepted, body) = await PostJson("invoice", invoice);

        refused.Should().Be(HttpStatusCode.BadRequest);
        FirstError(fault)["code"]!.GetValue<string>().Should().Be("6000");
        accepted.Should().Be(HttpStatusCode.OK);
        body["Invoice"]!["CurrencyRef"]!["value"]!.GetValue<string>().Should().Be("EUR");
    }

    [Fact]
    public async Task A_payment_voided_with_include_void_has_zero_amounts_and_reopens_its_invoice()
    {
        var customer = await CreateCustomer("Acme");
        var customerId = customer["Id"]!.GetValue<string>();
        var (_, created) = await PostJson("invoice", Invoice(customerId, 100m));
        var invoiceId = created["Invoice"]!["Id"]!.GetValue<string>();
        var (_, paid) = await PostJson("payment", new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["TotalAmt"] = 100m,
            ["Line"] = new JsonArray(new JsonObject { ["Amount"] = 100m, ["LinkedTxn"] = new JsonArray(new JsonObject { ["TxnId"] = invoiceId, ["TxnType"] = "Invoice" }) }),
        });
        var paymentId = paid["Payment"]!["Id"]!.GetValue<string>();
        Company.Get("Invoice", invoiceId)!["Balance"]!.GetValue<decimal>().Should().Be(0m);

        var (status, voided) = await PostJson("payment?operation=update&include=void", new JsonObject { ["Id"] = paymentId, ["SyncToken"] = "0", ["sparse"] = true });

        status.Should().Be(HttpStatusCode.OK);
        voided["Payment"]!["TotalAmt"]!.GetValue<decimal>().Should().Be(0m);
        voided["Payment"]!["PrivateNote"]!.GetValue<string>().Should().Be("Voided");
        Company.Get("Invoice", invoiceId)!["Balance"]!.GetValue<decimal>().Should().Be(100m);
    }

    [Fact]
    public async Task Preferences_report_the_home_currency_and_multicurrency()
    {
        Company.HomeCurrency = "CAD";
        var (status, body) = await Get("preferences");

        status.Should().Be(HttpStatusCode.OK);
        body["Preferences"]!["CurrencyPrefs"]!["HomeCurrency"]!["value"]!.GetValue<string>().Should().Be("CAD");
        body["Preferences"]!["CurrencyPrefs"]!["MultiCurrencyEnabled"]!.GetValue<bool>().Should().BeFalse();
    }
}
