using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Sync.Scenarios;

public class BulkFirstSyncTests
{
    [Fact]
    public async Task A_first_sync_of_2000_accounts_stays_within_the_request_budget()
    {
        using var h = new SyncHarness(sync: o => o.ClaimBatchSize = 5000);
        for (var i = 0; i < 1000; i++)
        {
            h.Company.AddCustomer($"Existing Client {i:0000}");
        }

        h.Company.AddVendor("Some Vendor");
        h.Company.AddEmployee("Some Employee");
        for (var i = 0; i < 2000; i++)
        {
            // Half the accounts match an existing customer (with other case and spacing); half are new.
            var name = i % 2 == 0 ? $"existing  client {i / 2:0000}" : $"New Client {i:0000}";
            await h.AddAccountAsync($"acc-{i:0000}", name);
        }

        h.Qbo.Journal.Clear();
        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Claimed.Should().Be(2000);
        run.Synced.Should().Be(2000);
        h.Company.Customers.Should().HaveCount(2000);
        var requests = h.QboRequests.Count;
        // ceil(1000/1000) customer pages + 1 vendor page + 1 employee page + ceil(1000/30) batches, within 10%, plus a constant
        var budget = (int)Math.Ceiling((1 + 1 + 1 + Math.Ceiling(1000 / 30.0)) * 1.1) + 3;
        requests.Should().BeLessThanOrEqualTo(budget, $"the bulk path read the directory once and batched the creates (sent {requests})");
        h.Qbo.Journal.Count(FakeRequestKind.Batch).Should().Be(34);
        h.Qbo.Journal.Count(FakeRequestKind.Create).Should().Be(0);
    }
}
