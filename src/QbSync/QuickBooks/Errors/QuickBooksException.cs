using System.Globalization;
using System.Net;
using System.Text;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks;

/// <summary>
/// A QuickBooks Online call failed: a non-success HTTP status, or a <c>Fault</c> in a successful response.
/// </summary>
/// <remarks>
/// <para>
/// Subclasses exist only where a caller reacts differently: <see cref="QuickBooksAuthenticationException"/>
/// (refresh or reconnect), <see cref="QuickBooksThrottledException"/> (wait and retry),
/// <see cref="QuickBooksValidationException"/> (fix the data, never retry) and its
/// <see cref="QuickBooksDuplicateNameException"/> and <see cref="QuickBooksObjectNotFoundException"/>, and
/// <see cref="QuickBooksStaleObjectException"/> (re-read and re-apply). Everything else, including HTML error pages
/// and 5xx service faults, is a plain <see cref="QuickBooksException"/>; check <see cref="IsTransient"/>.
/// </para>
/// <para>The message never holds an access token, refresh token or <c>Authorization</c> header value.</para>
/// </remarks>
public class QuickBooksException : Exception
{
    /// <summary>Creates the exception from the details of the failure.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(BuildMessage(info ?? throw new ArgumentNullException(nameof(info))), innerException)
    {
        StatusCode = info.StatusCode;
        FaultType = info.FaultType;
        Errors = info.Errors ?? [];
        IntuitTid = info.IntuitTid;
        RequestId = info.RequestId;
        RetryAfter = info.RetryAfter;
    }

    /// <summary>The HTTP status of the response (200 when the fault came inside a successful response).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The <c>Fault</c> type as sent, e.g. <c>ValidationFault</c>, <c>AUTHENTICATION</c>, <c>SERVICE</c>.</summary>
    public string? FaultType { get; }

    /// <summary>The errors of the fault, in the order sent. Empty for HTML pages and unreadable bodies.</summary>
    public IReadOnlyList<QuickBooksError> Errors { get; }

    /// <summary>The QBO code of the first error (e.g. <c>"6240"</c>), or <see langword="null"/>.</summary>
    public string? ErrorCode => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>The <c>intuit_tid</c> response header, which Intuit support asks for.</summary>
    public string? IntuitTid { get; }

    /// <summary>The <c>requestid</c> the request was sent with, if any.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Whether the same request may succeed if sent again unchanged: the HTTP status is one of
    /// <see cref="QuickBooksTransientPredicates.IsTransient(HttpStatusCode)"/> (408, 429, 5xx), or QBO throttled the
    /// call (code 3001, whatever the status).
    /// </summary>
    public virtual bool IsTransient => StatusCode is { } status && QuickBooksTransientPredicates.IsTransient(status);

    /// <summary>How long to wait before retrying, when known (the <c>Retry-After</c> header, or 60 s for throttling).</summary>
    public TimeSpan? RetryAfter { get; }

    private static string BuildMessage(QuickBooksFaultInfo info)
    {
        var text = new StringBuilder("QuickBooks Online returned ");
        if (info.StatusCode is { } status)
        {
            text.Append(((int)status).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append("an error");
        }

        if (!string.IsNullOrWhiteSpace(info.FaultType))
        {
            text.Append(' ').Append(QuickBooksFaultText.Shorten(info.FaultType, 60));
        }

        var errors = info.Errors ?? [];
        for (var i = 0; i < errors.Count && i < 5; i++)
        {
            var error = errors[i];
            text.Append(i == 0 ? " " : "; ");
            var code = QuickBooksFaultText.Shorten(error.Code, 40);
            var message = QuickBooksFaultText.Shorten(error.Message, 200);
            var detail = QuickBooksFaultText.Shorten(error.Detail, 300);
            text.Append(code);
            if (message.Length > 0)
            {
                text.Append(code.Length > 0 ? " " : string.Empty).Append(message);
            }

            if (detail.Length > 0)
            {
                text.Append(": ").Append(detail);
            }

            if (!string.IsNullOrEmpty(error.Element))
            {
                text.Append(" (element: ").Append(QuickBooksFaultText.Shorten(error.Element, 100)).Append(')');
            }
        }

        if (errors.Count > 5)
        {
            text.Append(CultureInfo.InvariantCulture, $"; and {errors.Count - 5} more errors");
        }

        if (errors.Count == 0)
        {
            var summary = QuickBooksFaultText.Shorten(info.Summary, QuickBooksFaultText.MaxBodyChars);
            text.Append(summary.Length > 0 ? ": " + summary : " with no readable error body");
        }

        var ids = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(info.IntuitTid))
        {
            ids.Add("intuit_tid: " + QuickBooksFaultText.Shorten(info.IntuitTid, 100));
        }

        if (!string.IsNullOrWhiteSpace(info.RequestId))
        {
            ids.Add("requestid: " + QuickBooksFaultText.Shorten(info.RequestId, 100));
        }

        if (ids.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", ids).Append(')');
        }

        return QuickBooksFaultText.Redact(text.ToString());
    }
}
