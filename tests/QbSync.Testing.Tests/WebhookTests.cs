using System.Net;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

public class WebhookTests : FakeTestBase
{
    [Fact]
    public void Signature_matches_the_recorded_real_pair()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Payloads", "webhooks");
        var body = File.ReadAllText(Path.Combine(dir, "legacy-java-sdk-test.json"));
        var verification = File.ReadAllText(Path.Combine(dir, "legacy-java-sdk-test.verification.txt"));
        var lines = verification.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = Value(lines, "verifier-token");
        var signature = Value(lines, "intuit-signature");
        WebhookSender.Sign(body, token).Should().Be(signature);
    }

    private static string Value(string[] lines, string key)
    {
        var line = lines.First(l => l.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase));
        return line[(line.IndexOf(':') + 1)..].Trim().Trim('`', '"');
    }

    [Fact]
    public void Legacy_payload_has_the_event_notifications_shape()
    {
        var body = WebhookSender.BuildLegacyPayload("1185883450", [new WebhookEntityChange("Customer", "1", "Create", new DateTimeOffset(2015, 10, 5, 14, 42, 19, TimeSpan.FromHours(-7)))]);
        var entity = JsonNode.Parse(body)!["eventNotifications"]![0]!["dataChangeEvent"]!["entities"]![0]!;
        entity["name"]!.GetValue<string>().Should().Be("Customer");
        entity["operation"]!.GetValue<string>().Should().Be("Create");
        entity["lastUpdated"]!.GetValue<string>().Should().Be("2015-10-05T14:42:19-0700");
    }

    [Fact]
    public void Cloudevents_payload_has_type_account_and_entity()
    {
        var body = WebhookSender.BuildCloudEventsPayload("9341", [new WebhookEntityChange("Customer", "27", "Merge", DateTimeOffset.UnixEpoch, DeletedId: "26")]);
        var e = JsonNode.Parse(body)![0]!;
        e["specversion"]!.GetValue<string>().Should().Be("1.0");
        e["type"]!.GetValue<string>().Should().Be("qbo.customer.merged.v1");
        e["intuitaccountid"]!.GetValue<string>().Should().Be("9341");
        e["intuitentityid"]!.GetValue<string>().Should().Be("27");
        e["data"]!["deletedid"]!.GetValue<string>().Should().Be("26");
    }

    [Fact]
    public async Task Sending_posts_the_body_with_its_signature()
    {
        using var receiver = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.None);
        Company.AddCustomer("Hooked");
        var url = new Uri(receiver.BaseUrl + "/webhooks");

        using var response = await Fake.Webhooks.SendChangesAsync(url, "verifier-token", Company, WebhookFormat.CloudEvents);

        var received = receiver.Journal.Requests.Single();
        received.Headers["intuit-signature"].Should().Be(WebhookSender.Sign(received.Body, "verifier-token"));
        JsonNode.Parse(received.Body)![0]!["type"]!.GetValue<string>().Should().Be("qbo.customer.created.v1");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
