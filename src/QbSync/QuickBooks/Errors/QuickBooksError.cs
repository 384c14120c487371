namespace QbSync.QuickBooks;

/// <summary>One <c>Error</c> entry of a QuickBooks Online <c>Fault</c>.</summary>
/// <param name="Code">
/// The QBO error code as sent (a string, e.g. <c>"6240"</c>). It is not the HTTP status: <c>"500"</c> can arrive inside
/// an HTTP 400.
/// </param>
/// <param name="Message">The short message, e.g. <c>"Duplicate Name Exists Error"</c>.</param>
/// <param name="Detail">The longer detail text. Anything that looks like a token is replaced by <c>[redacted]</c>.</param>
/// <param name="Element">The field the error is about, when QBO names one (often empty).</param>
public sealed record QuickBooksError(string? Code, string? Message, string? Detail, string? Element);
