using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace QbSync.AspNetCore.OAuth;

/// <summary>
/// Connect <c>state</c>s kept server-side in <see cref="IDistributedCache"/> (in memory unless the host registers a
/// shared cache, which several instances need): 256 random bits, stored under their SHA-256, bound to the firm and
/// user who started connecting, expiring after <see cref="QbSyncAspNetCoreOptions.OAuthStateLifetime"/>, and removed on
/// first use.
/// </summary>
internal sealed class OAuthStateStore(IDistributedCache cache, TimeProvider time, IOptions<QbSyncAspNetCoreOptions> options)
{
    private const string KeyPrefix = "qbsync:oauth-state:";

    // Keys taken by this process, so two callbacks racing in one process cannot both read before the removal.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _taken = new(StringComparer.Ordinal);

    public async Task<string> CreateAsync(SyncActor actor, string? returnUrl, CancellationToken cancellationToken)
    {
        var state = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var lifetime = options.Value.OAuthStateLifetime;
        var entry = new OAuthStateEntry(actor.FirmId, actor.UserId, returnUrl, time.GetUtcNow() + lifetime);
        await cache.SetAsync(
            Key(state),
            JsonSerializer.SerializeToUtf8Bytes(entry, QbSyncJsonContext.Default.OAuthStateEntry),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime + TimeSpan.FromMinutes(1) },
            cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>Takes a state: the entry when it exists and has not expired; it can never be taken again.</summary>
    public async Task<OAuthStateEntry?> TakeAsync(string? state, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 100)
        {
            return null;
        }

        var key = Key(state);
        var bytes = await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        await cache.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        Prune(now);
        OAuthStateEntry? entry;
        try
        {
            entry = JsonSerializer.Deserialize(bytes, QbSyncJsonContext.Default.OAuthStateEntry);
        }
        catch (JsonException)
        {
            return null;
        }

        if (entry is null || !_taken.TryAdd(key, entry.ExpiresAt) || entry.ExpiresAt <= now)
        {
            return null;
        }

        return entry;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var pair in _taken)
        {
            if (pair.Value <= now)
            {
                _taken.TryRemove(pair.Key, out _);
            }
        }
    }

    private static string Key(string state) =>
        KeyPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)));
}
