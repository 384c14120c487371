using System.Net;

namespace QbSync.QuickBooks;

internal readonly record struct QuickBooksResponseInfo(HttpStatusCode StatusCode, string? ContentType, string? Body, string? IntuitTid, string? RequestId, TimeSpan? RetryAfter);

// Temporary until the fault parser lands.
internal static class QuickBooksFaultParser
{
    internal static QuickBooksException? Parse(in QuickBooksResponseInfo response) =>
        (int)response.StatusCode is >= 200 and < 300 && response.Body?.Contains("\"Fault\"", StringComparison.Ordinal) != true
            ? null
            : new QuickBooksException($"QBO returned {(int)response.StatusCode}") { StatusCode = response.StatusCode };

    internal static QuickBooksException FromFault(System.Text.Json.JsonElement fault, in QuickBooksResponseInfo context) =>
        new("fault") { StatusCode = context.StatusCode };
}

/// <summary>stub</summary>
public sealed class QuickBooksDuplicateNameException(string m) : QuickBooksException(m);

/// <summary>stub</summary>
public sealed class QuickBooksStaleObjectException(string m) : QuickBooksException(m);
