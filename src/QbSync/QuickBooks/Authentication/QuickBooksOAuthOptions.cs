using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace QbSync.QuickBooks.Authentication;

/// <summary>Settings of the Intuit OAuth 2.0 app used to connect QuickBooks Online companies.</summary>
/// <remarks><see cref="ToString"/> never includes <see cref="ClientSecret"/>.</remarks>
public sealed class QuickBooksOAuthOptions
{
    /// <summary>The scope that grants access to the QuickBooks Online Accounting API.</summary>
    public const string AccountingScope = "com.intuit.quickbooks.accounting";

    /// <summary>Gets or sets the client id of the Intuit app (Keys &amp; credentials page).</summary>
    /// <value>The default is <see langword="null"/>; a value is required.</value>
    [Required]
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the client secret of the Intuit app. Never logged and never part of <see cref="ToString"/>.</summary>
    /// <value>The default is <see langword="null"/>; a value is required.</value>
    [Required]
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Gets or sets the redirect URI registered for the app. Needed by the authorization URL and the code exchange,
    /// not by refreshes.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Uri? RedirectUri { get; set; }

    /// <summary>
    /// Gets the scopes requested by <see cref="QuickBooksOAuthClient.GetAuthorizationUrl"/> when the caller passes none.
    /// When empty, <see cref="AccountingScope"/> (<c>com.intuit.quickbooks.accounting</c>) is requested.
    /// </summary>
    /// <value>
    /// The default is an empty list, meaning <c>com.intuit.quickbooks.accounting</c>. (The list starts empty because
    /// configuration binding appends to, rather than replaces, a pre-filled list.)
    /// </value>
    public IList<string> Scopes { get; } = new List<string>();

    /// <summary>Gets or sets Intuit's authorization endpoint, to which the user is sent to connect a company.</summary>
    /// <value>The default is <c>https://appcenter.intuit.com/connect/oauth2</c>.</value>
    [Required]
    public Uri AuthorizationEndpoint { get; set; } = new("https://appcenter.intuit.com/connect/oauth2");

    /// <summary>Gets or sets Intuit's token endpoint (code exchange and refresh).</summary>
    /// <value>The default is <c>https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer</c>.</value>
    [Required]
    public Uri TokenEndpoint { get; set; } = new("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer");

    /// <summary>Gets or sets Intuit's token revocation endpoint.</summary>
    /// <value>The default is <c>https://developer.api.intuit.com/v2/oauth2/tokens/revoke</c>.</value>
    [Required]
    public Uri RevocationEndpoint { get; set; } = new("https://developer.api.intuit.com/v2/oauth2/tokens/revoke");

    /// <summary>
    /// Gets or sets how long before its expiry an access token is refreshed, so that a token never expires in flight.
    /// Must be at least zero and less than 30 minutes (access tokens live one hour). It is capped at half the token's
    /// lifetime, so that a short-lived token is not refreshed before every request.
    /// </summary>
    /// <value>The default is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:29:59")]
    public TimeSpan AccessTokenRefreshSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many times a token refresh that failed transiently (HTTP 408, 429, 5xx, network error,
    /// timeout, a success status with a body that is not a token response) is retried, through a Polly resilience
    /// pipeline, before the failure is surfaced. Only <c>invalid_grant</c> means "reconnect required".
    /// </summary>
    /// <value>The default is 2.</value>
    [Range(0, 5)]
    public int TransientRetryCount { get; set; } = 2;

    /// <summary>
    /// Gets or sets the delay before the first retry of a transiently failed token request; it doubles for each
    /// further retry.
    /// </summary>
    /// <value>The default is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TransientRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long one request to the token endpoint may take before it is abandoned and retried as a
    /// transient failure.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long the token manager keeps trying to store a rotated token set (retrying store failures)
    /// before it gives up and logs a critical error. It runs under this timeout, not under the caller's cancellation
    /// token, so that a cancelled caller never loses Intuit's only valid refresh token; the set stays in memory and
    /// is stored again at the next use of the realm.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TokenSaveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the lease of the cross-process refresh lock (when the token store offers one,
    /// <see cref="ITokenRefreshLock"/>): a process that dies while refreshing blocks the realm's refreshes at most this
    /// long.
    /// </summary>
    /// <value>The default is 2 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan RefreshLockLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Describes the options without the client secret.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"QuickBooksOAuthOptions {{ ClientId = {ClientId}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(not set)" : "(redacted)")}, RedirectUri = {RedirectUri}, TokenEndpoint = {TokenEndpoint} }}");

    internal IReadOnlyList<string> EffectiveScopes => Scopes.Count == 0 ? [AccountingScope] : [.. Scopes];
}
