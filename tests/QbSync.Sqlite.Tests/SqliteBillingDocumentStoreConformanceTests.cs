using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>The billing conformance suite against one temp-file database shared by the class's tests.</summary>
public sealed class SqliteBillingDocumentStoreConformanceTests(TempDatabase database) : BillingDocumentStoreConformanceTests, IClassFixture<TempDatabase>
{
    protected override Task<IBillingDocumentStore> CreateStoreAsync() => Task.FromResult<IBillingDocumentStore>(new SqliteBillingDocumentStore(database.ConnectionString));

    [Fact]
    public async Task The_firm_default_item_round_trips_in_the_account_store()
    {
        var store = new SqliteAccountStore(database.ConnectionString);
        var firm = NewFirmId();

        var saved = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firm, DefaultItemName = "Services" }, 0);
        var cleared = await store.TrySaveFirmSettingsAsync(saved! with { DefaultItemName = null }, 1);

        saved!.DefaultItemName.Should().Be("Services");
        (await store.GetFirmSettingsAsync(firm))!.DefaultItemName.Should().BeNull();
        cleared.Should().NotBeNull();
    }
}
