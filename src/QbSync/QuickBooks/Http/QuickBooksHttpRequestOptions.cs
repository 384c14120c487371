namespace QbSync.QuickBooks.Http;

/// <summary>
/// Keys of the per-request values the client stores in <see cref="HttpRequestMessage.Options"/> so that the
/// handlers of the HTTP pipeline (throttle, resilience, authentication) know which QuickBooks company a request is for.
/// </summary>
public static class QuickBooksHttpRequestOptions
{
    /// <summary>The realm id (QuickBooks company id) the request targets.</summary>
    public static readonly HttpRequestOptionsKey<string> RealmId = new("QbSync.RealmId");

    /// <summary>The kind of request, used by the throttle to apply the batch limit.</summary>
    public static readonly HttpRequestOptionsKey<QuickBooksRequestKind> Kind = new("QbSync.RequestKind");
}

/// <summary>What a request to QuickBooks Online does, as far as throttling is concerned.</summary>
public enum QuickBooksRequestKind
{
    /// <summary>A read, query, create or update on one entity endpoint.</summary>
    Standard = 0,

    /// <summary>A request to the <c>/batch</c> endpoint, which QBO throttles separately (40 per minute per realm).</summary>
    Batch = 1,
}
