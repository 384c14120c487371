using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>Invoices: create (idempotent), read, find by document number.</summary>
public class InvoicesClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected InvoicesClient()
    {
    }

    internal InvoicesClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>
    /// Creates an invoice with a <c>requestid</c> chosen once (yours, or generated) and reused by every retry. QBO's
    /// replay of request ids is not reliable everywhere, so after a lost answer also look the invoice up with
    /// <see cref="FindByDocNumberAsync"/> before writing again.
    /// </summary>
    /// <param name="realmId">The company.</param>
    /// <param name="invoice">The invoice.</param>
    /// <param name="requestId">The idempotency key of this logical write, at most 50 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created invoice.</returns>
    public virtual Task<Invoice> CreateAsync(string realmId, InvoiceCreateRequest invoice, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Invoice", "create", invoice, QuickBooksJsonContext.Wire.InvoiceCreateRequest, QuickBooksJsonContext.Wire.Invoice, requestId, cancellationToken);

    /// <summary>Reads one invoice.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The invoice's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The invoice.</returns>
    public virtual Task<Invoice> GetAsync(string realmId, string id, CancellationToken cancellationToken = default) =>
        ReadAsync(realmId, "Invoice", id, QuickBooksJsonContext.Wire.Invoice, cancellationToken);

    /// <summary>Finds invoices by document number (the number is escaped, never concatenated).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="docNumber">The document number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The invoices with that number (more than one only when the company allows duplicates).</returns>
    public virtual async Task<IReadOnlyList<Invoice>> FindByDocNumberAsync(string realmId, string docNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(docNumber);
        var query = QuickBooksQuery.Select("Invoice").WhereEquals("DocNumber", docNumber).Page(1, QuickBooksQuery.MaxPageSize);
        var page = await Api.QueryPageAsync(realmId, query, "Invoice", QuickBooksJsonContext.Wire.Invoice, cancellationToken).ConfigureAwait(false);
        return page.Items;
    }
}

/// <summary>Payments: create (idempotent) and read.</summary>
public class PaymentsClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected PaymentsClient()
    {
    }

    internal PaymentsClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Creates a payment with a <c>requestid</c> chosen once and reused by every retry.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="payment">The payment.</param>
    /// <param name="requestId">The idempotency key of this logical write, at most 50 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created payment.</returns>
    public virtual Task<Payment> CreateAsync(string realmId, PaymentCreateRequest payment, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Payment", "create", payment, QuickBooksJsonContext.Wire.PaymentCreateRequest, QuickBooksJsonContext.Wire.Payment, requestId, cancellationToken);

    /// <summary>Reads one payment.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The payment's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The payment.</returns>
    public virtual Task<Payment> GetAsync(string realmId, string id, CancellationToken cancellationToken = default) =>
        ReadAsync(realmId, "Payment", id, QuickBooksJsonContext.Wire.Payment, cancellationToken);
}
