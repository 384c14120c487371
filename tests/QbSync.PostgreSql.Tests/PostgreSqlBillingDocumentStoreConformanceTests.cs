using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.PostgreSql.Tests;

/// <summary>The billing document store conformance suite (insert-if-absent, compare-and-swap with history, claims,
/// listing) against one schema shared by the class's tests (each test uses fresh firm ids), with a new store instance
/// per test on the shared pool.</summary>
public sealed class PostgreSqlBillingDocumentStoreConformanceTests(TestSchema schema) : BillingDocumentStoreConformanceTests, IClassFixture<TestSchema>
{
    protected override Task<IBillingDocumentStore> CreateStoreAsync() => Task.FromResult<IBillingDocumentStore>(new PostgreSqlBillingDocumentStore(schema.Options));

    [Fact]
    public async Task The_firm_default_item_round_trips_in_the_account_store()
    {
        var store = new PostgreSqlAccountStore(schema.Options);
        var firm = NewFirmId();

        var saved = await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = firm, DefaultItemName = "Services" }, 0);
        var read = await store.GetFirmSettingsAsync(firm);
        var cleared = await store.TrySaveFirmSettingsAsync(read! with { DefaultItemName = null }, 1);

        saved!.DefaultItemName.Should().Be("Services");
        read.DefaultItemName.Should().Be("Services");
        cleared.Should().NotBeNull();
        (await store.GetFirmSettingsAsync(firm))!.DefaultItemName.Should().BeNull();
    }
}
