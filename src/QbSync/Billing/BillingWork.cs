using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;

namespace QbSync.Billing;

/// <summary>How one document's QBO work ended.</summary>
internal abstract record BillingOutcome
{
    /// <summary>QBO now holds the intent's write. A <paramref name="Problem"/> (a total that differs) makes the
    /// document Failed although the write happened.</summary>
    public sealed record Written(string? QuickBooksId, string? SyncToken, string? Fingerprint, BillingHostState State, BillingProblem? Problem, string Note) : BillingOutcome;

    /// <summary>Nothing to write (deleted before it was ever sent, or already up to date).</summary>
    public sealed record Nothing(BillingReason Reason, string Note) : BillingOutcome;

    /// <summary>Failed for good, or needs a person.</summary>
    public sealed record Failed(BillingProblem Problem) : BillingOutcome;

    /// <summary>Failed transiently; retry later. <paramref name="OutcomeUnknown"/>: the write may have happened.</summary>
    public sealed record Transient(Exception Error, bool OutcomeUnknown) : BillingOutcome;

    /// <summary>Waits: for its account, or for the invoices it pays.</summary>
    public sealed record Hold(BillingReason Reason, string? Subject) : BillingOutcome;
}

/// <summary>The QBO side of billing documents: builds the requests (items, currency, tags), finds a document left
/// behind by a crash, recognises QBO's copy (fingerprints), and turns faults into outcomes.</summary>
internal static class BillingWork
{
    /// <summary>QBO's longest <c>DocNumber</c> and <c>PaymentRefNum</c>.</summary>
    public const int MaxDocNumberLength = 21;

    /// <summary>The tag written at the start of <c>PrivateNote</c>, so the document can always be found.</summary>
    public static string Tag(BillingDocumentRecord record) => "QbSync " + record.DocumentKey;

    public static bool HasTag(string? privateNote, string tag) =>
        privateNote is not null && (privateNote == tag || privateNote.StartsWith(tag + "\n", StringComparison.Ordinal));

    /// <summary>Whether the document's QBO copy and write in progress (if any) are in <paramref name="realmId"/>'s company
    /// (a document written before the company was recorded counts as the current company's).</summary>
    public static bool IsInCompany(BillingDocumentRecord record, string realmId) =>
        record.QuickBooksRealmId is null || record.QuickBooksRealmId == realmId;

    /// <summary>What to do next for a document, or null when QBO already holds what the host has.</summary>
    public static BillingOperation? Plan(BillingDocumentRecord r)
    {
        if (r.QuickBooksId is null)
        {
            return r.HostState == BillingHostState.Deleted ? null : BillingOperation.Create;
        }

        if (r.SyncedState == BillingHostState.Deleted)
        {
            return null;
        }

        return r.HostState switch
        {
            BillingHostState.Deleted => BillingOperation.Delete,
            BillingHostState.Voided => r.SyncedState == BillingHostState.Voided ? null : BillingOperation.Void,
            _ => r.SyncedRevision < r.Revision || r.SyncedState != BillingHostState.Active ? BillingOperation.Update : null,
        };
    }

    public static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static bool SameToTheCent(decimal host, decimal? quickBooks) =>
        quickBooks is { } q && decimal.Round(host, 2, MidpointRounding.AwayFromZero) == decimal.Round(q, 2, MidpointRounding.AwayFromZero);

    // ---------------------------------------------------------------- fingerprints of the fields QbSync owns

    public static string Fingerprint(Invoice invoice) => Hash(
        "I", invoice.DocNumber, Date(invoice.TxnDate), Date(invoice.DueDate), invoice.CustomerRef?.Value, invoice.PrivateNote,
        Lines(invoice.Line));

    public static string Fingerprint(Payment payment) => Hash(
        "P", payment.TotalAmt is { } t ? Money(t) : null, Date(payment.TxnDate), payment.CustomerRef?.Value, payment.PrivateNote, payment.PaymentRefNum,
        Lines(payment.Line));

    private static string Lines(IReadOnlyList<QuickBooksLine>? lines) => string.Join("|", (lines ?? [])
        .Where(l => l.DetailType is null or "SalesItemLineDetail")
        .Select(l => string.Join(",", l.SalesItemLineDetail?.ItemRef?.Value, l.Amount is { } a ? Money(a) : null, l.Description,
            string.Join(";", (l.LinkedTxn ?? []).Select(x => x.TxnType + ":" + x.TxnId)))));

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Hash(params string?[] parts)
    {
        var text = string.Join("\u001f", parts.Select(p => p ?? "\u0000"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    // ---------------------------------------------------------------- requests

    /// <summary>The parts of an invoice write, or the problem that stops it (unmapped item, currency, number).</summary>
    public static async Task<(InvoiceParts? Parts, BillingProblem? Problem)> BuildInvoiceAsync(QuickBooksClient client, BillingCatalogs catalogs, string realmId,
        FirmSyncSettings settings, BillingDocumentRecord record, string customerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var invoice = record.Invoice!;
        if (invoice.Number is { Length: > MaxDocNumberLength })
        {
            return (null, Problem(BillingReason.DocNumberTooLong, invoice.Number, now));
        }

        var (currency, currencyProblem) = await CurrencyAsync(client, catalogs, realmId, invoice.Currency, now, cancellationToken).ConfigureAwait(false);
        if (currencyProblem is not null)
        {
            return (null, currencyProblem);
        }

        var lines = new List<QuickBooksLine>(invoice.Lines.Count);
        foreach (var line in invoice.Lines)
        {
            var item = string.IsNullOrWhiteSpace(line.ServiceName) ? null : await catalogs.FindItemAsync(client, realmId, line.ServiceName, cancellationToken).ConfigureAwait(false);
            if (item is null)
            {
                if (settings.DefaultItemName is not { Length: > 0 } defaultName)
                {
                    return (null, Problem(BillingReason.ItemNotMapped, string.IsNullOrWhiteSpace(line.ServiceName) ? null : line.ServiceName.Trim(), now));
                }

                item = await catalogs.FindItemAsync(client, realmId, defaultName, cancellationToken).ConfigureAwait(false);
                if (item is null)
                {
                    return (null, Problem(BillingReason.DefaultItemNotFound, defaultName, now));
                }
            }

            // Quantity and unit price go with the amount only when they agree with it to the cent (QBO checks
            // Amount = Qty x UnitPrice); otherwise the amount alone is sent, so QBO never recomputes the host's figure.
            var consistent = decimal.Round(line.Quantity * line.UnitPrice, 2, MidpointRounding.AwayFromZero) == line.Amount;
            lines.Add(new QuickBooksLine
            {
                DetailType = "SalesItemLineDetail",
                Amount = line.Amount,
                Description = line.Description,
                SalesItemLineDetail = new QuickBooksSalesItemLineDetail
                {
                    ItemRef = new QuickBooksReference(item.Id!, item.Name),
                    Qty = consistent ? line.Quantity : null,
                    UnitPrice = consistent ? line.UnitPrice : null,
                },
            });
        }

        return (new InvoiceParts(new QuickBooksReference(customerId), lines, invoice.Number, invoice.IssueDate, invoice.DueDate, Tag(record), currency), null);
    }

    /// <summary>The parts of a payment write: the lines link the QBO invoices it pays.</summary>
    public static async Task<(PaymentParts? Parts, BillingProblem? Problem)> BuildPaymentAsync(QuickBooksClient client, BillingCatalogs catalogs, string realmId,
        BillingDocumentRecord record, IReadOnlyDictionary<string, string> invoiceIds, string customerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payment = record.Payment!;
        var (currency, currencyProblem) = await CurrencyAsync(client, catalogs, realmId, payment.Currency, now, cancellationToken).ConfigureAwait(false);
        if (currencyProblem is not null)
        {
            return (null, currencyProblem);
        }

        var lines = payment.Applications.Select(a => new QuickBooksLine
        {
            Amount = a.Amount,
            LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = invoiceIds[a.InvoiceId], TxnType = "Invoice" }],
        }).ToList();
        var note = new StringBuilder(Tag(record));
        if (!string.IsNullOrWhiteSpace(payment.Method))
        {
            note.Append("\nMethod: ").Append(payment.Method.Trim());
        }

        string? reference = payment.Reference;
        if (reference is { Length: > MaxDocNumberLength })
        {
            note.Append("\nReference: ").Append(reference);
            reference = reference[..MaxDocNumberLength];
        }

        return (new PaymentParts(new QuickBooksReference(customerId), payment.Amount, payment.Date, lines, reference, note.ToString(), currency), null);
    }

    private static async Task<(QuickBooksReference? Currency, BillingProblem? Problem)> CurrencyAsync(QuickBooksClient client, BillingCatalogs catalogs, string realmId, string currency, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var preferences = await catalogs.GetCurrencyAsync(client, realmId, cancellationToken).ConfigureAwait(false);
        if (preferences.MultiCurrencyEnabled == true)
        {
            return (new QuickBooksReference(currency.ToUpperInvariant()), null);
        }

        var home = preferences.HomeCurrency?.Value;
        return home is not null && !string.Equals(home, currency, StringComparison.OrdinalIgnoreCase)
            ? (null, Problem(BillingReason.CurrencyNotSupported, currency.ToUpperInvariant() + " / " + home, now))
            : (null, null);
    }

    public static BillingProblem Problem(BillingReason reason, string? subject, DateTimeOffset now) =>
        new() { Reason = reason, Subject = subject, OccurredAt = now };

    // ---------------------------------------------------------------- finding a document left behind

    /// <summary>Looks for the QBO copy of a document by its tag (and its number, for invoices).</summary>
    public static async Task<QuickBooksEntity?> FindByTagAsync(QuickBooksClient client, string realmId, BillingDocumentRecord record, string customerId, CancellationToken cancellationToken)
    {
        var tag = Tag(record);
        if (record.Kind == BillingDocumentKind.Invoice)
        {
            var invoice = record.Invoice!;
            var query = invoice.Number is { Length: > 0 and <= MaxDocNumberLength } number
                ? QuickBooksQuery.Select("Invoice").WhereEquals("DocNumber", number)
                : QuickBooksQuery.Select("Invoice").WhereEquals("CustomerRef", customerId).WhereEquals("TxnDate", Date(invoice.IssueDate)!);
            var page = await client.Invoices.QueryAsync(realmId, query.Page(1, QuickBooksQuery.MaxPageSize), cancellationToken).ConfigureAwait(false);
            return page.Items.FirstOrDefault(i => HasTag(i.PrivateNote, tag));
        }

        var payments = await client.Payments.QueryAsync(realmId, QuickBooksQuery.Select("Payment")
            .WhereEquals("CustomerRef", customerId).WhereEquals("TxnDate", Date(record.Payment!.Date)!).Page(1, QuickBooksQuery.MaxPageSize), cancellationToken).ConfigureAwait(false);
        return payments.Items.FirstOrDefault(p => HasTag(p.PrivateNote, tag));
    }

    /// <summary>The outcome of a created or updated document, with the total checked to the cent.</summary>
    public static BillingOutcome.Written Created(BillingDocumentRecord record, QuickBooksEntity entity, string note, DateTimeOffset now)
    {
        BillingProblem? problem = null;
        string fingerprint;
        if (entity is Invoice invoice)
        {
            fingerprint = Fingerprint(invoice);
            var hostTotal = record.Invoice!.Total;
            if (!SameToTheCent(hostTotal, invoice.TotalAmt))
            {
                problem = Problem(BillingReason.TotalMismatch, Money(hostTotal) + " / " + (invoice.TotalAmt is { } t ? Money(t) : "?"), now);
            }
        }
        else
        {
            var payment = (Payment)entity;
            fingerprint = Fingerprint(payment);
            if (!SameToTheCent(record.Payment!.Amount, payment.TotalAmt))
            {
                problem = Problem(BillingReason.TotalMismatch, Money(record.Payment.Amount) + " / " + (payment.TotalAmt is { } t ? Money(t) : "?"), now);
            }
        }

        return new BillingOutcome.Written(entity.Id, entity.SyncToken, fingerprint, BillingHostState.Active, problem, note + " (QBO id " + entity.Id + ")");
    }

    // ---------------------------------------------------------------- faults

    /// <summary>Whether a fault may mean the linked customer is inactive or gone (QBO 610, 2500, 6000-class).</summary>
    public static bool MayMeanCustomerLost(QuickBooksException error) =>
        error.ErrorCode is "610" or "2500"
        || (error.ErrorCode is { Length: 4 } code && code[0] == '6' && code is not ("6140" or "6240"));

    public static bool IsDuplicateDocNumber(QuickBooksException error) =>
        error.ErrorCode == "6140" || error.Errors.Any(e => e.Message?.Contains("Duplicate Document Number", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Turns what a QBO call threw into an outcome (every exception becomes the document's outcome).</summary>
    public static BillingOutcome FromException(Exception error, BillingOperation operation, DateTimeOffset now)
    {
        switch (error)
        {
            case QuickBooksOAuthException { IsTransient: true }:
                return new BillingOutcome.Transient(error, OutcomeUnknown: false);
            case QuickBooksOAuthException oauth:
                return new BillingOutcome.Failed(new BillingProblem { Reason = BillingReason.ReconnectRequired, QuickBooksErrorCode = oauth.Error, IntuitTid = oauth.IntuitTid, OccurredAt = now });
            case QuickBooksAuthenticationException auth:
                return new BillingOutcome.Failed(ProblemFrom(BillingReason.ReconnectRequired, auth, null, now));
            case QuickBooksStaleObjectException stale:
                return new BillingOutcome.Failed(ProblemFrom(BillingReason.EditedInQuickBooks, stale, null, now));
            case QuickBooksException { IsTransient: true }:
                // A timeout or 5xx after the request left: the write may have happened.
                return new BillingOutcome.Transient(error, OutcomeUnknown: true);
            case QuickBooksException qbo when operation == BillingOperation.Create && IsDuplicateDocNumber(qbo):
                return new BillingOutcome.Failed(ProblemFrom(BillingReason.DuplicateDocNumber, qbo, null, now));
            case QuickBooksException qbo when operation is BillingOperation.Void or BillingOperation.Delete:
                return new BillingOutcome.Failed(ProblemFrom(BillingReason.RemovalRefused, qbo, null, now));
            case QuickBooksException qbo:
                return new BillingOutcome.Failed(ProblemFrom(BillingReason.QuickBooksValidationError, qbo, null, now));
            default:
                // Not a QBO answer (a bug, a store hiccup): retried like a transient failure, then Failed.
                return new BillingOutcome.Transient(error, OutcomeUnknown: true);
        }
    }

    public static BillingProblem ProblemFrom(BillingReason reason, QuickBooksException error, string? subject, DateTimeOffset now)
    {
        var first = error.Errors.Count > 0 ? error.Errors[0] : null;
        var message = first is null ? null : string.Join(": ", new[] { first.Message, first.Detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return new BillingProblem
        {
            Reason = reason,
            Subject = subject,
            QuickBooksErrorCode = error.ErrorCode ?? (error.StatusCode is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : null),
            QuickBooksMessage = message is { Length: > 500 } ? message[..500] : message,
            IntuitTid = error.IntuitTid,
            OccurredAt = now,
        };
    }
}

/// <summary>An invoice write's fields.</summary>
internal sealed record InvoiceParts(QuickBooksReference Customer, IReadOnlyList<QuickBooksLine> Lines, string? DocNumber, DateOnly TxnDate, DateOnly? DueDate, string PrivateNote, QuickBooksReference? Currency)
{
    public InvoiceCreateRequest ToCreate() => new()
    {
        CustomerRef = Customer,
        Line = Lines,
        DocNumber = DocNumber,
        TxnDate = TxnDate,
        DueDate = DueDate,
        PrivateNote = PrivateNote,
        CurrencyRef = Currency,
    };

    public InvoiceUpdateRequest ToUpdate(string id, string syncToken) => new()
    {
        Id = id,
        SyncToken = syncToken,
        CustomerRef = Customer,
        Line = Lines,
        DocNumber = DocNumber,
        TxnDate = TxnDate,
        DueDate = DueDate,
        PrivateNote = PrivateNote,
        CurrencyRef = Currency,
    };
}

/// <summary>A payment write's fields.</summary>
internal sealed record PaymentParts(QuickBooksReference Customer, decimal Total, DateOnly TxnDate, IReadOnlyList<QuickBooksLine> Lines, string? Reference, string PrivateNote, QuickBooksReference? Currency)
{
    public PaymentCreateRequest ToCreate() => new()
    {
        CustomerRef = Customer,
        TotalAmt = Total,
        TxnDate = TxnDate,
        Line = Lines,
        PaymentRefNum = Reference,
        PrivateNote = PrivateNote,
        CurrencyRef = Currency,
    };

    public PaymentUpdateRequest ToUpdate(string id, string syncToken) => new()
    {
        Id = id,
        SyncToken = syncToken,
        CustomerRef = Customer,
        TotalAmt = Total,
        TxnDate = TxnDate,
        Line = Lines,
        PaymentRefNum = Reference,
        PrivateNote = PrivateNote,
        CurrencyRef = Currency,
    };
}
