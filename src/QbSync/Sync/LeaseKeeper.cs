using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using QbSync.Stores;

namespace QbSync.Sync;

/// <summary>
/// Keeps the leases of one owner's work in flight: every third of <see cref="QbSyncOptions.LeaseDuration"/> it renews
/// (<see cref="IAccountStore.RenewLeasesAsync"/>) the lease of every tracked account, so that no other worker takes an
/// account while a call for it is still out. An account whose lease is gone (an unsync cleared it, another worker took
/// it over) has its work cancelled, so a worker that lost its lease never writes an outcome; when renewals keep
/// failing until the leases would end, all tracked work is cancelled.
/// </summary>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly IAccountStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private readonly string _firmId;
    private readonly ILogger _logger;
    private readonly CancellationToken _outer;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _tracked = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private DateTimeOffset _heldUntil;

    public LeaseKeeper(IAccountStore store, TimeProvider time, TimeSpan leaseDuration, string firmId, string ownerId, ILogger logger, CancellationToken outer)
    {
        _store = store;
        _time = time;
        _lease = leaseDuration;
        _firmId = firmId;
        OwnerId = ownerId;
        _logger = logger;
        _outer = outer;
        _heldUntil = time.GetUtcNow() + leaseDuration;
        // Runs synchronously up to its first timer, so the first renewal is scheduled before the constructor returns.
        _loop = RenewLoopAsync();
    }

    /// <summary>The lease owner this keeper renews for.</summary>
    public string OwnerId { get; }

    /// <summary>How often leases are renewed: a third of their duration.</summary>
    public static TimeSpan RenewalInterval(TimeSpan leaseDuration) => leaseDuration / 3;

    /// <summary>Starts keeping an account's lease; the token is cancelled when the lease is lost or the run stops.</summary>
    public CancellationToken Track(string accountId)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(_outer);
        if (_tracked.TryRemove(accountId, out var old))
        {
            old.Dispose();
        }

        _tracked[accountId] = source;
        return source.Token;
    }

    /// <summary>The token of a tracked account's work (the run's token when it is not tracked).</summary>
    public CancellationToken TokenOf(string accountId) => _tracked.TryGetValue(accountId, out var source) ? source.Token : _outer;

    /// <summary>Stops keeping an account's lease (its work has finished).</summary>
    public void Untrack(string accountId)
    {
        if (_tracked.TryRemove(accountId, out var source))
        {
            source.Dispose();
        }
    }

    /// <summary>Renews the leases of <paramref name="accountIds"/> now and returns the records still leased to this
    /// owner, as stored: what a batch re-checks immediately before it is sent.</summary>
    public async Task<IReadOnlyList<SyncAccountRecord>> RenewNowAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var renewed = await _store.RenewLeasesAsync(_firmId, OwnerId, accountIds, now + _lease, cancellationToken).ConfigureAwait(false);
        return renewed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var accountId in _tracked.Keys)
        {
            Untrack(accountId);
        }

        _stop.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var interval = RenewalInterval(_lease);
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(interval, _time, _stop.Token).ConfigureAwait(false);
            var ids = _tracked.Keys.ToList();
            if (ids.Count == 0)
            {
                continue;
            }

            var now = _time.GetUtcNow();
            try
            {
                var renewed = await _store.RenewLeasesAsync(_firmId, OwnerId, ids, now + _lease, _stop.Token).ConfigureAwait(false);
                _heldUntil = now + _lease;
                var held = renewed.Select(r => r.AccountId).ToHashSet(StringComparer.Ordinal);
                foreach (var lost in ids.Where(id => !held.Contains(id)))
                {
                    LogLeaseLost(_logger, _firmId, lost, OwnerId);
                    await CancelAsync(lost).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                LogRenewalFailed(_logger, _firmId, OwnerId, error);
                if (_time.GetUtcNow() + interval >= _heldUntil)
                {
                    // The leases may end before the next renewal: stop before another worker can take the accounts.
                    foreach (var id in ids)
                    {
                        await CancelAsync(id).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private async Task CancelAsync(string accountId)
    {
        if (_tracked.TryGetValue(accountId, out var source))
        {
            try
            {
                await source.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
    }

    [LoggerMessage(2210, LogLevel.Warning, "Lease on account {AccountId} of firm {FirmId} lost by {OwnerId}; its work stops without writing an outcome")]
    private static partial void LogLeaseLost(ILogger logger, string firmId, string accountId, string ownerId);

    [LoggerMessage(2211, LogLevel.Error, "Renewing the leases of {OwnerId} in firm {FirmId} failed")]
    private static partial void LogRenewalFailed(ILogger logger, string firmId, string ownerId, Exception error);
}
