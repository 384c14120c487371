using System.Collections.Concurrent;

namespace QbSync.Testing;

/// <summary>What a request to the fake was, for counting.</summary>
public enum FakeRequestKind
{
    /// <summary>GET of one entity.</summary>
    Read,

    /// <summary>A query (GET ?query= or POST application/text).</summary>
    Query,

    /// <summary>POST of an entity without an Id.</summary>
    Create,

    /// <summary>POST of an entity with an Id (full or sparse update).</summary>
    Update,

    /// <summary>POST ?operation=delete.</summary>
    Delete,

    /// <summary>POST ?operation=void.</summary>
    Void,

    /// <summary>POST /batch.</summary>
    Batch,

    /// <summary>GET /cdc.</summary>
    ChangeDataCapture,

    /// <summary>POST to the OAuth token endpoint.</summary>
    Token,

    /// <summary>POST to the OAuth revocation endpoint.</summary>
    Revoke,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>One request the fake received.</summary>
/// <param name="Sequence">Arrival order, from 1.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">URL path.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>.</param>
/// <param name="Body">Request body as text.</param>
/// <param name="RealmId">Realm id from the path, if any.</param>
/// <param name="RequestId">The <c>requestid</c> query parameter, if any.</param>
/// <param name="Kind">What the request was.</param>
/// <param name="StatusCode">HTTP status answered (0 for a dropped connection).</param>
/// <param name="InjectedFault">The injected fault that answered it, if any.</param>
/// <param name="Replayed">True when the response was a <c>requestid</c> replay.</param>
/// <param name="Headers">Request headers.</param>
public sealed record RecordedRequest(
    long Sequence,
    string Method,
    string Path,
    string Query,
    string Body,
    string? RealmId,
    string? RequestId,
    FakeRequestKind Kind,
    int StatusCode,
    InjectedFault? InjectedFault,
    bool Replayed,
    IReadOnlyDictionary<string, string> Headers);

/// <summary>Every request the fake received, thread-safe.</summary>
public sealed class RequestJournal
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private long _sequence;

    /// <summary>Whether requests are recorded (default true; the benchmark may turn it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A snapshot of the recorded requests, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests.OrderBy(r => r.Sequence)];

    /// <summary>How many requests of <paramref name="kind"/> were received (optionally for one realm).</summary>
    /// <param name="kind">The kind to count.</param>
    /// <param name="realmId">Only this realm, or all when null.</param>
    /// <returns>The count.</returns>
    public int Count(FakeRequestKind kind, string? realmId = null) =>
        _requests.Count(r => r.Kind == kind && (realmId is null || r.RealmId == realmId));

    /// <summary>Counts by kind.</summary>
    public IReadOnlyDictionary<FakeRequestKind, int> CountsByKind() =>
        _requests.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Total requests recorded.</summary>
    public int TotalCount => _requests.Count;

    /// <summary>Forgets every recorded request.</summary>
    public void Clear() => _requests.Clear();

    internal void Record(FakeRequest request, string? realmId, FakeRequestKind kind, int status, InjectedFault? fault, bool replayed)
    {
        if (!Enabled)
        {
            return;
        }

        _requests.Enqueue(new RecordedRequest(
            Interlocked.Increment(ref _sequence),
            request.Method,
            request.Path,
            request.RawQuery,
            request.Body,
            realmId,
            request.QueryValue("requestid"),
            kind,
            status,
            fault,
            replayed,
            request.Headers));
    }
}
