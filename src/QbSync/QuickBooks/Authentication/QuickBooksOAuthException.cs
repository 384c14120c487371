using System.Net;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// A request to Intuit's OAuth 2.0 token or revocation endpoint failed. The message never contains a token or the
/// client secret.
/// </summary>
public class QuickBooksOAuthException : Exception
{
    /// <summary>The OAuth error code Intuit returns when the refresh token or authorization code is invalid, expired or revoked.</summary>
    public const string InvalidGrant = "invalid_grant";

    /// <summary>The OAuth error code Intuit returns when the client id or secret is wrong.</summary>
    public const string InvalidClient = "invalid_client";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message; must not contain a token or secret.</param>
    public QuickBooksOAuthException(string message)
        : this(message, error: null, errorDescription: null, statusCode: null, intuitTid: null, innerException: null)
    {
    }

    /// <summary>Creates the exception from a token endpoint response.</summary>
    /// <param name="message">The message; must not contain a token or secret.</param>
    /// <param name="error">The OAuth <c>error</c> code, if any.</param>
    /// <param name="errorDescription">The OAuth <c>error_description</c>, if any.</param>
    /// <param name="statusCode">The HTTP status of the response, if one was received.</param>
    /// <param name="intuitTid">The <c>intuit_tid</c> response header, if any.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public QuickBooksOAuthException(
        string message,
        string? error,
        string? errorDescription,
        HttpStatusCode? statusCode,
        string? intuitTid,
        Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        ErrorDescription = errorDescription;
        StatusCode = statusCode;
        IntuitTid = intuitTid;
        ReconnectRequired = string.Equals(error, InvalidGrant, StringComparison.Ordinal);
        IsTransient = statusCode is { } status
            ? QuickBooksTransientPredicates.IsTransient(status)
            : innerException is HttpRequestException or TimeoutException or TaskCanceledException;
    }

    /// <summary>A token endpoint answer that is not a usable token response (HTML, empty, truncated or wrongly typed
    /// 200): transient whatever its status code.</summary>
    internal QuickBooksOAuthException(string message, HttpStatusCode? statusCode, string? intuitTid, Exception? innerException, bool isTransient)
        : this(message, null, null, statusCode, intuitTid, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Creates a derived exception that states whether a reconnect is required.</summary>
    /// <param name="message">The message; must not contain a token or secret.</param>
    /// <param name="reconnectRequired">Whether the user must connect the company again.</param>
    /// <param name="inner">The token endpoint failure this one derives from, if any; its details are copied.</param>
    protected QuickBooksOAuthException(string message, bool reconnectRequired, QuickBooksOAuthException? inner)
        : base(message, inner)
    {
        Error = inner?.Error;
        ErrorDescription = inner?.ErrorDescription;
        StatusCode = inner?.StatusCode;
        IntuitTid = inner?.IntuitTid;
        ReconnectRequired = reconnectRequired;
    }

    /// <summary>Gets the OAuth <c>error</c> code (for example <c>invalid_grant</c>), if Intuit sent one.</summary>
    public string? Error { get; }

    /// <summary>Gets the OAuth <c>error_description</c>, if Intuit sent one.</summary>
    public string? ErrorDescription { get; }

    /// <summary>Gets the HTTP status of the failed response, or <see langword="null"/> when none was received.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// Gets a value indicating whether the user must connect the company again (<c>invalid_grant</c>): retrying with
    /// the same token cannot succeed.
    /// </summary>
    public bool ReconnectRequired { get; }

    /// <summary>
    /// Gets a value indicating whether the same request may succeed later (HTTP 408, 429, 5xx, network errors,
    /// timeouts, and a success status whose body is not a usable token response).
    /// </summary>
    public bool IsTransient { get; }

    /// <summary>Gets the <c>intuit_tid</c> response header, to quote to Intuit support.</summary>
    public string? IntuitTid { get; }

    /// <summary>
    /// Gets a value indicating whether the app's credentials were rejected (<c>invalid_client</c>): a configuration
    /// error, not a reason to reconnect.
    /// </summary>
    public bool IsInvalidClient => string.Equals(Error, InvalidClient, StringComparison.Ordinal);
}
