using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Keeps the tokens of every connected QuickBooks company (realm) valid. Thread-safe; register it as a singleton.
/// Several processes may share one <see cref="ITokenStore"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Refreshes are single-flight per realm within the process, and across processes when the store offers
/// <see cref="ITokenRefreshLock"/>. A refresh runs under the manager's own timeouts: a caller that is cancelled only
/// stops waiting, the refresh and the save of the rotated refresh token go on.</item>
/// <item>The rotated set is saved with <see cref="ITokenStore.TrySaveAsync"/> against the version that was refreshed,
/// before the new access token is handed out. When another process saved first, its set is adopted. A failing save
/// is retried for <see cref="QuickBooksOAuthOptions.TokenSaveTimeout"/>; the set stays in memory (and is used) until
/// it is stored, and a critical error is logged if it could not be.</item>
/// <item>
/// When Intuit answers <c>invalid_grant</c>, the store is read again first: if another process rotated the token
/// meanwhile, its set is used. Only when the store still holds the rejected refresh token is the realm marked
/// "reconnect required"; every later call then throws <see cref="QuickBooksReconnectRequiredException"/> without
/// contacting Intuit, until <see cref="ConnectAsync"/> succeeds.
/// </item>
/// <item>Every other token endpoint failure (5xx, 429, timeouts, network errors, a 200 whose body is not a token
/// response) is transient: retried through a Polly pipeline, then surfaced; it never marks a reconnect.</item>
/// <item>An access token is refreshed <see cref="QuickBooksOAuthOptions.AccessTokenRefreshSkew"/> before it expires,
/// capped at half its lifetime.</item>
/// </list>
/// </remarks>
public class QuickBooksTokenManager
{
    private const int MaxAdoptions = 3;
    private static readonly ResiliencePropertyKey<string> RealmKey = new("qbsync.realm");
    private static readonly TimeSpan UnsavedRetryInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxSaveRetryDelay = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<QuickBooksTokenSet>> _inflight = new(StringComparer.Ordinal);
    private readonly Lock _inflightLock = new();
    private readonly ConcurrentDictionary<string, UnsavedTokens> _unsaved = new(StringComparer.Ordinal);
    private readonly QuickBooksOAuthClient _client = null!;
    private readonly ITokenStore _store = null!;
    private readonly Func<QuickBooksOAuthOptions> _options = null!;
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly Lazy<ResiliencePipeline> _pipeline = null!;

    /// <summary>QbSync's instruments (token refreshes by outcome); set by the registration.</summary>
    internal Diagnostics.QbSyncMetrics? Metrics { get; init; }

    /// <summary>Creates the manager.</summary>
    /// <param name="client">The OAuth client that talks to Intuit.</param>
    /// <param name="store">Where tokens are kept.</param>
    /// <param name="options">The OAuth settings (refresh skew, transient retries, timeouts).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger; nothing is logged when <see langword="null"/>.</param>
    public QuickBooksTokenManager(
        QuickBooksOAuthClient client,
        ITokenStore store,
        IOptions<QuickBooksOAuthOptions> options,
        TimeProvider timeProvider,
        ILogger<QuickBooksTokenManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _store = store;
        _options = () => options.Value;
        _timeProvider = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _pipeline = new Lazy<ResiliencePipeline>(BuildPipeline);
    }

    /// <summary>Creates a manager for mocking.</summary>
    protected QuickBooksTokenManager()
    {
    }

    /// <summary>
    /// Connects a realm: exchanges the authorization code for tokens and saves them, replacing any previous set and
    /// clearing a "reconnect required" state. The save runs under the manager's own timeout.
    /// </summary>
    /// <param name="realmId">The <c>realmId</c> query parameter of the redirect.</param>
    /// <param name="authorizationCode">The <c>code</c> query parameter of the redirect.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes once the tokens are stored.</returns>
    /// <exception cref="QuickBooksOAuthException">Intuit refused the code or failed.</exception>
    public virtual async Task ConnectAsync(string realmId, string authorizationCode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(authorizationCode);
        var gate = GetGate(realmId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tokens = await _client.ExchangeCodeAsync(authorizationCode, cancellationToken).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(_options().TokenSaveTimeout, _timeProvider);
            await _store.SaveAsync(realmId, tokens, timeout.Token).ConfigureAwait(false);
            _unsaved.TryRemove(realmId, out _);
            AuthenticationLog.Connected(_logger, realmId, tokens.IntuitTid);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Gets a valid access token for a realm, refreshing it first when it expires within
    /// <see cref="QuickBooksOAuthOptions.AccessTokenRefreshSkew"/> (at most half its lifetime).
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh under way goes on and is stored.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="QuickBooksReconnectRequiredException">The realm is not connected or must be reconnected.</exception>
    /// <exception cref="QuickBooksOAuthException">The refresh failed (for example transiently, after retries).</exception>
    public virtual async Task<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var tokens = EnsureUsable(realmId, await ReadAsync(realmId, cancellationToken).ConfigureAwait(false));
        if (!NeedsRefresh(tokens))
        {
            return tokens.AccessToken;
        }

        var refreshed = await StartRefresh(realmId, rejectedAccessToken: null).WaitAsync(cancellationToken).ConfigureAwait(false);
        return refreshed.AccessToken;
    }

    /// <summary>
    /// Called when QuickBooks rejected an access token with HTTP 401: refreshes the realm's tokens, unless the store
    /// no longer holds the rejected token (another caller already refreshed), and returns the current access token.
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="rejectedAccessToken">The access token QuickBooks rejected.</param>
    /// <param name="cancellationToken">Stops waiting; a refresh under way goes on and is stored.</param>
    /// <returns>The access token to retry with.</returns>
    /// <exception cref="QuickBooksReconnectRequiredException">The realm is not connected or must be reconnected.</exception>
    /// <exception cref="QuickBooksOAuthException">The refresh failed.</exception>
    public virtual async Task<string> RefreshAfterRejectionAsync(
        string realmId,
        string rejectedAccessToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(rejectedAccessToken);
        var tokens = EnsureUsable(realmId, await ReadAsync(realmId, cancellationToken).ConfigureAwait(false));
        if (IsStillFresh(tokens, rejectedAccessToken))
        {
            AuthenticationLog.AlreadyRefreshed(_logger, realmId);
            return tokens.AccessToken;
        }

        var refreshed = await StartRefresh(realmId, rejectedAccessToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        return refreshed.AccessToken;
    }

    /// <summary>
    /// Disconnects a realm: revokes its refresh token (best effort: a failure is logged, not thrown) and deletes its
    /// tokens from the store.
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes once the tokens are deleted.</returns>
    public virtual async Task DisconnectAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var gate = GetGate(realmId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tokens = await ReadAsync(realmId, cancellationToken).ConfigureAwait(false);
            if (tokens is not null)
            {
                try
                {
                    await _client.RevokeAsync(tokens.RefreshToken, cancellationToken).ConfigureAwait(false);
                }
                catch (QuickBooksOAuthException ex)
                {
                    AuthenticationLog.RevokeFailed(_logger, realmId, (int?)ex.StatusCode, ex.IntuitTid, ex);
                }
            }

            await _store.DeleteAsync(realmId, cancellationToken).ConfigureAwait(false);
            _unsaved.TryRemove(realmId, out _);
            AuthenticationLog.Disconnected(_logger, realmId);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reports whether a realm is connected, without contacting Intuit.</summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The connection state.</returns>
    public virtual async Task<QuickBooksConnectionState> GetConnectionStateAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var tokens = await ReadAsync(realmId, cancellationToken).ConfigureAwait(false);
        if (tokens is null)
        {
            return new QuickBooksConnectionState(realmId, QuickBooksConnectionStatus.NotConnected, "No tokens are stored for this realm.", null, null);
        }

        var now = _timeProvider.GetUtcNow();
        var (status, reason) = tokens switch
        {
            { ReconnectRequired: true } => (QuickBooksConnectionStatus.ReconnectRequired, tokens.ReconnectReason ?? "Intuit rejected the refresh token."),
            _ when tokens.RefreshTokenHardExpiresAt <= now => (QuickBooksConnectionStatus.ReconnectRequired, "The connection reached its hard expiry."),
            _ when tokens.RefreshTokenExpiresAt <= now => (QuickBooksConnectionStatus.ReconnectRequired, "The refresh token expired."),
            _ => (QuickBooksConnectionStatus.Connected, (string?)null),
        };
        return new QuickBooksConnectionState(realmId, status, reason, tokens.RefreshTokenExpiresAt, tokens.RefreshTokenHardExpiresAt);
    }

    // One refresh per realm in flight in this process; it runs detached from every caller's cancellation token.
    private Task<QuickBooksTokenSet> StartRefresh(string realmId, string? rejectedAccessToken)
    {
        lock (_inflightLock)
        {
            if (_inflight.TryGetValue(realmId, out var running))
            {
                return running;
            }

            var task = Task.Run(() => RefreshCoreAsync(realmId, rejectedAccessToken), CancellationToken.None);
            _inflight[realmId] = task;
            _ = task.ContinueWith(
                done =>
                {
                    lock (_inflightLock)
                    {
                        if (_inflight.TryGetValue(realmId, out var current) && current == done)
                        {
                            _inflight.Remove(realmId);
                        }
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return task;
        }
    }

    private async Task<QuickBooksTokenSet> RefreshCoreAsync(string realmId, string? rejectedAccessToken)
    {
        var options = _options();
        var gate = GetGate(realmId);
        await gate.WaitAsync().ConfigureAwait(false);
        IAsyncDisposable? crossProcessLock = null;
        try
        {
            if (_store is ITokenRefreshLock refreshLock)
            {
                using var wait = new CancellationTokenSource(options.RefreshLockLease, _timeProvider);
                try
                {
                    crossProcessLock = await refreshLock.AcquireRefreshLockAsync(realmId, options.RefreshLockLease, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (wait.IsCancellationRequested)
                {
                    // The compare-and-swap below still keeps the newest tokens.
                    AuthenticationLog.RefreshLockTimedOut(_logger, realmId, options.RefreshLockLease);
                }
            }

            // Another caller, here or in another process, may have refreshed while this one waited.
            var current = EnsureUsable(realmId, await ReadAsync(realmId, CancellationToken.None).ConfigureAwait(false));
            if (IsStillFresh(current, rejectedAccessToken))
            {
                AuthenticationLog.AlreadyRefreshed(_logger, realmId);
                return current;
            }

            return await RefreshFromAsync(realmId, current).ConfigureAwait(false);
        }
        finally
        {
            if (crossProcessLock is not null)
            {
                try
                {
                    await crossProcessLock.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The lease frees it anyway.
                    AuthenticationLog.RefreshLockReleaseFailed(_logger, realmId, ex);
                }
            }

            gate.Release();
        }
    }

    private async Task<QuickBooksTokenSet> RefreshFromAsync(string realmId, QuickBooksTokenSet current)
    {
        AuthenticationLog.RefreshStarted(_logger, realmId);
        for (var adoptions = 0; ; adoptions++)
        {
            QuickBooksTokenSet refreshed;
            try
            {
                var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
                context.Properties.Set(RealmKey, realmId);
                try
                {
                    refreshed = await _pipeline.Value.ExecuteAsync(
                        static async (ctx, state) => await state.Client.RefreshAsync(state.RefreshToken, ctx.CancellationToken).ConfigureAwait(false),
                        context,
                        (Client: _client, current.RefreshToken)).ConfigureAwait(false);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
            catch (QuickBooksOAuthException ex) when (ex.ReconnectRequired)
            {
                // Another process may have rotated the token: its set is in the store.
                var latest = await _store.GetAsync(realmId, CancellationToken.None).ConfigureAwait(false);
                var usable = EnsureUsable(realmId, latest);
                if (!IsSame(usable.RefreshToken, current.RefreshToken) && adoptions < MaxAdoptions)
                {
                    AuthenticationLog.AdoptedRotatedToken(_logger, realmId);
                    Metrics?.TokenRefreshed("adopted");
                    if (!NeedsRefresh(usable))
                    {
                        return usable;
                    }

                    current = usable;
                    continue;
                }

                var reason = ex.ErrorDescription is { Length: > 0 } description
                    ? $"{ex.Error}: {description}"
                    : ex.Error ?? QuickBooksOAuthException.InvalidGrant;
                var marked = await _store.TrySaveAsync(realmId, usable.WithReconnectRequired(reason), usable.Version, CancellationToken.None).ConfigureAwait(false);
                if (marked is null && adoptions < MaxAdoptions)
                {
                    // Someone saved meanwhile: look again.
                    current = EnsureUsable(realmId, await _store.GetAsync(realmId, CancellationToken.None).ConfigureAwait(false));
                    if (!NeedsRefresh(current))
                    {
                        return current;
                    }

                    continue;
                }

                AuthenticationLog.ReconnectRequired(_logger, realmId, reason, ex.IntuitTid);
                Metrics?.TokenRefreshed("reconnect_required");
                throw new QuickBooksReconnectRequiredException(realmId, QuickBooksConnectionStatus.ReconnectRequired, reason, ex);
            }
            catch (QuickBooksOAuthException ex)
            {
                AuthenticationLog.RefreshFailed(_logger, realmId, (int?)ex.StatusCode, ex.Error, ex.IntuitTid, ex);
                Metrics?.TokenRefreshed("failed");
                throw;
            }
            catch (TimeoutRejectedException ex)
            {
                var timeout = new QuickBooksOAuthException(
                    "The request to the QuickBooks token endpoint timed out.", null, null, ex, isTransient: true);
                AuthenticationLog.RefreshFailed(_logger, realmId, null, null, null, timeout);
                Metrics?.TokenRefreshed("timeout");
                throw timeout;
            }

            AuthenticationLog.RefreshSucceeded(_logger, realmId, refreshed.IntuitTid, refreshed.AccessTokenExpiresAt);
            Metrics?.TokenRefreshed("success");

            // Persist the rotated refresh token before anyone gets the new access token.
            return await PersistRotatedAsync(realmId, refreshed, current.Version).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves a rotated set by compare-and-swap under the manager's own timeout, retrying store failures. Returns the
    /// stored set, the set another process stored first (adopted), or, if the store kept failing, the set itself,
    /// kept in memory and stored again at the next use of the realm.
    /// </summary>
    private async Task<QuickBooksTokenSet> PersistRotatedAsync(string realmId, QuickBooksTokenSet refreshed, long expectedVersion)
    {
        var options = _options();

        // Until stored, the set carries the version it replaces, so a refresh from it (or a late save) compares with that.
        var pending = Remember(realmId, refreshed, expectedVersion);
        using var timeout = new CancellationTokenSource(options.TokenSaveTimeout, _timeProvider);
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var saved = await _store.TrySaveAsync(realmId, refreshed, expectedVersion, timeout.Token).ConfigureAwait(false);
                if (saved is not null)
                {
                    ForgetUnsaved(realmId, pending);
                    return saved;
                }

                var latest = await _store.GetAsync(realmId, timeout.Token).ConfigureAwait(false);
                if (latest is null)
                {
                    // Disconnected meanwhile: these tokens belong to nobody now.
                    ForgetUnsaved(realmId, pending);
                    throw new QuickBooksReconnectRequiredException(realmId, QuickBooksConnectionStatus.NotConnected, "No tokens are stored for this realm.");
                }

                if (latest.ReconnectRequired)
                {
                    // Marked by a process that was refused an older token; these tokens are valid: store them.
                    ForgetUnsaved(realmId, pending);
                    expectedVersion = latest.Version;
                    pending = Remember(realmId, refreshed, expectedVersion);
                    continue;
                }

                // Another process stored its rotation first; its set wins and is used here too.
                ForgetUnsaved(realmId, pending);
                AuthenticationLog.LostSaveRace(_logger, realmId);
                return latest;
            }
            catch (Exception ex) when (ex is not QuickBooksOAuthException && !timeout.IsCancellationRequested)
            {
                AuthenticationLog.TokenSaveFailed(_logger, realmId, attempt, ex);
                try
                {
                    await Task.Delay(delay, _timeProvider, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = delay * 2 > MaxSaveRetryDelay ? MaxSaveRetryDelay : delay * 2;
            }
            catch (Exception ex) when (ex is not QuickBooksOAuthException)
            {
                AuthenticationLog.TokenSaveFailed(_logger, realmId, attempt, ex);
                break;
            }
        }

        AuthenticationLog.TokensNotStored(_logger, realmId, options.TokenSaveTimeout);
        return pending;
    }

    private QuickBooksTokenSet Remember(string realmId, QuickBooksTokenSet refreshed, long expectedVersion)
    {
        var pending = refreshed.WithVersion(expectedVersion);
        _unsaved[realmId] = new UnsavedTokens(pending, expectedVersion, _timeProvider.GetUtcNow() + UnsavedRetryInterval);
        return pending;
    }

    /// <summary>Reads the realm's tokens, preferring a rotated set not stored yet (and trying to store it).</summary>
    private async ValueTask<QuickBooksTokenSet?> ReadAsync(string realmId, CancellationToken cancellationToken)
    {
        if (_unsaved.TryGetValue(realmId, out var pending))
        {
            var now = _timeProvider.GetUtcNow();
            if (now < pending.NextAttemptAt)
            {
                return pending.Tokens;
            }

            _unsaved.TryUpdate(realmId, pending with { NextAttemptAt = now + UnsavedRetryInterval }, pending);
            try
            {
                // Safe under the caller's token: the set stays in memory until it is stored.
                var saved = await _store.TrySaveAsync(realmId, pending.Tokens, pending.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                ForgetUnsaved(realmId, pending.Tokens);
                if (saved is not null)
                {
                    AuthenticationLog.TokensStoredLate(_logger, realmId);
                    return saved;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AuthenticationLog.TokenSaveFailed(_logger, realmId, 0, ex);
                return pending.Tokens;
            }
        }

        return await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false);
    }

    private void ForgetUnsaved(string realmId, QuickBooksTokenSet tokens)
    {
        if (_unsaved.TryGetValue(realmId, out var pending) && ReferenceEquals(pending.Tokens, tokens))
        {
            _unsaved.TryRemove(new KeyValuePair<string, UnsavedTokens>(realmId, pending));
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var options = _options();
        var retries = options.TransientRetryCount;
        return new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = "token-retry",
                MaxRetryAttempts = Math.Max(1, retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = options.TransientRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(retries > 0 && args.Outcome.Exception is
                    QuickBooksOAuthException { IsTransient: true, ReconnectRequired: false } or TimeoutRejectedException),
                OnRetry = args =>
                {
                    var error = args.Outcome.Exception as QuickBooksOAuthException;
                    AuthenticationLog.RefreshRetrying(_logger, args.Context.Properties.GetValue(RealmKey, "?"), (int?)error?.StatusCode, error?.IntuitTid, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = "token-attempt", Timeout = options.TokenRequestTimeout })
            .Build();
    }

    private static QuickBooksTokenSet EnsureUsable(string realmId, QuickBooksTokenSet? tokens)
    {
        if (tokens is null)
        {
            throw new QuickBooksReconnectRequiredException(realmId, QuickBooksConnectionStatus.NotConnected, "No tokens are stored for this realm.");
        }

        if (tokens.ReconnectRequired)
        {
            throw new QuickBooksReconnectRequiredException(realmId, QuickBooksConnectionStatus.ReconnectRequired, tokens.ReconnectReason);
        }

        return tokens;
    }

    private bool IsStillFresh(QuickBooksTokenSet tokens, string? rejectedAccessToken) =>
        !NeedsRefresh(tokens) && (rejectedAccessToken is null || !IsSame(tokens.AccessToken, rejectedAccessToken));

    // The skew is capped at half the token's lifetime: a 20-second token is refreshed 10 seconds before its expiry,
    // not before every request.
    private bool NeedsRefresh(QuickBooksTokenSet tokens)
    {
        var lifetime = tokens.AccessTokenIssuedAt is { } issued ? tokens.AccessTokenExpiresAt - issued : TimeSpan.FromHours(1);
        var cap = lifetime > TimeSpan.Zero ? lifetime / 2 : TimeSpan.Zero;
        var skew = _options().AccessTokenRefreshSkew;
        return _timeProvider.GetUtcNow() >= tokens.AccessTokenExpiresAt - (skew < cap ? skew : cap);
    }

    private static bool IsSame(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private SemaphoreSlim GetGate(string realmId) => _gates.GetOrAdd(realmId, static _ => new SemaphoreSlim(1, 1));

    private sealed record UnsavedTokens(QuickBooksTokenSet Tokens, long ExpectedVersion, DateTimeOffset NextAttemptAt);
}
