namespace QbSync.QuickBooks.Http;

/// <summary>
/// Gives each request to QuickBooks Online a permit for its realm before it leaves, so that the realm stays inside
/// QBO's limits (requests in flight, requests per minute, batch requests per minute). The client's HTTP pipeline asks
/// for one permit per attempt and disposes it once the response body is in.
/// </summary>
/// <remarks>
/// The default keeps the limits in this process only. When several processes share one QBO company, register an
/// <see cref="IRealmRequestBudgetStore"/> (the SQL stores offer one) so that all of them together stay inside the
/// limits, or replace this interface altogether. Implementations must be thread-safe and wait (not fail) while the
/// realm is at its limits.
/// </remarks>
public interface IRealmRequestThrottle
{
    /// <summary>Waits until a request to the realm may be sent.</summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="kind">The kind of request (batch requests have their own limit).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The permit; dispose it when the response is in.</returns>
    ValueTask<IAsyncDisposable> AcquireAsync(string realmId, QuickBooksRequestKind kind, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many more batch requests to the realm would go out now without waiting for the batch limit (QBO: 40 batch
    /// requests a minute, against 500 requests), those already queued counted off. While the sync engine has as many
    /// batches about to be sent, it sends single creates instead, spending the request budget the batch limit leaves
    /// unused. A hint, not a reservation: a batch sent anyway waits its turn.
    /// </summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <returns><see cref="int.MaxValue"/> by default (a throttle that cannot tell).</returns>
    int BatchRequestsAvailableNow(string realmId) => int.MaxValue;
}

/// <summary>
/// A per-realm request budget kept in a store that several processes share, so that together they stay inside QBO's
/// per-realm limits. The client takes a permit from the in-process throttle first and then from this store, polling
/// while the store says to wait.
/// </summary>
/// <remarks>
/// A permit counts against the in-flight limit from <see cref="TryAcquireAsync"/> until <see cref="ReleaseAsync"/>
/// (or until <see cref="RealmRequestLimits.InFlightLease"/> passes, for a process that died holding it), and against
/// the window limits from its acquisition until one <see cref="RealmRequestLimits.Window"/> after its release, so
/// that a request is never counted for less time than QBO counts it.
/// </remarks>
public interface IRealmRequestBudgetStore
{
    /// <summary>Takes a permit if the realm has room for it, atomically with respect to every other process.</summary>
    /// <param name="permit">The permit to record.</param>
    /// <param name="limits">The limits to respect.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="null"/> when the permit was taken; otherwise how long to wait before trying again.</returns>
    ValueTask<TimeSpan?> TryAcquireAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Gives back a permit taken by <see cref="TryAcquireAsync"/>: it leaves the in-flight count, and keeps
    /// counting against the window limits until one window from now.</summary>
    /// <param name="permit">The permit.</param>
    /// <param name="limits">The limits it was taken under.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes once the permit is released.</returns>
    ValueTask ReleaseAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default);
}

/// <summary>One request's permit in a shared per-realm budget.</summary>
/// <param name="Id">A unique id.</param>
/// <param name="RealmId">The realm id (QuickBooks company id).</param>
/// <param name="Kind">The kind of request.</param>
public sealed record RealmRequestPermit(Guid Id, string RealmId, QuickBooksRequestKind Kind);

/// <summary>The per-realm limits a shared budget enforces.</summary>
/// <param name="MaxInFlight">Requests in flight at once.</param>
/// <param name="RequestsPerWindow">Requests per window, batch requests included.</param>
/// <param name="BatchRequestsPerWindow">Batch requests per window.</param>
/// <param name="Window">The sliding window.</param>
/// <param name="InFlightLease">How long an unreleased permit counts as in flight (a process that dies holding permits
/// gives them back after this time).</param>
public sealed record RealmRequestLimits(int MaxInFlight, int RequestsPerWindow, int BatchRequestsPerWindow, TimeSpan Window, TimeSpan InFlightLease);
