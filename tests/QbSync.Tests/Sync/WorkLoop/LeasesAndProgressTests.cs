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

            // Three minutes in steps of 10 s: an unrenewed one-minute lease would have ended by the sixth step.
            for (var i = 0; i < 18; i++)
            {
                time.Advance(TimeSpan.FromSeconds(10));
                await WaitUntilAsync(() => (store.GetAsync("f", "kept").Result!.LeaseUntil ?? T0) > time.GetUtcNow());
            }

            (await store.GetAsync("f", "kept"))!.LeaseUntil.Should().BeAfter(time.GetUtcNow(), "three minutes of work on a one-minute lease, renewed all along");
            kept.IsCancellationRequested.Should().BeFalse();
            lost.IsCancellationRequested.Should().BeTrue("a worker that lost its lease must not write an outcome");
        }
    }

    [Fact]
    public async Task A_batch_in_flight_keeps_its_leases_so_a_second_worker_claims_none_of_its_accounts()
    {
        var gate = new BatchGate();
        using var first = new SyncHarness(sync: o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.BulkThreshold = 5;
        }, services: s => s.AddHttpClient(QbSyncServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new GateHandler(gate)));
        for (var i = 0; i < 10; i++)
        {
            await first.AddAccountAsync($"a{i}", $"Slow Batch Client {i}");
        }

        var running = first.Service.RunPendingAsync(SyncHarness.Firm);
        (await Task.WhenAny(gate.Entered.Task, Task.Delay(TimeSpan.FromSeconds(60)))).Should().Be(gate.Entered.Task, "the batch should be sent");

        // Two lease durations pass while the batch is out (well inside the client's 100 s attempt timeout).
        for (var step = 0; step < 6; step++)
        {
            first.Time.Advance(TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => LeasesHeld(first.Store, first.Time.GetUtcNow()));
        }

        using var second = new SyncHarness(store: first.Store, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2", sync: o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.BulkThreshold = 5;
        });
        var other = await second.Service.RunPendingAsync(SyncHarness.Firm);
        other.Claimed.Should().Be(0, "every account of the batch in flight is still leased to the first worker");

        gate.Release.SetResult();
        var run = await running;
        run.Synced.Should().Be(10);
        first.Company.Customers.Should().HaveCount(10);
    }

    [Fact]
    public async Task A_batch_whose_leases_are_all_lost_is_cancelled_and_writes_nothing()
    {
        var gate = new BatchGate();
        var store = new FailingRenewalStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store, sync: o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.BulkThreshold = 5;
        }, services: s => s.AddHttpClient(QbSyncServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new GateHandler(gate)));
        for (var i = 0; i < 10; i++)
        {
            await h.AddAccountAsync($"a{i}", $"Lost Lease Client {i}");
        }

        var running = h.Service.RunPendingAsync(SyncHarness.Firm);
        try
        {
            (await Task.WhenAny(gate.Entered.Task, Task.Delay(TimeSpan.FromSeconds(60)))).Should().Be(gate.Entered.Task, "the batch should be sent");
            var before = (await store.ListAsync(SyncHarness.Firm, new AccountQuery { PageSize = 100 })).Items.ToDictionary(r => r.AccountId, r => r.Version);

            // The store stops renewing leases: by the second renewal the leases may end before the next one.
            store.FailRenewals = true;
            for (var step = 1; step <= 2; step++)
            {
                h.Time.Advance(TimeSpan.FromSeconds(10));
                await WaitUntilAsync(() => store.RenewalFailures >= step);
            }

            (await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(60)))).Should().Be(running, "the batch call is cancelled once every lease of it is lost");
            var run = await running;

            run.Retrying.Should().Be(10);
            h.Qbo.Journal.Count(FakeRequestKind.Batch).Should().Be(0);
            var after = (await store.ListAsync(SyncHarness.Firm, new AccountQuery { PageSize = 100 })).Items;
            after.Should().HaveCount(10).And.OnlyContain(r => r.Status == SyncStatus.Syncing && r.Version == before[r.AccountId],
                "a worker that lost its leases writes no outcome: another worker resumes the accounts with the same batch request");
        }
        finally
        {
            // Never leave the run behind the fake's disposal (on failure the batch is still held here).
            gate.Release.TrySetResult();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(60)));
        }
    }

    private sealed class FailingRenewalStore(IAccountStore inner) : DelegatingStore(inner)
    {
        private int _failures;
        private int _fail;

        public bool FailRenewals
        {
            get => Volatile.Read(ref _fail) == 1;
            set => Volatile.Write(ref _fail, value ? 1 : 0);
        }

        public int RenewalFailures => Volatile.Read(ref _failures);

        public override Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
        {
            if (FailRenewals)
            {
                Interlocked.Increment(ref _failures);
                throw new IOException("the database is unreachable");
            }

            return base.RenewLeasesAsync(firmId, ownerId, accountIds, leaseUntil, cancellationToken);
        }
    }

    private static bool LeasesHeld(IAccountStore store, DateTimeOffset now)
    {
        var page = store.ListAsync(SyncHarness.Firm, new AccountQuery { PageSize = 100 }).GetAwaiter().GetResult();
        return page.Items.Count == 10 && page.Items.All(r => r.Status == SyncStatus.Syncing && r.LeaseOwner == "worker-1" && r.LeaseUntil > now);
    }

    /// <summary>Holds the first batch request until released.</summary>
    private sealed class BatchGate
    {
        private int _held;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TakeFirst() => Interlocked.Exchange(ref _held, 1) == 0;
    }

    private sealed class GateHandler(BatchGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/batch", StringComparison.Ordinal) && gate.TakeFirst())
            {
                gate.Entered.TrySetResult();
                await gate.Release.Task.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
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
    public async Task Progress_comes_one_report_at_a_time_and_never_goes_back_while_accounts_finish_side_by_side()
    {
        using var h = new SyncHarness(); // below BulkThreshold: creates one by one, up to 8 at a time
        for (var i = 0; i < 16; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Side By Side Client {i:00}");
        }

        var progress = new OverlapDetectingProgress();
        var run = await h.Service.RunPendingAsync(SyncHarness.Firm, progress);

        run.Synced.Should().Be(16);
        progress.Overlaps.Should().Be(0, "a host's IProgress is never called from two threads at once");
        var reports = progress.Reports.ToList();
        reports.Select(r => r.Done).Should().BeInAscendingOrder();
        reports.Select(r => r.Synced).Should().BeInAscendingOrder();
        reports[^1].Done.Should().Be(16);
    }

    private sealed class OverlapDetectingProgress : IProgress<SyncRunProgress>
    {
        private int _inside;
        private int _overlaps;

        public System.Collections.Concurrent.ConcurrentQueue<SyncRunProgress> Reports { get; } = new();

        public int Overlaps => Volatile.Read(ref _overlaps);

        public void Report(SyncRunProgress value)
        {
            if (Interlocked.Increment(ref _inside) > 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            Reports.Enqueue(value);
            Thread.Sleep(1); // a host drawing a progress bar takes a moment: widens the window for an overlap
            Interlocked.Decrement(ref _inside);
        }
    }

    [Fact]
    public async Task Registering_an_account_wakes_the_worker_before_its_next_poll()
    {
        // The poll is an hour of fake time, which the test never advances: only a wake can start a second pass.
        var store = new PassWatchingStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store, sync: o => o.WorkerPollInterval = TimeSpan.FromHours(1), services: s => s.AddQbSync().AddBackgroundWorker());
        var worker = h.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SyncWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            // The worker's first pass has looked for due work (and found none) before the account is registered.
            (await Task.WhenAny(store.FirstPassListed.Task, Task.Delay(TimeSpan.FromSeconds(60)))).Should().Be(store.FirstPassListed.Task);
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

    private sealed class PassWatchingStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public TaskCompletionSource FirstPassListed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            var firms = await base.ListFirmsWithDueWorkAsync(now, cancellationToken);
            FirstPassListed.TrySetResult();
            return firms;
        }
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
