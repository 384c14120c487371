using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Tests.Stores;

public sealed class InMemoryBillingDocumentStoreConformanceTests : BillingDocumentStoreConformanceTests
{
    protected override Task<IBillingDocumentStore> CreateStoreAsync() => Task.FromResult<IBillingDocumentStore>(new InMemoryBillingDocumentStore());
}
