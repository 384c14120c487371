using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Sync.Steps;

namespace QbSync.Billing;

/// <summary>
/// Runs a firm's due billing documents: claims them with a lease (oldest first), holds the ones whose account is not
/// Synced or whose invoices are not in QBO yet, and writes the rest: new documents in batches of up to 30 (two or
/// more in a round), everything else one request per document. Every write stores its intent (operation,
/// <c>requestid</c>, and for batches the batch <c>requestid</c> and <c>bId</c>) before it is sent; a document found
/// in Syncing with an intent after a crash is looked up in QBO by its tag before anything is written again. Leases are
/// renewed while calls are in flight, and every exception of one document's work becomes that document's outcome.
/// </summary>
internal sealed partial class PendingDocumentRunner(
    IAccountStore accounts,
    QuickBooksClient client,
    BillingTransitions transitions,
    BillingCatalogs catalogs,
    AccountTransitions accountTransitions,
    ILogger<PendingDocumentRunner> logger)
{
    private const int BatchThreshold = 2;

    private IBillingDocumentStore Store => transitions.Store;

    private QbSyncOptions Options => transitions.Options;

    public async Task<BillingRunResult> RunAsync(string firmId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var totals = new Totals();
        var settings = await accounts.GetFirmSettingsAsync(firmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = firmId };
        await ReleaseReadyAsync(settings, cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            var claimed = await Store.ClaimDueAsync(firmId, Options.WorkerId, transitions.Now, Options.LeaseDuration, Options.ClaimBatchSize, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                break;
            }

            totals.Claimed += claimed.Count;
            try
            {
                await RunRoundAsync(settings, claimed, totals, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ReleaseUnfinishedAsync(firmId, claimed).ConfigureAwait(false);
                throw;
            }
        }

        var result = totals.ToResult();
        LogRun(logger, firmId, result.Claimed, result.Synced, result.Failed, result.Waiting, result.Retrying);
        return result;
    }

    /// <summary>Releases waiting documents whose account is Synced now (a safety net for the account observer).</summary>
    private async Task ReleaseReadyAsync(FirmSyncSettings settings, CancellationToken cancellationToken)
    {
        if (settings.RealmId is null)
        {
            return;
        }

        var waitingAccounts = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await Store.ListAsync(settings.FirmId, new BillingDocumentQuery { Statuses = [SyncStatus.NotSynced, SyncStatus.Skipped], PageSize = 1000, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items.Where(r => r.NextAttemptAt is null && IsAccountWait(r.Reason)))
            {
                waitingAccounts.Add(record.AccountId);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        foreach (var accountId in waitingAccounts)
        {
            var account = await accounts.GetAsync(settings.FirmId, accountId, cancellationToken).ConfigureAwait(false);
            if (account is { Status: SyncStatus.Synced, CustomerId: not null })
            {
                await transitions.ReleaseWaitingAsync(settings.FirmId, accountId, r => IsAccountWait(r.Reason), "the account is synced", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsAccountWait(BillingReason reason) =>
        reason is BillingReason.AccountNotSynced or BillingReason.AccountSkipped or BillingReason.NotConnected;

    private async Task RunRoundAsync(FirmSyncSettings settings, IReadOnlyList<BillingDocumentRecord> claimed, Totals totals, CancellationToken cancellationToken)
    {
        var singles = new List<(BillingDocumentRecord Record, object? Parts)>();
        var creates = new List<(BillingDocumentRecord Record, object Parts)>();
        var accountCache = new Dictionary<string, SyncAccountRecord?>(StringComparer.Ordinal);
        foreach (var claimedRecord in claimed)
        {
            var record = claimedRecord;
            try
            {
                if (await ForgetCopyInAnotherCompanyAsync(settings, record, cancellationToken).ConfigureAwait(false) is not { } current)
                {
                    continue;
                }

                record = current;
                if (!accountCache.TryGetValue(record.AccountId, out var account))
                {
                    account = await accounts.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false);
                    accountCache[record.AccountId] = account;
                }

                var (outcome, parts) = await ClassifyAsync(settings, record, account, cancellationToken).ConfigureAwait(false);
                if (outcome is not null)
                {
                    totals.Count(await FinishAsync(record, outcome, cancellationToken).ConfigureAwait(false));
                }
                else if (record.Intent is null && parts is not null)
                {
                    creates.Add((record, parts));
                }
                else if (record.Status == SyncStatus.Syncing)
                {
                    singles.Add((record, parts));
                }
            }
            catch (Exception error) when (!(error is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                totals.Count(await FinishAsync(record, BillingWork.FromException(error, BillingOperation.Create, transitions.Now), cancellationToken).ConfigureAwait(false));
            }
        }

        var realmId = settings.RealmId;
        if (realmId is null)
        {
            return;
        }

        if (creates.Count >= BatchThreshold)
        {
            await RunBatchesAsync(realmId, settings, creates, totals, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            singles.InsertRange(0, creates.Select(c => (c.Record, (object?)c.Parts)));
        }

        // One account's documents one after the other (oldest first); accounts side by side.
        await Parallel.ForEachAsync(
            singles.GroupBy(s => s.Record.AccountId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrentAccountsPerRealm, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                foreach (var (record, parts) in group)
                {
                    var finished = await RunOneAsync(realmId, settings, record, parts, ct).ConfigureAwait(false);
                    if (finished is not null)
                    {
                        totals.Count(finished);
                    }
                }
            }).ConfigureAwait(false);
    }

    /// <summary>A document whose QBO copy (or write in progress) is in another company than the firm's current one (the
    /// firm switched company) forgets it before anything is decided: its id and sync token name nothing, or another
    /// document, in the current company. It is then written anew there, once its account is synced there. Returns the
    /// record to go on with, or <see langword="null"/> when someone changed it meanwhile (the lease ends, it comes back).</summary>
    private async Task<BillingDocumentRecord?> ForgetCopyInAnotherCompanyAsync(FirmSyncSettings settings, BillingDocumentRecord record, CancellationToken cancellationToken)
    {
        if (settings.RealmId is not { } realmId || BillingWork.IsInCompany(record, realmId))
        {
            return record;
        }

        LogCopyForgotten(logger, record.FirmId, record.DocumentKey, record.QuickBooksRealmId!, realmId);
        return await Store.TryUpdateAsync(record with
        {
            QuickBooksId = null,
            QuickBooksSyncToken = null,
            QuickBooksFingerprint = null,
            QuickBooksRealmId = null,
            SyncedRevision = 0,
            SyncedState = BillingHostState.Active,
            Intent = null,
        }, record.Version, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether an invoice a payment applies to is in QBO, in the firm's current company (one rule for building
    /// the payment and for waking a payment held for it).</summary>
    private static bool IsInvoiceReady([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] BillingDocumentRecord? invoice, string realmId) =>
        invoice?.QuickBooksId is not null && BillingWork.IsInCompany(invoice, realmId);

    /// <summary>Decides what a claimed document needs: an outcome now (it waits, or there is nothing to do, or it
    /// cannot be sent), or a write; for a new document the write's parts are built here (reads only).</summary>
    private async Task<(BillingOutcome? Outcome, object? Parts)> ClassifyAsync(FirmSyncSettings settings, BillingDocumentRecord record, SyncAccountRecord? account, CancellationToken cancellationToken)
    {
        if (record.Status != SyncStatus.Syncing)
        {
            await transitions.ReleaseAsync(record, nextAttemptAt: null).ConfigureAwait(false);
            return (null, null);
        }

        if (NotReady(settings, account) is { } hold)
        {
            return (hold, null);
        }

        var operation = record.Intent?.Operation ?? BillingWork.Plan(record);
        if (operation is null)
        {
            return (new BillingOutcome.Nothing(record.QuickBooksId is null ? BillingReason.DeletedBeforeSync : BillingReason.None,
                record.QuickBooksId is null ? "deleted before it was sent; nothing to write" : "QBO already holds this version"), null);
        }

        if (record.Intent is not null || operation != BillingOperation.Create)
        {
            return (null, null);
        }

        var (parts, problem) = await BuildAsync(settings, record, account!, cancellationToken).ConfigureAwait(false);
        return problem is not null ? (problem, null) : (null, parts);
    }

    private static BillingOutcome.Hold? NotReady(FirmSyncSettings settings, SyncAccountRecord? account) =>
        settings.RealmId is null ? new BillingOutcome.Hold(BillingReason.NotConnected, null)
        : account is null ? new BillingOutcome.Hold(BillingReason.AccountNotSynced, null)
        : account.Status == SyncStatus.Skipped ? new BillingOutcome.Hold(BillingReason.AccountSkipped, null)
        : account.Status != SyncStatus.Synced || account.CustomerId is null ? new BillingOutcome.Hold(BillingReason.AccountNotSynced, null)
        : null;

    /// <summary>Builds a create or update: for a payment, the QBO ids of the invoices it pays (it waits while one is
    /// not in QBO yet).</summary>
    private async Task<(object? Parts, BillingOutcome? Outcome)> BuildAsync(FirmSyncSettings settings, BillingDocumentRecord record, SyncAccountRecord account, CancellationToken cancellationToken)
    {
        var realmId = settings.RealmId!;
        if (record.Kind == BillingDocumentKind.Invoice)
        {
            var (parts, problem) = await BillingWork.BuildInvoiceAsync(client, catalogs, realmId, settings, record, account.CustomerId!, transitions.Now, cancellationToken).ConfigureAwait(false);
            return problem is null ? (parts, null) : (null, new BillingOutcome.Failed(problem));
        }

        var invoiceIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var application in record.Payment!.Applications)
        {
            var invoice = await Store.GetAsync(record.FirmId, BillingDocumentRecord.KeyOf(BillingDocumentKind.Invoice, application.InvoiceId), cancellationToken).ConfigureAwait(false);
            if (!IsInvoiceReady(invoice, realmId))
            {
                return (null, new BillingOutcome.Hold(BillingReason.WaitingForInvoice, application.InvoiceId));
            }

            if (invoice.HostState != BillingHostState.Active || invoice.SyncedState != BillingHostState.Active)
            {
                return (null, new BillingOutcome.Failed(BillingWork.Problem(BillingReason.PaidInvoiceRemoved, application.InvoiceId, transitions.Now)));
            }

            invoiceIds[application.InvoiceId] = invoice.QuickBooksId!;
        }

        var (payment, paymentProblem) = await BillingWork.BuildPaymentAsync(client, catalogs, realmId, record, invoiceIds, account.CustomerId!, transitions.Now, cancellationToken).ConfigureAwait(false);
        return paymentProblem is null ? (payment, null) : (null, new BillingOutcome.Failed(paymentProblem));
    }

    // ---------------------------------------------------------------- one document

    private async Task<BillingDocumentRecord?> RunOneAsync(string realmId, FirmSyncSettings settings, BillingDocumentRecord claimed, object? parts, CancellationToken cancellationToken)
    {
        BillingDocumentRecord? latest = null;
        try
        {
            // Re-check immediately before the send: still ours, still the same content, account still Synced.
            latest = await Store.GetAsync(claimed.FirmId, claimed.DocumentKey, cancellationToken).ConfigureAwait(false);
            if (latest is null || latest.LeaseOwner != Options.WorkerId || latest.Status != SyncStatus.Syncing)
            {
                return null;
            }

            if (latest.Revision != claimed.Revision)
            {
                // Edited while queued: the next round builds the write from the new content.
                await transitions.ReleaseAsync(latest, transitions.Now).ConfigureAwait(false);
                return null;
            }

            var account = await accounts.GetAsync(latest.FirmId, latest.AccountId, cancellationToken).ConfigureAwait(false);
            if (NotReady(settings, account) is { } hold)
            {
                return await FinishAsync(latest, hold, cancellationToken).ConfigureAwait(false);
            }

            var resuming = latest.Intent is not null;
            var operation = latest.Intent?.Operation ?? BillingWork.Plan(latest);
            if (operation is null)
            {
                return await FinishAsync(latest, new BillingOutcome.Nothing(BillingReason.None, "QBO already holds this version"), cancellationToken).ConfigureAwait(false);
            }

            if (latest.Kind == BillingDocumentKind.Payment && operation is BillingOperation.Create or BillingOperation.Update && parts is null)
            {
                var (built, outcome) = await BuildAsync(settings, latest, account!, cancellationToken).ConfigureAwait(false);
                if (outcome is not null)
                {
                    return await FinishAsync(latest, outcome, cancellationToken).ConfigureAwait(false);
                }

                parts = built;
            }

            var intent = latest.Intent ?? new BillingIntent { Operation = operation.Value, RequestId = NewRequestId(), Revision = latest.Revision, CustomerId = account!.CustomerId };
            var started = await StartAsync(realmId, latest, resuming ? BillingTrigger.Resumed : BillingTrigger.Started, intent, cancellationToken).ConfigureAwait(false);
            if (started is null)
            {
                return null;
            }

            latest = started;
            var holder = new Holder(started);
            var result = await WithLeaseRenewalAsync([holder], ct => ExecuteAsync(realmId, settings, holder, account!, resuming, parts, ct), cancellationToken).ConfigureAwait(false);
            var finished = await FinishAsync(holder.Record, result, cancellationToken).ConfigureAwait(false);
            await AfterInvoicesSyncedAsync(finished is null ? [] : [finished], cancellationToken).ConfigureAwait(false);
            return finished;
        }
        catch (Exception error) when (!(error is OperationCanceledException && cancellationToken.IsCancellationRequested) && latest is not null)
        {
            return await FinishAsync(latest, BillingWork.FromException(error, latest.Intent?.Operation ?? BillingOperation.Create, transitions.Now), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BillingOutcome> ExecuteAsync(string realmId, FirmSyncSettings settings, Holder holder, SyncAccountRecord account, bool resuming, object? parts, CancellationToken cancellationToken)
    {
        var record = holder.Record;
        var intent = record.Intent!;
        var now = transitions.Now;
        try
        {
            switch (intent.Operation)
            {
                case BillingOperation.Create:
                {
                    if (resuming || intent.BatchRequestId is not null)
                    {
                        var found = await BillingWork.FindByTagAsync(client, realmId, record, intent.CustomerId ?? account.CustomerId!, cancellationToken).ConfigureAwait(false);
                        if (found is not null)
                        {
                            return BillingWork.Created(record, found, "found in QBO by its tag after an interrupted create", now);
                        }
                    }

                    if (parts is null)
                    {
                        var (built, outcome) = await BuildAsync(settings, record, account, cancellationToken).ConfigureAwait(false);
                        if (outcome is not null)
                        {
                            return outcome;
                        }

                        parts = built;
                    }

                    QuickBooksEntity created = parts is InvoiceParts invoice
                        ? await client.Invoices.CreateAsync(realmId, invoice.ToCreate(), intent.RequestId, cancellationToken).ConfigureAwait(false)
                        : await client.Payments.CreateAsync(realmId, ((PaymentParts)parts!).ToCreate(), intent.RequestId, cancellationToken).ConfigureAwait(false);
                    return BillingWork.Created(record, created, "created", now);
                }

                case BillingOperation.Update:
                {
                    if (parts is null)
                    {
                        var (built, outcome) = await BuildAsync(settings, record, account, cancellationToken).ConfigureAwait(false);
                        if (outcome is not null)
                        {
                            return outcome;
                        }

                        parts = built;
                    }

                    return await WithStaleCheckAsync(realmId, holder, resuming, parts!, (token, requestId, ct) => parts is InvoiceParts invoice
                        ? Entity(client.Invoices.UpdateAsync(realmId, invoice.ToUpdate(record.QuickBooksId!, token), requestId, ct))
                        : Entity(client.Payments.UpdateAsync(realmId, ((PaymentParts)parts!).ToUpdate(record.QuickBooksId!, token), requestId, ct)),
                        e => BillingWork.Created(holder.Record, e, "updated", now), cancellationToken).ConfigureAwait(false);
                }

                case BillingOperation.Void:
                    return await WithStaleCheckAsync(realmId, holder, resuming, null, (token, requestId, ct) =>
                    {
                        var reference = new QuickBooksTransactionReference { Id = record.QuickBooksId!, SyncToken = token };
                        return record.Kind == BillingDocumentKind.Invoice
                            ? Entity(client.Invoices.VoidAsync(realmId, reference, requestId, ct))
                            : Entity(client.Payments.VoidAsync(realmId, reference, requestId, ct));
                    }, e => new BillingOutcome.Written(e.Id, e.SyncToken, Fingerprint(e), BillingHostState.Voided, null, "voided"), cancellationToken).ConfigureAwait(false);

                default:
                    try
                    {
                        return await WithStaleCheckAsync(realmId, holder, resuming, null, (token, requestId, ct) =>
                        {
                            var reference = new QuickBooksTransactionReference { Id = record.QuickBooksId!, SyncToken = token };
                            return record.Kind == BillingDocumentKind.Invoice
                                ? Entity(client.Invoices.DeleteAsync(realmId, reference, requestId, ct))
                                : Entity(client.Payments.DeleteAsync(realmId, reference, requestId, ct));
                        }, _ => new BillingOutcome.Written(null, null, null, BillingHostState.Deleted, null, "deleted"), cancellationToken).ConfigureAwait(false);
                    }
                    catch (QuickBooksException gone) when (gone.ErrorCode == "610" || gone is QuickBooksObjectNotFoundException)
                    {
                        return new BillingOutcome.Written(null, null, null, BillingHostState.Deleted, null, "already deleted in QBO");
                    }
            }
        }
        catch (QuickBooksException error) when (BillingWork.MayMeanCustomerLost(error) && intent.Operation != BillingOperation.Delete)
        {
            return await CustomerLostAsync(realmId, account, error, intent.Operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!(error is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return BillingWork.FromException(error, intent.Operation, transitions.Now);
        }
    }

    private static async Task<QuickBooksEntity> Entity<T>(Task<T> call)
        where T : QuickBooksEntity => await call.ConfigureAwait(false);

    private static string Fingerprint(QuickBooksEntity entity) =>
        entity is Invoice i ? BillingWork.Fingerprint(i) : BillingWork.Fingerprint((Payment)entity);

    /// <summary>
    /// Sends a write with the stored sync token. On a stale token (5010) QBO's copy is read: when it is our own
    /// earlier write (a resumed send), that is the outcome; when only QBO's bookkeeping changed it (a payment linked
    /// to an invoice changes the invoice's token, not its fields), the write is sent once more with the fresh token
    /// under a new, stored <c>requestid</c>; when someone edited it in QBO, the document fails with
    /// <see cref="BillingReason.EditedInQuickBooks"/> and nothing is overwritten.
    /// </summary>
    private async Task<BillingOutcome> WithStaleCheckAsync(string realmId, Holder holder, bool resuming, object? parts,
        Func<string, string, CancellationToken, Task<QuickBooksEntity>> send, Func<QuickBooksEntity, BillingOutcome> success, CancellationToken cancellationToken)
    {
        var record = holder.Record;
        try
        {
            return success(await send(record.QuickBooksSyncToken ?? "0", record.Intent!.RequestId, cancellationToken).ConfigureAwait(false));
        }
        catch (QuickBooksStaleObjectException stale)
        {
            QuickBooksEntity current = record.Kind == BillingDocumentKind.Invoice
                ? await client.Invoices.GetAsync(realmId, record.QuickBooksId!, cancellationToken).ConfigureAwait(false)
                : await client.Payments.GetAsync(realmId, record.QuickBooksId!, cancellationToken).ConfigureAwait(false);
            var fingerprint = Fingerprint(current);
            var operation = record.Intent!.Operation;
            if (resuming && operation == BillingOperation.Void && (current as Invoice)?.TotalAmt is 0m or null && (current as Payment)?.TotalAmt is 0m or null)
            {
                return new BillingOutcome.Written(current.Id, current.SyncToken, fingerprint, BillingHostState.Voided, null, "voided (found voided after an interrupted send)");
            }

            if (resuming && operation == BillingOperation.Update && parts is not null && fingerprint == Intended(parts, record.QuickBooksId!))
            {
                return success(current);
            }

            if (fingerprint != record.QuickBooksFingerprint)
            {
                return new BillingOutcome.Failed(BillingWork.ProblemFrom(BillingReason.EditedInQuickBooks, stale, null, transitions.Now));
            }

            var retry = record.Intent with { RequestId = NewRequestId() };
            holder.Record = await SaveIntentAsync(record, retry, cancellationToken).ConfigureAwait(false);
            try
            {
                return success(await send(current.SyncToken!, retry.RequestId, cancellationToken).ConfigureAwait(false));
            }
            catch (QuickBooksStaleObjectException again)
            {
                return new BillingOutcome.Failed(BillingWork.ProblemFrom(BillingReason.EditedInQuickBooks, again, null, transitions.Now));
            }
        }
    }

    private static string Intended(object parts, string id) => parts switch
    {
        InvoiceParts i => BillingWork.Fingerprint(new Invoice { Id = id, DocNumber = i.DocNumber, TxnDate = i.TxnDate, DueDate = i.DueDate, CustomerRef = i.Customer, PrivateNote = i.PrivateNote, Line = i.Lines }),
        PaymentParts p => BillingWork.Fingerprint(new Payment { Id = id, TotalAmt = p.Total, TxnDate = p.TxnDate, CustomerRef = p.Customer, PrivateNote = p.PrivateNote, PaymentRefNum = p.Reference, Line = p.Lines }),
        _ => string.Empty,
    };

    /// <summary>QBO refused the document with a fault that may mean its customer is inactive or gone: reads the
    /// customer, and if so turns the account NotSynced through the drift rules (the documents then wait).</summary>
    private async Task<BillingOutcome> CustomerLostAsync(string realmId, SyncAccountRecord account, QuickBooksException error, BillingOperation operation, CancellationToken cancellationToken)
    {
        SyncReason? lost;
        try
        {
            var customer = await client.Customers.GetAsync(realmId, account.CustomerId!, cancellationToken).ConfigureAwait(false);
            lost = customer.IsActive ? null : SyncReason.CustomerInactive;
        }
        catch (QuickBooksObjectNotFoundException)
        {
            lost = SyncReason.CustomerNotFound;
        }
        catch (Exception check) when (!(check is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            lost = null;
        }

        if (lost is null)
        {
            return BillingWork.FromException(error, operation, transitions.Now);
        }

        var latest = await accounts.GetAsync(account.FirmId, account.AccountId, cancellationToken).ConfigureAwait(false);
        if (latest is { Status: SyncStatus.Synced } && latest.CustomerId == account.CustomerId)
        {
            await accountTransitions.FinishAsync(latest, new StepOutcome.CustomerLost(lost.Value,
                $"QBO refused a billing document for customer {account.CustomerId} (code {error.ErrorCode}): the customer is " + (lost == SyncReason.CustomerInactive ? "inactive" : "gone")),
                SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
            LogCustomerLost(logger, account.FirmId, account.AccountId, account.CustomerId!, lost.Value);
        }

        return new BillingOutcome.Hold(BillingReason.AccountNotSynced, null);
    }

    // ---------------------------------------------------------------- batches of creates

    private async Task RunBatchesAsync(string realmId, FirmSyncSettings settings, List<(BillingDocumentRecord Record, object Parts)> creates, Totals totals, CancellationToken cancellationToken)
    {
        var chunks = creates.Chunk(QuickBooksBatch.MaxItems).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrentAccountsPerRealm, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var batchRequestId = NewRequestId();
            var holders = new List<Holder>();
            var partsByBatchId = new Dictionary<string, object>(StringComparer.Ordinal);
            var accountsById = new Dictionary<string, SyncAccountRecord?>(StringComparer.Ordinal);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (claimed, parts) = chunk[i];
                BillingDocumentRecord? latest = null;
                try
                {
                    latest = await Store.GetAsync(claimed.FirmId, claimed.DocumentKey, ct).ConfigureAwait(false);
                    if (latest is null || latest.LeaseOwner != Options.WorkerId || latest.Status != SyncStatus.Syncing || latest.Intent is not null)
                    {
                        continue;
                    }

                    if (latest.Revision != claimed.Revision)
                    {
                        await transitions.ReleaseAsync(latest, transitions.Now).ConfigureAwait(false);
                        continue;
                    }

                    if (!accountsById.TryGetValue(latest.AccountId, out var account))
                    {
                        account = await accounts.GetAsync(latest.FirmId, latest.AccountId, ct).ConfigureAwait(false);
                        accountsById[latest.AccountId] = account;
                    }

                    if (NotReady(settings, account) is { } hold)
                    {
                        totals.Count(await FinishAsync(latest, hold, ct).ConfigureAwait(false));
                        continue;
                    }

                    var batchId = "b" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var intent = new BillingIntent { Operation = BillingOperation.Create, RequestId = NewRequestId(), Revision = latest.Revision, BatchRequestId = batchRequestId, BatchItemId = batchId, CustomerId = account!.CustomerId };
                    var started = await StartAsync(realmId, latest, BillingTrigger.Started, intent, ct).ConfigureAwait(false);
                    if (started is not null)
                    {
                        holders.Add(new Holder(started));
                        partsByBatchId[batchId] = parts;
                    }
                }
                catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested) && latest is not null)
                {
                    totals.Count(await FinishAsync(latest, BillingWork.FromException(error, BillingOperation.Create, transitions.Now), ct).ConfigureAwait(false));
                }
            }

            if (holders.Count == 0)
            {
                return;
            }

            var batch = new QuickBooksBatch();
            foreach (var holder in holders)
            {
                var batchId = holder.Record.Intent!.BatchItemId!;
                _ = partsByBatchId[batchId] is InvoiceParts invoice ? batch.Create(batchId, invoice.ToCreate()) : batch.Create(batchId, ((PaymentParts)partsByBatchId[batchId]).ToCreate());
            }

            QuickBooksBatchResult? result = null;
            BillingOutcome? failure = null;
            try
            {
                result = await WithLeaseRenewalAsync(holders, c => client.Batch.ExecuteAsync(realmId, batch, batchRequestId, c), ct).ConfigureAwait(false);
            }
            catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested))
            {
                failure = BillingWork.FromException(error, BillingOperation.Create, transitions.Now);
            }

            var finished = new List<BillingDocumentRecord>();
            foreach (var holder in holders)
            {
                var record = holder.Record;
                BillingOutcome outcome;
                try
                {
                    outcome = failure ?? await ItemOutcomeAsync(realmId, record, result!, accountsById[record.AccountId]!, ct).ConfigureAwait(false);
                }
                catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested))
                {
                    outcome = BillingWork.FromException(error, BillingOperation.Create, transitions.Now);
                }

                try
                {
                    var saved = await FinishAsync(record, outcome, ct).ConfigureAwait(false);
                    if (saved is not null)
                    {
                        totals.Count(saved);
                        finished.Add(saved);
                    }
                }
                catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested))
                {
                    // One item's save failing never stops its siblings' saves; its intent stays, so it is resumed
                    // (looked up by its tag) when its lease ends.
                    LogSaveFailed(logger, record.FirmId, record.DocumentKey, error);
                }
            }

            await AfterInvoicesSyncedAsync(finished, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async Task<BillingOutcome> ItemOutcomeAsync(string realmId, BillingDocumentRecord record, QuickBooksBatchResult result, SyncAccountRecord account, CancellationToken cancellationToken)
    {
        var now = transitions.Now;
        if (!result.TryGet(record.Intent!.BatchItemId!, out var item))
        {
            return new BillingOutcome.Transient(new InvalidOperationException("QBO returned no result for the batch item."), OutcomeUnknown: true);
        }

        if (item.IsSuccess)
        {
            QuickBooksEntity entity = record.Kind == BillingDocumentKind.Invoice ? item.GetEntity<Invoice>() : item.GetEntity<Payment>();
            return BillingWork.Created(record, entity, "created in a batch", now);
        }

        return BillingWork.MayMeanCustomerLost(item.Fault!)
            ? await CustomerLostAsync(realmId, account, item.Fault!, BillingOperation.Create, cancellationToken).ConfigureAwait(false)
            : BillingWork.FromException(item.Fault!, BillingOperation.Create, now);
    }

    // ---------------------------------------------------------------- saving

    private Task<BillingDocumentRecord?> StartAsync(string realmId, BillingDocumentRecord record, BillingTrigger trigger, BillingIntent intent, CancellationToken cancellationToken)
    {
        var now = transitions.Now;
        return transitions.TryApplyAsync(record, trigger, r => r with
        {
            Intent = intent,
            QuickBooksRealmId = realmId,
            Reason = BillingReason.None,
            Problem = null,
            LeaseOwner = Options.WorkerId,
            LeaseUntil = now + Options.LeaseDuration,
            // If this process stops, the work becomes due again when the lease ends (and is resumed by looking first).
            NextAttemptAt = now + Options.LeaseDuration,
        }, SyncActor.SystemUserId, Describe(intent), cancellationToken);
    }

    private async Task<BillingDocumentRecord> SaveIntentAsync(BillingDocumentRecord record, BillingIntent intent, CancellationToken cancellationToken)
    {
        var now = transitions.Now;
        return await Store.TryUpdateAsync(record with
        {
            Intent = intent,
            LeaseOwner = Options.WorkerId,
            LeaseUntil = now + Options.LeaseDuration,
            NextAttemptAt = now + Options.LeaseDuration,
        }, record.Version, null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Billing document {record.DocumentKey} changed while its write was under way.");
    }

    /// <summary>Saves a document's outcome; returns the saved record, or null when the work is no longer ours. A hold is
    /// looked at once more after it is saved (<see cref="WakeIfReadyAsync"/>).</summary>
    private async Task<BillingDocumentRecord?> FinishAsync(BillingDocumentRecord record, BillingOutcome outcome, CancellationToken cancellationToken)
    {
        var saved = await SaveOutcomeAsync(record, outcome, cancellationToken).ConfigureAwait(false);
        return saved is not null && outcome is BillingOutcome.Hold hold
            ? await WakeIfReadyAsync(saved, hold.Reason, cancellationToken).ConfigureAwait(false) ?? saved
            : saved;
    }

    /// <summary>
    /// Whoever makes a waiting document ready (its account turned Synced, an invoice it pays reached QBO) releases the
    /// waiting documents; a document still being worked on at that moment is not waiting yet, so it is not released.
    /// If its hold was decided before and saved after that release, nothing would ever release it. So once the hold is
    /// saved, what it waits for is read again, and a document that is ready is released at once: either the release
    /// saw the hold, or this read sees what the release was for.
    /// </summary>
    private async Task<BillingDocumentRecord?> WakeIfReadyAsync(BillingDocumentRecord held, BillingReason reason, CancellationToken cancellationToken)
    {
        switch (reason)
        {
            case BillingReason.WaitingForInvoice:
                var realmId = (await accounts.GetFirmSettingsAsync(held.FirmId, cancellationToken).ConfigureAwait(false))?.RealmId;
                foreach (var application in held.Payment?.Applications ?? [])
                {
                    var invoice = await Store.GetAsync(held.FirmId, BillingDocumentRecord.KeyOf(BillingDocumentKind.Invoice, application.InvoiceId), cancellationToken).ConfigureAwait(false);
                    if (realmId is null || !IsInvoiceReady(invoice, realmId))
                    {
                        return null;
                    }
                }

                break;

            case BillingReason.AccountNotSynced or BillingReason.AccountSkipped:
                var account = await accounts.GetAsync(held.FirmId, held.AccountId, cancellationToken).ConfigureAwait(false);
                if (account is not { Status: SyncStatus.Synced, CustomerId: not null })
                {
                    return null;
                }

                break;

            default:
                return null;
        }

        return await transitions.TryApplyAsync(held, BillingTrigger.Released, r => r with
        {
            Reason = BillingReason.None,
            Problem = null,
            NextAttemptAt = transitions.Now,
        }, SyncActor.SystemUserId, "what it waited for was ready when its hold was saved", cancellationToken).ConfigureAwait(false);
    }

    private Task<BillingDocumentRecord?> SaveOutcomeAsync(BillingDocumentRecord record, BillingOutcome outcome, CancellationToken cancellationToken)
    {
        var now = transitions.Now;
        return transitions.ApplyOwnAsync(record, r =>
        {
            switch (outcome)
            {
                case BillingOutcome.Hold hold:
                    return (hold.Reason == BillingReason.AccountSkipped ? BillingTrigger.HeldBySkippedAccount : BillingTrigger.Held, r with
                    {
                        Reason = hold.Reason,
                        Problem = BillingWork.Problem(hold.Reason, hold.Subject, now),
                        Intent = null,
                        Attempts = 0,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = null,
                    }, hold.Subject is null ? "waits: " + hold.Reason : $"waits: {hold.Reason} ({hold.Subject})");

                case BillingOutcome.Nothing nothing:
                    return (BillingTrigger.Succeeded, r with
                    {
                        Reason = nothing.Reason,
                        Problem = null,
                        Intent = null,
                        Attempts = 0,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = null,
                    }, nothing.Note);

                case BillingOutcome.Failed failed:
                    return (BillingTrigger.PermanentFailure, r with
                    {
                        Reason = failed.Problem.Reason,
                        Problem = failed.Problem,
                        Intent = null,
                        Attempts = 0,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = null,
                    }, failed.Problem.Subject);

                case BillingOutcome.Transient transient when r.Attempts + 1 < Options.MaxAttempts:
                {
                    var attempts = r.Attempts + 1;
                    var wait = Options.RetryBackoff * Math.Pow(2, attempts - 1);
                    // The intent stays: the write may have happened, so the retry looks for it first.
                    return (BillingTrigger.TransientFailure, r with
                    {
                        Attempts = attempts,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = now + wait,
                    }, $"attempt {attempts} failed transiently ({Describe(transient.Error)}); retry after {wait}");
                }

                case BillingOutcome.Transient transient:
                    return (BillingTrigger.RetriesExhausted, r with
                    {
                        Reason = BillingReason.RetriesExhausted,
                        Problem = transient.Error is QuickBooksException qbo
                            ? BillingWork.ProblemFrom(BillingReason.RetriesExhausted, qbo, null, now)
                            : BillingWork.Problem(BillingReason.RetriesExhausted, null, now),
                        Attempts = r.Attempts + 1,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = null,
                    }, Describe(transient.Error));

                default:
                {
                    var written = (BillingOutcome.Written)outcome;
                    var applied = r with
                    {
                        QuickBooksId = written.QuickBooksId ?? r.QuickBooksId,
                        QuickBooksSyncToken = written.SyncToken ?? r.QuickBooksSyncToken,
                        QuickBooksFingerprint = written.Fingerprint ?? r.QuickBooksFingerprint,
                        SyncedRevision = r.Intent?.Revision ?? r.Revision,
                        SyncedState = written.State,
                        Intent = null,
                        Attempts = 0,
                        LeaseOwner = null,
                        LeaseUntil = null,
                    };
                    if (written.Problem is { } problem)
                    {
                        return (BillingTrigger.PermanentFailure, applied with { Reason = problem.Reason, Problem = problem, NextAttemptAt = null }, written.Note + "; " + problem.Subject);
                    }

                    return BillingWork.Plan(applied) is null
                        ? (BillingTrigger.Succeeded, applied with { Reason = BillingReason.None, Problem = null, NextAttemptAt = null }, written.Note)
                        : (BillingTrigger.SucceededWithMoreWork, applied with { Reason = BillingReason.None, Problem = null, NextAttemptAt = now }, written.Note + "; the host changed it meanwhile");
                }
            }
        }, cancellationToken);
    }

    /// <summary>Payments waiting for invoices of these accounts become due when an invoice reached QBO.</summary>
    private async Task AfterInvoicesSyncedAsync(IReadOnlyList<BillingDocumentRecord> finished, CancellationToken cancellationToken)
    {
        foreach (var accountId in finished
                     .Where(r => r.Kind == BillingDocumentKind.Invoice && r.QuickBooksId is not null && r.SyncedState == BillingHostState.Active)
                     .Select(r => (r.FirmId, r.AccountId)).Distinct())
        {
            await transitions.ReleaseWaitingAsync(accountId.FirmId, accountId.AccountId, r => r.Reason == BillingReason.WaitingForInvoice, "an invoice it pays reached QBO", cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- leases

    /// <summary>Runs a QBO call while renewing the leases of its documents every third of the lease.</summary>
    private async Task<T> WithLeaseRenewalAsync<T>(IReadOnlyList<Holder> holders, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewLoopAsync(holders, stop.Token);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task RenewLoopAsync(IReadOnlyList<Holder> holders, CancellationToken cancellationToken)
    {
        var every = Options.LeaseDuration / 3;
        while (true)
        {
            await Task.Delay(every, transitions.Time, cancellationToken).ConfigureAwait(false);
            var now = transitions.Now;
            foreach (var holder in holders)
            {
                var renewed = await Store.TryUpdateAsync(holder.Record with
                {
                    LeaseUntil = now + Options.LeaseDuration,
                    NextAttemptAt = now + Options.LeaseDuration,
                }, holder.Record.Version, null, CancellationToken.None).ConfigureAwait(false);
                if (renewed is not null)
                {
                    holder.Record = renewed;
                }
            }
        }
    }

    private async Task ReleaseUnfinishedAsync(string firmId, IReadOnlyList<BillingDocumentRecord> claimed)
    {
        foreach (var record in claimed)
        {
            var latest = await Store.GetAsync(firmId, record.DocumentKey, CancellationToken.None).ConfigureAwait(false);
            if (latest is not null && latest.LeaseOwner == Options.WorkerId)
            {
                await transitions.ReleaseAsync(latest, transitions.Now).ConfigureAwait(false);
            }
        }
    }

    internal static string NewRequestId() => Guid.NewGuid().ToString("N");

    private static string Describe(BillingIntent intent) =>
        intent.Operation.ToString().ToLowerInvariant() + " revision " + intent.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + (intent.BatchRequestId is null ? string.Empty : " in batch " + intent.BatchRequestId + " as " + intent.BatchItemId);

    private static string Describe(Exception error) => error switch
    {
        QuickBooksException qbo => $"HTTP {(qbo.StatusCode is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}, code {qbo.ErrorCode ?? "none"}, intuit_tid {qbo.IntuitTid ?? "none"}",
        _ => error.GetType().Name,
    };

    [LoggerMessage(3500, LogLevel.Information, "Billing document {DocumentKey} of firm {FirmId} had its QBO copy in company {OldRealmId}; it is written anew in company {RealmId}")]
    private static partial void LogCopyForgotten(ILogger logger, string firmId, string documentKey, string oldRealmId, string realmId);

    [LoggerMessage(2602, LogLevel.Information, "Billing documents of firm {FirmId}: {Claimed} claimed, {Synced} synced, {Failed} failed, {Waiting} waiting, {Retrying} to retry")]
    private static partial void LogRun(ILogger logger, string firmId, int claimed, int synced, int failed, int waiting, int retrying);

    [LoggerMessage(2603, LogLevel.Warning, "QBO refused a billing document of account {AccountId} of firm {FirmId}: customer {CustomerId} is {Reason}; the account is no longer synced")]
    private static partial void LogCustomerLost(ILogger logger, string firmId, string accountId, string customerId, SyncReason reason);

    [LoggerMessage(2607, LogLevel.Error, "The outcome of billing document {DocumentKey} of firm {FirmId} could not be saved; it is resumed when its lease ends")]
    private static partial void LogSaveFailed(ILogger logger, string firmId, string documentKey, Exception error);

    private sealed class Holder(BillingDocumentRecord record)
    {
        public BillingDocumentRecord Record { get; set; } = record;
    }

    private sealed class Totals
    {
        private int _synced;
        private int _failed;
        private int _waiting;
        private int _retrying;

        public int Claimed { get; set; }

        public void Count(BillingDocumentRecord? finished)
        {
            switch (finished?.Status)
            {
                case SyncStatus.Synced: Interlocked.Increment(ref _synced); break;
                case SyncStatus.Failed: Interlocked.Increment(ref _failed); break;
                case SyncStatus.NotSynced or SyncStatus.Skipped: Interlocked.Increment(ref _waiting); break;
                case SyncStatus.Syncing: Interlocked.Increment(ref _retrying); break;
            }
        }

        public BillingRunResult ToResult() => new(Claimed, _synced, _failed, _waiting, _retrying);
    }
}
