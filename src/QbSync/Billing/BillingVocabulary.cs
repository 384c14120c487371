namespace QbSync;

/// <summary>The kinds of billing documents QbSync pushes to QuickBooks Online.</summary>
public enum BillingDocumentKind
{
    /// <summary>An invoice (QBO <c>Invoice</c>).</summary>
    Invoice = 0,

    /// <summary>A payment received (QBO <c>Payment</c>), applied to invoices.</summary>
    Payment = 1,
}

/// <summary>What the host application says about a document now.</summary>
public enum BillingHostState
{
    /// <summary>The document is current (recorded or edited).</summary>
    Active = 0,

    /// <summary>The document was voided in the host application.</summary>
    Voided = 1,

    /// <summary>The document was deleted in the host application.</summary>
    Deleted = 2,
}

/// <summary>Why a billing document is in its status: a stable code stored with the document; texts come from
/// resources (English and Romanian).</summary>
public enum BillingReason
{
    /// <summary>No particular reason (queued, or synced).</summary>
    None = 0,

    /// <summary>Not synced: its account is not synced (yet); the document is sent once the account is Synced.</summary>
    AccountNotSynced = 1,

    /// <summary>Skipped: sync was skipped for its account; resyncing the account releases the document.</summary>
    AccountSkipped = 2,

    /// <summary>Not synced: a payment waits for the invoices it pays to reach QBO.</summary>
    WaitingForInvoice = 3,

    /// <summary>Not synced: the firm has no QBO company connected.</summary>
    NotConnected = 4,

    /// <summary>Synced: the document was deleted in the host before it ever reached QBO; nothing to send.</summary>
    DeletedBeforeSync = 5,

    /// <summary>Failed: a line's service has no QBO item of that name and the firm has no default item.</summary>
    ItemNotMapped = 10,

    /// <summary>Failed: the firm's default item does not exist (or is inactive) in QBO.</summary>
    DefaultItemNotFound = 11,

    /// <summary>Failed: after the create, QBO's total differs from the host's total (both figures in the problem).</summary>
    TotalMismatch = 12,

    /// <summary>Failed: the invoice number is longer than QBO's 21 characters.</summary>
    DocNumberTooLong = 13,

    /// <summary>Failed: QBO refused the invoice number as a duplicate (6140).</summary>
    DuplicateDocNumber = 14,

    /// <summary>Failed: the currency is not the company's home currency and the company has no multicurrency.</summary>
    CurrencyNotSupported = 15,

    /// <summary>Failed: the document was changed in QBO since QbSync last wrote it (stale sync token); nothing was
    /// overwritten.</summary>
    EditedInQuickBooks = 16,

    /// <summary>Failed: QBO refused the request (its code and message are in the problem).</summary>
    QuickBooksValidationError = 17,

    /// <summary>Failed: QBO kept failing transiently and the retries ran out.</summary>
    RetriesExhausted = 18,

    /// <summary>Failed: the firm's QBO connection must be reconnected by its owner.</summary>
    ReconnectRequired = 19,

    /// <summary>Failed: QBO refused to void or delete the document (its reason is in the problem).</summary>
    RemovalRefused = 20,

    /// <summary>Failed: the document no longer exists in QBO (deleted there), so it cannot be changed.</summary>
    NotFoundInQuickBooks = 21,

    /// <summary>Failed: a paid invoice was voided or deleted in the host, so the payment cannot be applied to it.</summary>
    PaidInvoiceRemoved = 22,
}

/// <summary>What caused a billing document's status change: the events of its state table.</summary>
public enum BillingTrigger
{
    /// <summary>The host recorded the document.</summary>
    Recorded = 0,

    /// <summary>The host edited, voided or deleted it.</summary>
    Changed = 1,

    /// <summary>Its account (or the invoices a payment pays) became ready: the document is due.</summary>
    Released = 2,

    /// <summary>It waits: its account is not synced, or the invoices it pays are not in QBO yet.</summary>
    Held = 3,

    /// <summary>It waits because its account is skipped.</summary>
    HeldBySkippedAccount = 4,

    /// <summary>A worker started the QBO write (intent saved first).</summary>
    Started = 5,

    /// <summary>A worker resumed a write left in Syncing by a process that stopped.</summary>
    Resumed = 6,

    /// <summary>The QBO write succeeded and QBO holds the host's current version.</summary>
    Succeeded = 7,

    /// <summary>The QBO write succeeded but the host changed the document meanwhile: more work is due.</summary>
    SucceededWithMoreWork = 8,

    /// <summary>A transient failure (429, 5xx, timeout); a retry is scheduled.</summary>
    TransientFailure = 9,

    /// <summary>A permanent failure, or one that needs a person.</summary>
    PermanentFailure = 10,

    /// <summary>Transient failures went on until the retries ran out.</summary>
    RetriesExhausted = 11,

    /// <summary>An owner or admin asked to try a failed document again.</summary>
    RetryRequested = 12,
}
