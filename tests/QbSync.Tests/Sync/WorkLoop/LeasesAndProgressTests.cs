using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 7, items 4, 10 and 11: leases cover the work, small things people see, knowing when work is done.</summary>
public class LeasesAndProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_lease_keeper_renews_while_work_is_in_flight_and_cancels_work_whose_lease_was_taken()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryAccountStore();
        await store.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "kept", AccountName = "Kept", NextAttemptAt = T0 });
        await store.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "lost", AccountName = "Lost", NextAttemptAt = T0 });
        var claimed = await store.ClaimDueAsync("f", "w1", T0, TimeSpan.FromMinutes(1), 10);
        claimed.Should().HaveCount(2);

        var keeper = new LeaseKeeper(store, time, TimeSpan.FromMinutes(1), "f", "w1", NullLogger.Instance, CancellationToken.None);
        await using (keeper)
        {
            var kept = keeper.Track("kept");
            var lost = keeper.Track("lost");
            // Someone unsyncs "lost": the lease is cleared.
            var current = (await store.GetAsync("f", "lost"))!;
            await store.TryUpdateAsync(current with { LeaseOwner = null, LeaseUntil = null }, current.Version);

            for (var i = 0; i < 9; i++)
            {
                time.Advance(TimeSpan.FromSeconds(20));
                await WaitUntilAsync(() => (store.GetAsync("f", "kept").Result!.LeaseUntil ?? T0) >= time.GetUtcNow().AddSeconds(40));
            }

            (await store.GetAsync("f", "kept"))!.LeaseUntil.Should().BeAfter(time.GetUtcNow(), "three minutes of work on a one-minute lease, renewed all along");
            kept.IsCancellationRequested.Should().BeFalse();
            lost.IsCancellationRequested.Should().BeTrue("a worker that lost its lease must not write an outcome");
        }
    }

    [Fact]
    public async Task A_persons_action_leases_under_its_own_owner_id()
    {
        var store = new LeaseWatchingStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store, workerId: "worker-1");
        await h.AddAccountAsync("a1", "Action Client", hasBillingActivity: false);

        await h.Service.SyncAsync(h.Admin, "a1");

        store.Owners.Should().NotBeEmpty().And.OnlyContain(o => o.StartsWith("worker-1/action-", StringComparison.Ordinal),
            "a worker of this process releasing its own leases at shutdown never releases a person's action");
    }

    [Theory]
    [InlineData(10, 4, "LeaseDuration")]
    [InlineData(300, 11, "MaxConcurrentAccountsPerRealm")]
    public void Options_that_contradict_each_other_fail_at_start_up(int leaseSeconds, int concurrency, string named)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbSync(o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(leaseSeconds);
            o.MaxConcurrentAccountsPerRealm = concurrency;
        }, _ => { }, oauth =>
        {
            oauth.ClientId = "id";
            oauth.ClientSecret = "secret";
        });
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<QbSyncOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(named);
    }

    [Fact]
    public async Task A_resumed_create_keeps_the_display_name_note()
    {
        var store = new CrashOnceStore(new InMemoryAccountStore());
        using var first = new SyncHarness(store: store);
        await first.AddAccountAsync("a1", "Jane: Doe", hasBillingActivity: false);
        await FluentActions.Awaiting(() => first.Service.SyncAsync(first.Admin, "a1")).Should().ThrowAsync<IOException>();

        using var second = new SyncHarness(store: store, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2");
        first.Time.Advance(TimeSpan.FromMinutes(6));
        await second.Service.RunPendingAsync(SyncHarness.Firm);

        (await second.Service.GetStateAsync(second.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await second.Service.GetHistoryAsync(second.Admin, "a1"))[^1].Note.Should().Contain("found the customer created before").And.Contain("Jane - Doe");
        first.Company.Customers.Should().ContainSingle();
    }

    [Fact]
    public async Task A_name_held_by_an_inactive_customer_offers_another_name_to_create_under()
    {
        using var h = new SyncHarness();
        h.Company.AddCustomer("Old Client", active: false);
        await h.AddAccountAsync("a1", "Old Client", hasBillingActivity: false);

        var state = await h.Service.SyncAsync(h.Owner, "a1");

        state.Reason.Should().Be(SyncReason.NameHeldByInactiveCustomer);
        state.Problem!.SuggestedDisplayName.Should().Be("Old Client (client)");
        state.AvailableActions.Should().Contain([SyncAvailableAction.ReactivateAndLink, SyncAvailableAction.CreateWithAnotherName]);
        state.Tooltip.Should().Contain("\"Old Client (client)\"");
        (await h.Service.CreateCustomerAsync(h.Owner, "a1", state.Problem.SuggestedDisplayName)).Status.Should().Be(SyncStatus.Synced);
    }

    [Fact]
    public async Task A_run_reports_progress_and_when_its_retries_are_due()
    {
        using var h = new SyncHarness();
        for (var i = 0; i < 5; i++)
        {
            await h.AddAccountAsync($"a{i}", $"Progress Client {i}");
        }

        h.Qbo.Faults.Enqueue(InjectedFault.ServiceUnavailable);
        var reports = new List<SyncRunProgress>();
        var run = await h.Service.RunPendingAsync(SyncHarness.Firm, new SynchronousProgress(reports.Add));

        reports.Should().NotBeEmpty();
        reports[^1].Done.Should().Be(5);
        reports[^1].Claimed.Should().Be(5);
        reports.Select(r => r.Done).Should().BeInAscendingOrder();
        run.NextAttemptAt.Should().Be(h.Time.GetUtcNow() + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Registering_an_account_wakes_the_worker_before_its_next_poll()
    {
        using var h = new SyncHarness(sync: o => o.WorkerPollInterval = TimeSpan.FromHours(1), services: s => s.AddQbSync().AddBackgroundWorker());
        var worker = h.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SyncWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(200); // the worker's first pass finds nothing and waits for its next poll, an hour away
            await h.AddAccountAsync("a1", "Wake Up Client");

            await WaitUntilAsync(() => h.Service.GetStateAsync(h.Admin, "a1").Result.Status == SyncStatus.Synced);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Generous: the machine may be busy; the condition normally holds within milliseconds.
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().Should().BeTrue("the condition should hold within 30 s");
    }

    private sealed class SynchronousProgress(Action<SyncRunProgress> report) : IProgress<SyncRunProgress>
    {
        public void Report(SyncRunProgress value) => report(value);
    }

    private sealed class LeaseWatchingStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public List<string> Owners { get; } = [];

        public override Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (record.LeaseOwner is { } owner)
            {
                Owners.Add(owner);
            }

            return base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }

    private sealed class CrashOnceStore(IAccountStore inner) : DelegatingStore(inner)
    {
        private bool _crashed;

        public override Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (!_crashed && history?.Trigger == SyncTrigger.Succeeded)
            {
                _crashed = true;
                throw new IOException("the process stopped");
            }

            return base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }
}
