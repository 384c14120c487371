using QbSync.QuickBooks.Authentication;
using QbSync.Testing.Stores;

namespace QbSync.Tests.Stores;

public sealed class InMemoryTokenStoreConformanceTests : TokenStoreConformanceTests
{
    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new InMemoryTokenStore());
}
