using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.Sync;

namespace QbSync.Billing;

/// <summary>
/// Per-realm caches of what invoice lines need: the QBO items by name (the whole active item list, read once per
/// realm and kept for <see cref="QbSyncOptions.CustomerTypeCacheDuration"/>; read again at most once a minute when a
/// name is missing, so an item just added in QBO is found) and the company's currency preferences.
/// </summary>
internal sealed class BillingCatalogs(TimeProvider time, IOptions<QbSyncOptions> options)
{
    private static readonly TimeSpan MissRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry<Dictionary<string, Item>>> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<CurrencyPreferences>> _currencies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>The active item of that name (trimmed, case-insensitive), or null.</summary>
    public async Task<Item?> FindItemAsync(QuickBooksClient client, string realmId, string name, CancellationToken cancellationToken)
    {
        var key = Normalize(name);
        var items = await GetItemsAsync(client, realmId, forceIfOlderThan: null, cancellationToken).ConfigureAwait(false);
        if (items.TryGetValue(key, out var item))
        {
            return item;
        }

        items = await GetItemsAsync(client, realmId, forceIfOlderThan: MissRefreshInterval, cancellationToken).ConfigureAwait(false);
        return items.GetValueOrDefault(key);
    }

    /// <summary>The company's currency preferences (cached like the items).</summary>
    public async Task<CurrencyPreferences> GetCurrencyAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken)
    {
        if (_currencies.TryGetValue(realmId, out var cached) && time.GetUtcNow() - cached.LoadedAt < options.Value.CustomerTypeCacheDuration)
        {
            return cached.Value;
        }

        var gate = _gates.GetOrAdd("currency:" + realmId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_currencies.TryGetValue(realmId, out cached) && time.GetUtcNow() - cached.LoadedAt < options.Value.CustomerTypeCacheDuration)
            {
                return cached.Value;
            }

            var preferences = await client.Preferences.GetAsync(realmId, cancellationToken).ConfigureAwait(false);
            var value = preferences.CurrencyPrefs ?? new CurrencyPreferences();
            _currencies[realmId] = new Entry<CurrencyPreferences>(value, time.GetUtcNow());
            return value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets what is cached for a realm.</summary>
    public void Invalidate(string realmId)
    {
        _items.TryRemove(realmId, out _);
        _currencies.TryRemove(realmId, out _);
    }

    private async Task<Dictionary<string, Item>> GetItemsAsync(QuickBooksClient client, string realmId, TimeSpan? forceIfOlderThan, CancellationToken cancellationToken)
    {
        bool Fresh(Entry<Dictionary<string, Item>> entry)
        {
            var age = time.GetUtcNow() - entry.LoadedAt;
            return age < options.Value.CustomerTypeCacheDuration && (forceIfOlderThan is not { } limit || age < limit);
        }

        if (_items.TryGetValue(realmId, out var cached) && Fresh(cached))
        {
            return cached.Value;
        }

        var gate = _gates.GetOrAdd("items:" + realmId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_items.TryGetValue(realmId, out cached) && Fresh(cached))
            {
                return cached.Value;
            }

            var items = new Dictionary<string, Item>(StringComparer.OrdinalIgnoreCase);
            await foreach (var item in client.Items.ListAsync(realmId, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (item.Name is { } name && item.Active != false)
                {
                    items.TryAdd(Normalize(name), item);
                }
            }

            _items[realmId] = new Entry<Dictionary<string, Item>>(items, time.GetUtcNow());
            return items;
        }
        finally
        {
            gate.Release();
        }
    }

    private static string Normalize(string name) => string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed record Entry<T>(T Value, DateTimeOffset LoadedAt);
}
