using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 7, items 5–7: bulk creates are re-checked before they go, exactly once across a crash, and never
/// sent when they are known to be refused.</summary>
public class BulkWritesTests
{
    [Fact]
    public async Task An_account_unsynced_after_its_batch_intent_was_saved_is_left_out_of_the_batch()
    {
        var store = new HookStore(new InMemoryAccountStore());
        using var h = new SyncHarness(store: store, sync: o => o.BulkThreshold = 5);
        for (var i = 0; i < 10; i++)
        {
            await h.AddAccountAsync($"a{i}", $"Batch Client {i}");
        }

        store.OnBatchIntentSaved = async record =>
        {
            if (record.AccountId == "a3")
            {
                store.OnBatchIntentSaved = null;
                await h.Service.UnsyncAsync(h.Admin, "a3");
            }
        };

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(9);
        run.Retrying.Should().Be(0, "the account left out of the batch is counted as it is now, Skipped");
        (await h.Service.GetStateAsync(h.Admin, "a3")).Status.Should().Be(SyncStatus.Skipped);
        h.Company.Customers.Should().HaveCount(9);
        h.Company.Customers.Should().NotContain(c => c["DisplayName"]!.GetValue<string>() == "Batch Client 3");
    }

    [Fact]
    public async Task A_crash_after_a_batch_resumes_with_the_same_request_and_links_a_customer_renamed_meanwhile()
    {
        var store = new HookStore(new InMemoryAccountStore()) { CrashOnSucceeded = true };
        using var first = new SyncHarness(store: store, sync: o => o.BulkThreshold = 5);
        for (var i = 0; i < 6; i++)
        {
            await first.AddAccountAsync($"a{i}", $"Crash Batch {i}");
        }

        await first.Service.RunPendingAsync(SyncHarness.Firm);
        first.Company.Customers.Should().HaveCount(6, "the batch reached QBO before the process 'stopped'");
        var stuck = (await store.GetAsync(SyncHarness.Firm, "a0"))!;
        stuck.Status.Should().Be(SyncStatus.Syncing);
        stuck.Intent!.BatchRequestId.Should().NotBeNull();
        stuck.Intent.BatchItemId.Should().NotBeNull();
        var renamedId = first.CustomerId("Crash Batch 0");
        first.Company.Rename("Customer", renamedId, "Crash Batch Zero (renamed in QBO)");

        store.CrashOnSucceeded = false;
        using var second = new SyncHarness(store: store, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2", sync: o => o.BulkThreshold = 5);
        first.Time.Advance(TimeSpan.FromMinutes(6));
        first.Qbo.Journal.Clear();
        var run = await second.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(6);
        first.Company.Customers.Should().HaveCount(6, "no customer is created twice");
        (await second.Service.GetStateAsync(second.Admin, "a0")).CustomerId.Should().Be(renamedId);
        var batch = first.Qbo.Journal.Requests.Single(r => r.Kind == FakeRequestKind.Batch);
        batch.RequestId.Should().Be(stuck.Intent.BatchRequestId);
        batch.Replayed.Should().BeTrue();
    }

    [Theory]
    [InlineData(2)] // batches
    [InlineData(100)] // a small run: creates one by one, several at a time
    public async Task Writes_known_to_be_refused_are_never_sent(int bulkThreshold)
    {
        using var h = new SyncHarness(sync: o => o.BulkThreshold = bulkThreshold);
        h.Company.AddVendor("Held By Vendor");
        h.Company.AddEmployee("Held By Employee");
        var existing = h.Company.AddCustomer("Acme - Tax")["Id"]!.GetValue<string>();
        await h.AddAccountAsync("vendor", "Held By Vendor");
        await h.AddAccountAsync("employee", "Held By Employee");
        await h.AddAccountAsync("cleaned", "Acme: Tax");
        await h.AddAccountAsync("twin1", "Twin Name");
        await h.AddAccountAsync("twin2", "twin  name");
        for (var i = 0; i < 5; i++)
        {
            await h.AddAccountAsync($"new{i}", $"Fresh Client {i}");
        }

        await h.Service.RunPendingAsync(SyncHarness.Firm);

        RefusedWrites(h).Should().Be(0);
        (await h.Service.GetStateAsync(h.Admin, "vendor")).Reason.Should().Be(SyncReason.NameHeldByVendor);
        (await h.Service.GetStateAsync(h.Admin, "employee")).Reason.Should().Be(SyncReason.NameHeldByEmployee);
        (await h.Service.GetStateAsync(h.Admin, "cleaned")).CustomerId.Should().Be(existing, "the display name it would create is held by an active customer");
        var twins = new[] { await h.Service.GetStateAsync(h.Admin, "twin1"), await h.Service.GetStateAsync(h.Admin, "twin2") };
        twins.Should().ContainSingle(s => s.Status == SyncStatus.Synced);
        var loser = twins.Single(s => s.Status == SyncStatus.Failed);
        loser.Reason.Should().Be(SyncReason.CustomerLinkedToAnotherAccount);
        loser.Problem!.ConflictingAccountName.Should().BeOneOf("Twin Name", "twin  name");
        loser.Tooltip.Should().Contain(loser.Problem.ConflictingAccountName!).And.NotContain("twin1").And.NotContain("twin2");
        h.Company.Customers.Should().HaveCount(1 + 1 + 5);
    }

    /// <summary>Creates QBO refused because the name was taken (6240), from the fake's journal.</summary>
    internal static int RefusedWrites(SyncHarness h) => h.Company.DuplicateNameRefusals;

    private sealed class SimulatedCrashException : Exception;

    private sealed class HookStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public Func<SyncAccountRecord, Task>? OnBatchIntentSaved { get; set; }

        public bool CrashOnSucceeded { get; set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (CrashOnSucceeded && history?.Trigger == SyncTrigger.Succeeded)
            {
                throw new SimulatedCrashException();
            }

            var saved = await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
            if (saved?.Intent?.BatchRequestId is not null && history is null && OnBatchIntentSaved is { } hook)
            {
                await hook(saved);
            }

            return saved;
        }
    }
}
