using QbSync.QuickBooks.Authentication;
using QbSync.Testing.Stores;

namespace QbSync.PostgreSql.Tests;

/// <summary>The token store conformance suite (versions, compare-and-swap, the cross-process refresh lock) against one
/// schema shared by the class's tests (each test uses fresh realm ids), with a new store instance per test.</summary>
public sealed class PostgreSqlTokenStoreConformanceTests(TestSchema schema) : TokenStoreConformanceTests, IClassFixture<TestSchema>
{
    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new PostgreSqlTokenStore(schema.Options));
}
