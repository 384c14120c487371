using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>Customer types: a read-only list in the API.</summary>
public class CustomerTypesClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected CustomerTypesClient()
    {
    }

    internal CustomerTypesClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Lists every customer type (a short list: one page of up to 1000).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="includeInactive">Whether inactive types are included.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The customer types.</returns>
    public virtual async Task<IReadOnlyList<CustomerType>> ListAsync(string realmId, bool includeInactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var query = QuickBooksQuery.Select("CustomerType");
        if (includeInactive)
        {
            query = query.IncludeInactive();
        }

        var items = new List<CustomerType>();
        await foreach (var type in Api.QueryAllAsync(realmId, query, "CustomerType", QuickBooksJsonContext.Wire.CustomerType, QuickBooksQuery.MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            items.Add(type);
        }

        return items;
    }
}

/// <summary>Items (products and services) used on invoice lines.</summary>
public class ItemsClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected ItemsClient()
    {
    }

    internal ItemsClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Finds items by exact name (the name is escaped, never concatenated).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="name">The item name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matching items.</returns>
    public virtual async Task<IReadOnlyList<Item>> FindByNameAsync(string realmId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var query = QuickBooksQuery.Select("Item").WhereEquals("Name", name).Page(1, QuickBooksQuery.MaxPageSize);
        var page = await Api.QueryPageAsync(realmId, query, "Item", QuickBooksJsonContext.Wire.Item, cancellationToken).ConfigureAwait(false);
        return page.Items;
    }

    /// <summary>Lists every item, page after page.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="includeInactive">Whether inactive items are included.</param>
    /// <param name="pageSize">Rows per request, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The items, streamed.</returns>
    public virtual IAsyncEnumerable<Item> ListAsync(string realmId, bool includeInactive = false, int pageSize = QuickBooksQuery.MaxPageSize, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var query = QuickBooksQuery.Select("Item");
        return Api.QueryAllAsync(realmId, includeInactive ? query.IncludeInactive() : query, "Item", QuickBooksJsonContext.Wire.Item, pageSize, cancellationToken);
    }

    /// <summary>Reads one item.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The item's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The item.</returns>
    public virtual Task<Item> GetAsync(string realmId, string id, CancellationToken cancellationToken = default) =>
        ReadAsync(realmId, "Item", id, QuickBooksJsonContext.Wire.Item, cancellationToken);
}
