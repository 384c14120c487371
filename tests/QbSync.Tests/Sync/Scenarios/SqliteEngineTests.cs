using QbSync.Sqlite;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Sync.Scenarios;

/// <summary>The engine on the embedded SQLite store, with two store instances on one file as two processes would have.</summary>
public sealed class SqliteEngineTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"qbsync-engine-{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_path}";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task Two_processes_on_one_database_share_the_work_and_create_each_customer_once()
    {
        using var one = new SyncHarness(store: new SqliteAccountStore(ConnectionString), workerId: "process-1", sync: o => { o.BulkThreshold = 1000; o.ClaimBatchSize = 4; });
        using var two = new SyncHarness(store: new SqliteAccountStore(ConnectionString), sharedFake: one.Qbo, sharedTime: one.Time, workerId: "process-2",
            sync: o => { o.BulkThreshold = 1000; o.ClaimBatchSize = 4; });
        one.Company.AddCustomer("Existing 00");
        for (var i = 0; i < 40; i++)
        {
            await one.AddAccountAsync($"a{i:00}", i == 0 ? "existing 00" : $"Sqlite Client {i:00}");
        }

        var runs = await Task.WhenAll(one.Service.RunPendingAsync(SyncHarness.Firm), two.Service.RunPendingAsync(SyncHarness.Firm));

        runs.Sum(r => r.Synced).Should().Be(40);
        one.Company.Customers.Should().HaveCount(40);
        one.Qbo.Journal.Count(FakeRequestKind.Create).Should().Be(39);
        var page = await two.Store.ListAsync(SyncHarness.Firm, new AccountQuery { Statuses = [SyncStatus.Synced], PageSize = 100 });
        page.Items.Should().HaveCount(40).And.OnlyContain(r => r.LeaseOwner == null && r.Intent == null);
        (await one.Service.GetHistoryAsync(one.Admin, "a00"))[^1].Note.Should().Contain("matched by name");
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_process()
    {
        using (var before = new SyncHarness(store: new SqliteAccountStore(ConnectionString)))
        {
            before.Company.AddVendor("Held By Vendor");
            await before.AddAccountAsync("a1", "Held By Vendor");
            await before.Service.SyncAsync(before.Admin, "a1");
        }

        using var after = new SyncHarness(store: new SqliteAccountStore(ConnectionString));
        var state = await after.Service.GetStateAsync(after.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.NameHeldByVendor);
        state.Problem!.SuggestedDisplayName.Should().Be("Held By Vendor (client)");
        (await after.Service.GetHistoryAsync(after.Admin, "a1")).Should().HaveCount(2);
    }
}
