using System.Net;

namespace QbSync.QuickBooks;

/// <summary>
/// What is known about a failed QuickBooks Online call: the input of every <see cref="QuickBooksException"/>
/// constructor.
/// </summary>
public sealed record QuickBooksFaultInfo
{
    /// <summary>The HTTP status of the response, or <see langword="null"/> when there was no HTTP response.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The <c>Fault</c> type as sent, e.g. <c>ValidationFault</c>, <c>AUTHENTICATION</c>, <c>SERVICE</c>.</summary>
    public string? FaultType { get; init; }

    /// <summary>The errors of the fault, in the order sent. Empty when the body held no fault.</summary>
    public IReadOnlyList<QuickBooksError> Errors { get; init; } = [];

    /// <summary>The <c>intuit_tid</c> response header, which Intuit support asks for.</summary>
    public string? IntuitTid { get; init; }

    /// <summary>The <c>requestid</c> the request was sent with, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>The delay the server asked for (<c>Retry-After</c>), if any.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Text describing the failure when there are no <see cref="Errors"/>: an HTML page title, or the start of a body
    /// that could not be parsed. It is shortened and token-like values are redacted before it goes into a message.
    /// </summary>
    public string? Summary { get; init; }
}
