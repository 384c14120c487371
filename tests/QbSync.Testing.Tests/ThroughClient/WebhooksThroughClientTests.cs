using System.Text;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Webhooks;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>
/// The fake's signed webhook notifications, for changes made through the real client, received by a second WireMock
/// server (the app's endpoint) and checked with the real <see cref="QuickBooksWebhookVerifier"/> and
/// <see cref="QuickBooksWebhookParser"/>.
/// </summary>
public sealed class WebhooksThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;
    private const string VerifierToken = "e2e-verifier-token-7f3a";

    [Theory]
    [InlineData(WebhookFormat.Legacy)]
    [InlineData(WebhookFormat.CloudEvents)]
    public async Task Changes_made_through_the_client_are_notified_signed_and_parse_back_to_the_same_changes(WebhookFormat format)
    {
        using var h = await FakeClientHarness.StartAsync();
        using var receiver = StartReceiver();
        var customer = await CreateUpdateDeactivateAsync(h, "Hooked " + format);

        using var response = await h.Fake.Webhooks.SendChangesAsync(WebhookUrl(receiver), VerifierToken, h.Company, format);

        response.IsSuccessStatusCode.Should().BeTrue();
        var (body, bytes, signature) = Received(receiver);
        QuickBooksWebhookVerifier.Verify(VerifierToken, bytes, signature).Should().BeTrue();
        QuickBooksWebhookVerifier.Verify(VerifierToken, body, signature).Should().BeTrue();

        var events = QuickBooksWebhookParser.Parse(bytes);
        var changes = h.Company.Changes;
        events.Select(e => (e.RealmId, e.EntityName, e.EntityId, Operation: e.Operation.ToString()))
            .Should().Equal(changes.Select(c => (c.RealmId, c.Entity, c.Id, c.Operation)));
        events.Where(e => e.EntityName == "Customer").Should().OnlyContain(e => e.EntityId == customer.Id && e.RealmId == Realm);
        events.Where(e => e.EntityName == "Customer").Select(e => e.Operation).Should().Equal(
            QuickBooksWebhookOperation.Create, QuickBooksWebhookOperation.Update, QuickBooksWebhookOperation.Update);
        events.Should().OnlyContain(e => e.OccurredAt != null);
        for (var i = 0; i < events.Count; i++)
        {
            events[i].OccurredAt!.Value.Should().BeCloseTo(changes[i].Time, TimeSpan.FromSeconds(1));
        }

        if (format == WebhookFormat.CloudEvents)
        {
            events.Select(e => e.EventId).Should().OnlyHaveUniqueItems().And.NotContainNulls();
            events.Where(e => e.EntityName == "Customer").Select(e => e.EventType).Should().Equal(
                "qbo.customer.created.v1", "qbo.customer.updated.v1", "qbo.customer.updated.v1");
        }
        else
        {
            events.Should().OnlyContain(e => e.EventId == null);
            events.Where(e => e.EntityName == "Customer").Select(e => e.EventType).Should().Equal("Create", "Update", "Update");
        }
    }

    [Theory]
    [InlineData(WebhookFormat.Legacy)]
    [InlineData(WebhookFormat.CloudEvents)]
    public async Task A_tampered_body_or_another_verifier_token_fails_verification(WebhookFormat format)
    {
        using var h = await FakeClientHarness.StartAsync();
        using var receiver = StartReceiver();
        var customer = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Tamper " + format });

        using var response = await h.Fake.Webhooks.SendAsync(
            WebhookUrl(receiver), VerifierToken, Realm, [new WebhookEntityChange("Customer", customer.Id!, "Create", DateTimeOffset.UtcNow)], format);

        response.IsSuccessStatusCode.Should().BeTrue();
        var (body, bytes, signature) = Received(receiver);
        QuickBooksWebhookVerifier.Verify(VerifierToken, bytes, signature).Should().BeTrue();

        var tampered = body.Replace(customer.Id!, customer.Id + "9", StringComparison.Ordinal);
        tampered.Should().NotBe(body);
        QuickBooksWebhookVerifier.Verify(VerifierToken, tampered, signature).Should().BeFalse();
        QuickBooksWebhookVerifier.Verify(VerifierToken, body + " ", signature).Should().BeFalse();
        QuickBooksWebhookVerifier.Verify("another-verifier-token", bytes, signature).Should().BeFalse();
        QuickBooksWebhookVerifier.Verify(h.Fake.OAuth.ClientSecret, bytes, signature).Should().BeFalse("the client secret is not the verifier token");
        QuickBooksWebhookVerifier.Verify(VerifierToken, bytes, null).Should().BeFalse();

        var parsed = QuickBooksWebhookParser.Parse(bytes).Should().ContainSingle().Subject;
        parsed.RealmId.Should().Be(Realm);
        parsed.EntityName.Should().Be("Customer");
        parsed.EntityId.Should().Be(customer.Id);
        parsed.Operation.Should().Be(QuickBooksWebhookOperation.Create);
    }

    [Theory]
    [InlineData(WebhookFormat.Legacy)]
    [InlineData(WebhookFormat.CloudEvents)]
    public async Task Only_the_changes_after_a_point_are_sent_and_a_merge_carries_its_deleted_id(WebhookFormat format)
    {
        using var h = await FakeClientHarness.StartAsync();
        using var receiver = StartReceiver();
        var before = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Earlier " + format });
        var since = h.Company.Changes[^1].Time;
        await Task.Delay(20);
        var later = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Later " + format });
        await h.Client.Customers.DeactivateAsync(Realm, later.Id!, later.SyncToken!);

        using (var response = await h.Fake.Webhooks.SendChangesAsync(WebhookUrl(receiver), VerifierToken, h.Company, format, since))
        {
            response.IsSuccessStatusCode.Should().BeTrue();
        }

        var (_, bytes, signature) = Received(receiver);
        QuickBooksWebhookVerifier.Verify(VerifierToken, bytes, signature).Should().BeTrue();
        var events = QuickBooksWebhookParser.Parse(bytes);
        events.Select(e => (e.EntityId, e.Operation)).Should().Equal(
            (later.Id!, QuickBooksWebhookOperation.Create), (later.Id!, QuickBooksWebhookOperation.Update));
        events.Should().NotContain(e => e.EntityId == before.Id);

        receiver.ResetLogEntries();
        using (var response = await h.Fake.Webhooks.SendAsync(
            WebhookUrl(receiver), VerifierToken, Realm, [new WebhookEntityChange("Customer", before.Id!, "Merge", DateTimeOffset.UtcNow, DeletedId: later.Id)], format))
        {
            response.IsSuccessStatusCode.Should().BeTrue();
        }

        var (_, mergeBytes, mergeSignature) = Received(receiver);
        QuickBooksWebhookVerifier.Verify(VerifierToken, mergeBytes, mergeSignature).Should().BeTrue();
        var merge = QuickBooksWebhookParser.Parse(mergeBytes).Should().ContainSingle().Subject;
        merge.Operation.Should().Be(QuickBooksWebhookOperation.Merge);
        merge.EntityId.Should().Be(before.Id);
        merge.DeletedId.Should().Be(later.Id);
        merge.RealmId.Should().Be(Realm);
    }

    private static async Task<Customer> CreateUpdateDeactivateAsync(FakeClientHarness h, string name)
    {
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = name });
        var updated = await h.Client.Customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = created.Id!, SyncToken = created.SyncToken!, Notes = "notified" });
        var deactivated = await h.Client.Customers.DeactivateAsync(Realm, updated.Id!, updated.SyncToken!);
        deactivated.IsActive.Should().BeFalse();
        return deactivated;
    }

    private static WireMockServer StartReceiver()
    {
        var receiver = WireMockServer.Start();
        receiver.Given(Request.Create().WithPath("/webhook").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        return receiver;
    }

    private static Uri WebhookUrl(WireMockServer receiver) => new(receiver.Url + "/webhook");

    /// <summary>The one request the receiver got: body as text, body as bytes, the <c>intuit-signature</c> header.</summary>
    private static (string Body, byte[] Bytes, string? Signature) Received(WireMockServer receiver)
    {
        var request = receiver.LogEntries.Should().ContainSingle().Subject.RequestMessage!;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/webhook");
        var bytes = request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body ?? "");
        bytes.Should().NotBeEmpty();
        var body = Encoding.UTF8.GetString(bytes);
        var signature = request.Headers!
            .Where(header => string.Equals(header.Key, QuickBooksWebhookVerifier.SignatureHeaderName, StringComparison.OrdinalIgnoreCase))
            .SelectMany(header => header.Value)
            .Should().ContainSingle().Subject;
        return (body, bytes, signature);
    }
}
