namespace QbSync.Billing;

/// <summary>
/// Invoices and payments of synced accounts, pushed to QuickBooks Online exactly once each, in order, and held while
/// their account is not Synced. The host records documents and their changes (a system operation keyed by firm id,
/// idempotent by host id); people read statuses and retry failed documents through the same authorization policy as
/// accounts. Registered by <c>AddQbSync</c>; needs an <see cref="Stores.IBillingDocumentStore"/> (registered by
/// <c>UseInMemoryStore</c> and the SQL stores' <c>Use…Store</c>).
/// </summary>
/// <remarks>
/// What QuickBooks Online answers while a document is sent is not thrown: it becomes the document's status (Failed
/// with a reason, or a retry). Each method documents what it throws. In addition, every method throws
/// <see cref="OperationCanceledException"/> when its <c>cancellationToken</c> is cancelled, and lets the store's own
/// exceptions through.
/// </remarks>
public interface IBillingSyncService
{
    /// <summary>Records an invoice, or its new content when it changed (an edit after sync updates QBO's copy).
    /// Recording the same content again changes nothing.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="invoice">The invoice.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty, or the invoice is not valid (no lines, an empty id, a bad currency code).</exception>
    /// <exception cref="InvalidOperationException">The invoice was deleted; a deleted document is never recorded again.</exception>
    /// <exception cref="Sync.SyncConcurrencyException">Other writers kept changing the document; nothing was changed, and the call may be repeated.</exception>
    Task<BillingDocumentState> RecordInvoiceAsync(string firmId, InvoiceInfo invoice, CancellationToken cancellationToken = default);

    /// <summary>Records a payment, or its new content when it changed. Recording the same content again changes nothing.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="payment">The payment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty, or the payment is not valid (amount not positive, more applied than received).</exception>
    /// <exception cref="InvalidOperationException">The payment was deleted; a deleted document is never recorded again.</exception>
    /// <exception cref="Sync.SyncConcurrencyException">Other writers kept changing the document; nothing was changed, and the call may be repeated.</exception>
    Task<BillingDocumentState> RecordPaymentAsync(string firmId, PaymentInfo payment, CancellationToken cancellationToken = default);

    /// <summary>The document was voided in the host: it is voided in QBO (or, never sent, created and voided).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> or <paramref name="documentId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="BillingDocumentNotFoundException">The firm has no such document (a document of another firm is not found either).</exception>
    /// <exception cref="Sync.SyncConcurrencyException">Other writers kept changing the document; nothing was changed, and the call may be repeated.</exception>
    Task<BillingDocumentState> VoidAsync(string firmId, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default);

    /// <summary>The document was deleted in the host: it is deleted in QBO (never sent: nothing is sent).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> or <paramref name="documentId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="BillingDocumentNotFoundException">The firm has no such document (a document of another firm is not found either).</exception>
    /// <exception cref="Sync.SyncConcurrencyException">Other writers kept changing the document; nothing was changed, and the call may be repeated.</exception>
    Task<BillingDocumentState> DeleteAsync(string firmId, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default);

    /// <summary>One document's state, with its label and tooltip.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="documentId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="Sync.SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    /// <exception cref="BillingDocumentNotFoundException">The firm has no such document (a document of another firm is not found either).</exception>
    Task<BillingDocumentState> GetDocumentAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default);

    /// <summary>The firm's documents (or one account's), filtered by status, paged, ordered by kind and host id.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="query">Filter and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="query"/> is <see langword="null"/> or breaks a rule (a page size out of range, a continuation token no store issued).</exception>
    /// <exception cref="Sync.SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    Task<BillingDocumentStatePage> ListDocumentsAsync(SyncActor actor, BillingDocumentQuery query, CancellationToken cancellationToken = default);

    /// <summary>A document's history: every status change, who, when and why.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="documentId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="Sync.SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    /// <exception cref="BillingDocumentNotFoundException">The firm has no such document (a document of another firm is not found either).</exception>
    Task<IReadOnlyList<BillingHistoryEntry>> GetDocumentHistoryAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default);

    /// <summary>Tries a Failed document again (after the cause was fixed, say an item added in QBO).</summary>
    /// <param name="actor">An owner or admin (by default: the <see cref="SyncAction.Sync"/> action).</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="documentId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="Sync.SyncAuthorizationException">The authorization policy does not let the actor sync; nothing was read or changed.</exception>
    /// <exception cref="BillingDocumentNotFoundException">The firm has no such document (a document of another firm is not found either).</exception>
    /// <exception cref="Sync.SyncConcurrencyException">Other writers kept changing the document; nothing was changed, and the call may be repeated.</exception>
    Task<BillingDocumentState> RetryAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default);

    /// <summary>Sets the firm's default QBO item (by name) for lines whose service matches no item; null for none.</summary>
    /// <param name="actor">An owner or admin (by default: the <see cref="SyncAction.ChangeSettings"/> action).</param>
    /// <param name="itemName">The QBO item's name, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved settings.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="Sync.SyncAuthorizationException">The authorization policy does not let the actor change settings; nothing was read or changed.</exception>
    /// <exception cref="InvalidOperationException">Other writers kept changing the firm's settings; nothing was changed, and the call may be repeated.</exception>
    Task<FirmSyncSettings> SetDefaultItemAsync(SyncActor actor, string? itemName, CancellationToken cancellationToken = default);

    /// <summary>Runs the firm's due documents now (the background worker does this by itself).</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the run; claimed documents are given back.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty.</exception>
    Task<BillingRunResult> RunPendingDocumentsAsync(string firmId, CancellationToken cancellationToken = default);
}

/// <summary>What the host shows for one billing document.</summary>
public sealed record BillingDocumentState
{
    /// <summary>Invoice or payment.</summary>
    public required BillingDocumentKind Kind { get; init; }

    /// <summary>The host's id.</summary>
    public required string DocumentId { get; init; }

    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The status.</summary>
    public required SyncStatus Status { get; init; }

    /// <summary>Why.</summary>
    public BillingReason Reason { get; init; }

    /// <summary>Details of a Failed or waiting status.</summary>
    public BillingProblem? Problem { get; init; }

    /// <summary>What the host says: current, voided, deleted.</summary>
    public BillingHostState HostState { get; init; }

    /// <summary>The QBO id, once created.</summary>
    public string? QuickBooksId { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The status label in the current UI culture.</summary>
    public required string Label { get; init; }

    /// <summary>The tooltip in the current UI culture, with the reason filled in.</summary>
    public required string Tooltip { get; init; }
}

/// <summary>A page of document states.</summary>
/// <param name="Items">The states.</param>
/// <param name="ContinuationToken">Pass it back for the next page.</param>
public sealed record BillingDocumentStatePage(IReadOnlyList<BillingDocumentState> Items, string? ContinuationToken);

/// <summary>What a run of due documents did.</summary>
/// <param name="Claimed">Documents claimed (a document claimed again after it became due again counts again).</param>
/// <param name="Synced">Documents that ended Synced.</param>
/// <param name="Failed">Documents that ended Failed.</param>
/// <param name="Waiting">Documents that wait for their account or invoices.</param>
/// <param name="Retrying">Documents left Syncing for a later retry.</param>
public sealed record BillingRunResult(int Claimed, int Synced, int Failed, int Waiting, int Retrying);
