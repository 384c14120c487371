using System.Net;

namespace QbSync.QuickBooks;

/// <summary>Placeholder base: replaced by the Errors work.</summary>
public class QuickBooksException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public QuickBooksException(string message) : base(message) { }

    /// <summary>Whether retrying may succeed.</summary>
    public bool IsTransient { get; init; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode? StatusCode { get; init; }
}
