using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using QbSync.Stores;

namespace QbSync.PostgreSql.Tests;

public sealed class PostgreSqlAccountStoreTests(TestSchema schema) : IClassFixture<TestSchema>
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Eight_claimers_on_two_connection_pools_never_get_the_same_record()
    {
        // Two data sources are two "machines": no pool, connection or process-local lock in common.
        await using var machineA = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        await using var machineB = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var setup = new PostgreSqlAccountStore(schema.Options);
        var firmId = "firm-" + Guid.NewGuid().ToString("N");
        const int Records = 600;
        for (var i = 0; i < Records; i++)
        {
            await setup.TryInsertAsync(new SyncAccountRecord
            {
                FirmId = firmId,
                AccountId = "a" + i.ToString("D4", CultureInfo.InvariantCulture),
                AccountName = "n",
                NextAttemptAt = T0.AddSeconds(-(i % 11)),
            });
        }

        var seen = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var duplicates = new ConcurrentBag<string>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task ClaimAllAsync(PostgreSqlAccountStore store, string owner)
        {
            await start.Task;
            while (true)
            {
                var claimed = await store.ClaimDueAsync(firmId, owner, T0, TimeSpan.FromMinutes(5), 4);
                if (claimed.Count == 0)
                {
                    return;
                }

                foreach (var record in claimed)
                {
                    record.LeaseOwner.Should().Be(owner);
                    if (!seen.TryAdd(record.AccountId, owner))
                    {
                        duplicates.Add(record.AccountId);
                    }
                }
            }
        }

        var workers = Enumerable.Range(0, 8).Select(i =>
        {
            var store = new PostgreSqlAccountStore(new PostgreSqlStoreOptions { DataSource = i % 2 == 0 ? machineA : machineB, Schema = schema.Name });
            return Task.Run(() => ClaimAllAsync(store, "worker-" + i.ToString(CultureInfo.InvariantCulture)));
        }).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        duplicates.Should().BeEmpty();
        seen.Should().HaveCount(Records);
        seen.Values.Distinct().Should().HaveCountGreaterThan(1, "the claims were shared between workers");
        var stored = new List<SyncAccountRecord>();
        string? token = null;
        do
        {
            var page = await setup.ListAsync(firmId, new AccountQuery { PageSize = 1000, ContinuationToken = token });
            stored.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        stored.Should().HaveCount(Records).And.AllSatisfy(r =>
        {
            r.LeaseOwner.Should().Be(seen[r.AccountId]);
            r.Version.Should().Be(2, "each record was leased exactly once");
        });
    }

    [Fact]
    public async Task An_expired_lease_is_reclaimed_by_another_machine()
    {
        await using var machineB = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var storeA = new PostgreSqlAccountStore(schema.Options);
        var storeB = new PostgreSqlAccountStore(new PostgreSqlStoreOptions { DataSource = machineB, Schema = schema.Name });
        var firmId = "firm-" + Guid.NewGuid().ToString("N");
        await storeA.TryInsertAsync(new SyncAccountRecord { FirmId = firmId, AccountId = "a1", AccountName = "n", NextAttemptAt = T0 });

        (await storeA.ClaimDueAsync(firmId, "a", T0, TimeSpan.FromMinutes(1), 10)).Should().ContainSingle();
        (await storeB.ClaimDueAsync(firmId, "b", T0.AddSeconds(59), TimeSpan.FromMinutes(1), 10)).Should().BeEmpty();
        var reclaimed = await storeB.ClaimDueAsync(firmId, "b", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10);

        reclaimed.Should().ContainSingle().Which.LeaseOwner.Should().Be("b");
    }

    [Theory]
    [InlineData("x'); DROP TABLE accounts;--")]
    [InlineData("Robert\"); DELETE FROM account_history; --")]
    [InlineData("@firm")]
    [InlineData("$1")]
    [InlineData("' OR '1'='1")]
    public async Task Values_that_look_like_sql_are_stored_as_data(string evil)
    {
        var store = new PostgreSqlAccountStore(schema.Options);
        var firmId = "firm" + evil + Guid.NewGuid().ToString("N");
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
        await store.TryInsertAsync(new SyncAccountRecord { FirmId = firmId, AccountId = "other", AccountName = "other" });

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

        await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmId + evil, RealmId = evil }, 0);
        (await store.GetFirmSettingsAsync(firmId + evil))!.RealmId.Should().Be(evil);
    }

    [Fact]
    public async Task Listing_order_is_by_code_point()
    {
        var store = new PostgreSqlAccountStore(schema.Options);
        var firmId = "firm-" + Guid.NewGuid().ToString("N");
        string[] names = ["\uFF5E tilde", "\uE000 private", "z", "Z", "ä", "\u00E4\u0301", "a", "A b", "Ab", "\U0001F600 smile"];
        for (var i = 0; i < names.Length; i++)
        {
            await store.TryInsertAsync(new SyncAccountRecord { FirmId = firmId, AccountId = "id" + i.ToString(CultureInfo.InvariantCulture), AccountName = names[i] });
        }

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 3, ContinuationToken = token });
            listed.AddRange(page.Items.Select(r => r.AccountName));
            token = page.ContinuationToken;
        }
        while (token is not null);

        // Code point order: ordinal within the Basic Multilingual Plane; a supplementary character sorts after U+FFFF
        // (UTF-16 ordinal would put it before U+E000), as the store's remarks say.
        listed.Should().Equal(names.OrderBy(n => n, Comparer<string>.Create(static (x, y) => CompareCodePoints(x, y))));
        listed[^1].Should().StartWith("\U0001F600");
    }

    [Fact]
    public async Task Times_are_kept_to_the_microsecond_and_come_back_in_utc()
    {
        var store = new PostgreSqlAccountStore(schema.Options);
        var firmId = "firm-" + Guid.NewGuid().ToString("N");
        var at = new DateTimeOffset(2030, 1, 15, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var record = new SyncAccountRecord { FirmId = firmId, AccountId = "a", AccountName = "n", NextAttemptAt = at, LeaseUntil = at, StatusChangedAt = at };

        var stored = await store.TryInsertAsync(record);
        var read = await store.GetAsync(firmId, "a");

        var expected = new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        read.Should().Be(stored);
        read!.NextAttemptAt.Should().Be(expected);
        read.NextAttemptAt!.Value.Offset.Should().Be(TimeSpan.Zero);
        read.LeaseUntil.Should().Be(expected);
        read.StatusChangedAt.Should().Be(expected);
    }

    [Fact]
    public async Task Two_schemas_in_one_database_are_independent()
    {
        var other = new TestSchema();
        try
        {
            var here = new PostgreSqlAccountStore(schema.Options);
            var there = new PostgreSqlAccountStore(other.Options);
            var firmId = "firm-" + Guid.NewGuid().ToString("N");

            await here.TryInsertAsync(new SyncAccountRecord { FirmId = firmId, AccountId = "a", AccountName = "here" });

            (await there.GetAsync(firmId, "a")).Should().BeNull();
            (await there.TryInsertAsync(new SyncAccountRecord { FirmId = firmId, AccountId = "a", AccountName = "there" })).Should().NotBeNull();
            (await here.GetAsync(firmId, "a"))!.AccountName.Should().Be("here");
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    private static int CompareCodePoints(string x, string y)
    {
        var a = x.EnumerateRunes().GetEnumerator();
        var b = y.EnumerateRunes().GetEnumerator();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var byValue = a.Current.Value.CompareTo(b.Current.Value);
            if (byValue != 0)
            {
                return byValue;
            }
        }
    }

    private static SyncHistoryEntry History(SyncAccountRecord record, string note) => new()
    {
        FirmId = record.FirmId,
        AccountId = record.AccountId,
        From = SyncStatus.NotSynced,
        To = SyncStatus.Syncing,
        Trigger = SyncTrigger.SyncRequested,
        Reason = SyncReason.None,
        ActorId = SyncActor.SystemUserId,
        At = T0,
        Note = note,
    };
}
