namespace QbSync.Stores;

/// <summary>
/// Persistence of accounts as the sync sees them, their history and the firms' settings. Designed for a database
/// shared by several processes: every change is an insert-if-absent or a compare-and-swap on the record's version,
/// background work claims records with a lease, and everything is scoped to a firm. Implementations: the in-memory
/// <c>InMemoryAccountStore</c>, and the SQL stores; all pass the conformance suite in <c>QbSync.Testing</c>.
/// </summary>
public interface IAccountStore
{
    /// <summary>Reads one account.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record, or <see langword="null"/> when the firm has no such account.</returns>
    Task<SyncAccountRecord?> GetAsync(string firmId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Inserts a record unless one with the same firm and account id exists.</summary>
    /// <param name="record">The record; its version is ignored and stored as 1.</param>
    /// <param name="history">A history entry to store with it, atomically.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record (version 1), or <see langword="null"/> when it already existed or its customer is
    /// already linked to another account of the firm.</returns>
    Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a record if its stored version is still <paramref name="expectedVersion"/>, and appends the history
    /// entry in the same atomic step.
    /// </summary>
    /// <param name="record">The new state (its <see cref="SyncAccountRecord.Version"/> is ignored).</param>
    /// <param name="expectedVersion">The version the caller read.</param>
    /// <param name="history">A history entry to append, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record with version <c>expectedVersion + 1</c>, or <see langword="null"/> when another
    /// writer changed it first, it does not exist, or its customer is already linked to another account of the firm
    /// (a QBO customer is linked to at most one account per firm).</returns>
    Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads several accounts of one firm at once.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountIds">The accounts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records that exist (any order); an id the firm does not have is left out.</returns>
    async Task<IReadOnlyList<SyncAccountRecord>> GetManyAsync(string firmId, IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        var found = new List<SyncAccountRecord>(accountIds.Count);
        foreach (var accountId in accountIds)
        {
            if (await GetAsync(firmId, accountId, cancellationToken).ConfigureAwait(false) is { } record)
            {
                found.Add(record);
            }
        }

        return found;
    }

    /// <summary>
    /// Inserts several records, each exactly as <see cref="TryInsertAsync"/> would (insert-if-absent, the customer
    /// link rule), in as few round trips and commits as the store can. Each record succeeds or is refused on its own;
    /// a SQL store writes them in one transaction.
    /// </summary>
    /// <param name="records">The records (versions ignored, stored as 1).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per record, in the same order: the stored record, or <see langword="null"/> when refused.</returns>
    async Task<IReadOnlyList<SyncAccountRecord?>> TryInsertManyAsync(IReadOnlyList<SyncAccountRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var results = new SyncAccountRecord?[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            results[i] = await TryInsertAsync(records[i], null, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// Applies several compare-and-swaps, each exactly as <see cref="TryUpdateAsync"/> would (version check, customer
    /// link rule, history appended atomically with its record), in as few round trips and commits as the store can.
    /// Each update succeeds or is refused on its own (a refused one does not undo the others); a SQL store writes them
    /// in one transaction. The sync engine uses it to save the outcomes of a whole batch together.
    /// </summary>
    /// <param name="updates">The updates; at most one per account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per update, in the same order: the stored record with its new version, or
    /// <see langword="null"/> when refused.</returns>
    async Task<IReadOnlyList<SyncAccountRecord?>> TryUpdateManyAsync(IReadOnlyList<AccountUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var results = new SyncAccountRecord?[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            results[i] = await TryUpdateAsync(updates[i].Record, updates[i].ExpectedVersion, updates[i].History, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>The account of the firm linked to a QBO customer, if any (there is at most one).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="customerId">The QBO customer id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The linked account, or <see langword="null"/>.</returns>
    Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default);

    /// <summary>The ids of every QBO customer linked to an account of the firm.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The customer ids, with the account linked to each.</returns>
    Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default);

    /// <summary>Lists a firm's accounts in a stable order (account name, ordinal, then account id), one page at a time.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="query">Filter and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<AccountPage> ListAsync(string firmId, AccountQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="maxCount"/> of the firm's records whose <see cref="SyncAccountRecord.NextAttemptAt"/>
    /// is at or before <paramref name="now"/> and whose lease is free or expired, giving each a lease to
    /// <paramref name="ownerId"/> until <c>now + leaseDuration</c>. Two claimers never get the same record.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="ownerId">The claiming worker.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseDuration">How long the lease lasts.</param>
    /// <param name="maxCount">At most this many records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed records (with their new version), oldest due first.</returns>
    Task<IReadOnlyList<SyncAccountRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the leases that <paramref name="ownerId"/> still holds on the given accounts to
    /// <paramref name="leaseUntil"/> (and their <see cref="SyncAccountRecord.NextAttemptAt"/> with it, so work left by a
    /// stopped process becomes due when its lease ends), and returns those records as they are now. An account whose
    /// lease another owner holds, or that nobody leases any more (an unsync cleared it), is left alone and not returned.
    /// A renewal is bookkeeping, not a change of the record: its <see cref="SyncAccountRecord.Version"/> stays the same,
    /// so a worker's pending compare-and-swap is not disturbed, and it writes no history.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="ownerId">The lease owner.</param>
    /// <param name="accountIds">The accounts.</param>
    /// <param name="leaseUntil">The new end of the leases.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records whose lease was renewed, as stored now (any order).</returns>
    Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>The firms that have records due at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The firm ids.</returns>
    Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>An account's history, oldest first.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(string firmId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>A firm's settings.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings, or <see langword="null"/> when never saved.</returns>
    Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default);

    /// <summary>Saves a firm's settings if their stored version is still <paramref name="expectedVersion"/>
    /// (0 when none are stored yet). A QuickBooks company belongs to one firm: the save is refused when
    /// <see cref="FirmSyncSettings.RealmId"/> is held by another firm's settings, atomically with any concurrent save
    /// (SQL stores: a unique index on the realm id where it is not null).</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="expectedVersion">The version read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored settings with the new version (<paramref name="expectedVersion"/> + 1), or
    /// <see langword="null"/> on a version conflict or when another firm holds the realm (tell them apart with
    /// <see cref="FindFirmByRealmAsync"/>).</returns>
    Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// The firm that holds a QuickBooks company: the one whose settings have <see cref="FirmSyncSettings.RealmId"/>
    /// equal (ordinal) to <paramref name="realmId"/>. There is at most one (see <see cref="TrySaveFirmSettingsAsync"/>).
    /// Webhooks carry only a realm id: this maps it to the firm to pass to
    /// <c>IAccountSyncService.ApplyQuickBooksChangesAsync</c>.
    /// </summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The firm id, or <see langword="null"/> when no firm holds the realm.</returns>
    Task<string?> FindFirmByRealmAsync(string realmId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes one account of a firm with its history, atomically; the customer it was linked to becomes free for
    /// another account of the firm. Other firms' accounts with the same id are untouched.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the account existed and is deleted; <see langword="false"/> when the firm
    /// had no such account.</returns>
    Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes everything the store holds for a firm, atomically: every account record (with its problem, intent and
    /// lease), every history entry and the firm's settings (which releases its realm). Nothing of other firms is
    /// touched. Tokens live in the <c>ITokenStore</c> and are revoked and deleted by the service, not here. After it, the
    /// firm reads as never seen (settings <see langword="null"/>, no accounts, no history).
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many account records were deleted.</returns>
    Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default);
}
