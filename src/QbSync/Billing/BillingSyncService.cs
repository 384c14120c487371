using Microsoft.Extensions.Logging;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Billing;

/// <summary>
/// The billing service: records what the host says (insert-if-absent, or a compare-and-swap that bumps the revision
/// and queues the document), answers people's reads after the authorization policy, and runs due documents through
/// <see cref="PendingDocumentRunner"/>. A document is queued (Syncing) when recorded; whether it waits for its account
/// is decided where it is sent, so recording never calls QBO.
/// </summary>
internal sealed partial class BillingSyncService(
    IBillingDocumentStore store,
    IAccountStore accounts,
    ISyncAuthorizationPolicy policy,
    BillingTransitions transitions,
    PendingDocumentRunner runner,
    ILogger<BillingSyncService> logger) : IBillingSyncService
{
    private const int MaxIdLength = 200;

    public Task<BillingDocumentState> RecordInvoiceAsync(string firmId, InvoiceInfo invoice, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        Validate(invoice);
        var key = BillingDocumentRecord.KeyOf(BillingDocumentKind.Invoice, invoice.InvoiceId);
        return RecordAsync(firmId, key, new BillingDocumentRecord
        {
            FirmId = firmId,
            DocumentKey = key,
            Kind = BillingDocumentKind.Invoice,
            AccountId = invoice.AccountId,
            Invoice = invoice with { Lines = invoice.Lines.ToArray() },
            DocumentDate = invoice.IssueDate,
            RecordedAt = transitions.Now,
        }, r => r.Invoice!.Equals(invoice) && r.AccountId == invoice.AccountId, r => r with { Invoice = invoice with { Lines = invoice.Lines.ToArray() }, AccountId = invoice.AccountId, DocumentDate = invoice.IssueDate }, cancellationToken);
    }

    public Task<BillingDocumentState> RecordPaymentAsync(string firmId, PaymentInfo payment, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        Validate(payment);
        var key = BillingDocumentRecord.KeyOf(BillingDocumentKind.Payment, payment.PaymentId);
        return RecordAsync(firmId, key, new BillingDocumentRecord
        {
            FirmId = firmId,
            DocumentKey = key,
            Kind = BillingDocumentKind.Payment,
            AccountId = payment.AccountId,
            Payment = payment with { Applications = payment.Applications.ToArray() },
            DocumentDate = payment.Date,
            RecordedAt = transitions.Now,
        }, r => r.Payment!.Equals(payment) && r.AccountId == payment.AccountId, r => r with { Payment = payment with { Applications = payment.Applications.ToArray() }, AccountId = payment.AccountId, DocumentDate = payment.Date }, cancellationToken);
    }

    public Task<BillingDocumentState> VoidAsync(string firmId, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(firmId, kind, documentId, BillingHostState.Voided, cancellationToken);

    public Task<BillingDocumentState> DeleteAsync(string firmId, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(firmId, kind, documentId, BillingHostState.Deleted, cancellationToken);

    public async Task<BillingDocumentState> GetDocumentAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        return State(await LoadAsync(actor.FirmId, kind, documentId, cancellationToken).ConfigureAwait(false));
    }

    public async Task<BillingDocumentStatePage> ListDocumentsAsync(SyncActor actor, BillingDocumentQuery query, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        var page = await store.ListAsync(actor.FirmId, query, cancellationToken).ConfigureAwait(false);
        return new BillingDocumentStatePage(page.Items.Select(State).ToList().AsReadOnly(), page.ContinuationToken);
    }

    public async Task<IReadOnlyList<BillingHistoryEntry>> GetDocumentHistoryAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        var record = await LoadAsync(actor.FirmId, kind, documentId, cancellationToken).ConfigureAwait(false);
        return await store.GetHistoryAsync(actor.FirmId, record.DocumentKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BillingDocumentState> RetryAsync(SyncActor actor, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.Sync);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var record = await LoadAsync(actor.FirmId, kind, documentId, cancellationToken).ConfigureAwait(false);
            if (record.Status != SyncStatus.Failed)
            {
                return State(record);
            }

            var saved = await transitions.TryApplyAsync(record, BillingTrigger.RetryRequested, r => r with
            {
                Reason = BillingReason.None,
                Problem = null,
                Attempts = 0,
                NextAttemptAt = transitions.Now,
            }, actor.UserId, "retry requested", cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return State(saved);
            }
        }

        throw new SyncConcurrencyException(actor.FirmId, documentId);
    }

    public async Task<FirmSyncSettings> SetDefaultItemAsync(SyncActor actor, string? itemName, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.ChangeSettings);
        var name = string.IsNullOrWhiteSpace(itemName) ? null : itemName.Trim();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await accounts.GetFirmSettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = actor.FirmId };
            var saved = await accounts.TrySaveFirmSettingsAsync(current with { DefaultItemName = name }, current.Version, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return saved;
            }
        }

        throw new InvalidOperationException($"The settings of firm '{actor.FirmId}' keep changing; try again.");
    }

    public Task<BillingRunResult> RunPendingDocumentsAsync(string firmId, CancellationToken cancellationToken = default) =>
        runner.RunAsync(firmId, cancellationToken);

    private async Task<BillingDocumentState> RecordAsync(string firmId, string key, BillingDocumentRecord fresh,
        Func<BillingDocumentRecord, bool> unchanged, Func<BillingDocumentRecord, BillingDocumentRecord> edit, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var existing = await store.GetAsync(firmId, key, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                var queued = fresh with { Status = SyncStatus.Syncing, NextAttemptAt = transitions.Now, StatusChangedAt = transitions.Now };
                var inserted = await store.TryInsertAsync(queued, new BillingHistoryEntry
                {
                    FirmId = firmId,
                    DocumentKey = key,
                    From = SyncStatus.NotSynced,
                    To = SyncStatus.Syncing,
                    Trigger = BillingTrigger.Recorded,
                    ActorId = SyncActor.SystemUserId,
                    At = transitions.Now,
                    Note = "recorded",
                }, cancellationToken).ConfigureAwait(false);
                if (inserted is not null)
                {
                    LogRecorded(logger, firmId, key, fresh.AccountId);
                    return State(inserted);
                }

                continue;
            }

            if (unchanged(existing) && existing.HostState == BillingHostState.Active)
            {
                return State(existing);
            }

            if (existing.HostState == BillingHostState.Deleted)
            {
                throw new InvalidOperationException($"Document '{key}' of firm '{firmId}' was deleted; record it again under a new id.");
            }

            var saved = await SaveChangeAsync(existing, r => edit(r) with { HostState = BillingHostState.Active }, "edited", cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return State(saved);
            }
        }

        throw new SyncConcurrencyException(firmId, key);
    }

    private async Task<BillingDocumentState> ChangeStateAsync(string firmId, BillingDocumentKind kind, string documentId, BillingHostState state, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var existing = await LoadAsync(firmId, kind, documentId, cancellationToken).ConfigureAwait(false);
            if (existing.HostState == state || existing.HostState == BillingHostState.Deleted)
            {
                return State(existing);
            }

            var saved = await SaveChangeAsync(existing, r => r with { HostState = state }, state == BillingHostState.Voided ? "voided" : "deleted", cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return State(saved);
            }
        }

        throw new SyncConcurrencyException(firmId, documentId);
    }

    /// <summary>A host change: a new revision. Work in flight keeps its intent and lease (its finish sees the newer
    /// revision and queues the rest); otherwise the document is queued now.</summary>
    private Task<BillingDocumentRecord?> SaveChangeAsync(BillingDocumentRecord existing, Func<BillingDocumentRecord, BillingDocumentRecord> change, string note, CancellationToken cancellationToken)
    {
        var now = transitions.Now;
        var inFlight = existing.Status == SyncStatus.Syncing && existing.LeaseUntil is { } lease && lease > now;
        if (inFlight)
        {
            return store.TryUpdateAsync(change(existing) with { Revision = existing.Revision + 1 }, existing.Version, new BillingHistoryEntry
            {
                FirmId = existing.FirmId,
                DocumentKey = existing.DocumentKey,
                From = existing.Status,
                To = existing.Status,
                Trigger = BillingTrigger.Changed,
                ActorId = SyncActor.SystemUserId,
                At = now,
                Note = note + " while a write was under way",
            }, cancellationToken);
        }

        return transitions.TryApplyAsync(existing, BillingTrigger.Changed, r => change(r) with
        {
            Revision = r.Revision + 1,
            Reason = BillingReason.None,
            Problem = null,
            Attempts = 0,
            NextAttemptAt = now,
        }, SyncActor.SystemUserId, note, cancellationToken);
    }

    private async Task<BillingDocumentRecord> LoadAsync(string firmId, BillingDocumentKind kind, string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        // Always scoped to the firm: another firm's document is simply not found.
        return await store.GetAsync(firmId, BillingDocumentRecord.KeyOf(kind, documentId), cancellationToken).ConfigureAwait(false)
            ?? throw new BillingDocumentNotFoundException(firmId, kind, documentId);
    }

    private void Authorize(SyncActor actor, SyncAction action)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrEmpty(actor.FirmId, nameof(actor));
        if (!policy.IsAllowed(actor, action))
        {
            LogDenied(logger, actor.FirmId, actor.UserId, action);
            throw new SyncAuthorizationException(actor, action);
        }
    }

    internal static BillingDocumentState State(BillingDocumentRecord record) => new()
    {
        Kind = record.Kind,
        DocumentId = record.DocumentId,
        AccountId = record.AccountId,
        Status = record.Status,
        Reason = record.Reason,
        Problem = record.Problem,
        HostState = record.HostState,
        QuickBooksId = record.QuickBooksId,
        StatusChangedAt = record.StatusChangedAt,
        Label = BillingTexts.Label(record.Status),
        Tooltip = BillingTexts.Tooltip(record.Status, record.Reason, record.Problem),
    };

    private static void ValidateId(string? id, string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength)
        {
            throw new ArgumentException($"The {name} is required and has at most {MaxIdLength} characters.", paramName);
        }
    }

    private static void ValidateCurrency(string? currency, string paramName)
    {
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetter))
        {
            throw new ArgumentException("The currency must be a three-letter ISO code.", paramName);
        }
    }

    private static void Validate(InvoiceInfo invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ValidateId(invoice.InvoiceId, "invoice id", nameof(invoice));
        ValidateId(invoice.AccountId, "account id", nameof(invoice));
        ValidateCurrency(invoice.Currency, nameof(invoice));
        if (invoice.Lines is not { Count: > 0 })
        {
            throw new ArgumentException("An invoice needs at least one line.", nameof(invoice));
        }
    }

    private static void Validate(PaymentInfo payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        ValidateId(payment.PaymentId, "payment id", nameof(payment));
        ValidateId(payment.AccountId, "account id", nameof(payment));
        ValidateCurrency(payment.Currency, nameof(payment));
        ArgumentNullException.ThrowIfNull(payment.Applications, nameof(payment));
        if (payment.Amount <= 0)
        {
            throw new ArgumentException("A payment's amount must be positive.", nameof(payment));
        }

        foreach (var application in payment.Applications)
        {
            ValidateId(application?.InvoiceId, "paid invoice id", nameof(payment));
            if (application!.Amount <= 0)
            {
                throw new ArgumentException("Each amount applied to an invoice must be positive.", nameof(payment));
            }
        }

        if (payment.Applications.Sum(a => a.Amount) > payment.Amount)
        {
            throw new ArgumentException("A payment cannot apply more than its amount to invoices.", nameof(payment));
        }
    }

    [LoggerMessage(2604, LogLevel.Debug, "Billing document {DocumentKey} of account {AccountId} of firm {FirmId} recorded")]
    private static partial void LogRecorded(ILogger logger, string firmId, string documentKey, string accountId);

    [LoggerMessage(2605, LogLevel.Warning, "User {UserId} of firm {FirmId} was refused {Action} on billing documents")]
    private static partial void LogDenied(ILogger logger, string firmId, string userId, SyncAction action);
}

/// <summary>The firm has no billing document with that id (documents of other firms are never visible).</summary>
public sealed class BillingDocumentNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="kind">Invoice or payment.</param>
    /// <param name="documentId">The host's id.</param>
    public BillingDocumentNotFoundException(string firmId, BillingDocumentKind kind, string documentId)
        : base($"Firm '{firmId}' has no {kind.ToString().ToLowerInvariant()} '{documentId}'.")
    {
        FirmId = firmId;
        Kind = kind;
        DocumentId = documentId;
    }

    /// <summary>The firm.</summary>
    public string FirmId { get; }

    /// <summary>Invoice or payment.</summary>
    public BillingDocumentKind Kind { get; }

    /// <summary>The host's id.</summary>
    public string DocumentId { get; }
}
