using System.Net;

namespace QbSync.QuickBooks;

/// <summary>
/// QBO gave no answer: the connection failed or the attempt timed out, after the pipeline's retries. Whether a write
/// took effect is unknown; sending it again with the same <c>requestid</c> is the safe next step.
/// </summary>
public sealed class QuickBooksConnectionException : QuickBooksException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known (the request id; no status).</param>
    /// <param name="innerException">The transport failure.</param>
    public QuickBooksConnectionException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(info, innerException)
    {
    }

    /// <summary>Always <see langword="true"/>: no answer is worth another try.</summary>
    public override bool IsTransient => true;
}

/// <summary>Builders of the exceptions the client raises for failures that are not QBO faults.</summary>
internal static class QuickBooksFailures
{
    public static QuickBooksConnectionException Unreachable(string? requestId, Exception inner) =>
        new(new QuickBooksFaultInfo
        {
            RequestId = requestId,
            Summary = inner is Polly.Timeout.TimeoutRejectedException or OperationCanceledException
                ? "no answer before the timeout"
                : "the connection failed (" + inner.GetType().Name + ")",
        }, inner);

    /// <summary>A body that could not be read at all, or read but not of the expected shape.</summary>
    public static QuickBooksUnreadableResponseException InvalidResponse(HttpStatusCode status, string? intuitTid, string? requestId, Exception inner, string? body = null, bool transient = false) =>
        new(new QuickBooksFaultInfo
        {
            StatusCode = status,
            IntuitTid = intuitTid,
            RequestId = requestId,
            Summary = "the response is not the JSON expected: " + QuickBooksFaultText.Shorten(inner.Message, 200),
        }, Excerpt(body), transient, inner);

    /// <summary>The first 200 characters of a body, token-like values redacted and white space collapsed.</summary>
    public static string? Excerpt(string? body) => string.IsNullOrEmpty(body) ? null : QuickBooksFaultText.Shorten(body, 200);
}
