namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// The realm has no usable tokens: it was never connected (<see cref="Status"/> is
/// <see cref="QuickBooksConnectionStatus.NotConnected"/>) or Intuit rejected its refresh token
/// (<see cref="QuickBooksConnectionStatus.ReconnectRequired"/>). Send the user through the authorization URL again and
/// call <see cref="QuickBooksTokenManager.ConnectAsync"/>. Until then no request is made to Intuit for this realm.
/// </summary>
public class QuickBooksReconnectRequiredException : QuickBooksOAuthException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="realmId">The realm that must be connected again.</param>
    /// <param name="status">Why: never connected, or reconnect required.</param>
    /// <param name="reason">A reason safe to show and log, if known.</param>
    /// <param name="innerException">The token endpoint failure that caused it, if any.</param>
    public QuickBooksReconnectRequiredException(
        string realmId,
        QuickBooksConnectionStatus status,
        string? reason,
        QuickBooksOAuthException? innerException = null)
        : base(BuildMessage(realmId, status, reason), reconnectRequired: true, innerException)
    {
        RealmId = realmId;
        Status = status;
        Reason = reason;
    }

    /// <summary>Gets the realm that must be connected again.</summary>
    public string RealmId { get; }

    /// <summary>Gets whether the realm was never connected or must be reconnected.</summary>
    public QuickBooksConnectionStatus Status { get; }

    /// <summary>Gets why the realm must be connected again, if known.</summary>
    public string? Reason { get; }

    private static string BuildMessage(string realmId, QuickBooksConnectionStatus status, string? reason) =>
        status == QuickBooksConnectionStatus.NotConnected
            ? $"QuickBooks company (realm) '{realmId}' is not connected: no tokens are stored for it. Send the user through the authorization URL and call ConnectAsync."
            : $"QuickBooks company (realm) '{realmId}' must be reconnected: {reason ?? "its refresh token was rejected"}. Send the user through the authorization URL and call ConnectAsync.";
}
