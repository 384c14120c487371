using System.Text;

namespace QbSync.Stores;

/// <summary>The argument rules and paging tokens every <see cref="IBillingDocumentStore"/> shares, so all stores
/// refuse the same inputs and issue the same tokens (the conformance suite checks them).</summary>
public static class BillingStoreGuard
{
    private const string Prefix = "b1:";

    /// <summary>Throws unless the record names its firm, key, account and content of its kind, and the history entry
    /// (if any) belongs to the same document and names its actor.</summary>
    /// <param name="record">The record.</param>
    /// <param name="history">The history entry, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An argument breaks a rule.</exception>
    public static void ThrowIfInvalid(BillingDocumentRecord record, BillingHistoryEntry? history = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrEmpty(record.FirmId) || string.IsNullOrEmpty(record.DocumentKey) || string.IsNullOrEmpty(record.AccountId))
        {
            throw new ArgumentException("The record's firm id, document key and account id are required.", nameof(record));
        }

        if ((record.Kind == BillingDocumentKind.Invoice && record.Invoice is null) || (record.Kind == BillingDocumentKind.Payment && record.Payment is null))
        {
            throw new ArgumentException("The record's content must match its kind.", nameof(record));
        }

        if (history is null)
        {
            return;
        }

        if (!string.Equals(history.FirmId, record.FirmId, StringComparison.Ordinal) || !string.Equals(history.DocumentKey, record.DocumentKey, StringComparison.Ordinal))
        {
            throw new ArgumentException("The history entry must belong to the record's firm and document.", nameof(history));
        }

        if (history.ActorId is null)
        {
            throw new ArgumentException("The history entry's actor id is required.", nameof(history));
        }
    }

    /// <summary>Checks a list query (page size 1 to 1000, statuses not null) and decodes its continuation token.</summary>
    /// <param name="query">The query.</param>
    /// <returns>The document key after which the page starts; <see langword="null"/> for the first page.</returns>
    /// <exception cref="ArgumentException">The query breaks a rule, or its token is not one a store issued.</exception>
    public static string? StartOfPage(BillingDocumentQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000, nameof(query));
        if (query.Statuses is null)
        {
            throw new ArgumentException("The statuses must not be null; use an empty collection for all.", nameof(query));
        }

        if (query.ContinuationToken is null)
        {
            return null;
        }

        try
        {
            var base64 = query.ContinuationToken.Replace('-', '+').Replace('_', '/');
            base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
            var text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(base64));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length > Prefix.Length)
            {
                return text[Prefix.Length..];
            }
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
        }

        throw new ArgumentException("The continuation token is not valid.", nameof(query));
    }

    /// <summary>The continuation token after a page whose last row has this key.</summary>
    /// <param name="documentKey">The last row's key.</param>
    /// <returns>The token.</returns>
    public static string TokenAfter(string documentKey)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + documentKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The order of claims: document date, recorded time, then key (ordinal).</summary>
    /// <param name="a">One record.</param>
    /// <param name="b">The other.</param>
    /// <returns>The comparison.</returns>
    public static int CompareForClaim(BillingDocumentRecord a, BillingDocumentRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byDate = a.DocumentDate.CompareTo(b.DocumentDate);
        if (byDate != 0)
        {
            return byDate;
        }

        var byRecorded = a.RecordedAt.UtcTicks.CompareTo(b.RecordedAt.UtcTicks);
        return byRecorded != 0 ? byRecorded : string.CompareOrdinal(a.DocumentKey, b.DocumentKey);
    }
}
