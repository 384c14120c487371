namespace QbSync.Stores;

/// <summary>
/// Persistence of billing documents (invoices and payments) as the sync sees them, and their history. Same contract
/// as <see cref="IAccountStore"/>: insert-if-absent, compare-and-swap on the record's version with the history entry
/// in the same atomic step, claims that lease due records so two workers never get the same one, everything scoped to
/// a firm. Implementations: <see cref="InMemoryBillingDocumentStore"/> and the SQL stores; all pass the conformance
/// suite in <c>QbSync.Testing</c>.
/// </summary>
public interface IBillingDocumentStore
{
    /// <summary>Reads one document.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="documentKey">The document's key (<see cref="BillingDocumentRecord.KeyOf"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default);

    /// <summary>Inserts a record unless one with the same firm and key exists.</summary>
    /// <param name="record">The record; its version is ignored and stored as 1.</param>
    /// <param name="history">A history entry stored with it, atomically.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record (version 1), or <see langword="null"/> when it already existed.</returns>
    Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces a record if its stored version is still <paramref name="expectedVersion"/>, appending the
    /// history entry in the same atomic step.</summary>
    /// <param name="record">The new state (its version is ignored).</param>
    /// <param name="expectedVersion">The version the caller read.</param>
    /// <param name="history">A history entry to append, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record with version <c>expectedVersion + 1</c>, or <see langword="null"/> when another
    /// writer changed it first or it does not exist.</returns>
    Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default);

    /// <summary>Lists a firm's documents (or one account's) ordered by document key, one page at a time.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="query">Filter and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="maxCount"/> of the firm's documents whose <see cref="BillingDocumentRecord.NextAttemptAt"/>
    /// is at or before <paramref name="now"/> and whose lease is free or expired, giving each a lease to
    /// <paramref name="ownerId"/> until <c>now + leaseDuration</c>. Two claimers never get the same record. Oldest
    /// first: by document date, then recorded time, then key.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="ownerId">The claiming worker.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseDuration">How long the lease lasts.</param>
    /// <param name="maxCount">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed records (with their new version), oldest first.</returns>
    Task<IReadOnlyList<BillingDocumentRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The firms that have documents that could be claimed at <paramref name="now"/>, in ordinal order.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The firm ids.</returns>
    Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>A document's history, oldest first (empty when there is no such document).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="documentKey">The document's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<BillingHistoryEntry>> GetHistoryAsync(string firmId, string documentKey, CancellationToken cancellationToken = default);

    /// <summary>Deletes every billing document of the firm and their history (the firm's data is being purged).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of documents deleted.</returns>
    Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default);
}
