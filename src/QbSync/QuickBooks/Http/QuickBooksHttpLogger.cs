using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The HTTP log of the QBO data client, in place of <c>IHttpClientFactory</c>'s default loggers (whose category,
/// <c>System.Net.Http.HttpClient.&lt;name&gt;</c>, a <c>QbSync</c> filter does not catch): one line per attempt, under
/// <see cref="Category"/>, at Debug; an attempt that got no answer at Information (the request's own outcome is logged
/// by the client, 1001/1002). The path is logged without its query string, and never a header or a body.
/// </summary>
internal sealed partial class QuickBooksHttpLogger(ILoggerFactory loggerFactory) : IHttpClientLogger
{
    public const string Category = "QbSync.QuickBooks.Http";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public object? LogRequestStart(HttpRequestMessage request)
    {
        LogStart(_logger, request.Method, PathOf(request));
        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        LogStop(_logger, request.Method, PathOf(request), (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        LogFailed(_logger, request.Method, PathOf(request), exception.GetType().Name, elapsed.TotalMilliseconds);

    private static string PathOf(HttpRequestMessage request) => request.RequestUri?.AbsolutePath ?? string.Empty;

    [LoggerMessage(2901, LogLevel.Debug, "Sending HTTP {Method} {Path}")]
    private static partial void LogStart(ILogger logger, HttpMethod method, string path);

    [LoggerMessage(2902, LogLevel.Debug, "HTTP {Method} {Path} answered {StatusCode} after {ElapsedMilliseconds} ms")]
    private static partial void LogStop(ILogger logger, HttpMethod method, string path, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(2903, LogLevel.Information, "HTTP {Method} {Path} got no answer ({Error}) after {ElapsedMilliseconds} ms")]
    private static partial void LogFailed(ILogger logger, HttpMethod method, string path, string error, double elapsedMilliseconds);
}
