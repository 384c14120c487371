namespace QbSync.QuickBooks;

/// <summary>
/// QuickBooks Online rejected the credentials: refresh the access token, or, when
/// <see cref="ReconnectRequired"/> is <see langword="true"/>, have the user connect the company again.
/// </summary>
/// <remarks>
/// Raised for HTTP 401, for <c>AuthenticationFault</c>/<c>AUTHENTICATION</c> faults (codes 100, 3200, 130) and for
/// authorization failures (HTTP 403 code 3100 <c>AuthorizationFailed</c>/<c>ApplicationAuthorizationFailed</c>, code 120),
/// the latter with <see cref="ReconnectRequired"/> set. An <c>AuthenticationFault</c> inside an HTTP 500 is also this
/// type; its <see cref="QuickBooksException.IsTransient"/> is then <see langword="true"/>, so refreshing and retrying once
/// is reasonable.
/// </remarks>
public class QuickBooksAuthenticationException : QuickBooksException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="reconnectRequired">
    /// <see langword="true"/> when refreshing the token cannot help (authorization revoked or insufficient, refresh token
    /// invalid): the user must connect the company again.
    /// </param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksAuthenticationException(QuickBooksFaultInfo info, bool reconnectRequired = false, Exception? innerException = null)
        : base(info, innerException)
    {
        ReconnectRequired = reconnectRequired;
    }

    /// <summary>
    /// Whether the user must connect the company again (a token refresh cannot fix this). <see langword="false"/> means
    /// refreshing the access token and retrying may succeed.
    /// </summary>
    public bool ReconnectRequired { get; }
}
