using System.Text.Json.Serialization.Metadata;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks;

/// <summary>Base of the entity-family clients of <see cref="QuickBooksClient"/>: the shared request plumbing.</summary>
public abstract class QuickBooksSubClient
{
    private readonly QuickBooksApi? _api;

    /// <summary>For mocking: an instance made this way sends nothing.</summary>
    protected QuickBooksSubClient()
    {
    }

    private protected QuickBooksSubClient(QuickBooksApi api) => _api = api;

    private protected QuickBooksApi Api => _api ?? throw new InvalidOperationException("This instance was created for mocking.");

    /// <summary>Reads one entity: <c>GET /{entity}/{id}</c>.</summary>
    private protected Task<T> ReadAsync<T>(string realmId, string entity, string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(id);
        var request = new QuickBooksApiRequest(realmId, HttpMethod.Get, entity.ToLowerInvariant() + "/" + Uri.EscapeDataString(id), entity, "read");
        return Api.SendForEntityAsync(request, entity, typeInfo, cancellationToken);
    }

    /// <summary>Writes one entity (<c>POST /{entity}</c>) with the logical write's <c>requestid</c>.</summary>
    private protected Task<T> WriteAsync<TBody, T>(string realmId, string entity, string operation, TBody body, JsonTypeInfo<TBody> bodyTypeInfo, JsonTypeInfo<T> typeInfo, string? requestId, CancellationToken cancellationToken,
        IReadOnlyList<KeyValuePair<string, string>>? query = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(body);
        var request = new QuickBooksApiRequest(realmId, HttpMethod.Post, entity.ToLowerInvariant(), entity, operation)
        {
            Content = QuickBooksApi.JsonContent(body, bodyTypeInfo),
            RequestId = RequestIds.For(requestId),
            Query = query,
        };
        return Api.SendForEntityAsync(request, entity, typeInfo, cancellationToken);
    }
}
