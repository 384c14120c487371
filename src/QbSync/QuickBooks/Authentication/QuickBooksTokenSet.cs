using System.Globalization;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// The OAuth 2.0 tokens of one connected QuickBooks company (realm), as kept by an <see cref="ITokenStore"/>.
/// Instances are immutable; <see cref="ToString"/> never includes a token.
/// </summary>
public sealed class QuickBooksTokenSet
{
    /// <summary>Gets the bearer access token sent to the QuickBooks Online API. Lives one hour.</summary>
    public required string AccessToken { get; init; }

    /// <summary>Gets when <see cref="AccessToken"/> expires.</summary>
    public required DateTimeOffset AccessTokenExpiresAt { get; init; }

    /// <summary>
    /// Gets the refresh token. It rotates: always keep the one from the most recent token response, the previous one
    /// stops working 24 hours later.
    /// </summary>
    public required string RefreshToken { get; init; }

    /// <summary>Gets when <see cref="RefreshToken"/> expires (rolling, about 100 days, extended by each refresh).</summary>
    public required DateTimeOffset RefreshTokenExpiresAt { get; init; }

    /// <summary>
    /// Gets the hard expiry of the connection (at most 5 years after the user connected), after which the user must
    /// reconnect whatever happens, or <see langword="null"/> when Intuit did not send it.
    /// </summary>
    public DateTimeOffset? RefreshTokenHardExpiresAt { get; init; }

    /// <summary>
    /// Gets a value indicating whether Intuit rejected the refresh token (<c>invalid_grant</c>): the user must
    /// connect the company again, and no refresh is attempted until then.
    /// </summary>
    public bool ReconnectRequired { get; init; }

    /// <summary>Gets why a reconnect is required, when <see cref="ReconnectRequired"/> is <see langword="true"/>.</summary>
    public string? ReconnectReason { get; init; }

    /// <summary>Gets the <c>intuit_tid</c> of the token response that issued these tokens, for Intuit support, if known.</summary>
    public string? IntuitTid { get; init; }

    /// <summary>
    /// Gets when <see cref="AccessToken"/> was issued, if known. With <see cref="AccessTokenExpiresAt"/> it gives the
    /// token's lifetime, which caps <see cref="QuickBooksOAuthOptions.AccessTokenRefreshSkew"/> at half of it.
    /// <see langword="null"/> for sets stored before it was recorded (a lifetime of one hour is assumed).
    /// </summary>
    public DateTimeOffset? AccessTokenIssuedAt { get; init; }

    /// <summary>
    /// Gets the version of the set in its <see cref="ITokenStore"/>: 0 for a set that was not read from a store,
    /// otherwise the number the store gave it when it was saved (it grows with every save of the realm). Pass it
    /// back to <see cref="ITokenStore.TrySaveAsync"/> to save only if nobody saved meanwhile.
    /// </summary>
    public long Version { get; init; }

    /// <summary>Describes the set with its expiry times but without any token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"QuickBooksTokenSet {{ AccessToken = (redacted), AccessTokenExpiresAt = {AccessTokenExpiresAt:O}, RefreshToken = (redacted), RefreshTokenExpiresAt = {RefreshTokenExpiresAt:O}, RefreshTokenHardExpiresAt = {RefreshTokenHardExpiresAt:O}, ReconnectRequired = {ReconnectRequired}, ReconnectReason = {ReconnectReason} }}");

    /// <summary>Returns a copy of the set with another <see cref="Version"/> (for stores).</summary>
    /// <param name="version">The version.</param>
    /// <returns>The copy.</returns>
    public QuickBooksTokenSet WithVersion(long version) => new()
    {
        AccessToken = AccessToken,
        AccessTokenExpiresAt = AccessTokenExpiresAt,
        AccessTokenIssuedAt = AccessTokenIssuedAt,
        RefreshToken = RefreshToken,
        RefreshTokenExpiresAt = RefreshTokenExpiresAt,
        RefreshTokenHardExpiresAt = RefreshTokenHardExpiresAt,
        IntuitTid = IntuitTid,
        ReconnectRequired = ReconnectRequired,
        ReconnectReason = ReconnectReason,
        Version = version,
    };

    internal QuickBooksTokenSet WithReconnectRequired(string reason) => new()
    {
        AccessTokenIssuedAt = AccessTokenIssuedAt,
        Version = Version,
        AccessToken = AccessToken,
        AccessTokenExpiresAt = AccessTokenExpiresAt,
        RefreshToken = RefreshToken,
        RefreshTokenExpiresAt = RefreshTokenExpiresAt,
        RefreshTokenHardExpiresAt = RefreshTokenHardExpiresAt,
        IntuitTid = IntuitTid,
        ReconnectRequired = true,
        ReconnectReason = reason,
    };
}
