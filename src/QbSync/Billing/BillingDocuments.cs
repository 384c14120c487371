namespace QbSync;

/// <summary>An invoice as the host application has it. Amounts are <see cref="decimal"/>; the total is the sum of
/// the lines' amounts.</summary>
public sealed record InvoiceInfo
{
    /// <summary>The invoice's id in the host application (unique per firm among invoices).</summary>
    public required string InvoiceId { get; init; }

    /// <summary>The account billed.</summary>
    public required string AccountId { get; init; }

    /// <summary>The invoice number (QBO <c>DocNumber</c>, at most 21 characters); <see langword="null"/> lets QBO number it.</summary>
    public string? Number { get; init; }

    /// <summary>The issue date (QBO <c>TxnDate</c>).</summary>
    public required DateOnly IssueDate { get; init; }

    /// <summary>The due date.</summary>
    public DateOnly? DueDate { get; init; }

    /// <summary>The ISO currency code, for example <c>USD</c>.</summary>
    public required string Currency { get; init; }

    /// <summary>The lines (at least one).</summary>
    public required IReadOnlyList<InvoiceLineInfo> Lines { get; init; }

    /// <summary>The host's total: the sum of the lines' amounts.</summary>
    public decimal Total => Lines.Sum(l => l.Amount);

    /// <summary>Value equality, lines compared item by item.</summary>
    /// <param name="other">The other invoice.</param>
    /// <returns>Whether both are the same invoice content.</returns>
    public bool Equals(InvoiceInfo? other) =>
        other is not null && InvoiceId == other.InvoiceId && AccountId == other.AccountId && Number == other.Number
        && IssueDate == other.IssueDate && DueDate == other.DueDate && Currency == other.Currency && Lines.SequenceEqual(other.Lines);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(InvoiceId, AccountId, Number, IssueDate, Lines.Count);
}

/// <summary>A line of an invoice.</summary>
/// <param name="Description">What was sold.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">The price of one.</param>
/// <param name="Amount">The line's amount (normally quantity times unit price, rounded to the cent by the host).</param>
/// <param name="ServiceName">The host's service or product name, mapped to the QBO item of the same name
/// (the firm's default item when none matches or the name is empty).</param>
public sealed record InvoiceLineInfo(string? Description, decimal Quantity, decimal UnitPrice, decimal Amount, string? ServiceName);

/// <summary>A payment received, as the host application has it.</summary>
public sealed record PaymentInfo
{
    /// <summary>The payment's id in the host application (unique per firm among payments).</summary>
    public required string PaymentId { get; init; }

    /// <summary>The paying account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The date received (QBO <c>TxnDate</c>).</summary>
    public required DateOnly Date { get; init; }

    /// <summary>The amount received.</summary>
    public required decimal Amount { get; init; }

    /// <summary>The ISO currency code.</summary>
    public required string Currency { get; init; }

    /// <summary>How it was paid (card, transfer, …); kept in QBO's private note.</summary>
    public string? Method { get; init; }

    /// <summary>The payment's reference (check number, transaction id); QBO <c>PaymentRefNum</c>, at most 21
    /// characters (longer ones are cut and kept whole in the private note).</summary>
    public string? Reference { get; init; }

    /// <summary>Which invoices it pays and how much of each; the rest of the amount stays unapplied (a credit).</summary>
    public IReadOnlyList<PaymentApplication> Applications { get; init; } = [];

    /// <summary>Value equality, applications compared item by item.</summary>
    /// <param name="other">The other payment.</param>
    /// <returns>Whether both are the same payment content.</returns>
    public bool Equals(PaymentInfo? other) =>
        other is not null && PaymentId == other.PaymentId && AccountId == other.AccountId && Date == other.Date && Amount == other.Amount
        && Currency == other.Currency && Method == other.Method && Reference == other.Reference && Applications.SequenceEqual(other.Applications);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PaymentId, AccountId, Date, Amount, Applications.Count);
}

/// <summary>How much of a payment goes to one invoice.</summary>
/// <param name="InvoiceId">The host's invoice id.</param>
/// <param name="Amount">The amount applied.</param>
public sealed record PaymentApplication(string InvoiceId, decimal Amount);

/// <summary>The details of a Failed or waiting document: a reason code and what QBO said.</summary>
public sealed record BillingProblem
{
    /// <summary>Why.</summary>
    public required BillingReason Reason { get; init; }

    /// <summary>What the reason is about: the unmapped service name, the document number, the invoice waited for,
    /// the currency, or the two totals ("host 10.00, QuickBooks 10.01").</summary>
    public string? Subject { get; init; }

    /// <summary>QBO's error code, when QBO refused something.</summary>
    public string? QuickBooksErrorCode { get; init; }

    /// <summary>QBO's message and detail (never a token).</summary>
    public string? QuickBooksMessage { get; init; }

    /// <summary>The <c>intuit_tid</c> of the failed request, for Intuit support.</summary>
    public string? IntuitTid { get; init; }

    /// <summary>When the problem was recorded.</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>The QBO write a document's record has committed to before making it.</summary>
public enum BillingOperation
{
    /// <summary>Create the document in QBO.</summary>
    Create = 0,

    /// <summary>Update it with the stored sync token.</summary>
    Update = 1,

    /// <summary>Void it.</summary>
    Void = 2,

    /// <summary>Delete it.</summary>
    Delete = 3,
}

/// <summary>A QBO write of a document, stored before it is sent, so a crash resumes without writing twice.</summary>
public sealed record BillingIntent
{
    /// <summary>The write.</summary>
    public required BillingOperation Operation { get; init; }

    /// <summary>The <c>requestid</c> of a single request, sent with it and with every retry of it.</summary>
    public required string RequestId { get; init; }

    /// <summary>The host revision the write carries.</summary>
    public required long Revision { get; init; }

    /// <summary>The batch's <c>requestid</c> when the write goes in a batch.</summary>
    public string? BatchRequestId { get; init; }

    /// <summary>The item's <c>bId</c> in that batch.</summary>
    public string? BatchItemId { get; init; }

    /// <summary>The QBO customer the write is sent for (the account's linked customer at the time). A resume looks the
    /// document up under this customer, so a relink meanwhile does not hide the copy already created. Null in intents
    /// saved before this field existed: the account's current customer is used.</summary>
    public string? CustomerId { get; init; }
}

/// <summary>One billing document as the sync sees it: the host's content, its QBO copy and its status. Every change
/// is a compare-and-swap on <see cref="Version"/>.</summary>
public sealed record BillingDocumentRecord
{
    /// <summary>The firm.</summary>
    public required string FirmId { get; init; }

    /// <summary>The document's key: <c>invoice:{host id}</c> or <c>payment:{host id}</c> (see <see cref="KeyOf"/>).</summary>
    public required string DocumentKey { get; init; }

    /// <summary>Invoice or payment.</summary>
    public required BillingDocumentKind Kind { get; init; }

    /// <summary>The account the document belongs to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The invoice's content, for an invoice.</summary>
    public InvoiceInfo? Invoice { get; init; }

    /// <summary>The payment's content, for a payment.</summary>
    public PaymentInfo? Payment { get; init; }

    /// <summary>What the host says now: current, voided or deleted.</summary>
    public BillingHostState HostState { get; init; }

    /// <summary>The host's revision: 1 when recorded, one more at each change.</summary>
    public long Revision { get; init; } = 1;

    /// <summary>The host revision QBO holds; 0 before the first write succeeded.</summary>
    public long SyncedRevision { get; init; }

    /// <summary>What QBO holds, once the document was created there: current, voided or deleted.</summary>
    public BillingHostState SyncedState { get; init; }

    /// <summary>The document's date (issue or payment date), for the order of sends.</summary>
    public required DateOnly DocumentDate { get; init; }

    /// <summary>When the host first recorded it (the order of sends among documents of one date).</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>The status.</summary>
    public SyncStatus Status { get; init; } = SyncStatus.Syncing;

    /// <summary>Why.</summary>
    public BillingReason Reason { get; init; }

    /// <summary>Details of a Failed or waiting status.</summary>
    public BillingProblem? Problem { get; init; }

    /// <summary>The QBO id of the document, once created.</summary>
    public string? QuickBooksId { get; init; }

    /// <summary>The QBO company (realm id) of <see cref="QuickBooksId"/> and of the write in progress: a copy in another
    /// company than the firm's current one (the firm switched company) is forgotten, and the document is written anew
    /// in the current company once its account is synced there. <see langword="null"/> for documents written before this
    /// was recorded (they count as the current company's).</summary>
    public string? QuickBooksRealmId { get; init; }

    /// <summary>The QBO sync token of the copy QbSync last wrote or read.</summary>
    public string? QuickBooksSyncToken { get; init; }

    /// <summary>A fingerprint of the fields QbSync owns in the QBO copy it last wrote (to tell a payment's link,
    /// which changes an invoice's sync token, from an edit made in QBO).</summary>
    public string? QuickBooksFingerprint { get; init; }

    /// <summary>The QBO write in progress, written before it is made.</summary>
    public BillingIntent? Intent { get; init; }

    /// <summary>Transient failures of the current work so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When background work should next pick the document up; <see langword="null"/> when nothing is due.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The worker holding the document.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when the lease holds.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The record's version: each successful write adds one.</summary>
    public long Version { get; init; }

    /// <summary>The host's id of the document.</summary>
    public string DocumentId => Kind == BillingDocumentKind.Invoice ? Invoice?.InvoiceId ?? DocumentKey : Payment?.PaymentId ?? DocumentKey;

    /// <summary>The store key of a document.</summary>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="hostId">The host's id.</param>
    /// <returns>The key.</returns>
    public static string KeyOf(BillingDocumentKind kind, string hostId) =>
        (kind == BillingDocumentKind.Invoice ? "invoice:" : "payment:") + hostId;
}

/// <summary>One change of a billing document's status, kept for its history.</summary>
public sealed record BillingHistoryEntry
{
    /// <summary>The firm.</summary>
    public required string FirmId { get; init; }

    /// <summary>The document's key.</summary>
    public required string DocumentKey { get; init; }

    /// <summary>The status before.</summary>
    public required SyncStatus From { get; init; }

    /// <summary>The status after.</summary>
    public required SyncStatus To { get; init; }

    /// <summary>What caused it.</summary>
    public required BillingTrigger Trigger { get; init; }

    /// <summary>The reason recorded with the new status.</summary>
    public BillingReason Reason { get; init; }

    /// <summary>Who: a user id, or <see cref="SyncActor.SystemUserId"/>.</summary>
    public required string ActorId { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Facts worth keeping: the QBO id created, the revision sent.</summary>
    public string? Note { get; init; }
}

/// <summary>Filter and paging of a firm's billing documents.</summary>
public sealed record BillingDocumentQuery
{
    /// <summary>Only this account's documents; <see langword="null"/> for the whole firm.</summary>
    public string? AccountId { get; init; }

    /// <summary>Only documents in one of these statuses; empty for all.</summary>
    public IReadOnlyCollection<SyncStatus> Statuses { get; init; } = [];

    /// <summary>At most this many rows (1 to 1000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The previous page's continuation token; <see langword="null"/> for the first.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>A page of billing documents, ordered by document key.</summary>
/// <param name="Items">The documents.</param>
/// <param name="ContinuationToken">Pass it back for the next page; <see langword="null"/> on the last page.</param>
public sealed record BillingDocumentPage(IReadOnlyList<BillingDocumentRecord> Items, string? ContinuationToken);
