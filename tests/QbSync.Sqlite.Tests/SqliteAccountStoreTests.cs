using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using QbSync.Stores;

namespace QbSync.Sqlite.Tests;

public sealed class SqliteAccountStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Two_store_instances_on_one_file_never_claim_the_same_record()
    {
        var setup = new SqliteAccountStore(_database.ConnectionString);
        var firmId = "firm-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 120; i++)
        {
            await setup.TryInsertAsync(new SyncAccountRecord
            {
                FirmId = firmId,
                AccountId = "a" + i.ToString("D3", CultureInfo.InvariantCulture),
                AccountName = "n",
                NextAttemptAt = T0.AddSeconds(-(i % 7)),
            });
        }

        var seen = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task ClaimAllAsync(SqliteAccountStore store, string owner)
        {
            await start.Task;
            for (var call = 0; call < 200; call++)
            {
                var claimed = await store.ClaimDueAsync(firmId, owner, T0, TimeSpan.FromMinutes(5), 3);
                if (claimed.Count == 0)
                {
                    return;
                }

                foreach (var record in claimed)
                {
                    seen.TryAdd(record.AccountId, owner).Should().BeTrue("record {0} was claimed twice", record.AccountId);
                }
            }

            Assert.Fail("The claims never ran out.");
        }

        var workers = new[]
        {
            Task.Run(() => ClaimAllAsync(new SqliteAccountStore(_database.ConnectionString), "w1")),
            Task.Run(() => ClaimAllAsync(new SqliteAccountStore(_database.ConnectionString), "w2")),
            Task.Run(() => ClaimAllAsync(new SqliteAccountStore(new SqliteStoreOptions { ConnectionString = _database.ConnectionString }), "w3")),
        };
        start.SetResult();
        await Task.WhenAll(workers);

        seen.Should().HaveCount(120);
        var page = await setup.ListAsync(firmId, new AccountQuery { PageSize = 1000 });
        page.Items.Should().AllSatisfy(r => r.LeaseOwner.Should().Be(seen[r.AccountId]));
    }

    [Fact]
    public async Task Records_history_and_settings_survive_a_restart()
    {
        var record = new SyncAccountRecord
        {
            FirmId = "firm-1",
            AccountId = "a1",
            AccountName = "Acme",
            Status = SyncStatus.Failed,
            Problem = new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = ["1", "2"] },
            Intent = new SyncIntent { Kind = SyncIntentKind.LinkChosen, RequestId = "req", CustomerId = "1" },
            NextAttemptAt = T0.AddTicks(1234567),
        };
        var first = new SqliteAccountStore(_database.ConnectionString);
        var inserted = await first.TryInsertAsync(record, History(record, "created"));
        await first.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = "firm-1", RealmId = "r1", CreateMissingCustomers = false }, 0);
        SqliteConnection.ClearAllPools();

        var second = new SqliteAccountStore(_database.ConnectionString);
        var read = await second.GetAsync("firm-1", "a1");

        read.Should().NotBeNull();
        read!.Should().BeEquivalentTo(inserted);
        read.NextAttemptAt.Should().Be(T0.AddTicks(1234567));
        (await second.GetHistoryAsync("firm-1", "a1")).Select(h => h.Note).Should().Equal("created");
        (await second.GetFirmSettingsAsync("firm-1")).Should().Be(new FirmSyncSettings { FirmId = "firm-1", RealmId = "r1", CreateMissingCustomers = false, Version = 1 });
    }

    [Theory]
    [InlineData("x'); DROP TABLE accounts;--")]
    [InlineData("Robert\"); DELETE FROM account_history; --")]
    [InlineData("$firm")]
    [InlineData("' OR '1'='1")]
    public async Task Values_that_look_like_sql_are_stored_as_data(string evil)
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        var firmId = "firm" + evil;
        var record = new SyncAccountRecord
        {
            FirmId = firmId,
            AccountId = evil,
            AccountName = evil,
            CustomerId = evil,
            CustomerDisplayName = evil,
            LeaseOwner = evil,
            Problem = new SyncProblem { Reason = SyncReason.AmbiguousMatch, QuickBooksMessage = evil, CustomerIds = [evil] },
        };
        await store.TryInsertAsync(NewOther(firmId));

        var stored = await store.TryInsertAsync(record, History(record, evil) with { ActorId = evil });
        var updated = await store.TryUpdateAsync(record with { AccountName = evil + evil }, 1, History(record, evil + "2"));

        stored.Should().NotBeNull();
        updated.Should().NotBeNull();
        var read = await store.GetAsync(firmId, evil);
        read!.AccountName.Should().Be(evil + evil);
        read.Problem!.QuickBooksMessage.Should().Be(evil);
        read.Problem.CustomerIds.Should().Equal(evil);
        (await store.FindByCustomerIdAsync(firmId, evil))!.AccountId.Should().Be(evil);
        (await store.GetLinkedCustomersAsync(firmId)).Should().Equal(new Dictionary<string, string> { [evil] = evil });
        (await store.GetHistoryAsync(firmId, evil)).Select(h => h.Note).Should().Equal(evil, evil + "2");
        (await store.ListAsync(firmId, new AccountQuery())).Items.Should().HaveCount(2);
        (await store.GetAsync(firmId, "other")).Should().NotBeNull();

        await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = evil, RealmId = evil }, 0);
        (await store.GetFirmSettingsAsync(evil))!.RealmId.Should().Be(evil);
    }

    [Fact]
    public async Task Listing_order_is_ordinal_even_beyond_the_basic_multilingual_plane()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        string[] names = ["\uFF5E tilde", "\U0001F600 smile", "\uE000 private", "z", "Z", "ä", "\u00E4\u0301"];
        for (var i = 0; i < names.Length; i++)
        {
            await store.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "id" + i.ToString(CultureInfo.InvariantCulture), AccountName = names[i] });
        }

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync("f", new AccountQuery { PageSize = 2, ContinuationToken = token });
            listed.AddRange(page.Items.Select(r => r.AccountName));
            token = page.ContinuationToken;
        }
        while (token is not null);

        listed.Should().Equal(names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Times_round_trip_to_the_tick_and_come_back_in_utc()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        var local = new DateTimeOffset(2030, 1, 15, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(7);
        var record = new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n", NextAttemptAt = local, StatusChangedAt = local };

        var stored = await store.TryInsertAsync(record);
        var read = await store.GetAsync("f", "a");

        read!.NextAttemptAt.Should().Be(local);
        read.NextAttemptAt!.Value.Offset.Should().Be(TimeSpan.Zero);
        read.Should().Be(stored);
        (await store.ClaimDueAsync("f", "w", local, TimeSpan.FromSeconds(1), 1)).Should().ContainSingle();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x.db;Mode=Memory")]
    [InlineData("Data Source=x.db;Mode=ReadOnly")]
    [InlineData("Data Source=x.db;Bogus Keyword=1")]
    [InlineData("Mode=ReadWriteCreate")]
    public void Unusable_connection_strings_are_refused(string connectionString)
    {
        FluentActions.Invoking(() => new SqliteAccountStore(connectionString)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SqliteTokenStore(new SqliteStoreOptions { ConnectionString = connectionString })).Should().Throw<ArgumentException>();
    }

    private static SyncAccountRecord NewOther(string firmId) => new() { FirmId = firmId, AccountId = "other", AccountName = "other" };

    private static SyncHistoryEntry History(SyncAccountRecord record, string note) => new()
    {
        FirmId = record.FirmId,
        AccountId = record.AccountId,
        From = SyncStatus.NotSynced,
        To = record.Status,
        Trigger = SyncTrigger.SyncRequested,
        ActorId = SyncActor.SystemUserId,
        At = T0,
        Note = note,
    };
}
