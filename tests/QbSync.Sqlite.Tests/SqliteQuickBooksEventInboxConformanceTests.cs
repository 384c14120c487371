using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>The inbox conformance suite against one temp-file database shared by the class's tests.</summary>
public sealed class SqliteQuickBooksEventInboxConformanceTests(TempDatabase database) : QuickBooksEventInboxConformanceTests, IClassFixture<TempDatabase>
{
    protected override Task<IQuickBooksEventInbox> CreateInboxAsync() => Task.FromResult<IQuickBooksEventInbox>(new SqliteQuickBooksEventInbox(database.ConnectionString));
}
