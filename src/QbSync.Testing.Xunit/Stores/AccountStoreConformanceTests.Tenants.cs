using QbSync.Stores;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>Tenancy and data deletion: a realm belongs to one firm, the realm → firm look-up, deleting an account and
/// purging a firm.</summary>
public abstract partial class AccountStoreConformanceTests
{
    /// <summary>A realm id no other test uses.</summary>
    /// <returns>The id.</returns>
    protected static string NewRealmId() => "realm-" + Guid.NewGuid().ToString("N");

    /// <summary>The realm → firm look-up finds the firm whose settings hold the realm, and nothing for an unknown or
    /// released realm.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FindFirmByRealmFindsTheHolder()
    {
        var store = await CreateStoreAsync();
        var (firm, realm) = (NewFirmId(), NewRealmId());

        Assert.Null(await store.FindFirmByRealmAsync(realm));
        var saved = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firm, RealmId = realm }, 0);

        Assert.NotNull(saved);
        Assert.Equal(firm, await store.FindFirmByRealmAsync(realm));
        Assert.Null(await store.FindFirmByRealmAsync(realm.ToUpperInvariant()));
        Assert.NotNull(await store.TrySaveFirmSettingsAsync(saved with { RealmId = null }, saved.Version));
        Assert.Null(await store.FindFirmByRealmAsync(realm));
    }

    /// <summary>A realm belongs to one firm: saving another firm's settings with a held realm is refused and changes
    /// nothing; once released, the other firm may take it.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ARealmBelongsToOneFirm()
    {
        var store = await CreateStoreAsync();
        var (owner, other, realm) = (NewFirmId(), NewFirmId(), NewRealmId());
        var held = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = owner, RealmId = realm }, 0);
        Assert.NotNull(held);

        Assert.Null(await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = other, RealmId = realm }, 0));
        Assert.Null(await store.GetFirmSettingsAsync(other));
        var otherSettings = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = other }, 0);
        Assert.NotNull(otherSettings);
        Assert.Null(await store.TrySaveFirmSettingsAsync(otherSettings with { RealmId = realm }, otherSettings.Version));
        Assert.Equal(owner, await store.FindFirmByRealmAsync(realm));
        Assert.Null((await store.GetFirmSettingsAsync(other))!.RealmId);

        // The holder may save its own settings again, with the same realm.
        var again = await store.TrySaveFirmSettingsAsync(held with { Scope = SyncScope.AllAccounts }, held.Version);
        Assert.NotNull(again);

        Assert.NotNull(await store.TrySaveFirmSettingsAsync(again with { RealmId = null }, again.Version));
        Assert.NotNull(await store.TrySaveFirmSettingsAsync(otherSettings with { RealmId = realm }, otherSettings.Version));
        Assert.Equal(other, await store.FindFirmByRealmAsync(realm));
    }

    /// <summary>Of several firms claiming one free realm at once, exactly one gets it.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentClaimsOfARealmHaveOneWinner()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();
        var firms = Enumerable.Range(0, 8).Select(_ => NewFirmId()).ToList();

        var results = await Task.WhenAll(firms.Select(f => Task.Run(() => store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = f, RealmId = realm }, 0))));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.FirmId, await store.FindFirmByRealmAsync(realm));
    }

    /// <summary>Deleting an account removes it and its history, frees its customer, and touches nothing else.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task DeleteAccountRemovesTheRecordAndItsHistoryOnly()
    {
        var store = await CreateStoreAsync();
        var (firm, otherFirm) = (NewFirmId(), NewFirmId());
        var doomed = NewRecord(firm, "a1") with { Status = SyncStatus.Synced, CustomerId = "c1" };
        var kept = NewRecord(firm, "a2");
        var sameIdElsewhere = NewRecord(otherFirm, "a1") with { CustomerId = "c1" };
        Assert.NotNull(await store.TryInsertAsync(doomed, NewHistory(doomed, SyncStatus.NotSynced, SyncStatus.Synced)));
        Assert.NotNull(await store.TryInsertAsync(kept, NewHistory(kept, SyncStatus.NotSynced, SyncStatus.NotSynced)));
        Assert.NotNull(await store.TryInsertAsync(sameIdElsewhere, NewHistory(sameIdElsewhere, SyncStatus.NotSynced, SyncStatus.Synced)));

        Assert.True(await store.DeleteAccountAsync(firm, "a1"));

        Assert.Null(await store.GetAsync(firm, "a1"));
        Assert.Empty(await store.GetHistoryAsync(firm, "a1"));
        Assert.Null(await store.FindByCustomerIdAsync(firm, "c1"));
        Assert.NotNull(await store.TryInsertAsync(NewRecord(firm, "a3") with { CustomerId = "c1" }));
        Assert.NotNull(await store.GetAsync(firm, "a2"));
        Assert.Single(await store.GetHistoryAsync(firm, "a2"));
        Assert.NotNull(await store.GetAsync(otherFirm, "a1"));
        Assert.Single(await store.GetHistoryAsync(otherFirm, "a1"));
        Assert.False(await store.DeleteAccountAsync(firm, "a1"));
        Assert.False(await store.DeleteAccountAsync(NewFirmId(), "a2"));
    }

    /// <summary>Purging a firm deletes its records, history and settings (releasing its realm), and nothing of
    /// another firm.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task PurgeFirmDeletesEverythingOfTheFirmOnly()
    {
        var store = await CreateStoreAsync();
        var (firm, otherFirm, realm) = (NewFirmId(), NewFirmId(), NewRealmId());
        foreach (var id in new[] { "a1", "a2", "a3" })
        {
            var record = NewRecord(firm, id) with { Status = SyncStatus.Failed, Problem = new SyncProblem { Reason = SyncReason.AmbiguousMatch, OccurredAt = T0 }, NextAttemptAt = T0 };
            Assert.NotNull(await store.TryInsertAsync(record, NewHistory(record, SyncStatus.NotSynced, SyncStatus.Failed)));
        }

        var survivor = NewRecord(otherFirm, "a1") with { NextAttemptAt = T0 };
        Assert.NotNull(await store.TryInsertAsync(survivor, NewHistory(survivor, SyncStatus.NotSynced, SyncStatus.NotSynced)));
        Assert.NotNull(await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firm, RealmId = realm }, 0));
        Assert.NotNull(await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = otherFirm, Scope = SyncScope.AllAccounts }, 0));

        Assert.Equal(3, await store.PurgeFirmAsync(firm));

        Assert.Empty((await store.ListAsync(firm, new AccountQuery())).Items);
        Assert.Empty(await store.GetHistoryAsync(firm, "a1"));
        Assert.Null(await store.GetFirmSettingsAsync(firm));
        Assert.Null(await store.FindFirmByRealmAsync(realm));
        Assert.DoesNotContain(firm, await store.ListFirmsWithDueWorkAsync(T0.AddMinutes(1)));
        Assert.Single((await store.ListAsync(otherFirm, new AccountQuery())).Items);
        Assert.Single(await store.GetHistoryAsync(otherFirm, "a1"));
        Assert.Equal(SyncScope.AllAccounts, (await store.GetFirmSettingsAsync(otherFirm))!.Scope);
        Assert.Equal(0, await store.PurgeFirmAsync(firm));

        // The firm can start again from nothing.
        Assert.NotNull(await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firm }, 0));
        Assert.NotNull(await store.TryInsertAsync(NewRecord(firm, "a1")));
    }

    /// <summary>The new members validate their arguments.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TenantMembersValidateArguments()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.FindFirmByRealmAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAccountAsync("", "a1"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAccountAsync("f", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PurgeFirmAsync(""));
    }
}
