using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.PostgreSql.Tests;

/// <summary>The webhook inbox conformance suite (insert-if-absent by event key, leased claims, completion by the lease
/// holder) against one schema shared by the class's tests, with a new inbox instance per test on the shared pool.</summary>
public sealed class PostgreSqlQuickBooksEventInboxConformanceTests(TestSchema schema) : QuickBooksEventInboxConformanceTests, IClassFixture<TestSchema>
{
    protected override Task<IQuickBooksEventInbox> CreateInboxAsync() => Task.FromResult<IQuickBooksEventInbox>(new PostgreSqlQuickBooksEventInbox(schema.Options));
}
