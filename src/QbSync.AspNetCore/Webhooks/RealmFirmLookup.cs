using QbSync.Stores;

namespace QbSync.AspNetCore.Webhooks;

/// <summary>Finds the firm of a realm for webhooks: the store's realm → firm look-up.</summary>
internal sealed class RealmFirmLookup(IAccountStore store)
{
    public async ValueTask<string?> FindFirmAsync(string realmId, CancellationToken cancellationToken) =>
        await store.FindFirmByRealmAsync(realmId, cancellationToken).ConfigureAwait(false);
}
