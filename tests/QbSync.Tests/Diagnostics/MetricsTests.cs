using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using QbSync.Diagnostics;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Sync;
using QbSync.Tests.Sync.Scenarios;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Diagnostics;

/// <summary>QbSync's instruments, read through the host's IMeterFactory as a user's test (or OpenTelemetry) would.</summary>
public class MetricsTests
{
    private static MetricCollector<T> Collect<T>(IServiceProvider services, string instrument)
        where T : struct =>
        new(services.GetRequiredService<IMeterFactory>(), QbSyncTelemetry.Name, instrument);

    [Fact]
    public async Task Request_durations_are_recorded_per_entity_operation_and_outcome()
    {
        using var harness = new ClientHarness(o => o.MaxRetryAttempts = 0);
        using var durations = Collect<double>(harness.Services, QbSyncMetrics.RequestDurationName);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payload.Read("customer/read-response.json")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody(Payload.Read("faults/6240-duplicate-name-no-id.json")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/6")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(429).WithBody(Payload.Read("faults/3001-throttle-statuscode429.xml")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/7")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(Payload.Read("faults/503-html-service-unavailable.txt")));

        await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");
        await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "Taken" }, "rid-1"))
            .Should().ThrowAsync<QuickBooksDuplicateNameException>();
        await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "6")).Should().ThrowAsync<QuickBooksThrottledException>();
        await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "7")).Should().ThrowAsync<QuickBooksException>();

        var measurements = durations.GetMeasurementSnapshot();
        measurements.Select(m => ((string?)m.Tags["qbsync.entity"], (string?)m.Tags["qbsync.operation"], (string?)m.Tags["qbsync.outcome"]))
            .Should().Equal(
                ("Customer", "read", "success"),
                ("Customer", "create", "duplicate_name"),
                ("Customer", "read", "throttled"),
                ("Customer", "read", "transient"));
        measurements.Should().OnlyContain(m => m.Value >= 0);
    }

    [Fact]
    public async Task Retries_are_counted_with_their_reason_and_the_request_is_measured_once()
    {
        using var harness = new ClientHarness(o => o.MaxRetryAttempts = 2);
        using var retries = Collect<long>(harness.Services, QbSyncMetrics.RetriesName);
        using var durations = Collect<double>(harness.Services, QbSyncMetrics.RequestDurationName);
        var path = harness.CompanyPath("customer/5");
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WillSetStateTo("1")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(Payload.Read("faults/503-html-service-unavailable.txt")));
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WhenStateIs("1")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payload.Read("customer/read-response.json")));

        await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        retries.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags["qbsync.retry.reason"].Should().Be("503");
        durations.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags["qbsync.outcome"].Should().Be("success");
    }

    [Fact]
    public async Task A_request_that_queues_behind_the_realm_throttle_is_counted_with_its_wait()
    {
        using var harness = new ClientHarness(o => o.MaxConcurrentRequestsPerRealm = 1);
        using var waits = Collect<long>(harness.Services, QbSyncMetrics.ThrottleWaitsName);
        using var waitDurations = Collect<double>(harness.Services, QbSyncMetrics.ThrottleWaitDurationName);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Payload.Read("customer/read-response.json")).WithDelay(TimeSpan.FromMilliseconds(300)));

        await Task.WhenAll(
            harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"),
            harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"));

        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Tags["qbsync.request.kind"].Should().Be("standard");
        wait.Tags["qbsync.throttle.limiter"].Should().Be("local");
        waitDurations.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BePositive();
    }

    [Fact]
    public async Task Token_refreshes_are_counted_by_outcome()
    {
        using var h = new SyncHarness();
        using var refreshes = Collect<long>(h.Services, QbSyncMetrics.TokenRefreshesName);
        h.Company.AddCustomer("Acme Ltd");
        h.Company.AddCustomer("Bolt Ltd");
        await h.AddAccountAsync("a1", "Acme Ltd");
        await h.AddAccountAsync("a2", "Bolt Ltd");
        await SaveExpiringTokensAsync(h);

        (await h.Service.SyncAsync(h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced);
        await SaveExpiringTokensAsync(h);
        h.Qbo.OAuth.AlwaysInvalidGrant = true;
        await h.Service.SyncAsync(h.Owner, "a2");

        refreshes.GetMeasurementSnapshot().Select(m => m.Tags["qbsync.outcome"]).Should().Equal("success", "reconnect_required");
    }

    [Fact]
    public async Task Syncs_are_counted_by_status_and_reason_and_the_first_sync_is_timed_from_its_first_start()
    {
        using var h = new SyncHarness(connect: false);
        using var syncs = Collect<long>(h.Services, QbSyncMetrics.SyncsName);
        using var firstSyncs = Collect<double>(h.Services, QbSyncMetrics.FirstSyncDurationName);
        h.Company.AddCustomer("Acme Ltd");
        await h.AddAccountAsync("a1", "Acme Ltd");

        (await h.Service.SyncAsync(h.Owner, "a1")).Status.Should().Be(SyncStatus.Failed, "no company is connected yet");
        h.Time.Advance(TimeSpan.FromMinutes(3));
        await ConnectAsync(h);
        (await h.Service.SyncAsync(h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        (await h.Service.SyncAsync(h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced);

        syncs.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["qbsync.status"], (string?)m.Tags["qbsync.reason"]))
            .Should().Equal(("failed", "NotConnected"), ("synced", "None"), ("synced", "None"));
        firstSyncs.GetMeasurementSnapshot().Should().ContainSingle("only the first Synced of an account is a first sync")
            .Which.Value.Should().Be(180);
    }

    [Fact]
    public async Task The_backlog_gauge_shows_the_due_accounts_of_the_workers_last_pass()
    {
        using var h = new SyncHarness(services: s => s.AddQbSync().AddBackgroundWorker());
        using var backlog = Collect<long>(h.Services, QbSyncMetrics.BacklogName);
        var worker = h.Services.GetRequiredService<SyncWorker>();
        await h.AddAccountAsync("a1", "Acme Ltd");
        await h.AddAccountAsync("a2", "Bolt Ltd");
        await h.AddAccountAsync("a3", "Cobalt Ltd");

        backlog.RecordObservableInstruments();
        backlog.GetMeasurementSnapshot().Should().BeEmpty("the worker has not run a pass yet");

        await worker.RunOnceAsync();
        backlog.RecordObservableInstruments();
        Accounts().Should().Equal(3);

        await worker.RunOnceAsync();
        backlog.RecordObservableInstruments();
        Accounts().Should().Equal(3, 0);

        IEnumerable<long> Accounts() =>
            backlog.GetMeasurementSnapshot().Where(m => (string?)m.Tags["qbsync.work.kind"] == "account").Select(m => m.Value);
    }

    [Fact]
    public async Task Billing_documents_are_counted_by_status_reason_and_kind_when_their_work_ends()
    {
        using var h = new Billing.BillingHarness();
        using var documents = Collect<long>(h.Sync.Services, QbSyncMetrics.BillingDocumentsName);
        await h.SyncedAccountAsync("a1", "Acme Ltd");
        await h.Billing.RecordInvoiceAsync(Billing.BillingHarness.Firm, Billing.BillingHarness.Invoice("i1", "a1"));
        await h.Billing.RecordPaymentAsync(Billing.BillingHarness.Firm, Billing.BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("i1", 300m)));

        await h.RunAsync();
        await h.RunAsync();

        // The payment is sent in the first run with its invoice, finds it not yet in QBO, waits, and goes in the second.
        documents.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["qbsync.status"], (string?)m.Tags["qbsync.reason"], (string?)m.Tags["qbsync.document.kind"]))
            .Should().BeEquivalentTo([("synced", "None", "Invoice"), ("not_synced", "WaitingForInvoice", "Payment"), ("synced", "None", "Payment")]);
    }

    [Fact]
    public void Each_container_gets_its_own_instruments_from_its_meter_factory()
    {
        using var first = new ClientHarness();
        using var second = new ClientHarness();

        var a = first.Services.GetRequiredService<QbSyncMetrics>();
        var b = second.Services.GetRequiredService<QbSyncMetrics>();

        a.Should().NotBeSameAs(b);
        first.Services.GetRequiredService<QbSyncMetrics>().Should().BeSameAs(a);
    }

    private static async Task SaveExpiringTokensAsync(SyncHarness h)
    {
        var issued = h.Qbo.OAuth.IssueTokens();
        await h.Tokens.SaveAsync(h.RealmId, new QuickBooksTokenSet
        {
            AccessToken = issued.AccessToken,
            AccessTokenExpiresAt = h.Time.GetUtcNow().AddSeconds(30),
            RefreshToken = issued.RefreshToken,
            RefreshTokenExpiresAt = issued.RefreshTokenExpiresAt,
        });
    }

    private static async Task ConnectAsync(SyncHarness h)
    {
        await h.Tokens.SaveAsync(h.RealmId, new QuickBooksTokenSet
        {
            AccessToken = "access-token",
            AccessTokenExpiresAt = h.Time.GetUtcNow().AddDays(400),
            RefreshToken = "refresh-token",
            RefreshTokenExpiresAt = h.Time.GetUtcNow().AddDays(400),
        });
        await h.Store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = SyncHarness.Firm, RealmId = h.RealmId }, 0);
    }
}
