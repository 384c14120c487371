using Microsoft.Extensions.DependencyInjection;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Sync.Scenarios;

public class BackgroundWorkTests
{
    [Fact]
    public async Task Transient_faults_keep_the_account_syncing_and_a_later_run_succeeds()
    {
        using var h = new SyncHarness();
        await h.AddAccountAsync("a1", "Retry Me");
        h.Qbo.Faults.Enqueue(InjectedFault.ServiceUnavailable);

        await h.Service.RunPendingAsync(SyncHarness.Firm);
        var first = await h.Service.GetStateAsync(h.Admin, "a1");
        first.Status.Should().Be(SyncStatus.Syncing, "a 503 is transient");
        first.Label.Should().Be("Syncing");
        (await h.Service.RunPendingAsync(SyncHarness.Firm)).Claimed.Should().Be(0, "the retry waits for its backoff");

        // The names are read with several requests at once: one fault per run keeps the test independent of their order.
        h.Qbo.Faults.Enqueue(InjectedFault.TooManyRequests);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Service.RunPendingAsync(SyncHarness.Firm);
        (await h.Service.GetStateAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Syncing, "the 429 is transient too");

        h.Time.Advance(TimeSpan.FromSeconds(61));
        await h.Service.RunPendingAsync(SyncHarness.Firm);

        var state = await h.Service.GetStateAsync(h.Admin, "a1");
        state.Status.Should().Be(SyncStatus.Synced);
        h.Company.Customers.Should().ContainSingle();
        h.Notifier.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Retries_run_out_into_failed_with_the_last_qbo_error()
    {
        using var h = new SyncHarness(sync: o => o.MaxAttempts = 2);
        await h.AddAccountAsync("a1", "Never Reachable");
        h.Qbo.Faults.SetRate(1.0, [InjectedFault.ServiceUnavailable]);

        await h.Service.RunPendingAsync(SyncHarness.Firm);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.Service.RunPendingAsync(SyncHarness.Firm);

        var state = await h.Service.GetStateAsync(h.Admin, "a1");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.RetriesExhausted);
        state.Problem!.QuickBooksErrorCode.Should().Be("503");
        h.Notifier.Failures.Should().ContainSingle();
    }

    [Fact]
    public async Task A_crash_between_the_create_and_the_state_save_never_makes_a_second_customer()
    {
        var store = new CrashingStore(new InMemoryAccountStore());
        using var first = new SyncHarness(store: store, workerId: "worker-1");
        await first.AddAccountAsync("a1", "Crash Test Client");
        store.CrashOnNextSuccess = true;

        await FluentActions.Awaiting(() => first.Service.SyncAsync(first.Admin, "a1")).Should().ThrowAsync<SimulatedCrashException>();
        first.Company.Customers.Should().ContainSingle("the create reached QBO before the process stopped");
        var stuck = await store.GetAsync(SyncHarness.Firm, "a1");
        stuck!.Status.Should().Be(SyncStatus.Syncing);
        stuck.Intent!.Kind.Should().Be(SyncIntentKind.CreateCustomer);

        // A new process (another worker) takes over once the lease has run out.
        using var second = new SyncHarness(store: store, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2");
        (await second.Service.RunPendingAsync(SyncHarness.Firm)).Claimed.Should().Be(0, "the lease still holds");
        first.Time.Advance(TimeSpan.FromMinutes(6));
        var run = await second.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(1);
        var state = await second.Service.GetStateAsync(second.Admin, "a1");
        state.Status.Should().Be(SyncStatus.Synced);
        first.Company.Customers.Should().ContainSingle();
        state.CustomerId.Should().Be(first.Company.Customers[0]["Id"]!.GetValue<string>());
        (await second.Service.GetHistoryAsync(second.Admin, "a1")).Should().Contain(e => e.Trigger == SyncTrigger.Resumed && e.ActorId == "system");
    }

    [Fact]
    public async Task Two_workers_on_one_store_never_process_the_same_account_at_once()
    {
        var store = new InMemoryAccountStore();
        using var one = new SyncHarness(store: store, workerId: "worker-1", sync: o => { o.BulkThreshold = 1000; o.ClaimBatchSize = 5; });
        using var two = new SyncHarness(store: store, sharedFake: one.Qbo, sharedTime: one.Time, workerId: "worker-2", sync: o => { o.BulkThreshold = 1000; o.ClaimBatchSize = 5; });
        for (var i = 0; i < 60; i++)
        {
            await one.AddAccountAsync($"a{i:00}", $"Parallel Client {i:00}");
        }

        one.Qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(2));
        var runs = await Task.WhenAll(one.Service.RunPendingAsync(SyncHarness.Firm), two.Service.RunPendingAsync(SyncHarness.Firm));

        runs.Sum(r => r.Claimed).Should().Be(60);
        runs.Sum(r => r.Synced).Should().Be(60);
        one.Company.Customers.Should().HaveCount(60);
        one.Qbo.Journal.Count(FakeRequestKind.Create).Should().Be(60, "no account was created twice");
        for (var i = 0; i < 60; i++)
        {
            var history = await store.GetHistoryAsync(SyncHarness.Firm, $"a{i:00}");
            history.Count(e => e.Trigger == SyncTrigger.AutoSyncStarted).Should().Be(1);
        }
    }

    [Fact]
    public async Task The_background_worker_runs_due_work_for_every_firm()
    {
        using var h = new SyncHarness(services: s => s.AddQbSync().AddBackgroundWorker());
        await h.AddAccountAsync("a1", "Worker Client");
        var worker = (SyncWorker)h.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Single(s => s is SyncWorker);

        (await worker.RunOnceAsync()).Should().Be(1);

        (await h.Service.GetStateAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await worker.RunOnceAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_long_bulk_run_renews_the_leases_of_the_accounts_still_waiting()
    {
        var store = new ClockAdvancingStore(new InMemoryAccountStore());
        // One batch at a time, each taking 36 s of (fake) time: longer than half the one-minute lease.
        using var h = new SyncHarness(store: store, sync: o =>
        {
            o.BulkThreshold = 20;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.MaxConcurrentAccountsPerRealm = 1;
        });
        store.Time = h.Time;
        for (var i = 0; i < 90; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Long Run Client {i:00}");
        }

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(90);
        h.Company.Customers.Should().HaveCount(90);
        store.Renewals.Should().BeGreaterThan(0, "the run took 108 s of a one-minute lease");
        store.ExpiredLeasesSeen.Should().Be(0, "no account's lease ran out while its work was in flight");
    }

    [Fact]
    public async Task Shutting_down_mid_run_gives_the_claimed_accounts_back()
    {
        using var h = new SyncHarness(sync: o => o.BulkThreshold = 1000);
        for (var i = 0; i < 20; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Shutdown Client {i:00}");
        }

        using var stop = new CancellationTokenSource();
        h.Qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(200));
        var run = h.Service.RunPendingAsync(SyncHarness.Firm, stop.Token);
        await Task.Delay(300);
        await stop.CancelAsync();
        await FluentActions.Awaiting(() => run).Should().ThrowAsync<OperationCanceledException>();

        var page = await h.Store.ListAsync(SyncHarness.Firm, new AccountQuery { PageSize = 100 });
        page.Items.Should().OnlyContain(r => r.LeaseOwner == null && r.LeaseUntil == null, "nothing stays leased to a stopped worker");
        h.Qbo.Faults.SetLatency(TimeSpan.Zero);
        await h.Service.RunPendingAsync(SyncHarness.Firm);
        (await h.Store.ListAsync(SyncHarness.Firm, new AccountQuery { PageSize = 100 })).Items.Should().OnlyContain(r => r.Status == SyncStatus.Synced);
        h.Company.Customers.Should().HaveCount(20, "resumed work looked for what was already created");
    }

    [Fact]
    public async Task A_rename_while_the_account_syncs_neither_loses_the_outcome_nor_the_new_name()
    {
        var store = new RenamingStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store);
        await h.AddAccountAsync("a1", "Before Rename");
        store.RenameOnNextSuccess = ("a1", "After Rename");

        var state = await h.Service.SyncAsync(h.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        state.AccountName.Should().Be("After Rename");
        state.CustomerDisplayName.Should().Be("Before Rename", "the customer keeps the name it was created with");
        h.Company.Customers.Should().ContainSingle();
    }

    [Fact]
    public async Task Another_process_linking_the_customer_first_turns_this_link_into_a_clear_failure()
    {
        var store = new CompetingLinkStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store);
        h.Company.AddCustomer("Contested Client");
        await h.AddAccountAsync("mine", "Contested Client");
        await h.AddAccountAsync("theirs", "Contested Client (old)");
        store.LinkFirst = ("theirs", h.CustomerId("Contested Client"));

        var state = await h.Service.SyncAsync(h.Admin, "mine");

        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.CustomerLinkedToAnotherAccount);
        state.Problem!.ConflictingAccountId.Should().Be("theirs");
        (await h.Store.FindByCustomerIdAsync(SyncHarness.Firm, h.CustomerId("Contested Client")))!.AccountId.Should().Be("theirs");
    }

    /// <summary>Links the customer to another account (as another process would) just before this one saves its link.</summary>
    private sealed class CompetingLinkStore(IAccountStore inner) : DelegatingStore(inner)
    {
        private readonly IAccountStore _inner = inner;

        public (string AccountId, string CustomerId)? LinkFirst { get; set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (LinkFirst is { } competitor && history?.Trigger == SyncTrigger.Succeeded && record.AccountId != competitor.AccountId)
            {
                LinkFirst = null;
                var theirs = (await _inner.GetAsync(record.FirmId, competitor.AccountId, cancellationToken))!;
                (await _inner.TryUpdateAsync(theirs with { Status = SyncStatus.Synced, CustomerId = competitor.CustomerId }, theirs.Version, null, cancellationToken)).Should().NotBeNull();
            }

            return await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }

    /// <summary>Renames the account (as the host re-registering it would) just before the work's outcome is saved.</summary>
    private sealed class RenamingStore(IAccountStore inner) : DelegatingStore(inner)
    {
        private readonly IAccountStore _inner = inner;

        public (string AccountId, string Name)? RenameOnNextSuccess { get; set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (RenameOnNextSuccess is { } rename && history?.Trigger == SyncTrigger.Succeeded && record.AccountId == rename.AccountId)
            {
                RenameOnNextSuccess = null;
                var current = (await _inner.GetAsync(record.FirmId, record.AccountId, cancellationToken))!;
                (await _inner.TryUpdateAsync(current with { AccountName = rename.Name }, current.Version, null, cancellationToken)).Should().NotBeNull();
            }

            return await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }

    private sealed class SimulatedCrashException : Exception;

    /// <summary>Moves the fake clock 1.2 seconds on every account finished, as a slow QBO would, and counts lease renewals.</summary>
    private sealed class ClockAdvancingStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public Microsoft.Extensions.Time.Testing.FakeTimeProvider? Time { get; set; }

        public int Renewals { get; private set; }

        public int ExpiredLeasesSeen { get; private set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (history?.Trigger == SyncTrigger.Succeeded)
            {
                var stored = await GetAsync(record.FirmId, record.AccountId, cancellationToken);
                if (stored?.LeaseUntil is { } until && Time is not null && until < Time.GetUtcNow())
                {
                    ExpiredLeasesSeen++;
                }

                Time?.Advance(TimeSpan.FromSeconds(1.2));
                // Let the lease keeper's timer run, as real time would.
                await Task.Delay(1, cancellationToken);
            }

            return await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }

        public override Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
        {
            Renewals++;
            return base.RenewLeasesAsync(firmId, ownerId, accountIds, leaseUntil, cancellationToken);
        }
    }

    /// <summary>Throws instead of saving the first successful outcome, as if the process stopped right after the QBO write.</summary>
    private sealed class CrashingStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public bool CrashOnNextSuccess { get; set; }

        public override Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (CrashOnNextSuccess && history?.Trigger == SyncTrigger.Succeeded)
            {
                CrashOnNextSuccess = false;
                throw new SimulatedCrashException();
            }

            return base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }
}

/// <summary>Passes every call to another store; tests override what they need to observe or break.</summary>
internal class DelegatingStore(IAccountStore inner) : IAccountStore
{
    public virtual Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default) =>
        inner.TryUpdateAsync(record, expectedVersion, history, cancellationToken);

    public virtual Task<SyncAccountRecord?> GetAsync(string firmId, string accountId, CancellationToken cancellationToken = default) => inner.GetAsync(firmId, accountId, cancellationToken);

    public virtual Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default) => inner.TryInsertAsync(record, history, cancellationToken);

    public virtual Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default) => inner.FindByCustomerIdAsync(firmId, customerId, cancellationToken);

    public virtual Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default) => inner.GetLinkedCustomersAsync(firmId, cancellationToken);

    public virtual Task<AccountPage> ListAsync(string firmId, AccountQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(firmId, query, cancellationToken);

    public virtual Task<IReadOnlyList<SyncAccountRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ClaimDueAsync(firmId, ownerId, now, leaseDuration, maxCount, cancellationToken);

    public virtual Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        inner.RenewLeasesAsync(firmId, ownerId, accountIds, leaseUntil, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.ListFirmsWithDueWorkAsync(now, cancellationToken);

    public virtual Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(string firmId, string accountId, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(firmId, accountId, cancellationToken);

    public virtual Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default) => inner.GetFirmSettingsAsync(firmId, cancellationToken);

    public virtual Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default) => inner.TrySaveFirmSettingsAsync(settings, expectedVersion, cancellationToken);

    public Task<string?> FindFirmByRealmAsync(string realmId, CancellationToken cancellationToken = default) => inner.FindFirmByRealmAsync(realmId, cancellationToken);

    public Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default) => inner.DeleteAccountAsync(firmId, accountId, cancellationToken);

    public Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default) => inner.PurgeFirmAsync(firmId, cancellationToken);
}
