using WireMock;
using WireMock.Logging;
using WireMock.Types;
using Xunit.Sdk;

namespace QbSync.Tests.TestSupport;

/// <summary>Reads WireMock's request log, failing the test (not throwing a null reference) where a part is missing.</summary>
internal static class RequestLog
{
    /// <summary>The request a log entry recorded; WireMock types it nullable, but every entry of a served call has one.</summary>
    public static IRequestMessage Request(this ILogEntry entry) =>
        entry.RequestMessage ?? throw new XunitException($"Log entry {entry.Guid} recorded no request message.");

    /// <summary>The single value of a query parameter the request must carry.</summary>
    public static string QueryValue(this IRequestMessage request, string name) =>
        SingleValue(request.Query, name, "query parameter", request);

    /// <summary>The single value of a header the request must carry.</summary>
    public static string HeaderValue(this IRequestMessage request, string name) =>
        SingleValue(request.Headers, name, "header", request);

    private static string SingleValue(IDictionary<string, WireMockList<string>>? values, string name, string kind, IRequestMessage request)
    {
        if (values is null)
        {
            throw new XunitException($"Expected {request.Method} {request.Url} to carry {kind} \"{name}\", but it carried no {kind}s.");
        }

        return values.Should().ContainKey(name, "the request {0} {1} should carry that {2}", request.Method, request.Url, kind)
            .WhoseValue.Should().ContainSingle("{0} \"{1}\" should have exactly one value", kind, name)
            .Subject;
    }
}
