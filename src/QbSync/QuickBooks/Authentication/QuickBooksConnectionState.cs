namespace QbSync.QuickBooks.Authentication;

/// <summary>Whether a QuickBooks company (realm) can be called.</summary>
public enum QuickBooksConnectionStatus
{
    /// <summary>No tokens are stored for the realm.</summary>
    NotConnected = 0,

    /// <summary>Tokens are stored and were not rejected; calls can be made.</summary>
    Connected = 1,

    /// <summary>Intuit rejected the refresh token, or it expired: the user must connect the company again.</summary>
    ReconnectRequired = 2,
}

/// <summary>The connection state of one realm, as reported by <see cref="QuickBooksTokenManager.GetConnectionStateAsync"/>.</summary>
public sealed class QuickBooksConnectionState
{
    /// <summary>Creates a state.</summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="status">The status.</param>
    /// <param name="reason">Why the realm is not connected, if it is not.</param>
    /// <param name="refreshTokenExpiresAt">When the stored refresh token expires, if any is stored.</param>
    /// <param name="refreshTokenHardExpiresAt">The hard expiry of the connection, if known.</param>
    public QuickBooksConnectionState(
        string realmId,
        QuickBooksConnectionStatus status,
        string? reason,
        DateTimeOffset? refreshTokenExpiresAt,
        DateTimeOffset? refreshTokenHardExpiresAt)
    {
        RealmId = realmId;
        Status = status;
        Reason = reason;
        RefreshTokenExpiresAt = refreshTokenExpiresAt;
        RefreshTokenHardExpiresAt = refreshTokenHardExpiresAt;
    }

    /// <summary>Gets the realm id.</summary>
    public string RealmId { get; }

    /// <summary>Gets the status.</summary>
    public QuickBooksConnectionStatus Status { get; }

    /// <summary>Gets why the realm is not connected, or <see langword="null"/> when it is.</summary>
    public string? Reason { get; }

    /// <summary>Gets when the stored refresh token expires, if tokens are stored.</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; }

    /// <summary>Gets the hard expiry of the connection, if known.</summary>
    public DateTimeOffset? RefreshTokenHardExpiresAt { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{RealmId}: {Status}{(Reason is null ? string.Empty : " (" + Reason + ")")}";
}
