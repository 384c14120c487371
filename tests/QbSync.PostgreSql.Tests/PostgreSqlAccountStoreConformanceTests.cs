using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.PostgreSql.Tests;

/// <summary>The conformance suite against one schema shared by the class's tests (each test uses fresh firm ids),
/// with a new store instance per test on the shared pool.</summary>
public sealed class PostgreSqlAccountStoreConformanceTests(TestSchema schema) : AccountStoreConformanceTests, IClassFixture<TestSchema>
{
    protected override Task<IAccountStore> CreateStoreAsync() => Task.FromResult<IAccountStore>(new PostgreSqlAccountStore(schema.Options));
}
