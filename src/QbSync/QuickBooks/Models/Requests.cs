using System.Text.Json.Serialization;

namespace QbSync.QuickBooks;

/// <summary>The body of a customer create. Only the fields set are sent.</summary>
public sealed class CustomerCreateRequest
{
    /// <summary>The display name; unique across customers, vendors and employees (inactive ones included), at most
    /// 500 characters, no colon, tab or newline.</summary>
    [JsonPropertyName("DisplayName")]
    public string? DisplayName { get; init; }

    /// <summary>Title.</summary>
    [JsonPropertyName("Title")]
    public string? Title { get; init; }

    /// <summary>Given name (at most 100 characters).</summary>
    [JsonPropertyName("GivenName")]
    public string? GivenName { get; init; }

    /// <summary>Middle name (at most 100 characters).</summary>
    [JsonPropertyName("MiddleName")]
    public string? MiddleName { get; init; }

    /// <summary>Family name (at most 100 characters).</summary>
    [JsonPropertyName("FamilyName")]
    public string? FamilyName { get; init; }

    /// <summary>Suffix.</summary>
    [JsonPropertyName("Suffix")]
    public string? Suffix { get; init; }

    /// <summary>Company name (at most 100 characters).</summary>
    [JsonPropertyName("CompanyName")]
    public string? CompanyName { get; init; }

    /// <summary>Primary e-mail (must contain an at sign and a dot).</summary>
    [JsonPropertyName("PrimaryEmailAddr")]
    public QuickBooksEmailAddress? PrimaryEmailAddr { get; init; }

    /// <summary>Primary phone.</summary>
    [JsonPropertyName("PrimaryPhone")]
    public QuickBooksPhoneNumber? PrimaryPhone { get; init; }

    /// <summary>Billing address.</summary>
    [JsonPropertyName("BillAddr")]
    public QuickBooksPhysicalAddress? BillAddr { get; init; }

    /// <summary>Notes (at most 2000 characters).</summary>
    [JsonPropertyName("Notes")]
    public string? Notes { get; init; }

    /// <summary>The customer type to assign, by id.</summary>
    [JsonPropertyName("CustomerTypeRef")]
    public QuickBooksReference? CustomerTypeRef { get; init; }
}

/// <summary>
/// A sparse update of a customer: only the fields set here change; <see cref="Id"/> and the current
/// <see cref="SyncToken"/> are required.
/// </summary>
public sealed class CustomerUpdateRequest
{
    /// <summary>The customer's id.</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The customer's current sync token; a stale one is refused with fault 5010.</summary>
    [JsonPropertyName("SyncToken")]
    public required string SyncToken { get; init; }

    /// <summary>Always <see langword="true"/>: QbSync only sends sparse updates, which never blank out fields.</summary>
    [JsonPropertyName("sparse")]
    public bool Sparse { get; } = true;

    /// <summary>New display name.</summary>
    [JsonPropertyName("DisplayName")]
    public string? DisplayName { get; init; }

    /// <summary>New active flag: <see langword="false"/> "deletes" the customer, <see langword="true"/> reactivates it.</summary>
    [JsonPropertyName("Active")]
    public bool? Active { get; init; }

    /// <summary>New given name.</summary>
    [JsonPropertyName("GivenName")]
    public string? GivenName { get; init; }

    /// <summary>New family name.</summary>
    [JsonPropertyName("FamilyName")]
    public string? FamilyName { get; init; }

    /// <summary>New company name.</summary>
    [JsonPropertyName("CompanyName")]
    public string? CompanyName { get; init; }

    /// <summary>New primary e-mail.</summary>
    [JsonPropertyName("PrimaryEmailAddr")]
    public QuickBooksEmailAddress? PrimaryEmailAddr { get; init; }

    /// <summary>New notes.</summary>
    [JsonPropertyName("Notes")]
    public string? Notes { get; init; }

    /// <summary>New customer type.</summary>
    [JsonPropertyName("CustomerTypeRef")]
    public QuickBooksReference? CustomerTypeRef { get; init; }
}

/// <summary>The body of an invoice create: a customer and at least one line.</summary>
public sealed class InvoiceCreateRequest
{
    /// <summary>The customer billed (must be active).</summary>
    [JsonPropertyName("CustomerRef")]
    public required QuickBooksReference CustomerRef { get; init; }

    /// <summary>The lines; sales lines need an existing item.</summary>
    [JsonPropertyName("Line")]
    public required IReadOnlyList<QuickBooksLine> Line { get; init; }

    /// <summary>The invoice number (at most 21 characters); leave empty when QBO numbers invoices itself.</summary>
    [JsonPropertyName("DocNumber")]
    public string? DocNumber { get; init; }

    /// <summary>Transaction date; QBO uses its current date when absent.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>Due date.</summary>
    [JsonPropertyName("DueDate")]
    public DateOnly? DueDate { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency; send it only in companies with multicurrency (QBO uses the customer's currency otherwise).</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>The body of a payment create: a customer and a total amount, optionally applied to invoices.</summary>
public sealed class PaymentCreateRequest
{
    /// <summary>The paying customer.</summary>
    [JsonPropertyName("CustomerRef")]
    public required QuickBooksReference CustomerRef { get; init; }

    /// <summary>Total amount received (required by QBO: fault 6000 otherwise).</summary>
    [JsonPropertyName("TotalAmt")]
    public required decimal TotalAmt { get; init; }

    /// <summary>Transaction date.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>Lines applying the amount to invoices (<see cref="QuickBooksLine.LinkedTxn"/>); the rest stays unapplied.</summary>
    [JsonPropertyName("Line")]
    public IReadOnlyList<QuickBooksLine>? Line { get; init; }

    /// <summary>Reference number.</summary>
    [JsonPropertyName("PaymentRefNum")]
    public string? PaymentRefNum { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency; send it only in companies with multicurrency.</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>
/// A sparse update of an invoice: only the fields set here change (<see cref="Line"/>, when set, replaces every line);
/// <see cref="Id"/> and the current <see cref="SyncToken"/> are required.
/// </summary>
public sealed class InvoiceUpdateRequest
{
    /// <summary>The invoice's id.</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The invoice's current sync token; a stale one is refused with fault 5010.</summary>
    [JsonPropertyName("SyncToken")]
    public required string SyncToken { get; init; }

    /// <summary>Always <see langword="true"/>: a sparse update never blanks out fields it does not name.</summary>
    [JsonPropertyName("sparse")]
    public bool Sparse { get; } = true;

    /// <summary>The customer billed.</summary>
    [JsonPropertyName("CustomerRef")]
    public QuickBooksReference? CustomerRef { get; init; }

    /// <summary>The new lines (all of them).</summary>
    [JsonPropertyName("Line")]
    public IReadOnlyList<QuickBooksLine>? Line { get; init; }

    /// <summary>The invoice number (at most 21 characters).</summary>
    [JsonPropertyName("DocNumber")]
    public string? DocNumber { get; init; }

    /// <summary>Transaction date.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>Due date.</summary>
    [JsonPropertyName("DueDate")]
    public DateOnly? DueDate { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency (only in companies with multicurrency).</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>
/// A sparse update of a payment: only the fields set here change (<see cref="Line"/>, when set, replaces every line);
/// <see cref="Id"/> and the current <see cref="SyncToken"/> are required.
/// </summary>
public sealed class PaymentUpdateRequest
{
    /// <summary>The payment's id.</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The payment's current sync token; a stale one is refused with fault 5010.</summary>
    [JsonPropertyName("SyncToken")]
    public required string SyncToken { get; init; }

    /// <summary>Always <see langword="true"/>: a sparse update never blanks out fields it does not name.</summary>
    [JsonPropertyName("sparse")]
    public bool Sparse { get; } = true;

    /// <summary>The paying customer.</summary>
    [JsonPropertyName("CustomerRef")]
    public QuickBooksReference? CustomerRef { get; init; }

    /// <summary>Total amount received.</summary>
    [JsonPropertyName("TotalAmt")]
    public decimal? TotalAmt { get; init; }

    /// <summary>Transaction date.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>The new lines applying the amount to invoices (all of them).</summary>
    [JsonPropertyName("Line")]
    public IReadOnlyList<QuickBooksLine>? Line { get; init; }

    /// <summary>Reference number.</summary>
    [JsonPropertyName("PaymentRefNum")]
    public string? PaymentRefNum { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency (only in companies with multicurrency).</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>The body of a void or delete: which transaction, at which version.</summary>
public sealed class QuickBooksTransactionReference
{
    /// <summary>The transaction's id.</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The transaction's current sync token; a stale one is refused with fault 5010.</summary>
    [JsonPropertyName("SyncToken")]
    public required string SyncToken { get; init; }

    /// <summary>Set on a payment void (QBO voids payments through a sparse update).</summary>
    [JsonPropertyName("sparse")]
    public bool? Sparse { get; init; }
}
