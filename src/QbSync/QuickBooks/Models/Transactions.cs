using System.Text.Json;
using System.Text.Json.Serialization;

namespace QbSync.QuickBooks;

/// <summary>A line of an invoice or payment.</summary>
public sealed class QuickBooksLine
{
    /// <summary>QBO's id of the line.</summary>
    [JsonPropertyName("Id")]
    public string? Id { get; init; }

    /// <summary>Line number.</summary>
    [JsonPropertyName("LineNum")]
    public int? LineNum { get; init; }

    /// <summary>Description.</summary>
    [JsonPropertyName("Description")]
    public string? Description { get; init; }

    /// <summary>Amount of the line.</summary>
    [JsonPropertyName("Amount")]
    public decimal? Amount { get; init; }

    /// <summary>Kind of line: <c>SalesItemLineDetail</c>, <c>SubTotalLineDetail</c>, …; absent on payment lines.</summary>
    [JsonPropertyName("DetailType")]
    public string? DetailType { get; init; }

    /// <summary>Item details of a sales line.</summary>
    [JsonPropertyName("SalesItemLineDetail")]
    public QuickBooksSalesItemLineDetail? SalesItemLineDetail { get; init; }

    /// <summary>Transactions this line applies to (invoices paid by a payment line).</summary>
    [JsonPropertyName("LinkedTxn")]
    public IReadOnlyList<QuickBooksLinkedTransaction>? LinkedTxn { get; init; }

    /// <summary>Properties QBO sent that this model does not name (for example a payment line's <c>LineEx</c>).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The item part of a sales line.</summary>
public sealed class QuickBooksSalesItemLineDetail
{
    /// <summary>The item sold.</summary>
    [JsonPropertyName("ItemRef")]
    public QuickBooksReference? ItemRef { get; init; }

    /// <summary>Quantity.</summary>
    [JsonPropertyName("Qty")]
    public decimal? Qty { get; init; }

    /// <summary>Unit price.</summary>
    [JsonPropertyName("UnitPrice")]
    public decimal? UnitPrice { get; init; }

    /// <summary>Tax code.</summary>
    [JsonPropertyName("TaxCodeRef")]
    public QuickBooksReference? TaxCodeRef { get; init; }
}

/// <summary>A QBO invoice, as read.</summary>
public sealed class Invoice : QuickBooksEntity
{
    /// <summary>The invoice number (at most 21 characters).</summary>
    [JsonPropertyName("DocNumber")]
    public string? DocNumber { get; init; }

    /// <summary>Transaction date.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>Due date.</summary>
    [JsonPropertyName("DueDate")]
    public DateOnly? DueDate { get; init; }

    /// <summary>The customer billed.</summary>
    [JsonPropertyName("CustomerRef")]
    public QuickBooksReference? CustomerRef { get; init; }

    /// <summary>The lines.</summary>
    [JsonPropertyName("Line")]
    public IReadOnlyList<QuickBooksLine>? Line { get; init; }

    /// <summary>Total amount.</summary>
    [JsonPropertyName("TotalAmt")]
    public decimal? TotalAmt { get; init; }

    /// <summary>Amount still open.</summary>
    [JsonPropertyName("Balance")]
    public decimal? Balance { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency.</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }

    /// <summary>Linked transactions (payments applied to it, …).</summary>
    [JsonPropertyName("LinkedTxn")]
    public IReadOnlyList<QuickBooksLinkedTransaction>? LinkedTxn { get; init; }
}

/// <summary>A QBO payment, as read.</summary>
public sealed class Payment : QuickBooksEntity
{
    /// <summary>The paying customer.</summary>
    [JsonPropertyName("CustomerRef")]
    public QuickBooksReference? CustomerRef { get; init; }

    /// <summary>Total amount received.</summary>
    [JsonPropertyName("TotalAmt")]
    public decimal? TotalAmt { get; init; }

    /// <summary>Amount not applied to any invoice (a credit).</summary>
    [JsonPropertyName("UnappliedAmt")]
    public decimal? UnappliedAmt { get; init; }

    /// <summary>Transaction date.</summary>
    [JsonPropertyName("TxnDate")]
    public DateOnly? TxnDate { get; init; }

    /// <summary>Reference number (check number, …).</summary>
    [JsonPropertyName("PaymentRefNum")]
    public string? PaymentRefNum { get; init; }

    /// <summary>Lines applying the payment to invoices.</summary>
    [JsonPropertyName("Line")]
    public IReadOnlyList<QuickBooksLine>? Line { get; init; }

    /// <summary>Account the payment is deposited to.</summary>
    [JsonPropertyName("DepositToAccountRef")]
    public QuickBooksReference? DepositToAccountRef { get; init; }

    /// <summary>Payment method.</summary>
    [JsonPropertyName("PaymentMethodRef")]
    public QuickBooksReference? PaymentMethodRef { get; init; }

    /// <summary>Note not shown to the customer.</summary>
    [JsonPropertyName("PrivateNote")]
    public string? PrivateNote { get; init; }

    /// <summary>Currency.</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>The company's preferences, as far as QbSync reads them.</summary>
public sealed class CompanyPreferences : QuickBooksEntity
{
    /// <summary>Currency settings.</summary>
    [JsonPropertyName("CurrencyPrefs")]
    public CurrencyPreferences? CurrencyPrefs { get; init; }
}

/// <summary>The company's currency settings.</summary>
public sealed class CurrencyPreferences
{
    /// <summary>Whether the company uses multicurrency.</summary>
    [JsonPropertyName("MultiCurrencyEnabled")]
    public bool? MultiCurrencyEnabled { get; init; }

    /// <summary>The company's home currency (<c>value</c> is the ISO code, for example <c>USD</c>).</summary>
    [JsonPropertyName("HomeCurrency")]
    public QuickBooksReference? HomeCurrency { get; init; }
}
