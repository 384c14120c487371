using System.Net;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The one definition of "worth retrying" for QuickBooks Online responses, shared by the retry pipeline and by
/// <see cref="QuickBooksException.IsTransient"/>.
/// </summary>
public static class QuickBooksTransientPredicates
{
    /// <summary>Whether a response with this HTTP status may succeed if sent again unchanged.</summary>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <returns><see langword="true"/> for 408, 429, 500, 502, 503 and 504.</returns>
    public static bool IsTransient(HttpStatusCode statusCode) => statusCode is
        HttpStatusCode.RequestTimeout or
        HttpStatusCode.TooManyRequests or
        HttpStatusCode.InternalServerError or
        HttpStatusCode.BadGateway or
        HttpStatusCode.ServiceUnavailable or
        HttpStatusCode.GatewayTimeout;
}
