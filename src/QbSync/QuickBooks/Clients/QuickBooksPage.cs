namespace QbSync.QuickBooks;

/// <summary>One page of query results.</summary>
/// <typeparam name="T">The entity type.</typeparam>
/// <param name="Items">The rows returned (empty when QBO returned <c>"QueryResponse": {}</c>).</param>
/// <param name="StartPosition">The 1-based position asked for.</param>
/// <param name="RequestedMaxResults">The page size asked for, if any (QBO's default is 100).</param>
public sealed record QuickBooksPage<T>(IReadOnlyList<T> Items, int StartPosition, int? RequestedMaxResults)
{
    /// <summary>Whether more rows may follow: the page came back full.</summary>
    public bool MayHaveMore => Items.Count >= (RequestedMaxResults ?? 100);
}
