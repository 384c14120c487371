using System.Text.Json.Serialization.Metadata;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks;

/// <summary>
/// Look-ups shared by the name-list entities whose display names QBO keeps unique across customers, vendors and
/// employees.
/// </summary>
/// <typeparam name="T">Customer, vendor or employee.</typeparam>
public abstract class NameListClient<T> : QuickBooksSubClient
    where T : QuickBooksNamedEntity
{
    /// <summary>Pages of one <see cref="ListAllAsync"/> in flight at once (QBO allows 10 requests in flight per realm).</summary>
    private const int MaxConcurrentPages = 4;

    private readonly string _entity;
    private readonly JsonTypeInfo<T>? _typeInfo;

    /// <summary>For mocking.</summary>
    protected NameListClient()
    {
        _entity = typeof(T).Name;
    }

    private protected NameListClient(QuickBooksApi api, string entity, JsonTypeInfo<T> typeInfo)
        : base(api)
    {
        _entity = entity;
        _typeInfo = typeInfo;
    }

    private protected JsonTypeInfo<T> TypeInfo => _typeInfo!;

    private protected string EntityName => _entity;

    /// <summary>
    /// Finds the records whose display name is <paramref name="displayName"/>, inactive ones included by default. QBO
    /// returns inactive records with <c>" (deleted)"</c> appended to their name, so both spellings are asked for in
    /// one query (<c>DisplayName IN ('Name', 'Name (deleted)') AND Active IN (true, false)</c>); compare
    /// <see cref="QuickBooksNamedEntity.BareDisplayName"/> to match. The name is escaped, never concatenated.
    /// </summary>
    /// <param name="realmId">The company.</param>
    /// <param name="displayName">The exact display name.</param>
    /// <param name="includeInactive">Whether inactive ("deleted") records are included.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records QBO returned (QBO decides case sensitivity; do not assume either).</returns>
    public virtual async Task<IReadOnlyList<T>> FindByDisplayNameAsync(string realmId, string displayName, bool includeInactive = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        var query = QuickBooksQuery.Select(_entity);
        query = includeInactive
            ? query.WhereIn("DisplayName", [displayName, displayName + QuickBooksNamedEntity.DeletedSuffix]).IncludeInactive()
            : query.WhereEquals("DisplayName", displayName);
        var page = await Api.QueryPageAsync(realmId, query.Page(1, QuickBooksQuery.MaxPageSize), _entity, TypeInfo, cancellationToken).ConfigureAwait(false);
        return page.Items;
    }

    /// <summary>Lists every record, page after page (1000 rows a request by default).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="includeInactive">Whether inactive ("deleted") records are included.</param>
    /// <param name="pageSize">Rows per request, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The records, streamed.</returns>
    public virtual IAsyncEnumerable<T> ListAsync(string realmId, bool includeInactive = false, int pageSize = QuickBooksQuery.MaxPageSize, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var query = QuickBooksQuery.Select(_entity);
        if (includeInactive)
        {
            query = query.IncludeInactive();
        }

        return Api.QueryAllAsync(realmId, query, _entity, TypeInfo, pageSize, cancellationToken);
    }

    /// <summary>
    /// Reads every record into a list, faster than <see cref="ListAsync"/> for large companies: after a full first
    /// page it counts the records (one extra request) and reads the other pages several at a time, within the
    /// client's per-realm limit of requests in flight. A company of up to 1000 records costs one request.
    /// </summary>
    /// <param name="realmId">The company.</param>
    /// <param name="includeInactive">Whether inactive ("deleted") records are included.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records; one changed during the read may appear twice (key them by id).</returns>
    public virtual Task<IReadOnlyList<T>> ListAllAsync(string realmId, bool includeInactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var query = QuickBooksQuery.Select(_entity);
        var count = QuickBooksQuery.Count(_entity);
        if (includeInactive)
        {
            query = query.IncludeInactive();
            count = count.IncludeInactive();
        }

        return Api.ReadAllAsync(realmId, query, count, _entity, TypeInfo, MaxConcurrentPages, cancellationToken);
    }

    /// <summary>Runs a query over this entity and returns one page.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="query">A query built with <see cref="QuickBooksQuery.Select"/> for this entity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public virtual Task<QuickBooksPage<T>> QueryAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(query);
        return Api.QueryPageAsync(realmId, query, _entity, TypeInfo, cancellationToken);
    }

    /// <summary>Counts the records.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="includeInactive">Whether inactive records are counted (QBO counts only active ones otherwise).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    public virtual Task<int> CountAsync(string realmId, bool includeInactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var query = QuickBooksQuery.Count(_entity);
        return Api.CountAsync(realmId, includeInactive ? query.IncludeInactive() : query, cancellationToken);
    }

    /// <summary>Reads one record by id.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The record's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record.</returns>
    public virtual Task<T> GetAsync(string realmId, string id, CancellationToken cancellationToken = default) =>
        ReadAsync(realmId, _entity, id, TypeInfo, cancellationToken);
}
