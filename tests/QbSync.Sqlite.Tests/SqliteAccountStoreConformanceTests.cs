using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>The conformance suite against one temp-file database shared by the class's tests (each test uses fresh
/// firm ids), with a new store instance per test.</summary>
public sealed class SqliteAccountStoreConformanceTests(TempDatabase database) : AccountStoreConformanceTests, IClassFixture<TempDatabase>
{
    protected override Task<IAccountStore> CreateStoreAsync() => Task.FromResult<IAccountStore>(new SqliteAccountStore(database.ConnectionString));
}
