namespace QbSync.Stores;

/// <summary>
/// The argument rules every <see cref="IAccountStore"/> applies before writing, shared so that all stores refuse the
/// same inputs the same way (the conformance suite checks them).
/// </summary>
public static class AccountStoreGuard
{
    /// <summary>Throws unless the record has a firm id, an account id and an account name, and the history entry (if
    /// any) belongs to the same firm and account and names its actor.</summary>
    /// <param name="record">The record to write.</param>
    /// <param name="history">The history entry written with it, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An argument breaks a rule.</exception>
    public static void ThrowIfInvalid(SyncAccountRecord record, SyncHistoryEntry? history = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrEmpty(record.FirmId))
        {
            throw new ArgumentException("The record's firm id is required.", nameof(record));
        }

        if (string.IsNullOrEmpty(record.AccountId))
        {
            throw new ArgumentException("The record's account id is required.", nameof(record));
        }

        if (record.AccountName is null)
        {
            throw new ArgumentException("The record's account name is required.", nameof(record));
        }

        if (history is null)
        {
            return;
        }

        if (!string.Equals(history.FirmId, record.FirmId, StringComparison.Ordinal)
            || !string.Equals(history.AccountId, record.AccountId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The history entry must belong to the record's firm and account.", nameof(history));
        }

        if (history.ActorId is null)
        {
            throw new ArgumentException("The history entry's actor id is required.", nameof(history));
        }
    }

    /// <summary>Throws unless every update is valid as <see cref="ThrowIfInvalid(SyncAccountRecord, SyncHistoryEntry?)"/>
    /// requires, with an expected version of at least 0, and no two updates are for the same account.</summary>
    /// <param name="updates">The updates of one <see cref="IAccountStore.TryUpdateManyAsync"/> call.</param>
    /// <exception cref="ArgumentException">An update breaks a rule (the message gives its position).</exception>
    public static void ThrowIfInvalid(IReadOnlyList<AccountUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < updates.Count; i++)
        {
            var update = updates[i] ?? throw new ArgumentException($"Update {i} is null.", nameof(updates));
            ThrowIfInvalid(update.Record, update.History);
            if (update.ExpectedVersion < 0)
            {
                throw new ArgumentException($"Update {i} expects a negative version.", nameof(updates));
            }

            if (!seen.Add((update.Record.FirmId, update.Record.AccountId)))
            {
                throw new ArgumentException($"Update {i} is the second update of one account in the same call.", nameof(updates));
            }
        }
    }

    /// <summary>Throws unless every record is valid as <see cref="ThrowIfInvalid(SyncAccountRecord, SyncHistoryEntry?)"/>
    /// requires.</summary>
    /// <param name="records">The records of one <see cref="IAccountStore.TryInsertManyAsync"/> call.</param>
    /// <exception cref="ArgumentException">A record breaks a rule.</exception>
    public static void ThrowIfInvalid(IReadOnlyList<SyncAccountRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        for (var i = 0; i < records.Count; i++)
        {
            ThrowIfInvalid(records[i]);
        }
    }

    /// <summary>Checks a list query (page size 1 to 1000, statuses not null) and decodes its continuation token.</summary>
    /// <param name="query">The query.</param>
    /// <returns>The (account name, account id) key after which the page starts; <see langword="null"/> for the first page.</returns>
    /// <exception cref="ArgumentException">The query breaks a rule, or its token is not one a store issued.</exception>
    public static (string AccountName, string AccountId)? StartOfPage(AccountQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, 1000, nameof(query));
        if (query.Statuses is null)
        {
            throw new ArgumentException("The statuses must not be null; use an empty collection for all.", nameof(query));
        }

        return query.ContinuationToken is null ? null : AccountListToken.Decode(query.ContinuationToken, nameof(query));
    }
}
