using QbSync.Stores;

namespace QbSync;

/// <summary>Filter and paging of <see cref="IAccountStore.ListAsync"/>.</summary>
public sealed record AccountQuery
{
    /// <summary>Only accounts in one of these statuses; empty for all.</summary>
    public IReadOnlyCollection<SyncStatus> Statuses { get; init; } = [];

    /// <summary>At most this many rows (1 to 1000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="AccountPage.ContinuationToken"/> of the previous page; <see langword="null"/> for the first.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>A page of accounts.</summary>
/// <param name="Items">The accounts.</param>
/// <param name="ContinuationToken">Pass it back for the next page; <see langword="null"/> on the last page.</param>
public sealed record AccountPage(IReadOnlyList<SyncAccountRecord> Items, string? ContinuationToken);
