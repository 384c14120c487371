using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Keeps the tokens of every connected QuickBooks company (realm) valid. Thread-safe; register it as a singleton.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Refreshes are single-flight per realm within the process: concurrent callers wait for one refresh.</item>
/// <item>The rotated refresh token is saved to the <see cref="ITokenStore"/> before the new access token is handed out.</item>
/// <item>
/// When Intuit answers <c>invalid_grant</c>, the realm is marked "reconnect required" in the store and every later call
/// throws <see cref="QuickBooksReconnectRequiredException"/> without contacting Intuit, until <see cref="ConnectAsync"/>
/// succeeds.
/// </item>
/// <item>Transient token endpoint failures are retried a few times and then surfaced; they never mark a reconnect.</item>
/// </list>
/// Several processes sharing one store are not coordinated beyond that: give the store a conditional write or a
/// distributed lock if several processes refresh the same realm.
/// </remarks>
public class QuickBooksTokenManager
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly QuickBooksOAuthClient _client = null!;
    private readonly ITokenStore _store = null!;
    private readonly Func<QuickBooksOAuthOptions> _options = null!;
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly ILogger _logger = NullLogger.Instance;

    /// <summary>Creates the manager.</summary>
    /// <param name="client">The OAuth client that talks to Intuit.</param>
    /// <param name="store">Where tokens are kept.</param>
    /// <param name="options">The OAuth settings (refresh skew, transient retries).</param>
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
    }

    /// <summary>Creates a manager for mocking.</summary>
    protected QuickBooksTokenManager()
    {
    }

    /// <summary>
    /// Connects a realm: exchanges the authorization code for tokens and saves them, replacing any previous set and
    /// clearing a "reconnect required" state.
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
            await _store.SaveAsync(realmId, tokens, cancellationToken).ConfigureAwait(false);
            AuthenticationLog.Connected(_logger, realmId, tokens.IntuitTid);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Gets a valid access token for a realm, refreshing it first when it expires within
    /// <see cref="QuickBooksOAuthOptions.AccessTokenRefreshSkew"/>.
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="QuickBooksReconnectRequiredException">The realm is not connected or must be reconnected.</exception>
    /// <exception cref="QuickBooksOAuthException">The refresh failed (for example transiently, after retries).</exception>
    public virtual async Task<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var tokens = EnsureUsable(realmId, await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false));
        if (!NeedsRefresh(tokens))
        {
            return tokens.AccessToken;
        }

        var gate = GetGate(realmId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited.
            tokens = EnsureUsable(realmId, await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false));
            if (!NeedsRefresh(tokens))
            {
                AuthenticationLog.AlreadyRefreshed(_logger, realmId);
                return tokens.AccessToken;
            }

            tokens = await RefreshUnderGateAsync(realmId, tokens, cancellationToken).ConfigureAwait(false);
            return tokens.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Called when QuickBooks rejected an access token with HTTP 401: refreshes the realm's tokens, unless the store
    /// no longer holds the rejected token (another caller already refreshed), and returns the current access token.
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="rejectedAccessToken">The access token QuickBooks rejected.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
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
        var tokens = EnsureUsable(realmId, await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false));
        if (!IsSame(tokens.AccessToken, rejectedAccessToken) && !NeedsRefresh(tokens))
        {
            AuthenticationLog.AlreadyRefreshed(_logger, realmId);
            return tokens.AccessToken;
        }

        var gate = GetGate(realmId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            tokens = EnsureUsable(realmId, await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false));
            if (!IsSame(tokens.AccessToken, rejectedAccessToken) && !NeedsRefresh(tokens))
            {
                AuthenticationLog.AlreadyRefreshed(_logger, realmId);
                return tokens.AccessToken;
            }

            tokens = await RefreshUnderGateAsync(realmId, tokens, cancellationToken).ConfigureAwait(false);
            return tokens.AccessToken;
        }
        finally
        {
            gate.Release();
        }
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
            var tokens = await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false);
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
        var tokens = await _store.GetAsync(realmId, cancellationToken).ConfigureAwait(false);
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

    private async Task<QuickBooksTokenSet> RefreshUnderGateAsync(string realmId, QuickBooksTokenSet current, CancellationToken cancellationToken)
    {
        var options = _options();
        AuthenticationLog.RefreshStarted(_logger, realmId);
        for (var attempt = 0; ; attempt++)
        {
            QuickBooksTokenSet refreshed;
            try
            {
                refreshed = await _client.RefreshAsync(current.RefreshToken, cancellationToken).ConfigureAwait(false);
            }
            catch (QuickBooksOAuthException ex) when (ex.ReconnectRequired)
            {
                var reason = ex.ErrorDescription is { Length: > 0 } description
                    ? $"{ex.Error}: {description}"
                    : ex.Error ?? QuickBooksOAuthException.InvalidGrant;
                await _store.SaveAsync(realmId, current.WithReconnectRequired(reason), cancellationToken).ConfigureAwait(false);
                AuthenticationLog.ReconnectRequired(_logger, realmId, reason, ex.IntuitTid);
                throw new QuickBooksReconnectRequiredException(realmId, QuickBooksConnectionStatus.ReconnectRequired, reason, ex);
            }
            catch (QuickBooksOAuthException ex) when (ex.IsTransient && attempt < options.TransientRetryCount)
            {
                var delay = options.TransientRetryDelay * Math.Pow(2, attempt);
                AuthenticationLog.RefreshRetrying(_logger, realmId, (int?)ex.StatusCode, ex.IntuitTid, attempt + 1, delay);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (QuickBooksOAuthException ex)
            {
                AuthenticationLog.RefreshFailed(_logger, realmId, (int?)ex.StatusCode, ex.Error, ex.IntuitTid, ex);
                throw;
            }

            // Persist the rotated refresh token before anyone gets the new access token.
            await _store.SaveAsync(realmId, refreshed, cancellationToken).ConfigureAwait(false);
            AuthenticationLog.RefreshSucceeded(_logger, realmId, refreshed.IntuitTid, refreshed.AccessTokenExpiresAt);
            return refreshed;
        }
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

    private bool NeedsRefresh(QuickBooksTokenSet tokens) =>
        _timeProvider.GetUtcNow() >= tokens.AccessTokenExpiresAt - _options().AccessTokenRefreshSkew;

    private static bool IsSame(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private SemaphoreSlim GetGate(string realmId) => _gates.GetOrAdd(realmId, static _ => new SemaphoreSlim(1, 1));
}
