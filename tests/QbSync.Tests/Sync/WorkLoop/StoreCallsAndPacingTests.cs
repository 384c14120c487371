using System.Collections.Concurrent;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 13: what the work loop costs, asserted without timing: store calls per run, batches across claims,
/// and single creates alongside batches once the batch limit is spent.</summary>
public sealed class StoreCallsAndPacingTests
{
    private static async Task<SyncHarness> FirmWithAccountsAsync(int matches, int creates, Action<QbSyncOptions>? sync = null,
        IAccountStore? store = null, Action<QbSync.QuickBooks.QuickBooksClientOptions>? client = null)
    {
        var h = new SyncHarness(sync: sync, store: store, client: client);
        for (var i = 0; i < matches; i++)
        {
            h.Company.AddCustomer($"Existing Client {i:0000}");
        }

        for (var i = 0; i < matches + creates; i++)
        {
            await h.AddAccountAsync($"acc-{i:0000}", i < matches ? $"EXISTING client {i:0000}" : $"New Client {i:0000}");
        }

        h.Qbo.Journal.Clear();
        return h;
    }

    [Fact]
    public async Task A_run_reads_the_links_once_and_saves_starts_intents_and_outcomes_a_claim_or_a_batch_at_a_time()
    {
        var store = new CountingStore(new InMemoryAccountStore());
        using var h = await FirmWithAccountsAsync(matches: 300, creates: 300, sync: o => o.ClaimBatchSize = 100, store: store);
        store.Calls.Clear();

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(600);
        store.Count(nameof(IAccountStore.GetLinkedCustomersAsync)).Should().Be(1, "the links are read once per run, not per claim");
        store.Count(nameof(IAccountStore.GetAsync)).Should().Be(0, "no account is read again one by one");
        store.Count(nameof(IAccountStore.FindByCustomerIdAsync)).Should().Be(0, "a link relies on the store's refusal, not on a read first");
        store.Count(nameof(IAccountStore.TryUpdateAsync)).Should().Be(0, "every change went with others");
        // 6 claims of 100: their starts, their matches' links; 10 batches: their intents, their links.
        store.Count(nameof(IAccountStore.TryUpdateManyAsync)).Should().BeLessThanOrEqualTo(6 + 3 + (10 * 2));
    }

    [Fact]
    public async Task Batches_are_filled_across_claims()
    {
        using var h = await FirmWithAccountsAsync(matches: 0, creates: 300, sync: o => o.ClaimBatchSize = 50);

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(300);
        h.Qbo.Journal.Count(FakeRequestKind.Batch).Should().Be(10, "300 creates fill 10 batches of 30, whatever the claim size");
        h.Qbo.Journal.Count(FakeRequestKind.Create).Should().Be(0);
        h.Company.Customers.Should().HaveCount(300);
    }

    [Fact]
    public async Task Once_the_batch_limit_is_spent_the_creates_go_one_by_one_within_the_request_limit()
    {
        // Two batches per (long) window: the rest of the request budget is spent on single creates instead of waiting.
        using var h = await FirmWithAccountsAsync(matches: 20, creates: 150, client: c =>
        {
            c.BatchRequestsPerWindowPerRealm = 2;
            c.ThrottleWindow = TimeSpan.FromHours(1);
        });

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(170);
        h.Qbo.Journal.Count(FakeRequestKind.Batch).Should().Be(2);
        h.Qbo.Journal.Count(FakeRequestKind.Create).Should().Be(150 - (2 * 30));
        h.Company.Customers.Should().HaveCount(170);
        h.Company.DuplicateNameRefusals.Should().Be(0);
        var states = await h.Service.ListAccountsAsync(h.Admin, new AccountQuery { PageSize = 200 });
        states.Items.Select(s => s.CustomerId).Should().OnlyHaveUniqueItems().And.NotContainNulls();
    }

    /// <summary>Counts the calls each store member gets, then does what the inner store does.</summary>
    private sealed class CountingStore(IAccountStore inner) : IAccountStore
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public int Count(string member) => Calls.Count(c => c == member);

        private T Called<T>(string member, T result)
        {
            Calls.Enqueue(member);
            return result;
        }

        public Task<SyncAccountRecord?> GetAsync(string firmId, string accountId, CancellationToken cancellationToken = default) =>
            Called(nameof(GetAsync), inner.GetAsync(firmId, accountId, cancellationToken));

        public Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default) =>
            Called(nameof(TryInsertAsync), inner.TryInsertAsync(record, history, cancellationToken));

        public Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default) =>
            Called(nameof(TryUpdateAsync), inner.TryUpdateAsync(record, expectedVersion, history, cancellationToken));

        public Task<IReadOnlyList<SyncAccountRecord>> GetManyAsync(string firmId, IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default) =>
            Called(nameof(GetManyAsync), inner.GetManyAsync(firmId, accountIds, cancellationToken));

        public Task<IReadOnlyList<SyncAccountRecord?>> TryInsertManyAsync(IReadOnlyList<SyncAccountRecord> records, CancellationToken cancellationToken = default) =>
            Called(nameof(TryInsertManyAsync), inner.TryInsertManyAsync(records, cancellationToken));

        public Task<IReadOnlyList<SyncAccountRecord?>> TryUpdateManyAsync(IReadOnlyList<AccountUpdate> updates, CancellationToken cancellationToken = default) =>
            Called(nameof(TryUpdateManyAsync), inner.TryUpdateManyAsync(updates, cancellationToken));

        public Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default) =>
            Called(nameof(FindByCustomerIdAsync), inner.FindByCustomerIdAsync(firmId, customerId, cancellationToken));

        public Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default) =>
            Called(nameof(GetLinkedCustomersAsync), inner.GetLinkedCustomersAsync(firmId, cancellationToken));

        public Task<AccountPage> ListAsync(string firmId, AccountQuery query, CancellationToken cancellationToken = default) =>
            Called(nameof(ListAsync), inner.ListAsync(firmId, query, cancellationToken));

        public Task<IReadOnlyList<SyncAccountRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default) =>
            Called(nameof(ClaimDueAsync), inner.ClaimDueAsync(firmId, ownerId, now, leaseDuration, maxCount, cancellationToken));

        public Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
            Called(nameof(RenewLeasesAsync), inner.RenewLeasesAsync(firmId, ownerId, accountIds, leaseUntil, cancellationToken));

        public Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
            Called(nameof(ListFirmsWithDueWorkAsync), inner.ListFirmsWithDueWorkAsync(now, cancellationToken));

        public Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(string firmId, string accountId, CancellationToken cancellationToken = default) =>
            Called(nameof(GetHistoryAsync), inner.GetHistoryAsync(firmId, accountId, cancellationToken));

        public Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default) =>
            Called(nameof(GetFirmSettingsAsync), inner.GetFirmSettingsAsync(firmId, cancellationToken));

        public Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default) =>
            Called(nameof(TrySaveFirmSettingsAsync), inner.TrySaveFirmSettingsAsync(settings, expectedVersion, cancellationToken));

        public Task<string?> FindFirmByRealmAsync(string realmId, CancellationToken cancellationToken = default) =>
            Called(nameof(FindFirmByRealmAsync), inner.FindFirmByRealmAsync(realmId, cancellationToken));

        public Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default) =>
            Called(nameof(DeleteAccountAsync), inner.DeleteAccountAsync(firmId, accountId, cancellationToken));

        public Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default) =>
            Called(nameof(PurgeFirmAsync), inner.PurgeFirmAsync(firmId, cancellationToken));
    }
}
