using System.Collections.Concurrent;
using System.Globalization;
using QbSync.Stores;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>
/// The behaviour every <see cref="IAccountStore"/> must have: insert-if-absent, compare-and-swap with history appended
/// in the same step, firm isolation, stable paged listing, claims with leases and firm settings. Derive a sealed test
/// class from it and implement <see cref="CreateStoreAsync"/>; xunit runs every test below against that store.
/// </summary>
/// <remarks>
/// The tests use only the <see cref="IAccountStore"/> API and a fresh firm id (a GUID) for each firm they touch, so a
/// store backed by a database shared by every test (and by earlier runs) passes too. Times are whole seconds in UTC.
/// </remarks>
public abstract partial class AccountStoreConformanceTests
{
    /// <summary>A fixed point in time the tests count from.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] NoCustomers = [];

    /// <summary>Creates the store under test. Each test calls it once; the store needs to hold nothing of the test's
    /// firms (fresh firm ids are used), so a shared database is fine.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IAccountStore> CreateStoreAsync();

    /// <summary>A firm id no other test uses.</summary>
    /// <returns>The id.</returns>
    protected static string NewFirmId() => "firm-" + Guid.NewGuid().ToString("N");

    /// <summary>A minimal account record.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="accountName">The name; the account id when omitted.</param>
    /// <returns>The record (version 0).</returns>
    protected static SyncAccountRecord NewRecord(string firmId, string accountId, string? accountName = null) =>
        new() { FirmId = firmId, AccountId = accountId, AccountName = accountName ?? accountId };

    /// <summary>A history entry for an account.</summary>
    /// <param name="record">The account.</param>
    /// <param name="from">The status before.</param>
    /// <param name="to">The status after.</param>
    /// <param name="note">A note, to tell entries apart.</param>
    /// <returns>The entry.</returns>
    protected static SyncHistoryEntry NewHistory(SyncAccountRecord record, SyncStatus from, SyncStatus to, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new()
        {
            FirmId = record.FirmId,
            AccountId = record.AccountId,
            From = from,
            To = to,
            Trigger = SyncTrigger.SyncRequested,
            Reason = SyncReason.None,
            ActorId = SyncActor.SystemUserId,
            At = T0,
            Note = note,
        };
    }

    // ---------------------------------------------------------------- Get and insert

    /// <summary>Reading an account that was never inserted gives null.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetReturnsNullForMissingAccount()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(NewFirmId(), "a1"));
    }

    /// <summary>An insert stores version 1 whatever version the record carries, and reads back equal.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertStoresVersionOne()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1", "Acme") with { Version = 42 };

        var stored = await store.TryInsertAsync(record);

        Assert.NotNull(stored);
        Assert.Equal(1, stored.Version);
        AssertSameRecord(record with { Version = 1 }, stored);
        AssertSameRecord(stored, await store.GetAsync(record.FirmId, "a1"));
    }

    /// <summary>Every field of a record survives the round trip.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertRoundTripsEveryField()
    {
        var store = await CreateStoreAsync();
        var record = new SyncAccountRecord
        {
            FirmId = NewFirmId(),
            AccountId = "acct-1",
            AccountName = "Smith, John – “Café” ü",
            HasBillingActivity = true,
            Status = SyncStatus.Failed,
            Reason = SyncReason.AmbiguousMatch,
            Problem = new SyncProblem
            {
                Reason = SyncReason.AmbiguousMatch,
                QuickBooksErrorCode = "6240",
                QuickBooksMessage = "Duplicate Name Exists Error",
                IntuitTid = "1-abc",
                CustomerIds = ["58", "59"],
                ConflictingAccountId = "acct-2",
                ConflictingRecordId = "77",
                SuggestedDisplayName = "Smith, John (client)",
                OccurredAt = T0,
            },
            CustomerId = "58",
            CustomerDisplayName = "John Smith",
            WasSyncedBefore = true,
            WasSkipped = true,
            Intent = new SyncIntent
            {
                Kind = SyncIntentKind.CreateCustomer,
                RequestId = "req-1",
                CustomerId = "58",
                DisplayName = "John Smith",
                ReactivateIfInactive = true,
            },
            Attempts = 3,
            NextAttemptAt = T0.AddMinutes(5),
            LeaseOwner = "worker-1",
            LeaseUntil = T0.AddMinutes(1),
            StatusChangedAt = T0.AddSeconds(-30),
        };

        var stored = await store.TryInsertAsync(record);

        AssertSameRecord(record with { Version = 1 }, stored);
        AssertSameRecord(record with { Version = 1 }, await store.GetAsync(record.FirmId, record.AccountId));
    }

    /// <summary>Inserting an account that exists gives null, keeps the stored record and writes no history.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertReturnsNullWhenAccountExists()
    {
        var store = await CreateStoreAsync();
        var first = NewRecord(NewFirmId(), "a1", "First");
        await store.TryInsertAsync(first, NewHistory(first, SyncStatus.NotSynced, SyncStatus.NotSynced, "first"));

        var second = first with { AccountName = "Second", Status = SyncStatus.Synced };
        var result = await store.TryInsertAsync(second, NewHistory(second, SyncStatus.NotSynced, SyncStatus.Synced, "second"));

        Assert.Null(result);
        var stored = await store.GetAsync(first.FirmId, "a1");
        Assert.NotNull(stored);
        Assert.Equal("First", stored.AccountName);
        Assert.Equal(1, stored.Version);
        var history = await store.GetHistoryAsync(first.FirmId, "a1");
        Assert.Equal("first", Assert.Single(history).Note);
    }

    /// <summary>Concurrent inserts of one account: exactly one wins.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentInsertsOfOneAccountHaveOneWinner()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            store.TryInsertAsync(NewRecord(firmId, "a1", "Name " + i.ToString(CultureInfo.InvariantCulture))))));

        var winner = Assert.Single(results, r => r is not null);
        AssertSameRecord(winner, await store.GetAsync(firmId, "a1"));
    }

    /// <summary>The history entry given to an insert is stored with it.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertStoresHistory()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1");
        var entry = NewHistory(record, SyncStatus.NotSynced, SyncStatus.Syncing, "created");

        await store.TryInsertAsync(record, entry);

        Assert.Equal([entry], await store.GetHistoryAsync(record.FirmId, "a1"));
    }

    // ---------------------------------------------------------------- Compare-and-swap

    /// <summary>An update at the stored version replaces the record and adds one to the version, each time.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateWithExpectedVersionIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1", "Acme");
        var v1 = await store.TryInsertAsync(record);
        Assert.NotNull(v1);

        var v2 = await store.TryUpdateAsync(v1 with { Status = SyncStatus.Syncing, Reason = SyncReason.None }, 1);
        Assert.NotNull(v2);
        Assert.Equal(2, v2.Version);
        Assert.Equal(SyncStatus.Syncing, v2.Status);

        var v3 = await store.TryUpdateAsync(v2 with { Status = SyncStatus.Synced, CustomerId = "58" }, 2);
        Assert.NotNull(v3);
        Assert.Equal(3, v3.Version);
        AssertSameRecord(v2 with { Status = SyncStatus.Synced, CustomerId = "58", Version = 3 }, v3);
        AssertSameRecord(v3, await store.GetAsync(record.FirmId, "a1"));
    }

    /// <summary>The version carried by the record given to an update plays no part: only the expected version does.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateIgnoresRecordVersion()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1");
        await store.TryInsertAsync(record);

        var updated = await store.TryUpdateAsync(record with { Version = 99, Attempts = 1 }, 1);

        Assert.NotNull(updated);
        Assert.Equal(2, updated.Version);
        Assert.Equal(1, updated.Attempts);
    }

    /// <summary>An update at a stale version gives null and changes neither the record nor its history.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateWithStaleVersionConflicts()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1", "Acme");
        await store.TryInsertAsync(record, NewHistory(record, SyncStatus.NotSynced, SyncStatus.NotSynced, "insert"));
        var v2 = await store.TryUpdateAsync(record with { Attempts = 1 }, 1, NewHistory(record, SyncStatus.NotSynced, SyncStatus.Syncing, "first"));
        Assert.NotNull(v2);

        var stale = await store.TryUpdateAsync(record with { Attempts = 7, AccountName = "Other" }, 1, NewHistory(record, SyncStatus.Syncing, SyncStatus.Failed, "stale"));
        var ahead = await store.TryUpdateAsync(record with { Attempts = 8 }, 5, NewHistory(record, SyncStatus.Syncing, SyncStatus.Failed, "ahead"));

        Assert.Null(stale);
        Assert.Null(ahead);
        AssertSameRecord(v2, await store.GetAsync(record.FirmId, "a1"));
        var history = await store.GetHistoryAsync(record.FirmId, "a1");
        Assert.Equal(["insert", "first"], history.Select(h => h.Note));
    }

    /// <summary>Updating an account that does not exist gives null, creates nothing and writes no history.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateOfMissingAccountReturnsNull()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1");

        var result = await store.TryUpdateAsync(record, 1, NewHistory(record, SyncStatus.NotSynced, SyncStatus.Syncing));
        var fromZero = await store.TryUpdateAsync(record, 0);

        Assert.Null(result);
        Assert.Null(fromZero);
        Assert.Null(await store.GetAsync(record.FirmId, "a1"));
        Assert.Empty(await store.GetHistoryAsync(record.FirmId, "a1"));
    }

    /// <summary>Each successful update appends its history entry; history comes back oldest first.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateAppendsHistoryOldestFirst()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1");
        await store.TryInsertAsync(record, NewHistory(record, SyncStatus.NotSynced, SyncStatus.NotSynced, "0"));

        var version = 1L;
        for (var i = 1; i <= 5; i++)
        {
            var entry = NewHistory(record, SyncStatus.Syncing, SyncStatus.Syncing, i.ToString(CultureInfo.InvariantCulture)) with { At = T0.AddSeconds(i) };
            var updated = await store.TryUpdateAsync(record with { Attempts = i }, version, entry);
            Assert.NotNull(updated);
            version = updated.Version;
        }

        await store.TryUpdateAsync(record, version);

        var history = await store.GetHistoryAsync(record.FirmId, "a1");
        Assert.Equal(["0", "1", "2", "3", "4", "5"], history.Select(h => h.Note));
        Assert.Equal(T0.AddSeconds(5), history[^1].At);
        Assert.Equal(SyncTrigger.SyncRequested, history[^1].Trigger);
        Assert.Equal(SyncActor.SystemUserId, history[^1].ActorId);
    }

    /// <summary>Concurrent updates from the same read: exactly one wins, and only its history entry is written.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentUpdatesFromOneVersionHaveOneWinner()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewFirmId(), "a1");
        await store.TryInsertAsync(record);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
        {
            var note = i.ToString(CultureInfo.InvariantCulture);
            return store.TryUpdateAsync(record with { Attempts = i }, 1, NewHistory(record, SyncStatus.NotSynced, SyncStatus.Syncing, note));
        })));

        var winner = Assert.Single(results, r => r is not null);
        Assert.NotNull(winner);
        Assert.Equal(2, winner.Version);
        var entry = Assert.Single(await store.GetHistoryAsync(record.FirmId, "a1"));
        Assert.Equal(winner.Attempts.ToString(CultureInfo.InvariantCulture), entry.Note);
    }

    /// <summary>The history of an account that does not exist is empty.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetHistoryOfMissingAccountIsEmpty()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.GetHistoryAsync(NewFirmId(), "nope"));
    }

    // ---------------------------------------------------------------- Firm isolation

    /// <summary>The same account id in two firms makes two independent records with their own versions and history.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task SameAccountIdInTwoFirmsIsIndependent()
    {
        var store = await CreateStoreAsync();
        var a = NewRecord(NewFirmId(), "shared", "In A");
        var b = NewRecord(NewFirmId(), "shared", "In B");

        Assert.NotNull(await store.TryInsertAsync(a, NewHistory(a, SyncStatus.NotSynced, SyncStatus.NotSynced, "a")));
        Assert.NotNull(await store.TryInsertAsync(b, NewHistory(b, SyncStatus.NotSynced, SyncStatus.NotSynced, "b")));
        var updatedA = await store.TryUpdateAsync(a with { Status = SyncStatus.Synced, CustomerId = "1" }, 1, NewHistory(a, SyncStatus.NotSynced, SyncStatus.Synced, "a2"));
        Assert.NotNull(updatedA);

        var readB = await store.GetAsync(b.FirmId, "shared");
        Assert.NotNull(readB);
        Assert.Equal("In B", readB.AccountName);
        Assert.Equal(1, readB.Version);
        Assert.Equal(SyncStatus.NotSynced, readB.Status);
        Assert.Equal(["a", "a2"], (await store.GetHistoryAsync(a.FirmId, "shared")).Select(h => h.Note));
        Assert.Equal(["b"], (await store.GetHistoryAsync(b.FirmId, "shared")).Select(h => h.Note));
        Assert.Null(await store.GetAsync(NewFirmId(), "shared"));
    }

    /// <summary>Listing, customer look-ups and claims never see another firm's accounts.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task QueriesNeverCrossFirms()
    {
        var store = await CreateStoreAsync();
        var firmA = NewFirmId();
        var firmB = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmA, "a1") with { CustomerId = "c1", NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmB, "b1") with { CustomerId = "c2", NextAttemptAt = T0 });

        var pageA = await store.ListAsync(firmA, new AccountQuery());
        Assert.Equal(["a1"], pageA.Items.Select(r => r.AccountId));
        Assert.All(pageA.Items, r => Assert.Equal(firmA, r.FirmId));

        Assert.Null(await store.FindByCustomerIdAsync(firmA, "c2"));
        Assert.Null(await store.FindByCustomerIdAsync(firmB, "c1"));
        Assert.Equal("a1", (await store.FindByCustomerIdAsync(firmA, "c1"))?.AccountId);

        Assert.Equal(["c1"], (await store.GetLinkedCustomersAsync(firmA)).Keys);
        Assert.Equal(["c2"], (await store.GetLinkedCustomersAsync(firmB)).Keys);

        var claimedA = await store.ClaimDueAsync(firmA, "w", T0, TimeSpan.FromMinutes(1), 10);
        Assert.Equal(["a1"], claimedA.Select(r => r.AccountId));
        var b1 = await store.GetAsync(firmB, "b1");
        Assert.NotNull(b1);
        Assert.Null(b1.LeaseOwner);
        Assert.Equal(1, b1.Version);

        Assert.Empty((await store.ListAsync(NewFirmId(), new AccountQuery())).Items);
        Assert.Empty(await store.ClaimDueAsync(NewFirmId(), "w", T0, TimeSpan.FromMinutes(1), 10));
    }

    /// <summary>A firm's settings are its own.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FirmSettingsAreScopedByFirm()
    {
        var store = await CreateStoreAsync();
        var firmA = NewFirmId();
        var firmB = NewFirmId();

        await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmA, RealmId = "realm-a" }, 0);

        Assert.Null(await store.GetFirmSettingsAsync(firmB));
        var saved = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmB, RealmId = "realm-b" }, 0);
        Assert.NotNull(saved);
        Assert.Equal(1, saved.Version);
        Assert.Equal("realm-a", (await store.GetFirmSettingsAsync(firmA))?.RealmId);
    }

    // ---------------------------------------------------------------- Customer links

    /// <summary>The account linked to a customer is found whatever its status, and no longer once unlinked.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FindByCustomerIdConsidersEveryStatus()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "synced") with { Status = SyncStatus.Synced, CustomerId = "c1" });
        await store.TryInsertAsync(NewRecord(firmId, "lost") with { Status = SyncStatus.NotSynced, WasSyncedBefore = true, CustomerId = "c2" });
        await store.TryInsertAsync(NewRecord(firmId, "skipped") with { Status = SyncStatus.Skipped, CustomerId = "c3" });
        var failed = await store.TryInsertAsync(NewRecord(firmId, "failed") with { Status = SyncStatus.Failed, CustomerId = "c4" });
        await store.TryInsertAsync(NewRecord(firmId, "unlinked"));

        Assert.Equal("synced", (await store.FindByCustomerIdAsync(firmId, "c1"))?.AccountId);
        Assert.Equal("lost", (await store.FindByCustomerIdAsync(firmId, "c2"))?.AccountId);
        Assert.Equal("skipped", (await store.FindByCustomerIdAsync(firmId, "c3"))?.AccountId);
        var found = await store.FindByCustomerIdAsync(firmId, "c4");
        AssertSameRecord(failed, found);
        Assert.Null(await store.FindByCustomerIdAsync(firmId, "c5"));

        Assert.NotNull(failed);
        await store.TryUpdateAsync(failed with { CustomerId = null }, failed.Version);
        Assert.Null(await store.FindByCustomerIdAsync(firmId, "c4"));
    }

    /// <summary>The linked customers map each customer id to its account, across statuses, and skip unlinked accounts.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetLinkedCustomersMapsCustomerToAccount()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        Assert.Empty(await store.GetLinkedCustomersAsync(firmId));

        await store.TryInsertAsync(NewRecord(firmId, "a1") with { Status = SyncStatus.Synced, CustomerId = "c1" });
        await store.TryInsertAsync(NewRecord(firmId, "a2") with { Status = SyncStatus.NotSynced, WasSyncedBefore = true, CustomerId = "c2" });
        await store.TryInsertAsync(NewRecord(firmId, "a3"));
        var a4 = await store.TryInsertAsync(NewRecord(firmId, "a4") with { Status = SyncStatus.Synced, CustomerId = "c4" });
        Assert.NotNull(a4);
        await store.TryUpdateAsync(a4 with { CustomerId = "c9" }, a4.Version);

        var linked = await store.GetLinkedCustomersAsync(firmId);

        Assert.Equal(3, linked.Count);
        Assert.Equal("a1", linked["c1"]);
        Assert.Equal("a2", linked["c2"]);
        Assert.Equal("a4", linked["c9"]);
        Assert.False(linked.ContainsKey("c4"));
    }

    /// <summary>A customer is linked to at most one account of a firm: a write that would link it to a second
    /// account is refused (null) and changes nothing; other firms may link the same customer id.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ACustomerIsLinkedToAtMostOneAccountOfAFirm()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var otherFirm = NewFirmId();
        var a1 = await store.TryInsertAsync(NewRecord(firmId, "a1") with { Status = SyncStatus.Synced, CustomerId = "c1" });
        Assert.NotNull(a1);

        Assert.Null(await store.TryInsertAsync(NewRecord(firmId, "a2") with { Status = SyncStatus.Synced, CustomerId = "c1" }));
        Assert.Null(await store.GetAsync(firmId, "a2"));
        var a2 = await store.TryInsertAsync(NewRecord(firmId, "a2"));
        Assert.NotNull(a2);
        Assert.Null(await store.TryUpdateAsync(a2 with { Status = SyncStatus.Synced, CustomerId = "c1" }, a2.Version, NewHistory(a2, SyncStatus.NotSynced, SyncStatus.Synced, "u")));
        AssertSameRecord(a2, await store.GetAsync(firmId, "a2"));
        Assert.Empty(await store.GetHistoryAsync(firmId, "a2"));
        Assert.NotNull(await store.TryInsertAsync(NewRecord(otherFirm, "b1") with { Status = SyncStatus.Synced, CustomerId = "c1" }));

        // The account that holds it may be written again with it; once it lets go, another account may take it.
        var a1Again = await store.TryUpdateAsync(a1 with { AccountName = "renamed" }, a1.Version);
        Assert.NotNull(a1Again);
        var released = await store.TryUpdateAsync(a1Again with { CustomerId = null, Status = SyncStatus.Skipped }, a1Again.Version);
        Assert.NotNull(released);
        Assert.NotNull(await store.TryUpdateAsync(a2 with { Status = SyncStatus.Synced, CustomerId = "c1" }, a2.Version));
        Assert.Equal("a2", (await store.FindByCustomerIdAsync(firmId, "c1"))?.AccountId);
        Assert.Equal("a2", (await store.GetLinkedCustomersAsync(firmId))["c1"]);
    }

    // ---------------------------------------------------------------- Listing

    /// <summary>Accounts are listed by name (ordinal), then id.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListOrdersByNameOrdinalThenAccountId()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        (string Id, string Name)[] accounts =
        [
            ("9", "b"), ("1", "B"), ("3", "a"), ("2", "a"), ("10", "a"), ("5", "Ä"), ("6", "A"), ("7", "Zed"), ("8", "a b"), ("4", "ab"),
        ];
        foreach (var (id, name) in accounts)
        {
            await store.TryInsertAsync(NewRecord(firmId, id, name));
        }

        var page = await store.ListAsync(firmId, new AccountQuery());

        var expected = accounts
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ThenBy(a => a.Id, StringComparer.Ordinal)
            .Select(a => a.Id)
            .ToArray();
        Assert.Equal(expected, page.Items.Select(r => r.AccountId));
        Assert.Equal(["6", "1", "7", "10", "2", "3", "8", "4", "9", "5"], expected);
        Assert.Null(page.ContinuationToken);
    }

    /// <summary>A status filter keeps only those statuses; an empty filter keeps all.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListFiltersByStatus()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var statuses = Enum.GetValues<SyncStatus>();
        for (var i = 0; i < 20; i++)
        {
            await store.TryInsertAsync(NewRecord(firmId, "a" + i.ToString("D2", CultureInfo.InvariantCulture)) with { Status = statuses[i % statuses.Length] });
        }

        var failed = await store.ListAsync(firmId, new AccountQuery { Statuses = [SyncStatus.Failed] });
        var two = await store.ListAsync(firmId, new AccountQuery { Statuses = [SyncStatus.Synced, SyncStatus.Skipped] });
        var all = await store.ListAsync(firmId, new AccountQuery { Statuses = [] });

        Assert.Equal(4, failed.Items.Count);
        Assert.All(failed.Items, r => Assert.Equal(SyncStatus.Failed, r.Status));
        Assert.Equal(8, two.Items.Count);
        Assert.All(two.Items, r => Assert.Contains(r.Status, new[] { SyncStatus.Synced, SyncStatus.Skipped }));
        Assert.Equal(20, all.Items.Count);
    }

    /// <summary>Following continuation tokens over many pages yields every account exactly once, in order.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListPagesThroughEveryAccountWithoutDuplicatesOrGaps()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var expected = new List<(string Name, string Id)>();
        for (var i = 0; i < 253; i++)
        {
            // Few distinct names, so many pages break in the middle of a run of equal names.
            var name = "Name " + (i % 7).ToString(CultureInfo.InvariantCulture);
            var id = "acct-" + i.ToString(CultureInfo.InvariantCulture);
            expected.Add((name, id));
            await store.TryInsertAsync(NewRecord(firmId, id, name));
        }

        expected.Sort((x, y) =>
        {
            var byName = string.CompareOrdinal(x.Name, y.Name);
            return byName != 0 ? byName : string.CompareOrdinal(x.Id, y.Id);
        });

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 10, ContinuationToken = token });
            Assert.InRange(page.Items.Count, 1, 10);
            if (page.ContinuationToken is not null)
            {
                Assert.Equal(10, page.Items.Count);
            }

            seen.AddRange(page.Items.Select(r => r.AccountId));
            token = page.ContinuationToken;
            pages++;
            Assert.True(pages <= 26, "The listing does not end.");
        }
        while (token is not null);

        Assert.Equal(26, pages);
        Assert.Equal(expected.Select(e => e.Id), seen);
    }

    /// <summary>Paging works together with a status filter.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListPagesThroughFilteredAccounts()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        for (var i = 0; i < 60; i++)
        {
            var status = i % 3 == 0 ? SyncStatus.Failed : SyncStatus.Synced;
            await store.TryInsertAsync(NewRecord(firmId, "a" + i.ToString("D2", CultureInfo.InvariantCulture)) with { Status = status });
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { Statuses = [SyncStatus.Failed], PageSize = 3, ContinuationToken = token });
            Assert.All(page.Items, r => Assert.Equal(SyncStatus.Failed, r.Status));
            seen.AddRange(page.Items.Select(r => r.AccountId));
            token = page.ContinuationToken;
            Assert.True(seen.Count <= 20, "The listing does not end.");
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "a" + (i * 3).ToString("D2", CultureInfo.InvariantCulture)), seen);
    }

    /// <summary>A page holding exactly the remaining accounts is the last one; an empty firm gives one empty page.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListLastPageHasNoContinuationToken()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var empty = await store.ListAsync(firmId, new AccountQuery());
        Assert.Empty(empty.Items);
        Assert.Null(empty.ContinuationToken);

        for (var i = 0; i < 4; i++)
        {
            await store.TryInsertAsync(NewRecord(firmId, "a" + i.ToString(CultureInfo.InvariantCulture)));
        }

        var first = await store.ListAsync(firmId, new AccountQuery { PageSize = 2 });
        Assert.NotNull(first.ContinuationToken);
        var second = await store.ListAsync(firmId, new AccountQuery { PageSize = 2, ContinuationToken = first.ContinuationToken });
        Assert.Equal(["a2", "a3"], second.Items.Select(r => r.AccountId));
        Assert.Null(second.ContinuationToken);

        var whole = await store.ListAsync(firmId, new AccountQuery { PageSize = 4 });
        Assert.Equal(4, whole.Items.Count);
        Assert.Null(whole.ContinuationToken);
    }

    /// <summary>Accounts inserted before the cursor after a page was read do not shift later pages: no duplicates.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListContinuationIsKeyedNotOffset()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        foreach (var name in new[] { "b", "d", "f", "h" })
        {
            await store.TryInsertAsync(NewRecord(firmId, name, name));
        }

        var first = await store.ListAsync(firmId, new AccountQuery { PageSize = 2 });
        Assert.Equal(["b", "d"], first.Items.Select(r => r.AccountId));
        await store.TryInsertAsync(NewRecord(firmId, "a", "a"));
        await store.TryInsertAsync(NewRecord(firmId, "e", "e"));

        var second = await store.ListAsync(firmId, new AccountQuery { PageSize = 10, ContinuationToken = first.ContinuationToken });

        Assert.Equal(["e", "f", "h"], second.Items.Select(r => r.AccountId));
    }

    /// <summary>Page sizes outside 1 to 1000 and tokens the store did not issue are refused.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListValidatesPageSizeAndToken()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "a1"));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, new AccountQuery { PageSize = 0 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, new AccountQuery { PageSize = -1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, new AccountQuery { PageSize = 1001 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, new AccountQuery { ContinuationToken = "not a token!" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, new AccountQuery { ContinuationToken = "Zm9vYmFy" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firmId, null!));

        Assert.Single((await store.ListAsync(firmId, new AccountQuery { PageSize = 1 })).Items);
        Assert.Single((await store.ListAsync(firmId, new AccountQuery { PageSize = 1000 })).Items);
    }

    // ---------------------------------------------------------------- Claims

    /// <summary>Only records due at or before now are claimed; records with no next attempt or a later one are not.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimTakesOnlyDueRecords()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "past") with { NextAttemptAt = T0.AddMinutes(-5) });
        await store.TryInsertAsync(NewRecord(firmId, "now") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmId, "later") with { NextAttemptAt = T0.AddSeconds(1) });
        await store.TryInsertAsync(NewRecord(firmId, "never"));

        var claimed = await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 10);

        Assert.Equal(["past", "now"], claimed.Select(r => r.AccountId));
    }

    /// <summary>Claims come oldest due first, ties by account id, and at most the count asked for.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimOrdersByDueTimeThenAccountIdAndHonoursMaxCount()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "c") with { NextAttemptAt = T0.AddMinutes(-1) });
        await store.TryInsertAsync(NewRecord(firmId, "b") with { NextAttemptAt = T0.AddMinutes(-1) });
        await store.TryInsertAsync(NewRecord(firmId, "z") with { NextAttemptAt = T0.AddMinutes(-3) });
        await store.TryInsertAsync(NewRecord(firmId, "a") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmId, "y") with { NextAttemptAt = T0.AddMinutes(-2) });

        var first = await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 3);
        var second = await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 3);
        var third = await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 3);

        Assert.Equal(["z", "y", "b"], first.Select(r => r.AccountId));
        Assert.Equal(["c", "a"], second.Select(r => r.AccountId));
        Assert.Empty(third);
    }

    /// <summary>A claim sets the lease and adds one to the version, as stored; a writer holding the old version then
    /// conflicts.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimSetsLeaseAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var inserted = await store.TryInsertAsync(NewRecord(firmId, "a1", "Acme") with { NextAttemptAt = T0, Attempts = 2 });
        Assert.NotNull(inserted);

        var claimed = Assert.Single(await store.ClaimDueAsync(firmId, "worker-1", T0, TimeSpan.FromSeconds(30), 10));

        AssertSameRecord(inserted with { LeaseOwner = "worker-1", LeaseUntil = T0.AddSeconds(30), Version = 2 }, claimed);
        AssertSameRecord(claimed, await store.GetAsync(firmId, "a1"));
        Assert.Null(await store.TryUpdateAsync(inserted with { Attempts = 3 }, inserted.Version));
        Assert.NotNull(await store.TryUpdateAsync(claimed with { Attempts = 3 }, claimed.Version));
    }

    /// <summary>Renewing extends the leases the owner still holds (and the next attempt with them) without changing the
    /// version, so the owner's pending compare-and-swap still succeeds; records leased by another owner, or by nobody,
    /// are neither renewed nor returned.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task RenewLeasesExtendsOnlyTheOwnersLeasesAndKeepsTheVersion()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "mine") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmId, "theirs") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmId, "free"));
        var mine = Assert.Single(await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 1));
        Assert.Equal("mine", mine.AccountId);
        Assert.Single(await store.ClaimDueAsync(firmId, "w2", T0, TimeSpan.FromMinutes(1), 1));

        var renewed = await store.RenewLeasesAsync(firmId, "w1", ["mine", "theirs", "free", "missing"], T0.AddMinutes(5));

        var record = Assert.Single(renewed);
        AssertSameRecord(mine with { LeaseUntil = T0.AddMinutes(5), NextAttemptAt = T0.AddMinutes(5) }, record);
        AssertSameRecord(record, await store.GetAsync(firmId, "mine"));
        Assert.Equal(T0.AddMinutes(1), (await store.GetAsync(firmId, "theirs"))!.LeaseUntil);
        Assert.Null((await store.GetAsync(firmId, "free"))!.LeaseUntil);
        Assert.NotNull(await store.TryUpdateAsync(mine with { Attempts = 1 }, mine.Version));
        Assert.Empty(await store.RenewLeasesAsync(NewFirmId(), "w1", ["mine"], T0.AddMinutes(5)));
    }

    /// <summary>A held lease keeps the record from other claimers; an expired one (at or after its end) lets another
    /// claimer take it.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimRespectsLeaseUntilItExpires()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        await store.TryInsertAsync(NewRecord(firmId, "a1") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(firmId, "held") with { NextAttemptAt = T0, LeaseOwner = "crashed", LeaseUntil = T0.AddMinutes(10) });

        var first = await store.ClaimDueAsync(firmId, "w1", T0, TimeSpan.FromMinutes(1), 10);
        Assert.Equal(["a1"], first.Select(r => r.AccountId));

        Assert.Empty(await store.ClaimDueAsync(firmId, "w2", T0.AddSeconds(30), TimeSpan.FromMinutes(1), 10));
        Assert.Empty(await store.ClaimDueAsync(firmId, "w2", T0.AddSeconds(59), TimeSpan.FromMinutes(1), 10));

        var retaken = Assert.Single(await store.ClaimDueAsync(firmId, "w2", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10));
        Assert.Equal("a1", retaken.AccountId);
        Assert.Equal("w2", retaken.LeaseOwner);
        Assert.Equal(T0.AddMinutes(2), retaken.LeaseUntil);
        Assert.Equal(3, retaken.Version);

        var resumed = await store.ClaimDueAsync(firmId, "w3", T0.AddMinutes(10), TimeSpan.FromMinutes(1), 10);
        Assert.Equal(["a1", "held"], resumed.Select(r => r.AccountId));
        Assert.All(resumed, r => Assert.Equal("w3", r.LeaseOwner));
    }

    /// <summary>Two claimers racing over 200 due records, round after round, never get the same record and together
    /// get them all.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentClaimersNeverGetTheSameRecord()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 5; round++)
        {
            var firmId = NewFirmId();
            for (var i = 0; i < 200; i++)
            {
                var id = "a" + i.ToString("D3", CultureInfo.InvariantCulture);
                await store.TryInsertAsync(NewRecord(firmId, id) with { NextAttemptAt = T0.AddSeconds(-(i % 13)) });
            }

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claims = new ConcurrentBag<(string Owner, string AccountId)>();
            var seen = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

            async Task ClaimAllAsync(string owner, int batch)
            {
                await start.Task.ConfigureAwait(false);

                // Bounded, so a store that hands out leased records fails instead of looping for ever.
                for (var call = 0; call < 250; call++)
                {
                    var claimed = await store.ClaimDueAsync(firmId, owner, T0, TimeSpan.FromMinutes(5), batch).ConfigureAwait(false);
                    if (claimed.Count == 0)
                    {
                        return;
                    }

                    foreach (var record in claimed)
                    {
                        Assert.Equal(owner, record.LeaseOwner);
                        Assert.True(claimed.Count <= batch, "A claim returned more records than asked for.");
                        Assert.True(seen.TryAdd(record.AccountId, owner), "Record " + record.AccountId + " was claimed twice.");
                        claims.Add((owner, record.AccountId));
                    }
                }

                Assert.Fail("The claims never ran out: leased records are being claimed again.");
            }

            var workers = Task.WhenAll(Task.Run(() => ClaimAllAsync("w1", 7)), Task.Run(() => ClaimAllAsync("w2", 5)));
            start.SetResult();
            await workers;

            var ids = claims.Select(c => c.AccountId).ToList();
            Assert.Equal(200, ids.Count);
            Assert.Equal(200, ids.Distinct(StringComparer.Ordinal).Count());
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 1000 });
            var owners = claims.ToDictionary(c => c.AccountId, c => c.Owner, StringComparer.Ordinal);
            Assert.All(page.Items, r => Assert.Equal(owners[r.AccountId], r.LeaseOwner));
        }
    }

    /// <summary>Firms are listed as having due work while they have a claimable record, and not otherwise.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListFirmsWithDueWorkListsFirmsWithClaimableRecords()
    {
        var store = await CreateStoreAsync();
        var due = NewFirmId();
        var later = NewFirmId();
        var idle = NewFirmId();
        var leased = NewFirmId();
        await store.TryInsertAsync(NewRecord(due, "a1") with { NextAttemptAt = T0.AddMinutes(-1) });
        await store.TryInsertAsync(NewRecord(due, "a2") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewRecord(later, "a1") with { NextAttemptAt = T0.AddMinutes(1) });
        await store.TryInsertAsync(NewRecord(idle, "a1"));
        await store.TryInsertAsync(NewRecord(leased, "a1") with { NextAttemptAt = T0.AddMinutes(-1), LeaseOwner = "w", LeaseUntil = T0.AddMinutes(2) });

        var firms = await store.ListFirmsWithDueWorkAsync(T0);

        Assert.Single(firms, f => f == due);
        Assert.DoesNotContain(later, firms);
        Assert.DoesNotContain(idle, firms);
        Assert.DoesNotContain(leased, firms);

        var afterwards = await store.ListFirmsWithDueWorkAsync(T0.AddMinutes(2));
        Assert.Contains(due, afterwards);
        Assert.Contains(later, afterwards);
        Assert.Contains(leased, afterwards);
        Assert.DoesNotContain(idle, afterwards);

        await store.ClaimDueAsync(due, "w", T0, TimeSpan.FromMinutes(5), 10);
        Assert.DoesNotContain(due, await store.ListFirmsWithDueWorkAsync(T0.AddMinutes(1)));
    }

    // ---------------------------------------------------------------- Settings

    /// <summary>Settings are saved with compare-and-swap: 0 for the first save, then the stored version; each save adds one.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FirmSettingsUseCompareAndSwap()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        Assert.Null(await store.GetFirmSettingsAsync(firmId));

        var settings = new FirmSyncSettings { FirmId = firmId, RealmId = "123", LinkedRealmId = "123", Scope = SyncScope.AllAccounts, CreateMissingCustomers = false, Version = 17 };
        Assert.Null(await store.TrySaveFirmSettingsAsync(settings, 1));
        Assert.Null(await store.GetFirmSettingsAsync(firmId));

        var v1 = await store.TrySaveFirmSettingsAsync(settings, 0);
        Assert.Equal(settings with { Version = 1 }, v1);
        Assert.Equal(v1, await store.GetFirmSettingsAsync(firmId));

        Assert.Null(await store.TrySaveFirmSettingsAsync(settings with { RealmId = "again" }, 0));

        var v2 = await store.TrySaveFirmSettingsAsync(settings with { RealmId = null, Scope = SyncScope.AccountsWithBillingActivity }, 1);
        Assert.NotNull(v2);
        Assert.Equal(2, v2.Version);
        Assert.Null(await store.TrySaveFirmSettingsAsync(settings with { RealmId = "stale" }, 1));
        Assert.Null(await store.TrySaveFirmSettingsAsync(settings with { RealmId = "ahead" }, 3));

        var stored = await store.GetFirmSettingsAsync(firmId);
        Assert.Equal(new FirmSyncSettings { FirmId = firmId, RealmId = null, LinkedRealmId = "123", Scope = SyncScope.AccountsWithBillingActivity, CreateMissingCustomers = false, Version = 2 }, stored);
    }

    /// <summary>The company a firm's links belong to is kept as given, and is not unique: a company one firm disconnected
    /// may be connected by another while the first still records it as the company of its links.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TheLinkedRealmIsKeptAndSharedByFirms()
    {
        var store = await CreateStoreAsync();
        var (left, took) = (NewFirmId(), NewFirmId());
        var realm = "linked-" + Guid.NewGuid().ToString("N");

        var first = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = left, LinkedRealmId = realm }, 0);
        var second = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = took, RealmId = realm, LinkedRealmId = realm }, 0);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(realm, (await store.GetFirmSettingsAsync(left))?.LinkedRealmId);
        Assert.Null((await store.GetFirmSettingsAsync(left))?.RealmId);
        Assert.Equal(took, await store.FindFirmByRealmAsync(realm));
        var cleared = await store.TrySaveFirmSettingsAsync(first with { LinkedRealmId = null }, first.Version);
        Assert.Null(cleared?.LinkedRealmId);
        Assert.Null((await store.GetFirmSettingsAsync(left))?.LinkedRealmId);
    }

    /// <summary>Concurrent first saves of a firm's settings: exactly one wins.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentFirstSettingsSavesHaveOneWinner()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmId, RealmId = i.ToString(CultureInfo.InvariantCulture) }, 0))));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner, await store.GetFirmSettingsAsync(firmId));
    }

    // ---------------------------------------------------------------- Arguments and cancellation

    /// <summary>Missing ids, null records and out-of-range numbers are refused with an <see cref="ArgumentException"/>.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ArgumentsAreValidated()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var record = NewRecord(firmId, "a1");
        var lease = TimeSpan.FromMinutes(1);
        Func<Task>[] calls =
        [
            () => store.GetAsync(null!, "a1"),
            () => store.GetAsync("", "a1"),
            () => store.GetAsync(firmId, null!),
            () => store.GetAsync(firmId, ""),
            () => store.TryInsertAsync(null!),
            () => store.TryInsertAsync(record with { FirmId = "" }),
            () => store.TryInsertAsync(record with { AccountId = "" }),
            () => store.TryInsertAsync(record, NewHistory(NewRecord(NewFirmId(), "a1"), SyncStatus.NotSynced, SyncStatus.Syncing)),
            () => store.TryInsertAsync(record, NewHistory(NewRecord(firmId, "other"), SyncStatus.NotSynced, SyncStatus.Syncing)),
            () => store.TryUpdateAsync(null!, 1),
            () => store.TryUpdateAsync(record with { FirmId = "" }, 1),
            () => store.TryUpdateAsync(record, -1),
            () => store.TryUpdateAsync(record, 1, NewHistory(NewRecord(firmId, "other"), SyncStatus.NotSynced, SyncStatus.Syncing)),
            () => store.FindByCustomerIdAsync("", "c1"),
            () => store.FindByCustomerIdAsync(firmId, ""),
            () => store.FindByCustomerIdAsync(firmId, null!),
            () => store.GetLinkedCustomersAsync(""),
            () => store.GetLinkedCustomersAsync(null!),
            () => store.ListAsync("", new AccountQuery()),
            () => store.ClaimDueAsync("", "w", T0, lease, 1),
            () => store.ClaimDueAsync(firmId, "", T0, lease, 1),
            () => store.ClaimDueAsync(firmId, null!, T0, lease, 1),
            () => store.ClaimDueAsync(firmId, "w", T0, TimeSpan.Zero, 1),
            () => store.ClaimDueAsync(firmId, "w", T0, TimeSpan.FromSeconds(-1), 1),
            () => store.ClaimDueAsync(firmId, "w", T0, lease, 0),
            () => store.ClaimDueAsync(firmId, "w", T0, lease, -1),
            () => store.GetHistoryAsync("", "a1"),
            () => store.GetHistoryAsync(firmId, ""),
            () => store.GetFirmSettingsAsync(""),
            () => store.GetFirmSettingsAsync(null!),
            () => store.TrySaveFirmSettingsAsync(null!, 0),
            () => store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = "" }, 0),
            () => store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmId }, -1),
        ];

        for (var i = 0; i < calls.Length; i++)
        {
            var exception = await Record.ExceptionAsync(calls[i]);
            Assert.True(exception is ArgumentException, string.Create(CultureInfo.InvariantCulture, $"Call #{i} gave {exception?.GetType().Name ?? "no exception"}."));
        }

        Assert.Null(await store.GetAsync(firmId, "a1"));
        Assert.Null(await store.GetFirmSettingsAsync(firmId));
    }

    /// <summary>Every method honours a cancelled token, and a cancelled write changes nothing.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task CancelledCallsThrowAndChangeNothing()
    {
        var store = await CreateStoreAsync();
        var firmId = NewFirmId();
        var existing = await store.TryInsertAsync(NewRecord(firmId, "a1") with { NextAttemptAt = T0, CustomerId = "c1" });
        Assert.NotNull(existing);
        var fresh = NewRecord(firmId, "a2");
        var cancelled = new CancellationToken(canceled: true);
        Func<Task>[] calls =
        [
            () => store.GetAsync(firmId, "a1", cancelled),
            () => store.TryInsertAsync(fresh, null, cancelled),
            () => store.TryUpdateAsync(existing with { Attempts = 5 }, 1, NewHistory(existing, SyncStatus.NotSynced, SyncStatus.Syncing), cancelled),
            () => store.FindByCustomerIdAsync(firmId, "c1", cancelled),
            () => store.GetLinkedCustomersAsync(firmId, cancelled),
            () => store.ListAsync(firmId, new AccountQuery(), cancelled),
            () => store.ClaimDueAsync(firmId, "w", T0, TimeSpan.FromMinutes(1), 10, cancelled),
            () => store.ListFirmsWithDueWorkAsync(T0, cancelled),
            () => store.GetHistoryAsync(firmId, "a1", cancelled),
            () => store.GetFirmSettingsAsync(firmId, cancelled),
            () => store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firmId }, 0, cancelled),
        ];

        for (var i = 0; i < calls.Length; i++)
        {
            var exception = await Record.ExceptionAsync(calls[i]);
            Assert.True(exception is OperationCanceledException, string.Create(CultureInfo.InvariantCulture, $"Call #{i} gave {exception?.GetType().Name ?? "no exception"}."));
        }

        Assert.Null(await store.GetAsync(firmId, "a2"));
        AssertSameRecord(existing, await store.GetAsync(firmId, "a1"));
        Assert.Empty(await store.GetHistoryAsync(firmId, "a1"));
        Assert.Null(await store.GetFirmSettingsAsync(firmId));
    }

    // ---------------------------------------------------------------- Helpers

    /// <summary>Asserts two records hold the same values, comparing the problem's customer list by content (record
    /// equality compares lists by reference).</summary>
    /// <param name="expected">The expected record.</param>
    /// <param name="actual">The actual record.</param>
    protected static void AssertSameRecord(SyncAccountRecord? expected, SyncAccountRecord? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Problem = null }, actual with { Problem = null });
        if (expected.Problem is null || actual.Problem is null)
        {
            Assert.Equal(expected.Problem is null, actual.Problem is null);
            return;
        }

        Assert.Equal(expected.Problem with { CustomerIds = NoCustomers }, actual.Problem with { CustomerIds = NoCustomers });
        Assert.Equal(expected.Problem.CustomerIds, actual.Problem.CustomerIds);
    }
}
