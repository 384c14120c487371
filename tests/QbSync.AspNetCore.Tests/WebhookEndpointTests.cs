using System.Net;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using QbSync.AspNetCore;
using QbSync.Stores;
using QbSync.Testing;

namespace QbSync.AspNetCore.Tests;

public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private QuickBooksWebhookProcessor Processor => _app.Services.GetRequiredService<QuickBooksWebhookProcessor>();

    [Fact]
    public async Task A_deactivated_customer_turns_its_account_not_synced_once_the_event_is_applied()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var before = TimeProvider.System.GetUtcNow();
        company.DeactivateCustomer(customerId);

        var response = await PostSignedAsync(WebhookSender.BuildLegacyPayload(company.RealmId, Changes(company, before)));
        var receipt = await Json.ReadAsync(response);
        var stateBeforeProcessing = await StateAsync("acc-1");
        await Processor.RunOnceAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        receipt.GetProperty("recorded").GetInt32().Should().Be(1);
        stateBeforeProcessing.Status.Should().Be(SyncStatus.Synced, "the endpoint only records; the processor applies");
        var after = await StateAsync("acc-1");
        after.Status.Should().Be(SyncStatus.NotSynced);
        after.Reason.Should().Be(SyncReason.CustomerInactive);
    }

    [Fact]
    public async Task A_merge_in_CloudEvents_format_relinks_the_account_to_the_survivor()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var survivor = company.AddCustomer("Acme Limited")["Id"]!.GetValue<string>();
        var before = TimeProvider.System.GetUtcNow();
        company.MergeCustomer(customerId, survivor);

        var response = await PostSignedAsync(WebhookSender.BuildCloudEventsPayload(company.RealmId, Changes(company, before).Where(c => c.Operation == "Merge")), "application/cloudevents-batch+json");
        await Processor.RunOnceAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var state = await StateAsync("acc-1");
        state.Status.Should().Be(SyncStatus.Synced);
        state.Reason.Should().Be(SyncReason.CustomerMerged);
        state.CustomerId.Should().Be(survivor);
    }

    [Fact]
    public async Task A_customer_deleted_in_QuickBooks_reaches_the_app_in_memory_through_the_fakes_webhook_sender()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        company.DeleteCustomer(customerId);

        using var handler = _app.App.GetTestServer().CreateHandler();
        var response = await _app.Qbo.Webhooks.SendChangesAsync(handler, new Uri("/qbsync/webhooks", UriKind.Relative), TestApp.VerifierToken, company);
        await Processor.RunOnceAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var state = await StateAsync("acc-1");
        state.Status.Should().Be(SyncStatus.NotSynced);
        state.Reason.Should().Be(SyncReason.CustomerNotFound);
    }

    [Fact]
    public async Task A_redelivered_notification_is_recorded_once_and_changes_nothing_more()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var before = TimeProvider.System.GetUtcNow();
        company.DeactivateCustomer(customerId);
        var body = WebhookSender.BuildLegacyPayload(company.RealmId, Changes(company, before));

        var first = await Json.ReadAsync(await PostSignedAsync(body));
        await Processor.RunOnceAsync();
        var historyAfterFirst = await HistoryCountAsync("acc-1");
        var second = await Json.ReadAsync(await PostSignedAsync(body));
        var claimed = await Processor.RunOnceAsync();

        first.GetProperty("recorded").GetInt32().Should().Be(1);
        second.GetProperty("recorded").GetInt32().Should().Be(0);
        claimed.Should().Be(0);
        (await HistoryCountAsync("acc-1")).Should().Be(historyAfterFirst);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public async Task Forged_signatures_are_refused_and_nothing_is_recorded(string signature)
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var body = WebhookSender.BuildLegacyPayload(company.RealmId, [new WebhookEntityChange("Customer", customerId, "Delete", _app.Time.GetUtcNow())]);

        using var client = _app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/qbsync/webhooks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("intuit-signature", signature);
        }

        var response = await client.SendAsync(request);
        var claimed = await Processor.RunOnceAsync();

        await OAuthEndpointTests.ShouldBeProblem(response, HttpStatusCode.Unauthorized, QbSyncProblemTypes.WebhookSignatureInvalid);
        claimed.Should().Be(0);
        (await StateAsync("acc-1")).Status.Should().Be(SyncStatus.Synced);
    }

    [Fact]
    public async Task A_body_signed_with_another_token_or_changed_after_signing_is_refused()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var body = WebhookSender.BuildLegacyPayload(company.RealmId, [new WebhookEntityChange("Customer", customerId, "Delete", _app.Time.GetUtcNow())]);
        using var client = _app.Client();

        using var otherToken = new HttpRequestMessage(HttpMethod.Post, "/qbsync/webhooks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        otherToken.Headers.TryAddWithoutValidation("intuit-signature", WebhookSender.Sign(body, "another-apps-verifier-token"));
        using var tampered = new HttpRequestMessage(HttpMethod.Post, "/qbsync/webhooks") { Content = new StringContent(body.Replace(customerId, "999", StringComparison.Ordinal), Encoding.UTF8, "application/json") };
        tampered.Headers.TryAddWithoutValidation("intuit-signature", WebhookSender.Sign(body, TestApp.VerifierToken));

        await OAuthEndpointTests.ShouldBeProblem(await client.SendAsync(otherToken), HttpStatusCode.Unauthorized, QbSyncProblemTypes.WebhookSignatureInvalid);
        await OAuthEndpointTests.ShouldBeProblem(await client.SendAsync(tampered), HttpStatusCode.Unauthorized, QbSyncProblemTypes.WebhookSignatureInvalid);
    }

    [Fact]
    public async Task Events_of_a_realm_no_firm_connected_are_ignored_and_answered_200()
    {
        var response = await PostSignedAsync(WebhookSender.BuildLegacyPayload("9999999999", [new WebhookEntityChange("Customer", "1", "Update", _app.Time.GetUtcNow())]));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var receipt = await Json.ReadAsync(response);
        receipt.GetProperty("ignored").GetInt32().Should().Be(1);
        receipt.GetProperty("recorded").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task A_signed_body_in_neither_format_is_a_bad_request()
    {
        var response = await PostSignedAsync("{\"hello\":1}");

        await OAuthEndpointTests.ShouldBeProblem(response, HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
    }

    [Fact]
    public async Task Events_recorded_while_the_processor_fails_are_retried_after_the_lease()
    {
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var before = TimeProvider.System.GetUtcNow();
        company.DeactivateCustomer(customerId);
        await PostSignedAsync(WebhookSender.BuildLegacyPayload(company.RealmId, Changes(company, before)));

        _app.Qbo.Faults.Enqueue(InjectedFault.InternalServerError);
        await Processor.RunOnceAsync();
        var afterFailure = await StateAsync("acc-1");
        var claimedWithinLease = await Processor.RunOnceAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var claimedAfterLease = await Processor.RunOnceAsync();

        afterFailure.Status.Should().Be(SyncStatus.Synced);
        claimedWithinLease.Should().Be(0);
        claimedAfterLease.Should().Be(1);
        (await StateAsync("acc-1")).Status.Should().Be(SyncStatus.NotSynced);
    }

    [Fact]
    public async Task A_firm_whose_events_fail_does_not_hold_up_another_firms_events()
    {
        var (companyA, customerA) = await SyncedAccountAsync("acc-a", "Acme Ltd");
        var (companyB, customerB) = await SyncedAccountAsync("acc-b", "Birch Bakery", TestApp.FirmB);
        var before = TimeProvider.System.GetUtcNow();
        companyA.DeactivateCustomer(customerA);
        companyB.DeactivateCustomer(customerB);
        await PostSignedAsync(WebhookSender.BuildLegacyPayload(companyA.RealmId, Changes(companyA, before)));
        await PostSignedAsync(WebhookSender.BuildLegacyPayload(companyB.RealmId, Changes(companyB, before)));

        _app.Qbo.Faults.Enqueue(InjectedFault.InternalServerError); // whichever firm goes first fails
        var claimed = await Processor.RunOnceAsync();
        var statuses = new[] { (await StateAsync("acc-a")).Status, (await StateAsync("acc-b", TestApp.FirmB)).Status };
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var retried = await Processor.RunOnceAsync();

        claimed.Should().Be(2);
        statuses.Should().BeEquivalentTo([SyncStatus.Synced, SyncStatus.NotSynced], "the second firm's event was applied although the first firm's failed");
        retried.Should().Be(1, "only the failed firm's event is taken again");
        (await StateAsync("acc-a")).Status.Should().Be(SyncStatus.NotSynced);
        (await StateAsync("acc-b", TestApp.FirmB)).Status.Should().Be(SyncStatus.NotSynced);
    }

    [Fact]
    public async Task An_event_that_keeps_failing_is_given_up_after_the_last_attempt()
    {
        await _app.DisposeAsync();
        _app = await TestApp.StartAsync(services => services.PostConfigure<QbSyncAspNetCoreOptions>(o => o.WebhookMaxAttempts = 2));
        var (company, customerId) = await SyncedAccountAsync("acc-1", "Acme Ltd");
        var before = TimeProvider.System.GetUtcNow();
        company.DeactivateCustomer(customerId);
        await PostSignedAsync(WebhookSender.BuildLegacyPayload(company.RealmId, Changes(company, before)));

        _app.Qbo.Faults.Enqueue(InjectedFault.InternalServerError, InjectedFault.InternalServerError);
        var first = await Processor.RunOnceAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var second = await Processor.RunOnceAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var afterGivingUp = await Processor.RunOnceAsync();

        first.Should().Be(1);
        second.Should().Be(1);
        afterGivingUp.Should().Be(0, "after WebhookMaxAttempts the event is done, with its error");
        (await StateAsync("acc-1")).Status.Should().Be(SyncStatus.Synced, "the given-up event changed nothing");
    }

    private async Task<(FakeCompany Company, string CustomerId)> SyncedAccountAsync(string accountId, string name, string firmId = TestApp.FirmA)
    {
        var company = await _app.ConnectAsync(firmId);
        var customerId = company.AddCustomer(name)["Id"]!.GetValue<string>();
        await _app.RegisterAsync(firmId, accountId, name);
        await _app.RunPendingAsync(firmId);
        (await StateAsync(accountId, firmId)).Status.Should().Be(SyncStatus.Synced);
        return (company, customerId);
    }

    private static IEnumerable<WebhookEntityChange> Changes(FakeCompany company, DateTimeOffset since) =>
        company.Changes.Where(c => c.Time >= since && c.Entity == "Customer").Select(c => new WebhookEntityChange(c.Entity, c.Id, c.Operation, c.Time, c.DeletedId)).ToList();

    private async Task<HttpResponseMessage> PostSignedAsync(string body, string contentType = "application/json")
    {
        using var client = _app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/qbsync/webhooks") { Content = new StringContent(body, new UTF8Encoding(false), contentType) };
        request.Headers.TryAddWithoutValidation("intuit-signature", WebhookSender.Sign(body, TestApp.VerifierToken));
        return await client.SendAsync(request);
    }

    private async Task<AccountSyncState> StateAsync(string accountId, string firmId = TestApp.FirmA)
    {
        var sync = _app.Sync(out var scope);
        await using (scope)
        {
            return await sync.GetStateAsync(SyncActor.User(firmId, "reader", FirmRole.Employee), accountId);
        }
    }

    private async Task<int> HistoryCountAsync(string accountId)
    {
        var store = _app.Services.GetRequiredService<IAccountStore>();
        return (await store.GetHistoryAsync(TestApp.FirmA, accountId)).Count;
    }
}
