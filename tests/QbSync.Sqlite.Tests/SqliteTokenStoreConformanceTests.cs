using QbSync.QuickBooks.Authentication;
using QbSync.Testing.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>The token store conformance suite against one temp-file database shared by the class's tests, with a new
/// store instance (as another process would have) per call.</summary>
public sealed class SqliteTokenStoreConformanceTests(TempDatabase database) : TokenStoreConformanceTests, IClassFixture<TempDatabase>
{
    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new SqliteTokenStore(database.ConnectionString));
}
