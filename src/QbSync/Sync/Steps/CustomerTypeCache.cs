using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>The id of the <i>Individual</i> customer type per realm, looked up once and cached (null when the company
/// has no active type of that name: the field is then left empty, as the article says). Concurrent first callers
/// share one look-up.</summary>
internal sealed class CustomerTypeCache(TimeProvider time, IOptions<QbSyncOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _byRealm = new(StringComparer.Ordinal);

    public async Task<string?> GetIndividualTypeIdAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            // Lazy: GetOrAdd may run its factory twice under a race; only the entry stored starts a read.
            var entry = _byRealm.GetOrAdd(realmId, _ => new Entry(new Lazy<Task<string?>>(() => ReadAsync(client, realmId)), now + options.Value.CustomerTypeCacheDuration));
            if (entry.Until <= now || (entry.Lookup.IsValueCreated && (entry.Lookup.Value.IsFaulted || entry.Lookup.Value.IsCanceled)))
            {
                // Expired, or an earlier shared look-up failed (its callers got that failure): this caller starts a
                // new one rather than being served the old failure again.
                _byRealm.TryRemove(new KeyValuePair<string, Entry>(realmId, entry));
                continue;
            }

            return await entry.Lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string?> ReadAsync(QuickBooksClient client, string realmId)
    {
        var key = NameKey.Of(options.Value.CustomerTypeName);
        // The shared look-up is not tied to the first caller's cancellation: others may still be waiting for it.
        var types = await client.CustomerTypes.ListAsync(realmId, includeInactive: false, CancellationToken.None).ConfigureAwait(false);
        return types.Where(t => t.IsActive && t.Name is not null && NameKey.Of(t.Name) == key)
            .OrderBy(t => t.Id, StringComparer.Ordinal)
            .Select(t => t.Id)
            .FirstOrDefault();
    }

    private sealed record Entry(Lazy<Task<string?>> Lookup, DateTimeOffset Until);
}
