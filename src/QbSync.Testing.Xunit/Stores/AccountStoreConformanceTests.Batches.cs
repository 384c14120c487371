using QbSync.Stores;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>Lists written together: <see cref="IAccountStore.GetManyAsync"/>, <see cref="IAccountStore.TryInsertManyAsync"/>
/// and <see cref="IAccountStore.TryUpdateManyAsync"/> behave item by item exactly as their one-record forms do (a refused
/// item does not undo the others), and status-filtered listing stays exact while records move between statuses.</summary>
public abstract partial class AccountStoreConformanceTests
{
    /// <summary>Reading several accounts returns those the firm has, each as <see cref="IAccountStore.GetAsync"/> would,
    /// and leaves out ids it does not have, repeats, and other firms' accounts.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetManyReturnsTheFirmsExistingAccounts()
    {
        var store = await CreateStoreAsync();
        var (firm, other) = (NewFirmId(), NewFirmId());
        var a = await store.TryInsertAsync(NewRecord(firm, "a") with { CustomerId = "c1", NextAttemptAt = T0 });
        var b = await store.TryInsertAsync(NewRecord(firm, "b"));
        await store.TryInsertAsync(NewRecord(other, "x"));

        var found = await store.GetManyAsync(firm, ["b", "missing", "a", "x", "a"]);

        Assert.Equal(["a", "b"], found.Select(r => r.AccountId).Order(StringComparer.Ordinal));
        AssertSameRecord(a, found.Single(r => r.AccountId == "a"));
        AssertSameRecord(b, found.Single(r => r.AccountId == "b"));
        Assert.Empty(await store.GetManyAsync(firm, []));
        Assert.Empty(await store.GetManyAsync(NewFirmId(), ["a"]));
    }

    /// <summary>Inserting a list stores each new record at version 1 and refuses, on its own, a record whose account
    /// exists (before the call or earlier in the same list) or whose customer another account holds; the others are
    /// stored all the same.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertManyInsertsEachRecordOnItsOwn()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var existing = await store.TryInsertAsync(NewRecord(firm, "existing", "Old name") with { CustomerId = "c-held" });

        var results = await store.TryInsertManyAsync(
        [
            NewRecord(firm, "new-1") with { NextAttemptAt = T0, Version = 7 },
            NewRecord(firm, "existing", "New name"),
            NewRecord(firm, "takes-held-customer") with { CustomerId = "c-held" },
            NewRecord(firm, "new-2") with { CustomerId = "c-new" },
            NewRecord(firm, "new-1", "Second of one id"),
            NewRecord(firm, "takes-new-customer") with { CustomerId = "c-new" },
            NewRecord(firm, "new-3"),
        ]);

        Assert.Equal([true, false, false, true, false, false, true], results.Select(r => r is not null));
        AssertSameRecord(NewRecord(firm, "new-1") with { NextAttemptAt = T0, Version = 1 }, results[0]);
        AssertSameRecord(NewRecord(firm, "new-2") with { CustomerId = "c-new", Version = 1 }, results[3]);
        AssertSameRecord(results[0], await store.GetAsync(firm, "new-1"));
        AssertSameRecord(results[6], await store.GetAsync(firm, "new-3"));
        AssertSameRecord(existing, await store.GetAsync(firm, "existing"));
        Assert.Null(await store.GetAsync(firm, "takes-held-customer"));
        Assert.Null(await store.GetAsync(firm, "takes-new-customer"));
        Assert.Equal("new-2", (await store.FindByCustomerIdAsync(firm, "c-new"))?.AccountId);
        Assert.Empty(await store.TryInsertManyAsync([]));
    }

    /// <summary>Two records of one account in a list are inserted in order: when the first is refused (its customer is
    /// held by another account) the second is inserted, and the results say which.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryInsertManyTellsWhichOfTwoRecordsOfOneAccountWasInserted()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        await store.TryInsertAsync(NewRecord(firm, "holder") with { CustomerId = "c-held" });

        var results = await store.TryInsertManyAsync(
        [
            NewRecord(firm, "before"),
            NewRecord(firm, "twice", "refused") with { CustomerId = "c-held" },
            NewRecord(firm, "twice", "inserted"),
            NewRecord(firm, "after"),
        ]);

        Assert.Equal([true, false, true, true], results.Select(r => r is not null));
        Assert.Equal("inserted", results[2]?.AccountName);
        Assert.Equal("inserted", (await store.GetAsync(firm, "twice"))?.AccountName);
    }

    /// <summary>A list of compare-and-swaps applies each one as <see cref="IAccountStore.TryUpdateAsync"/> would, in
    /// order: a stale version, a missing account or a customer held by another account refuses that item alone, and
    /// each history entry is stored only with its applied update.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateManyAppliesEachCompareAndSwapOnItsOwn()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var a = (await store.TryInsertAsync(NewRecord(firm, "a")))!;
        var b = (await store.TryInsertAsync(NewRecord(firm, "b")))!;
        var c = (await store.TryInsertAsync(NewRecord(firm, "c")))!;
        var d = (await store.TryInsertAsync(NewRecord(firm, "d")))!;
        var holder = (await store.TryInsertAsync(NewRecord(firm, "holder") with { CustomerId = "c-held" }))!;
        var stale = (await store.TryUpdateAsync(c with { AccountName = "c moved on" }, 1))!;

        var results = await store.TryUpdateManyAsync(
        [
            new AccountUpdate(a with { Status = SyncStatus.Synced, CustomerId = "c-a", Version = 99 }, 1, NewHistory(a, SyncStatus.NotSynced, SyncStatus.Synced, "a")),
            new AccountUpdate(b with { Status = SyncStatus.Synced, CustomerId = "c-held" }, 1, NewHistory(b, SyncStatus.NotSynced, SyncStatus.Synced, "b")),
            new AccountUpdate(c with { Status = SyncStatus.Failed }, 1, NewHistory(c, SyncStatus.NotSynced, SyncStatus.Failed, "c")),
            new AccountUpdate(NewRecord(firm, "missing") with { Status = SyncStatus.Failed }, 1, null),
            new AccountUpdate(d with { Status = SyncStatus.Skipped, WasSkipped = true }, 1, NewHistory(d, SyncStatus.NotSynced, SyncStatus.Skipped, "d")),
        ]);

        Assert.Equal([true, false, false, false, true], results.Select(r => r is not null));
        AssertSameRecord(a with { Status = SyncStatus.Synced, CustomerId = "c-a", Version = 2 }, results[0]);
        AssertSameRecord(results[0], await store.GetAsync(firm, "a"));
        AssertSameRecord(results[4], await store.GetAsync(firm, "d"));
        AssertSameRecord(b, await store.GetAsync(firm, "b"));
        AssertSameRecord(stale, await store.GetAsync(firm, "c"));
        AssertSameRecord(holder, await store.FindByCustomerIdAsync(firm, "c-held"));
        Assert.Null(await store.GetAsync(firm, "missing"));
        Assert.Equal(["a"], (await store.GetHistoryAsync(firm, "a")).Select(h => h.Note));
        Assert.Empty(await store.GetHistoryAsync(firm, "b"));
        Assert.Empty(await store.GetHistoryAsync(firm, "c"));
        Assert.Equal(["d"], (await store.GetHistoryAsync(firm, "d")).Select(h => h.Note));
        Assert.Empty(await store.TryUpdateManyAsync([]));
    }

    /// <summary>The updates of a list are applied in order: an earlier item that releases a customer lets a later item
    /// take it, and an earlier item that takes a customer refuses a later item that wants the same one.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateManyAppliesTheCustomerLinkRuleInOrder()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var giver = (await store.TryInsertAsync(NewRecord(firm, "from") with { Status = SyncStatus.Synced, CustomerId = "c-moves" }))!;
        var taker = (await store.TryInsertAsync(NewRecord(firm, "to")))!;
        var first = (await store.TryInsertAsync(NewRecord(firm, "first")))!;
        var second = (await store.TryInsertAsync(NewRecord(firm, "second")))!;

        var results = await store.TryUpdateManyAsync(
        [
            new AccountUpdate(giver with { Status = SyncStatus.Skipped, CustomerId = null }, 1),
            new AccountUpdate(taker with { Status = SyncStatus.Synced, CustomerId = "c-moves" }, 1),
            new AccountUpdate(first with { Status = SyncStatus.Synced, CustomerId = "c-wanted" }, 1),
            new AccountUpdate(second with { Status = SyncStatus.Synced, CustomerId = "c-wanted" }, 1),
        ]);

        Assert.Equal([true, true, true, false], results.Select(r => r is not null));
        Assert.Equal("to", (await store.FindByCustomerIdAsync(firm, "c-moves"))?.AccountId);
        Assert.Equal("first", (await store.FindByCustomerIdAsync(firm, "c-wanted"))?.AccountId);
        AssertSameRecord(second, await store.GetAsync(firm, "second"));
        Assert.Equal(
            new Dictionary<string, string> { ["c-moves"] = "to", ["c-wanted"] = "first" },
            (await store.GetLinkedCustomersAsync(firm)).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>Two updates of one account in one call are a caller error, refused before anything is written.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TryUpdateManyRefusesTwoUpdatesOfOneAccount()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var a = (await store.TryInsertAsync(NewRecord(firm, "a")))!;
        var b = (await store.TryInsertAsync(NewRecord(firm, "b")))!;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryUpdateManyAsync(
        [
            new AccountUpdate(b with { Status = SyncStatus.Failed }, 1),
            new AccountUpdate(a with { Status = SyncStatus.Synced }, 1),
            new AccountUpdate(a with { Status = SyncStatus.Failed }, 1),
        ]));

        AssertSameRecord(a, await store.GetAsync(firm, "a"));
        AssertSameRecord(b, await store.GetAsync(firm, "b"));
    }

    /// <summary>Concurrent lists over the same accounts from one version: each account gets exactly one winner, and the
    /// winner's history entry is the only one stored.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentUpdateListsHaveOneWinnerPerAccount()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var records = new List<SyncAccountRecord>();
        for (var i = 0; i < 20; i++)
        {
            records.Add((await store.TryInsertAsync(NewRecord(firm, "a" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))))!);
        }

        var lists = Enumerable.Range(0, 4).Select(writer => Task.Run(() => store.TryUpdateManyAsync(
            records.Select(r => new AccountUpdate(r with { AccountName = "writer " + writer }, 1, NewHistory(r, SyncStatus.NotSynced, SyncStatus.NotSynced, "writer " + writer))).ToList()))).ToList();
        var results = await Task.WhenAll(lists);

        for (var i = 0; i < records.Count; i++)
        {
            var winners = results.Select(r => r[i]).Where(r => r is not null).ToList();
            var winner = Assert.Single(winners);
            AssertSameRecord(winner, await store.GetAsync(firm, records[i].AccountId));
            Assert.Equal([winner!.AccountName], (await store.GetHistoryAsync(firm, records[i].AccountId)).Select(h => h.Note));
        }
    }

    /// <summary>Status-filtered pages stay exact while records move between statuses, names change and records are
    /// deleted: every filter (none, one status, several) pages through exactly the matching accounts in list order.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FilteredListsFollowStatusAndNameChanges()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var random = new Random(1234);
        var statuses = Enum.GetValues<SyncStatus>();
        var inserted = await store.TryInsertManyAsync(Enumerable.Range(0, 60)
            .Select(i => NewRecord(firm, "id-" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), "name " + random.Next(20).ToString("D2", System.Globalization.CultureInfo.InvariantCulture)) with
            {
                Status = statuses[random.Next(statuses.Length)],
            }).ToList());
        var current = inserted.Select(r => r!).ToDictionary(r => r.AccountId, StringComparer.Ordinal);

        var changes = current.Values.Where((_, i) => i % 2 == 0).Select(r => new AccountUpdate(
            r with { Status = statuses[random.Next(statuses.Length)], AccountName = random.Next(3) == 0 ? "renamed " + r.AccountId : r.AccountName }, r.Version)).ToList();
        foreach (var saved in await store.TryUpdateManyAsync(changes))
        {
            current[saved!.AccountId] = saved;
        }

        foreach (var deleted in current.Keys.Where((_, i) => i % 7 == 3).ToList())
        {
            Assert.True(await store.DeleteAccountAsync(firm, deleted));
            current.Remove(deleted);
        }

        foreach (var filter in new[] { Array.Empty<SyncStatus>(), [SyncStatus.Failed], [SyncStatus.Synced, SyncStatus.Skipped, SyncStatus.Synced], statuses })
        {
            var expected = current.Values
                .Where(r => filter.Length == 0 || filter.Contains(r.Status))
                .OrderBy(r => r.AccountName, StringComparer.Ordinal).ThenBy(r => r.AccountId, StringComparer.Ordinal)
                .Select(r => r.AccountId)
                .ToList();
            var listed = new List<string>();
            string? token = null;
            do
            {
                var page = await store.ListAsync(firm, new AccountQuery { Statuses = filter, PageSize = 4, ContinuationToken = token });
                Assert.True(page.Items.Count <= 4);
                listed.AddRange(page.Items.Select(r => r.AccountId));
                token = page.ContinuationToken;
            }
            while (token is not null);

            Assert.Equal(expected, listed);
        }
    }
}
