using System.Net;

namespace QbSync.QuickBooks;

/// <summary>Placeholder base: replaced by the Errors work.</summary>
public class QuickBooksException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The inner exception.</param>
    public QuickBooksException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>Whether retrying may succeed.</summary>
    public bool IsTransient { get; init; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The code.</summary>
    public string? ErrorCode { get; init; }

    internal static QuickBooksException Unreachable(string realmId, string? requestId, Exception inner) =>
        new("QBO unreachable", inner) { IsTransient = true };

    internal static QuickBooksException InvalidResponse(HttpStatusCode status, string? tid, string? requestId, Exception inner) =>
        new("QBO invalid response", inner) { StatusCode = status };
}
