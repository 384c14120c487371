using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace QbSync.QuickBooks.Http;

internal sealed partial class QuickBooksApi
{
    /// <summary>Runs one query (POSTed as <c>application/text</c>) and returns the rows of <paramref name="entityKey"/>.</summary>
    public async Task<QuickBooksPage<T>> QueryPageAsync<T>(string realmId, QuickBooksQuery query, string entityKey, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(query);
        using var response = await SendAsync(QueryRequest(realmId, query), cancellationToken).ConfigureAwait(false);
        var queryResponse = QueryResponseOf(response, query);
        var items = new List<T>();
        // An empty result is "QueryResponse": {} with no entity key at all.
        if (queryResponse.TryGetProperty(entityKey, out var rows) && rows.ValueKind == JsonValueKind.Array)
        {
            items.Capacity = rows.GetArrayLength();
            foreach (var row in rows.EnumerateArray())
            {
                items.Add(QuickBooksEntityReader.Read(row, typeInfo, response.IntuitTid, null));
            }
        }

        return new QuickBooksPage<T>(items, query.StartPosition ?? 1, query.MaxResults);
    }

    /// <summary>
    /// Pages through every row of a query, <paramref name="pageSize"/> rows at a time. The next page is asked for
    /// while a page comes back full; the count of rows actually returned drives paging, never QBO's
    /// <c>maxResults</c> (which is the number of rows in the response, not the page size asked for).
    /// </summary>
    public async IAsyncEnumerable<T> QueryAllAsync<T>(string realmId, QuickBooksQuery query, string entityKey, JsonTypeInfo<T> typeInfo, int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, QuickBooksQuery.MaxPageSize);
        var start = 1;
        while (true)
        {
            var page = await QueryPageAsync(realmId, query.Page(start, pageSize), entityKey, typeInfo, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.Items.Count < pageSize)
            {
                yield break;
            }

            start += page.Items.Count;
        }
    }

    /// <summary>
    /// Reads every row of a query into a list: the first page, and when it is full, the row count (one
    /// <c>COUNT(*)</c> request) and the remaining pages <paramref name="maxConcurrentPages"/> at a time; pages beyond
    /// the count (rows added meanwhile) are read one after another until one comes back short. A row can appear twice
    /// when rows are added or removed during the read: callers key rows by id.
    /// </summary>
    public async Task<IReadOnlyList<T>> ReadAllAsync<T>(string realmId, QuickBooksQuery query, QuickBooksQuery countQuery, string entityKey, JsonTypeInfo<T> typeInfo,
        int maxConcurrentPages, CancellationToken cancellationToken)
        where T : class
    {
        const int pageSize = QuickBooksQuery.MaxPageSize;
        var first = await QueryPageAsync(realmId, query.Page(1, pageSize), entityKey, typeInfo, cancellationToken).ConfigureAwait(false);
        if (first.Items.Count < pageSize)
        {
            return first.Items;
        }

        var total = await CountAsync(realmId, countQuery, cancellationToken).ConfigureAwait(false);
        var pages = new IReadOnlyList<T>[Math.Max(1, (total + pageSize - 1) / pageSize)];
        pages[0] = first.Items;
        await Parallel.ForEachAsync(
            Enumerable.Range(1, pages.Length - 1),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrentPages), CancellationToken = cancellationToken },
            async (index, token) => pages[index] = (await QueryPageAsync(realmId, query.Page(1 + (index * pageSize), pageSize), entityKey, typeInfo, token).ConfigureAwait(false)).Items)
            .ConfigureAwait(false);
        var rows = new List<T>(pages.Sum(p => p.Count));
        foreach (var page in pages)
        {
            rows.AddRange(page);
        }

        var last = pages[^1];
        var start = 1 + (pages.Length * pageSize);
        while (last.Count >= pageSize)
        {
            last = (await QueryPageAsync(realmId, query.Page(start, pageSize), entityKey, typeInfo, cancellationToken).ConfigureAwait(false)).Items;
            rows.AddRange(last);
            start += pageSize;
        }

        return rows;
    }

    /// <summary>Runs a <c>COUNT(*)</c> query.</summary>
    public async Task<int> CountAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.IsCount)
        {
            throw new ArgumentException("The query must be a COUNT(*) query (QuickBooksQuery.Count).", nameof(query));
        }

        using var response = await SendAsync(QueryRequest(realmId, query), cancellationToken).ConfigureAwait(false);
        var queryResponse = QueryResponseOf(response, query);
        return queryResponse.TryGetProperty("totalCount", out var total) && total.TryGetInt32(out var count) ? count : 0;
    }

    private static QuickBooksApiRequest QueryRequest(string realmId, QuickBooksQuery query) =>
        new(realmId, HttpMethod.Post, "query", query.Entity, "query") { Content = QueryContent(query) };

    private static JsonElement QueryResponseOf(QuickBooksApiResponse response, QuickBooksQuery query)
    {
        if (response.Root.ValueKind == JsonValueKind.Object
            && response.Root.TryGetProperty("QueryResponse", out var queryResponse)
            && queryResponse.ValueKind == JsonValueKind.Object)
        {
            return queryResponse;
        }

        throw QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, response.IntuitTid, null,
            new JsonException($"The response to '{query.Entity}' query holds no QueryResponse object."), response.Root.GetRawText());
    }
}
