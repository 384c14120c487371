using System.Net;
using System.Text;
using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>The helpers a user's tests call to change a company behind the code under test (what a person does in
/// QBO), each observed through the real client: deactivate, rename, merge and delete a customer.</summary>
public sealed class CustomerHelpersThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task A_deactivated_customer_reads_inactive_with_the_deleted_suffix_and_leaves_active_queries()
    {
        using var h = await FakeClientHarness.StartAsync();
        var id = Id(h.Company.AddCustomer("Acme Ltd"));

        h.Company.DeactivateCustomer(id);

        var read = await h.Client.Customers.GetAsync(Realm, id);
        read.IsActive.Should().BeFalse();
        read.DisplayName.Should().Be("Acme Ltd" + QuickBooksNamedEntity.DeletedSuffix);
        read.BareDisplayName.Should().Be("Acme Ltd");
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Acme Ltd", includeInactive: false)).Should().BeEmpty();
        h.Company.Changes[^1].Should().Match<FakeChange>(c => c.Operation == "Update" && c.Id == id);
    }

    [Fact]
    public async Task A_renamed_customer_reads_under_its_new_name_with_a_new_sync_token()
    {
        using var h = await FakeClientHarness.StartAsync();
        var id = Id(h.Company.AddCustomer("Old Name Ltd"));
        var before = await h.Client.Customers.GetAsync(Realm, id);

        h.Company.RenameCustomer(id, "New Name Ltd");

        var read = await h.Client.Customers.GetAsync(Realm, id);
        read.DisplayName.Should().Be("New Name Ltd");
        read.SyncToken.Should().NotBe(before.SyncToken);
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Old Name Ltd")).Should().BeEmpty();
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "New Name Ltd")).Should().ContainSingle().Which.Id.Should().Be(id);
    }

    [Fact]
    public async Task Renaming_a_customer_to_a_name_QBO_refuses_throws_with_the_fault_and_changes_nothing()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddVendor("Books by Bessie");
        var id = Id(h.Company.AddCustomer("Acme Ltd"));

        var duplicate = () => h.Company.RenameCustomer(id, "Books by Bessie");
        var colon = () => h.Company.RenameCustomer(id, "Acme: Ltd");

        duplicate.Should().Throw<InvalidOperationException>().WithMessage("*6240*");
        colon.Should().Throw<InvalidOperationException>();
        (await h.Client.Customers.GetAsync(Realm, id)).DisplayName.Should().Be("Acme Ltd");
    }

    [Fact]
    public async Task A_merged_away_customer_is_not_found_and_change_data_capture_reports_it_deleted()
    {
        using var h = await FakeClientHarness.StartAsync();
        var from = Id(h.Company.AddCustomer("Acme Ltd"));
        var into = Id(h.Company.AddCustomer("Acme Limited"));
        var since = h.Fake.Options.TimeProvider.GetUtcNow().AddSeconds(-1);

        h.Company.MergeCustomer(from, into);

        var read = () => h.Client.Customers.GetAsync(Realm, from);
        await read.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
        (await h.Client.Customers.GetAsync(Realm, into)).IsActive.Should().BeTrue();
        var changes = await h.Client.ChangeDataCapture.GetChangesAsync(Realm, ["Customer"], since);
        changes.Deleted.Should().ContainSingle(d => d.Id == from && d.EntityName == "Customer");
        h.Company.Changes[^1].Should().Match<FakeChange>(c => c.Operation == "Merge" && c.Id == into && c.DeletedId == from);
    }

    [Fact]
    public async Task A_deleted_customer_is_not_found_frees_its_name_and_is_reported_deleted()
    {
        using var h = await FakeClientHarness.StartAsync();
        var id = Id(h.Company.AddCustomer("Gone Ltd"));
        var since = h.Fake.Options.TimeProvider.GetUtcNow().AddSeconds(-1);

        h.Company.DeleteCustomer(id);

        var read = () => h.Client.Customers.GetAsync(Realm, id);
        await read.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Gone Ltd", includeInactive: true)).Should().BeEmpty();
        var changes = await h.Client.ChangeDataCapture.GetChangesAsync(Realm, ["Customer"], since);
        changes.Deleted.Should().ContainSingle(d => d.Id == id);
        h.Company.Changes[^1].Should().Match<FakeChange>(c => c.Operation == "Delete" && c.Id == id);
        var again = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Gone Ltd" });
        again.Id.Should().NotBe(id);
    }

    [Fact]
    public void Changing_a_customer_that_does_not_exist_throws()
    {
        using var fake = QuickBooksOnlineFake.Start();
        var company = fake.CreateCompany();

        company.Invoking(c => c.DeleteCustomer("999")).Should().Throw<InvalidOperationException>();
        company.Invoking(c => c.RenameCustomer("999", "X")).Should().Throw<InvalidOperationException>();
        company.Invoking(c => c.DeactivateCustomer("999")).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task A_signed_webhook_goes_through_a_handler_to_a_relative_url_and_the_handler_stays_usable()
    {
        using var fake = QuickBooksOnlineFake.Start();
        var company = fake.CreateCompany();
        var id = Id(company.AddCustomer("Gone Ltd"));
        company.DeleteCustomer(id);
        using var handler = new RecordingHandler();

        var first = await fake.Webhooks.SendChangesAsync(handler, new Uri("/qbo/webhooks", UriKind.Relative), "verifier-1", company);
        var second = await fake.Webhooks.SendAsync(handler, new Uri("http://app.test/hooks"), "verifier-1", company.RealmId, [new WebhookEntityChange("Customer", id, "Delete", DateTimeOffset.UtcNow)], WebhookFormat.CloudEvents);

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().Be(HttpStatusCode.Accepted);
        handler.Received.Should().HaveCount(2);
        var (uri, body, signature, contentType) = handler.Received[0];
        uri.Should().Be(new Uri("http://localhost/qbo/webhooks"));
        contentType.Should().Be("application/json");
        signature.Should().Be(WebhookSender.Sign(body, "verifier-1"));
        body.Should().Contain("\"operation\":\"Delete\"").And.Contain(id).And.Contain(company.RealmId);
        handler.Received[1].Uri.Should().Be(new Uri("http://app.test/hooks"));
        handler.Received[1].ContentType.Should().Be("application/cloudevents-batch+json");
        handler.Received[1].Signature.Should().Be(WebhookSender.Sign(handler.Received[1].Body, "verifier-1"));
    }

    private static string Id(System.Text.Json.Nodes.JsonObject entity) => entity["Id"]!.GetValue<string>();

    /// <summary>An in-memory endpoint: records what it receives and answers 202.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<(Uri Uri, string Body, string? Signature, string? ContentType)> Received { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            Received.Add((request.RequestUri!, Encoding.UTF8.GetString(bytes), request.Headers.TryGetValues("intuit-signature", out var values) ? values.Single() : null, request.Content.Headers.ContentType?.MediaType));
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }
    }
}
