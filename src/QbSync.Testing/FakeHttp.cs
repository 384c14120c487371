using System.Text;

namespace QbSync.Testing;

/// <summary>A request as the fake's handlers see it (independent of the HTTP host).</summary>
internal sealed class FakeRequest
{
    public FakeRequest(string method, string path, string rawQuery, string body, IReadOnlyDictionary<string, string> headers)
    {
        Method = method;
        Path = path;
        RawQuery = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        Body = body;
        Headers = headers;
        Query = ParseQuery(RawQuery);
    }

    public string Method { get; }

    public string Path { get; }

    public string RawQuery { get; }

    public string Body { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public IReadOnlyDictionary<string, string> Query { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var v) ? v : null;

    public static Dictionary<string, string> ParseQuery(string raw)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (raw.Length == 0)
        {
            return result;
        }

        foreach (var part in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Decode(part[(eq + 1)..]);
            result.TryAdd(key, value);
        }

        return result;
    }

    public static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}

/// <summary>A response the fake produced.</summary>
internal sealed record FakeResponse(int Status, string ContentType, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public const string Json = "application/json;charset=UTF-8";
    public const string Xml = "application/xml;charset=UTF-8";
    public const string Html = "text/html; charset=us-ascii";

    public static FakeResponse JsonBody(int status, string body, IReadOnlyDictionary<string, string>? headers = null) => new(status, Json, body, headers);

    public byte[] BodyBytes() => Encoding.UTF8.GetBytes(Body);
}
