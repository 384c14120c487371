using Microsoft.Extensions.Options;

namespace QbSync.AspNetCore.Webhooks;

/// <summary>Finds the firm of a realm for webhooks. TEMPORARY: through <see cref="QbSyncAspNetCoreOptions.FindFirmByRealm"/>
/// until <c>IAccountStore.FindFirmByRealmAsync</c> is available.</summary>
internal sealed class RealmFirmLookup(IOptions<QbSyncAspNetCoreOptions> options)
{
    public ValueTask<string?> FindFirmAsync(string realmId, CancellationToken cancellationToken) =>
        options.Value.FindFirmByRealm is { } find ? find(realmId, cancellationToken) : ValueTask.FromResult<string?>(null);
}
