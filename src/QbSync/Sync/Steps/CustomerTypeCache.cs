using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>The id of the <i>Individual</i> customer type per realm, looked up once and cached (null when the company
/// has no active type of that name: the field is then left empty, as the article says).</summary>
internal sealed class CustomerTypeCache(TimeProvider time, IOptions<QbSyncOptions> options)
{
    private readonly ConcurrentDictionary<string, (string? Id, DateTimeOffset Until)> _byRealm = new(StringComparer.Ordinal);

    public async Task<string?> GetIndividualTypeIdAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_byRealm.TryGetValue(realmId, out var cached) && cached.Until > now)
        {
            return cached.Id;
        }

        var key = NameKey.Of(options.Value.CustomerTypeName);
        var types = await client.CustomerTypes.ListAsync(realmId, includeInactive: false, cancellationToken).ConfigureAwait(false);
        var id = types.Where(t => t.IsActive && t.Name is not null && NameKey.Of(t.Name) == key)
            .OrderBy(t => t.Id, StringComparer.Ordinal)
            .Select(t => t.Id)
            .FirstOrDefault();
        _byRealm[realmId] = (id, now + options.Value.CustomerTypeCacheDuration);
        return id;
    }
}
