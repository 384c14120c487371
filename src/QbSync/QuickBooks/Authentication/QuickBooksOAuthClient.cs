using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Talks to Intuit's OAuth 2.0 endpoints: builds the authorization URL, exchanges an authorization code, refreshes
/// and revokes tokens. Stateless; use <see cref="QuickBooksTokenManager"/> to keep tokens per realm.
/// </summary>
public class QuickBooksOAuthClient
{
    /// <summary>The name of the <see cref="HttpClient"/> this client gets from <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "QbSync.OAuth";

    /// <summary>Asks Intuit to include <c>x_refresh_token_hard_expires_in</c> in token responses.</summary>
    internal const string HardExpiryHeader = "x-include-refresh-token-hard-expires-in";

    /// <summary>Used when Intuit omits <c>expires_in</c>: access tokens live one hour.</summary>
    private const long DefaultAccessTokenLifetimeSeconds = 3600;

    /// <summary>Used when Intuit omits <c>x_refresh_token_expires_in</c>: refresh tokens roll over 100 days.</summary>
    private const long DefaultRefreshTokenLifetimeSeconds = 8_640_000;

    /// <summary>An access token lifetime is capped at one day (Intuit's is one hour).</summary>
    private const double MaxAccessTokenLifetimeSeconds = 86_400;

    /// <summary>Refresh token lifetimes are capped at ten years (Intuit's hard expiry is five).</summary>
    private const double MaxRefreshTokenLifetimeSeconds = 315_576_000;

    private readonly Func<HttpClient> _httpClient = null!;
    private readonly Func<QuickBooksOAuthOptions> _options = null!;
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Creates a client that gets its <see cref="HttpClient"/> named <see cref="HttpClientName"/> from the factory.</summary>
    /// <param name="httpClientFactory">The HTTP client factory.</param>
    /// <param name="options">The OAuth app settings.</param>
    /// <param name="timeProvider">The clock used to compute expiry times.</param>
    public QuickBooksOAuthClient(
        IHttpClientFactory httpClientFactory,
        IOptions<QuickBooksOAuthOptions> options,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = () => httpClientFactory.CreateClient(HttpClientName);
        _options = () => options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>Creates a client without dependency injection.</summary>
    /// <param name="httpClient">The HTTP client to send requests with; the caller owns it.</param>
    /// <param name="options">The OAuth app settings.</param>
    /// <param name="timeProvider">The clock used to compute expiry times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public QuickBooksOAuthClient(HttpClient httpClient, QuickBooksOAuthOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var result = new QuickBooksOAuthOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(QuickBooksOAuthOptions), result.Failures);
        }

        _httpClient = () => httpClient;
        _options = () => options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a client for mocking.</summary>
    protected QuickBooksOAuthClient()
    {
    }

    /// <summary>
    /// Builds the URL to send the user to so that they connect a QuickBooks company to the app. Intuit redirects back
    /// to <see cref="QuickBooksOAuthOptions.RedirectUri"/> with <c>code</c>, <c>state</c> and <c>realmId</c>.
    /// </summary>
    /// <param name="state">An unguessable value bound to the user's session, checked on the redirect (CSRF protection).</param>
    /// <param name="scopes">The scopes to request; <see cref="QuickBooksOAuthOptions.Scopes"/> when <see langword="null"/> or empty.</param>
    /// <returns>The authorization URL.</returns>
    public virtual Uri GetAuthorizationUrl(string state, IEnumerable<string>? scopes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        var options = _options();
        var redirectUri = RequireRedirectUri(options);
        var scopeList = scopes?.ToList() is { Count: > 0 } given ? given : options.EffectiveScopes;

        var query = new StringBuilder();
        Append(query, "response_type", "code");
        Append(query, "client_id", options.ClientId!);
        Append(query, "redirect_uri", redirectUri.AbsoluteUri);
        Append(query, "scope", string.Join(' ', scopeList));
        Append(query, "state", state);

        var builder = new UriBuilder(options.AuthorizationEndpoint);
        var existing = builder.Query.TrimStart('?');
        builder.Query = existing.Length == 0 ? query.ToString() : existing + "&" + query;
        return builder.Uri;

        static void Append(StringBuilder sb, string name, string value)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    /// <summary>Exchanges the authorization code Intuit sent to the redirect URI for tokens.</summary>
    /// <param name="code">The <c>code</c> query parameter of the redirect.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new tokens.</returns>
    /// <exception cref="QuickBooksOAuthException">The token endpoint refused the code or failed.</exception>
    public virtual Task<QuickBooksTokenSet> ExchangeCodeAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var redirectUri = RequireRedirectUri(_options());
        return SendTokenRequestAsync(
            [
                new("grant_type", "authorization_code"),
                new("code", code),
                new("redirect_uri", redirectUri.AbsoluteUri),
            ],
            cancellationToken);
    }

    /// <summary>
    /// Gets new tokens with a refresh token. The response carries a new refresh token (rotation): store it before using
    /// the new access token, the old one stops working 24 hours later.
    /// </summary>
    /// <param name="refreshToken">The most recent refresh token of the realm.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new tokens.</returns>
    /// <exception cref="QuickBooksOAuthException">The token endpoint refused the token (<c>invalid_grant</c>: reconnect) or failed.</exception>
    public virtual Task<QuickBooksTokenSet> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        return SendTokenRequestAsync(
            [
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
            ],
            cancellationToken);
    }

    /// <summary>Revokes a token. Revoking a refresh token disconnects the app from the company.</summary>
    /// <param name="token">The access or refresh token to revoke.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes once Intuit accepted the revocation.</returns>
    /// <exception cref="QuickBooksOAuthException">The revocation endpoint failed.</exception>
    public virtual async Task RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var options = _options();
        using var request = new HttpRequestMessage(HttpMethod.Post, options.RevocationEndpoint);
        AddCommonHeaders(request, options);
        var body = JsonSerializer.SerializeToUtf8Bytes(new OAuthRevokeRequest { Token = token }, OAuthJsonContext.Default.OAuthRevokeRequest);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await SendAsync(request, "revocation", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await CreateErrorAsync(response, "revocation", cancellationToken).ConfigureAwait(false);
        }
    }

    private static Uri RequireRedirectUri(QuickBooksOAuthOptions options) =>
        options.RedirectUri ?? throw new InvalidOperationException(
            $"{nameof(QuickBooksOAuthOptions)}.{nameof(QuickBooksOAuthOptions.RedirectUri)} must be set to build the authorization URL or exchange a code.");

    private async Task<QuickBooksTokenSet> SendTokenRequestAsync(
        KeyValuePair<string, string>[] form,
        CancellationToken cancellationToken)
    {
        var options = _options();
        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint);
        AddCommonHeaders(request, options);
        request.Headers.TryAddWithoutValidation(HardExpiryHeader, "true");
        request.Content = new FormUrlEncodedContent(form);

        using var response = await SendAsync(request, "token", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await CreateErrorAsync(response, "token", cancellationToken).ConfigureAwait(false);
        }

        var tid = GetIntuitTid(response);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        OAuthTokenResponse? body;
        try
        {
            body = JsonSerializer.Deserialize(WithoutBom(bytes), OAuthJsonContext.Default.OAuthTokenResponse);
        }
        catch (JsonException ex)
        {
            // An HTML page, an empty or truncated body, or a field of the wrong type: a glitch, not a verdict on the grant.
            throw new QuickBooksOAuthException(
                $"The QuickBooks token endpoint returned HTTP {(int)response.StatusCode} with a body that is not a JSON token response.",
                response.StatusCode, tid, ex, isTransient: true);
        }

        // A 200 can still carry an OAuth error (seen in other clients); never treat it as tokens.
        if (body is null || string.IsNullOrEmpty(body.AccessToken) || string.IsNullOrEmpty(body.RefreshToken))
        {
            var error = TryParseError(bytes);
            if (error?.Error is not null)
            {
                throw CreateError(response.StatusCode, error, tid, "token");
            }

            throw new QuickBooksOAuthException(
                $"The QuickBooks token endpoint returned HTTP {(int)response.StatusCode} without an access_token and a refresh_token.",
                response.StatusCode, tid, null, isTransient: true);
        }

        var now = _timeProvider.GetUtcNow();
        return new QuickBooksTokenSet
        {
            AccessToken = body.AccessToken,
            AccessTokenIssuedAt = now,
            AccessTokenExpiresAt = now + Lifetime(body.ExpiresIn, DefaultAccessTokenLifetimeSeconds, MaxAccessTokenLifetimeSeconds),
            RefreshToken = body.RefreshToken,
            RefreshTokenExpiresAt = now + Lifetime(body.RefreshTokenExpiresIn, DefaultRefreshTokenLifetimeSeconds, MaxRefreshTokenLifetimeSeconds),
            RefreshTokenHardExpiresAt = body.RefreshTokenHardExpiresIn is { } hard ? now + Lifetime(hard, MaxRefreshTokenLifetimeSeconds, MaxRefreshTokenLifetimeSeconds) : null,
            IntuitTid = tid,
        };
    }

    /// <summary>A lifetime in seconds, as any JSON number, bounded: missing or not a number gives the default, a
    /// negative value zero, a huge one the maximum (so that no value can overflow a date).</summary>
    internal static TimeSpan Lifetime(double? seconds, double defaultSeconds, double maxSeconds)
    {
        var value = seconds is { } s && !double.IsNaN(s) ? s : defaultSeconds;
        return TimeSpan.FromSeconds(Math.Clamp(value, 0, maxSeconds));
    }

    private static void AddCommonHeaders(HttpRequestMessage request, QuickBooksOAuthOptions options)
    {
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ClientId}:{options.ClientSecret}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await _httpClient().SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new QuickBooksOAuthException(
                $"The QuickBooks {endpoint} endpoint could not be reached: {ex.HttpRequestError}.", null, null, null, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QuickBooksOAuthException(
                $"The request to the QuickBooks {endpoint} endpoint timed out.", null, null, null, null, ex);
        }
    }

    private static async Task<QuickBooksOAuthException> CreateErrorAsync(
        HttpResponseMessage response,
        string endpoint,
        CancellationToken cancellationToken)
    {
        var tid = GetIntuitTid(response);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var error = TryParseError(bytes);
        if (error?.Error is null)
        {
            return new QuickBooksOAuthException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The QuickBooks {endpoint} endpoint returned HTTP {(int)response.StatusCode} ({response.StatusCode}) without an OAuth error body."),
                null, null, response.StatusCode, tid, null);
        }

        return CreateError(response.StatusCode, error, tid, endpoint);
    }

    private static QuickBooksOAuthException CreateError(HttpStatusCode status, OAuthErrorResponse error, string? tid, string endpoint)
    {
        var hint = error.Error switch
        {
            QuickBooksOAuthException.InvalidGrant => " The grant is invalid, expired or revoked: the user must connect the company again.",
            QuickBooksOAuthException.InvalidClient => " The client id or client secret is wrong: check QuickBooksOAuthOptions.",
            _ => string.Empty,
        };
        var description = string.IsNullOrEmpty(error.ErrorDescription) ? string.Empty : $" ({error.ErrorDescription})";
        return new QuickBooksOAuthException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The QuickBooks {endpoint} endpoint returned HTTP {(int)status} '{error.Error}'{description}.{hint}"),
            error.Error, error.ErrorDescription, status, tid, null);
    }

    private static OAuthErrorResponse? TryParseError(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(WithoutBom(bytes), OAuthJsonContext.Default.OAuthErrorResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ReadOnlySpan<byte> WithoutBom(byte[] bytes) =>
        bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes;

    private static string? GetIntuitTid(HttpResponseMessage response) =>
        response.Headers.TryGetValues("intuit_tid", out var values) ? values.FirstOrDefault() : null;
}
