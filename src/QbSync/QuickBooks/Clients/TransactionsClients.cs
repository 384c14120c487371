using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>Invoices: create (idempotent), read, find by document number, update, void, delete, query.</summary>
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

    /// <summary>Updates an invoice (sparse) with its current sync token; a stale token fails with
    /// <see cref="QuickBooksStaleObjectException"/> (5010) and changes nothing.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="update">The fields to change.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The invoice as updated.</returns>
    public virtual Task<Invoice> UpdateAsync(string realmId, InvoiceUpdateRequest update, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Invoice", "update", update, QuickBooksJsonContext.Wire.InvoiceUpdateRequest, QuickBooksJsonContext.Wire.Invoice, requestId, cancellationToken);

    /// <summary>Voids an invoice (<c>?operation=void</c>): amounts become zero, QBO keeps the number.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="invoice">The invoice's id and current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The voided invoice.</returns>
    public virtual Task<Invoice> VoidAsync(string realmId, QuickBooksTransactionReference invoice, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Invoice", "void", invoice, QuickBooksJsonContext.Wire.QuickBooksTransactionReference, QuickBooksJsonContext.Wire.Invoice, requestId, cancellationToken,
            [new("operation", "void")]);

    /// <summary>Deletes an invoice (<c>?operation=delete</c>).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="invoice">The invoice's id and current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What QBO returns: the id, with <c>status</c> "Deleted" in <see cref="QuickBooksEntity.AdditionalProperties"/>.</returns>
    public virtual Task<Invoice> DeleteAsync(string realmId, QuickBooksTransactionReference invoice, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Invoice", "delete", invoice, QuickBooksJsonContext.Wire.QuickBooksTransactionReference, QuickBooksJsonContext.Wire.Invoice, requestId, cancellationToken,
            [new("operation", "delete")]);

    /// <summary>Runs an invoice query (one page).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="query">The query, for example <c>QuickBooksQuery.Select("Invoice").WhereEquals("CustomerRef", id)</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public virtual Task<QuickBooksPage<Invoice>> QueryAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(query);
        return Api.QueryPageAsync(realmId, query, "Invoice", QuickBooksJsonContext.Wire.Invoice, cancellationToken);
    }
}

/// <summary>Payments: create (idempotent), read, update, void, delete, query.</summary>
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

    /// <summary>Updates a payment (sparse) with its current sync token; a stale token fails with
    /// <see cref="QuickBooksStaleObjectException"/> (5010) and changes nothing.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="update">The fields to change.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The payment as updated.</returns>
    public virtual Task<Payment> UpdateAsync(string realmId, PaymentUpdateRequest update, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Payment", "update", update, QuickBooksJsonContext.Wire.PaymentUpdateRequest, QuickBooksJsonContext.Wire.Payment, requestId, cancellationToken);

    /// <summary>Voids a payment (<c>?operation=update&amp;include=void</c> with a sparse body): its amounts become zero
    /// and the invoices it paid are open again.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="payment">The payment's id and current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The voided payment.</returns>
    public virtual Task<Payment> VoidAsync(string realmId, QuickBooksTransactionReference payment, string? requestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var body = new QuickBooksTransactionReference { Id = payment.Id, SyncToken = payment.SyncToken, Sparse = true };
        return WriteAsync(realmId, "Payment", "void", body, QuickBooksJsonContext.Wire.QuickBooksTransactionReference, QuickBooksJsonContext.Wire.Payment, requestId, cancellationToken,
            [new("operation", "update"), new("include", "void")]);
    }

    /// <summary>Deletes a payment (<c>?operation=delete</c>). QBO refuses some (a deposited payment, 6540).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="payment">The payment's id and current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What QBO returns: the id, with <c>status</c> "Deleted".</returns>
    public virtual Task<Payment> DeleteAsync(string realmId, QuickBooksTransactionReference payment, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Payment", "delete", payment, QuickBooksJsonContext.Wire.QuickBooksTransactionReference, QuickBooksJsonContext.Wire.Payment, requestId, cancellationToken,
            [new("operation", "delete")]);

    /// <summary>Runs a payment query (one page).</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public virtual Task<QuickBooksPage<Payment>> QueryAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(query);
        return Api.QueryPageAsync(realmId, query, "Payment", QuickBooksJsonContext.Wire.Payment, cancellationToken);
    }
}

/// <summary>The company's preferences (read only here).</summary>
public class PreferencesClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected PreferencesClient()
    {
    }

    internal PreferencesClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Reads the company's preferences (<c>GET /preferences</c>): home currency, multicurrency.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The preferences.</returns>
    public virtual Task<CompanyPreferences> GetAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var request = new QuickBooksApiRequest(realmId, HttpMethod.Get, "preferences", "Preferences", "read");
        return Api.SendForEntityAsync(request, "Preferences", QuickBooksJsonContext.Wire.CompanyPreferences, cancellationToken);
    }
}
