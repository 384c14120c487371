using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Tests.Stores;

public sealed class InMemoryQuickBooksEventInboxConformanceTests : QuickBooksEventInboxConformanceTests
{
    protected override Task<IQuickBooksEventInbox> CreateInboxAsync() => Task.FromResult<IQuickBooksEventInbox>(new InMemoryQuickBooksEventInbox());
}
