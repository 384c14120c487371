using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;
using QbSync.Stores;
using QbSync.Sync.Steps;

namespace QbSync.Sync;

/// <summary>
/// Runs a firm's due automatic work: claims due accounts with a lease (kept by a <see cref="LeaseKeeper"/> while any
/// call for them is out), starts the eligible ones, resumes work left in Syncing, retries transient failures whose
/// time has come. Names are decided locally by <see cref="CustomerDecider"/> on the realm's directory (brought up to
/// date once per run); missing customers are created in batches of 30 from <see cref="QbSyncOptions.BulkThreshold"/>
/// creates, one by one below it. Every exception in one account's work becomes that account's outcome: nothing one
/// account does stops, cancels or fails another.
/// </summary>
internal sealed partial class PendingWorkRunner(
    IAccountStore store,
    QuickBooksClient client,
    AccountTransitions transitions,
    AccountWork work,
    CustomerDecider decider,
    NameConflictResolver resolver,
    CustomerTypeCache customerTypes,
    CustomerDirectoryCache directories,
    IRealmRequestThrottle throttle,
    ILogger<PendingWorkRunner> logger)
{
    /// <summary>Whether automatic work should sync the account: never synced, never skipped, in the firm's scope,
    /// and the firm has a QBO company.</summary>
    public static bool IsAutoEligible(SyncAccountRecord record, FirmSyncSettings settings) =>
        settings.RealmId is not null
        && record.Status == SyncStatus.NotSynced
        && !record.WasSkipped
        && !record.WasSyncedBefore
        && (settings.Scope == SyncScope.AllAccounts || record.HasBillingActivity);

    /// <summary>Marks every account that is now eligible as due (after a scope change or a connection).</summary>
    public async Task MarkEligibleDueAsync(FirmSyncSettings settings, CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await store.ListAsync(settings.FirmId, new AccountQuery { Statuses = [SyncStatus.NotSynced], PageSize = 1000, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items.Where(r => r.NextAttemptAt is null && IsAutoEligible(r, settings)))
            {
                // A conflict means someone else is changing it: they decide.
                await store.TryUpdateAsync(record with { NextAttemptAt = transitions.Now }, record.Version, null, cancellationToken).ConfigureAwait(false);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async Task<SyncRunResult> RunAsync(string firmId, IProgress<SyncRunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var options = transitions.Options;
        var settings = await store.GetFirmSettingsAsync(firmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = firmId };
        using var run = new Run(firmId, progress, settings, options.MaxConcurrentAccountsPerRealm);
        using var activity = Diagnostics.SyncActivities.Start("QbSync RunPending", firmId, settings.RealmId);
        var keeper = new LeaseKeeper(store, transitions.Time, options.LeaseDuration, firmId, options.WorkerId, logger, cancellationToken);
        await using (keeper.ConfigureAwait(false))
        {
            try
            {
                // The next claim is worked on while the batches of the previous ones are still out; at most
                // MaxConcurrentAccountsPerRealm units of work (a batch or one account) are in flight.
                while (!cancellationToken.IsCancellationRequested)
                {
                    var claimed = await store.ClaimDueAsync(firmId, options.WorkerId, transitions.Now, options.LeaseDuration, options.ClaimBatchSize, cancellationToken).ConfigureAwait(false);
                    if (claimed.Count == 0)
                    {
                        break;
                    }

                    run.Claimed(claimed);
                    await RunClaimAsync(run, claimed, keeper, cancellationToken).ConfigureAwait(false);
                }

                await FinishCreatesAsync(run, keeper, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await run.WhenIdleAsync().ConfigureAwait(false);
                await ReleaseUnfinishedAsync(firmId, run.Unfinished).ConfigureAwait(false);
                throw;
            }
        }

        var result = run.Result();
        LogRun(logger, firmId, result.Claimed, result.Synced, result.Failed, result.Retrying);
        activity?.SetTag("qbsync.claimed", result.Claimed);
        return result;
    }

    /// <summary>Starts a claim's units, decides their names, saves the links it finds, and queues the creates and
    /// the other work.</summary>
    private async Task RunClaimAsync(Run run, IReadOnlyList<SyncAccountRecord> claimed, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var units = new List<SyncAccountRecord>();
        foreach (var record in claimed)
        {
            if (record.Status == SyncStatus.Syncing && settings.RealmId is null)
            {
                await GuardAsync(run, record, keeper, (_, _) => Task.FromResult<StepOutcome?>(new StepOutcome.Failed(new SyncProblem { Reason = SyncReason.NotConnected, OccurredAt = transitions.Now })), cancellationToken).ConfigureAwait(false);
            }
            else if (record.Status == SyncStatus.Syncing || IsAutoEligible(record, settings))
            {
                units.Add(record);
            }
            else
            {
                await TryAsync(record, () => transitions.ReleaseAsync(record, nextAttemptAt: null)).ConfigureAwait(false);
                run.Done(record);
            }
        }

        if (units.Count == 0 || settings.RealmId is not { } realmId)
        {
            return;
        }

        run.Linked ??= new ConcurrentDictionary<string, string>(await store.GetLinkedCustomersAsync(run.FirmId, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);

        // Start every unit first (intent and lease written before any QBO call), in one store call.
        var started = await StartAsync(run, units, keeper, cancellationToken).ConfigureAwait(false);

        CustomerDirectory directory;
        try
        {
            directory = run.Directory ??= await directories.GetAsync(client, realmId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } outcome)
        {
            // Without the directory nothing can be decided: the failure is recorded on every account it blocks.
            LogDirectoryFailed(logger, run.FirmId, realmId, error.GetType().Name);
            foreach (var record in started)
            {
                await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var links = new List<(SyncAccountRecord Record, StepOutcome.Linked Outcome)>();
        var batchResumes = new Dictionary<string, List<SyncAccountRecord>>(StringComparer.Ordinal);
        foreach (var record in started)
        {
            switch (record.Intent!)
            {
                case { Kind: SyncIntentKind.CreateCustomer, BatchRequestId: { } batchRequestId }:
                    (batchResumes.TryGetValue(batchRequestId, out var group) ? group : batchResumes[batchRequestId] = []).Add(record);
                    break;
                case { Kind: SyncIntentKind.MatchByName }:
                    switch (Decide(run, record, directory))
                    {
                        case NameDecision.Create create:
                            run.QueueCreate(new PendingCreate(record, create.DisplayName));
                            break;
                        case NameDecision.Link link:
                            links.Add((record, ToLinked(link)));
                            // Held at once, so that no later decision of this run takes the same customer.
                            run.Linked![link.Customer.Id] = record.AccountId;
                            break;
                        case NameDecision.Fail fail:
                            await FinishAsync(run, record, keeper, fail.Outcome, cancellationToken).ConfigureAwait(false);
                            break;
                    }

                    break;
                default:
                    await run.LaunchAsync(ct => GuardAsync(run, record, keeper, async (unit, token) => await work.RunAsync(client, realmId, unit.Record, settings,
                        LinkedElsewhere(run, record.AccountId), unit.SaveIntentAsync, resuming: true, token).ConfigureAwait(false), ct), cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        await FinishLinkedAsync(run, links, keeper, cancellationToken).ConfigureAwait(false);

        foreach (var group in batchResumes.Values)
        {
            await run.LaunchAsync(ct => GuardBatchAsync(run, group, keeper, () => ResumeBatchAsync(run, realmId, group, directory, keeper, ct), ct), cancellationToken).ConfigureAwait(false);
        }

        // Full batches go out as soon as there are enough creates (across claims), once the run has seen enough to
        // be a bulk run.
        while (run.CreatesSeen >= transitions.Options.BulkThreshold && run.QueuedCreates >= QuickBooksBatch.MaxItems)
        {
            await SendCreatesAsync(run, realmId, directory, keeper, bulk: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends queued creates once a unit of work may start: a batch of up to 30 while the realm's batch limit has room
    /// (or in a run below <see cref="QbSyncOptions.BulkThreshold"/>, one create), else one create on its own, which spends
    /// the request budget the batch limit leaves unused (QBO: 40 batches but 500 requests a minute).
    /// </summary>
    private async Task SendCreatesAsync(Run run, string realmId, CustomerDirectory directory, LeaseKeeper keeper, bool bulk, CancellationToken cancellationToken)
    {
        await run.AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
        var batch = bulk && throttle.BatchRequestsAvailableNow(realmId) > run.BatchesUnderWay;
        if (run.TakeCreates(batch ? QuickBooksBatch.MaxItems : 1) is not { } chunk)
        {
            run.ReleaseSlot();
            return;
        }

        if (batch)
        {
            var ticket = run.PrepareBatch();
            run.StartAcquired(ct => SendNewBatchAsync(run, realmId, chunk, directory, keeper, ticket, ct), cancellationToken);
        }
        else
        {
            run.StartAcquired(ct => CreateOneAsync(run, realmId, chunk[0], keeper, ct), cancellationToken);
        }
    }

    /// <summary>After the last claim: the creates left over go out (one by one in a run below
    /// <see cref="QbSyncOptions.BulkThreshold"/> creates, else as a last batch); then the accounts that waited because
    /// another account of the run was creating the same name are decided again, until none is left.</summary>
    private async Task FinishCreatesAsync(Run run, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (run.Directory is { } directory && run.Settings.RealmId is { } realmId)
            {
                var bulk = run.CreatesSeen >= transitions.Options.BulkThreshold;
                while (run.QueuedCreates > 0)
                {
                    await SendCreatesAsync(run, realmId, directory, keeper, bulk, cancellationToken).ConfigureAwait(false);
                }
            }

            await run.WhenIdleAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var deferred = run.TakeDeferred();
            if (deferred.Count == 0)
            {
                return;
            }

            var links = new List<(SyncAccountRecord Record, StepOutcome.Linked Outcome)>();
            foreach (var pending in deferred)
            {
                switch (Decide(run, pending.Record, run.Directory!))
                {
                    case NameDecision.Create again:
                        run.QueueCreate(pending with { DisplayName = again.DisplayName });
                        break;
                    case NameDecision.Link link:
                        links.Add((pending.Record, ToLinked(link)));
                        run.Linked![link.Customer.Id] = pending.Record.AccountId;
                        break;
                    case NameDecision.Fail fail:
                        await FinishAsync(run, pending.Record, keeper, fail.Outcome, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }

            await FinishLinkedAsync(run, links, keeper, cancellationToken).ConfigureAwait(false);
        }
    }

    private NameDecision Decide(Run run, SyncAccountRecord record, CustomerDirectory directory) =>
        decider.Decide(record.AccountName, directory, LinkedElsewhere(run, record.AccountId), run.Settings);

    private static StepOutcome.Linked ToLinked(NameDecision.Link link) =>
        new(link.Customer.Id, link.Customer.DisplayName, SyncReason.None, "matched by name");

    private async Task CreateOneAsync(Run run, string realmId, PendingCreate pending, LeaseKeeper keeper, CancellationToken cancellationToken) =>
        await GuardAsync(run, pending.Record, keeper, async (unit, token) =>
        {
            var intent = new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = AccountWork.NewRequestId(), DisplayName = pending.DisplayName };
            await unit.SaveIntentAsync(intent, token).ConfigureAwait(false);
            return await work.RunAsync(client, realmId, unit.Record, run.Settings, LinkedElsewhere(run, unit.Record.AccountId),
                unit.SaveIntentAsync, resuming: false, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    private async Task SendNewBatchAsync(Run run, string realmId, IReadOnlyList<PendingCreate> chunk, CustomerDirectory directory, LeaseKeeper keeper, BatchTicket ticket, CancellationToken cancellationToken)
    {
        try
        {
            await GuardBatchAsync(run, chunk.Select(p => p.Record), keeper,
                () => SendNewBatchAsync(run, realmId, chunk, directory, keeper, ticket.Done, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ticket.Done();
        }
    }

    /// <summary>The last guard of a batch unit: an exception that escaped its steps (each of which records its
    /// failures on its accounts) never reaches the run. The accounts it left unfinished are let go: their leases end
    /// and their work is resumed, the attempt counted.</summary>
    private async Task GuardBatchAsync(Run run, IEnumerable<SyncAccountRecord> records, LeaseKeeper keeper, Func<Task> batch, CancellationToken cancellationToken)
    {
        try
        {
            await batch().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            foreach (var record in records)
            {
                if (run.Abandon(record))
                {
                    LogUnitFailed(logger, run.FirmId, record.AccountId, error.GetType().Name);
                    keeper.Untrack(record.AccountId);
                }
            }
        }
    }

    private async Task SendNewBatchAsync(Run run, string realmId, IReadOnlyList<PendingCreate> chunk, CustomerDirectory directory, LeaseKeeper keeper, Action atThrottle, CancellationToken cancellationToken)
    {
        // The batch's request id and each item's bId are stored with the intents (in one store call) before the batch
        // goes out, so a resume sends the very same batch request again.
        var batchRequestId = AccountWork.NewRequestId();
        var intents = chunk.Select((pending, i) => (pending.Record, new SyncIntent
        {
            Kind = SyncIntentKind.CreateCustomer,
            RequestId = AccountWork.NewRequestId(),
            DisplayName = pending.DisplayName,
            BatchRequestId = batchRequestId,
            BatchItemId = "b" + i.ToString(CultureInfo.InvariantCulture),
        })).ToList();
        SyncAccountRecord?[] saved;
        try
        {
            saved = await transitions.TrySaveIntentsAsync(intents, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } outcome)
        {
            foreach (var pending in chunk)
            {
                await FinishAsync(run, pending.Record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var items = new List<SyncAccountRecord>(chunk.Count);
        for (var i = 0; i < chunk.Count; i++)
        {
            if (saved[i] is { } record)
            {
                items.Add(record);
            }
            else
            {
                // Changed by someone else since it was started (an unsync): their change stands.
                await FinishAsync(run, chunk[i].Record, keeper, new StepOutcome.Superseded(), cancellationToken).ConfigureAwait(false);
            }
        }

        await SendBatchAsync(run, realmId, batchRequestId, items, directory, keeper, atThrottle, cancellationToken).ConfigureAwait(false);
    }

    private async Task ResumeBatchAsync(Run run, string realmId, List<SyncAccountRecord> group, CustomerDirectory directory, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        // A second guard first: a customer the interrupted batch created under this name is linked without any write.
        var unresolved = new List<SyncAccountRecord>();
        foreach (var record in group)
        {
            if (CustomerDecider.FindCreated(directory, record.Intent!.DisplayName!, LinkedElsewhere(run, record.AccountId)) is { } found)
            {
                await FinishAsync(run, record, keeper, new StepOutcome.Linked(found.Id, found.DisplayName, SyncReason.None,
                    "found the customer created before the work was interrupted" + AccountWork.NoteOf(record, record.Intent)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                unresolved.Add(record);
            }
        }

        if (unresolved.Count > 0)
        {
            // The same batch request id and bIds: QBO answers a replay with the original response (while it remembers it).
            await SendBatchAsync(run, realmId, unresolved[0].Intent!.BatchRequestId!, unresolved, directory, keeper, atThrottle: null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendBatchAsync(Run run, string realmId, string batchRequestId, List<SyncAccountRecord> items, CustomerDirectory directory, LeaseKeeper keeper, Action? atThrottle, CancellationToken cancellationToken)
    {
        using var activity = Diagnostics.SyncActivities.Start("QbSync Batch", run.FirmId, realmId);
        if (items.Count == 0)
        {
            return;
        }

        // Re-check immediately before sending: an account unsynced (or otherwise changed) since its intent was saved
        // is dropped, and its new state stands.
        IReadOnlyList<SyncAccountRecord> current;
        try
        {
            current = await keeper.RenewNowAsync(items.Select(r => r.AccountId).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } outcome)
        {
            foreach (var record in items)
            {
                await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var unchanged = current.ToDictionary(r => r.AccountId, StringComparer.Ordinal);
        var send = new List<SyncAccountRecord>(items.Count);
        foreach (var record in items)
        {
            if (unchanged.TryGetValue(record.AccountId, out var latest) && latest.Version == record.Version && latest.Status == SyncStatus.Syncing
                && latest.Intent?.RequestId == record.Intent?.RequestId)
            {
                send.Add(latest);
            }
            else
            {
                LogDroppedFromBatch(logger, run.FirmId, record.AccountId);
                keeper.Untrack(record.AccountId);
                // Counted as it is now (an unsync made it Skipped), not as the Syncing copy this run held.
                run.Done(latest ?? await TryGetAsync(record, cancellationToken).ConfigureAwait(false) ?? record);
            }
        }

        if (send.Count == 0)
        {
            return;
        }

        string? typeId;
        try
        {
            typeId = await customerTypes.GetIndividualTypeIdAsync(client, realmId, cancellationToken).ConfigureAwait(false);
        }
        catch (QuickBooksException)
        {
            // Without the type list the customers are still created, with the field left empty.
            typeId = null;
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } outcome)
        {
            // Anything else (the realm's tokens gone or unreadable, a token store failure) stops the batch: it is the
            // outcome of each of its accounts, as it would be on the one-account path.
            foreach (var record in send)
            {
                await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var batch = new QuickBooksBatch();
        foreach (var record in send)
        {
            batch.Create(record.Intent!.BatchItemId!, new CustomerCreateRequest
            {
                DisplayName = record.Intent.DisplayName,
                CustomerTypeRef = typeId is null ? null : new QuickBooksReference(typeId),
            });
        }

        QuickBooksBatchResult result;
        using var leases = new BatchLeases(keeper, send, cancellationToken);
        try
        {
            var call = client.Batch.ExecuteAsync(realmId, batch, batchRequestId, leases.Token);
            atThrottle?.Invoke(); // the call takes (or queues for) its batch permit before its first wait
            result = await call.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leases.AllLost && !cancellationToken.IsCancellationRequested)
        {
            // Every lease of the batch was lost (renewals kept failing): another worker may own its accounts by now,
            // and resumes them with the same batch request. Write nothing.
            foreach (var record in send)
            {
                keeper.Untrack(record.AccountId);
                run.Done(record);
            }

            return;
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } outcome)
        {
            foreach (var record in send)
            {
                await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var duplicates = new List<(SyncAccountRecord Record, QuickBooksDuplicateNameException Error)>();
        var created = new List<(SyncAccountRecord Record, StepOutcome.Linked Outcome)>(send.Count);
        foreach (var record in send)
        {
            StepOutcome outcome;
            try
            {
                if (!result.TryGet(record.Intent!.BatchItemId!, out var item))
                {
                    outcome = new StepOutcome.Transient(new InvalidOperationException("QBO returned no result for the batch item."));
                }
                else if (item.IsSuccess)
                {
                    var customer = item.GetEntity<Customer>();
                    directory.Add(customer);
                    run.Linked![customer.Id!] = record.AccountId;
                    created.Add((record, new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None,
                        AccountWork.CreatedNote(typeId) + " in a batch" + AccountWork.NoteOf(record, record.Intent))));
                    continue;
                }
                else if (item.Fault is QuickBooksDuplicateNameException duplicate)
                {
                    duplicates.Add((record, duplicate));
                    continue;
                }
                else
                {
                    outcome = StepOutcome.FromException(item.Fault!, transitions.Time, cancellationToken)!;
                }
            }
            catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } failure)
            {
                outcome = failure;
            }

            await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
        }

        // The created customers are linked with one store call.
        await FinishLinkedAsync(run, created, keeper, cancellationToken).ConfigureAwait(false);

        // Successes first, so that a name refused here resolves against the customers just created.
        foreach (var (record, duplicate) in duplicates)
        {
            await GuardAsync(run, record, keeper, async (_, token) =>
            {
                var linkedElsewhere = LinkedElsewhere(run, record.AccountId);
                var local = resolver.ResolveLocal(directory, record.Intent!.DisplayName!, linkedElsewhere, duplicate);
                return local is StepOutcome.Failed { Problem.Reason: SyncReason.DuplicateNameUnresolved }
                    ? await resolver.ResolveAsync(client, realmId, record.Intent.DisplayName!, linkedElsewhere, duplicate, token).ConfigureAwait(false)
                    : local;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the claimed units with one store call (a unit whose attempts are used up is ended instead);
    /// returns the started ones. A unit that changed meanwhile, or whose start the store failed to save, is left: its
    /// lease ends and the work comes back.</summary>
    private async Task<List<SyncAccountRecord>> StartAsync(Run run, List<SyncAccountRecord> units, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        var starts = new List<(SyncAccountRecord Record, SyncTrigger Trigger, SyncIntent Intent)>(units.Count);
        foreach (var record in units)
        {
            var resuming = record.Status == SyncStatus.Syncing;
            if (resuming && transitions.IsExhausted(record))
            {
                try
                {
                    run.Done(await transitions.ExhaustAsync(record, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogUnitFailed(logger, run.FirmId, record.AccountId, error.GetType().Name);
                    run.Done(record);
                }

                continue;
            }

            var intent = record.Intent ?? new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = AccountWork.NewRequestId() };
            starts.Add((record, resuming ? SyncTrigger.Resumed : SyncTrigger.AutoSyncStarted, intent));
        }

        var started = new List<SyncAccountRecord>(starts.Count);
        if (starts.Count == 0)
        {
            return started;
        }

        SyncAccountRecord?[] saved;
        try
        {
            saved = await transitions.TryStartManyAsync(starts, SyncActor.SystemUserId, keeper.OwnerId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store failed: the leases end and the work comes back.
            foreach (var start in starts)
            {
                LogUnitFailed(logger, run.FirmId, start.Record.AccountId, error.GetType().Name);
                run.Done(start.Record);
            }

            return started;
        }

        for (var i = 0; i < starts.Count; i++)
        {
            if (saved[i] is { } record)
            {
                keeper.Track(record.AccountId);
                started.Add(record);
            }
            else
            {
                // Changed meanwhile: someone else decides.
                run.Done(starts[i].Record);
            }
        }

        return started;
    }

    /// <summary>Runs one unit's step under its lease token and records its outcome; nothing it throws leaves it. A
    /// step that returns null has saved what it needed and goes on elsewhere.</summary>
    private async Task GuardAsync(Run run, SyncAccountRecord record, LeaseKeeper keeper, Func<Unit, CancellationToken, Task<StepOutcome?>> step, CancellationToken cancellationToken)
    {
        StepOutcome? outcome;
        var unit = new Unit(record, transitions);
        var token = keeper.TokenOf(record.AccountId);
        try
        {
            outcome = await step(unit, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The lease was lost: another writer owns the account now; write nothing.
            keeper.Untrack(record.AccountId);
            run.Done(record);
            return;
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time, cancellationToken) is { } failure)
        {
            outcome = failure;
        }

        if (outcome is not null)
        {
            await FinishAsync(run, unit.Record, keeper, outcome, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FinishAsync(Run run, SyncAccountRecord record, LeaseKeeper keeper, StepOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            // The latest version of the record this worker wrote (a saved intent), so the finish's compare-and-swap holds.
            var finished = await transitions.FinishAsync(record, outcome, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
            Finished(run, (outcome as StepOutcome.Linked)?.CustomerId, finished);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store failed while saving the outcome: the lease ends, the work is resumed and the attempt counted.
            LogUnitFailed(logger, run.FirmId, record.AccountId, error.GetType().Name);
            if (outcome is StepOutcome.Linked held)
            {
                run.Linked?.TryRemove(new KeyValuePair<string, string>(held.CustomerId, record.AccountId));
            }

            run.Done(record);
        }
        finally
        {
            keeper.Untrack(record.AccountId);
        }
    }

    /// <summary>Saves links with one store call (<see cref="AccountTransitions.FinishLinkedAsync"/>); a link the store
    /// refuses is saved alone and says why.</summary>
    private async Task FinishLinkedAsync(Run run, List<(SyncAccountRecord Record, StepOutcome.Linked Outcome)> links, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        if (links.Count == 0)
        {
            return;
        }

        try
        {
            var finished = await transitions.FinishLinkedAsync(links, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < finished.Length; i++)
            {
                Finished(run, links[i].Outcome.CustomerId, finished[i]);
                keeper.Untrack(links[i].Record.AccountId);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store failed as a whole: each link is saved alone (and a failure there is that account's outcome).
            foreach (var (record, outcome) in links)
            {
                await FinishAsync(run, record, keeper, outcome, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Counts a finished unit and keeps the run's map of links true: a link held for a decision that did not
    /// end linked to it is let go.</summary>
    private static void Finished(Run run, string? heldCustomerId, SyncAccountRecord finished)
    {
        if (finished.Status == SyncStatus.Synced && finished.CustomerId is { } customerId)
        {
            run.Linked![customerId] = finished.AccountId;
        }

        if (heldCustomerId is not null && finished.CustomerId != heldCustomerId)
        {
            run.Linked!.TryRemove(new KeyValuePair<string, string>(heldCustomerId, finished.AccountId));
        }

        run.Done(finished);
    }

    private static Func<string, string?> LinkedElsewhere(Run run, string accountId) =>
        customerId => run.Linked!.TryGetValue(customerId, out var holder) && holder != accountId ? holder : null;

    /// <summary>The account as stored now, or null when the store cannot say.</summary>
    private async Task<SyncAccountRecord?> TryGetAsync(SyncAccountRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnitFailed(logger, record.FirmId, record.AccountId, error.GetType().Name);
            return null;
        }
    }

    private async Task TryAsync(SyncAccountRecord record, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            LogUnitFailed(logger, record.FirmId, record.AccountId, error.GetType().Name);
        }
    }

    private async Task ReleaseUnfinishedAsync(string firmId, IReadOnlyList<SyncAccountRecord> claimed)
    {
        // On shutdown, give the claimed accounts back at once so another worker can go on; work already in Syncing
        // keeps its intent and is resumed by looking for its result first. The interrupted attempt is not counted.
        foreach (var record in claimed)
        {
            try
            {
                var latest = await store.GetAsync(firmId, record.AccountId, CancellationToken.None).ConfigureAwait(false);
                if (latest is not null && latest.LeaseOwner == transitions.Options.WorkerId)
                {
                    await transitions.ReleaseAsync(latest, transitions.Now, uncountAttempt: latest.Status == SyncStatus.Syncing).ConfigureAwait(false);
                }
            }
            catch (Exception error)
            {
                LogUnitFailed(logger, firmId, record.AccountId, error.GetType().Name);
            }
        }
    }

    [LoggerMessage(2201, LogLevel.Information, "Pending work of firm {FirmId}: {Claimed} claimed, {Synced} synced, {Failed} failed, {Retrying} to retry")]
    private static partial void LogRun(ILogger logger, string firmId, int claimed, int synced, int failed, int retrying);

    [LoggerMessage(2202, LogLevel.Warning, "Reading the names of realm {RealmId} for firm {FirmId} failed ({Error}); the accounts waiting for it retry later")]
    private static partial void LogDirectoryFailed(ILogger logger, string firmId, string realmId, string error);

    [LoggerMessage(2203, LogLevel.Warning, "Account {AccountId} of firm {FirmId}: the work could not be started or saved ({Error}); it resumes when its lease ends")]
    private static partial void LogUnitFailed(ILogger logger, string firmId, string accountId, string error);

    [LoggerMessage(2204, LogLevel.Information, "Account {AccountId} of firm {FirmId} changed before its batch was sent; left out of the batch")]
    private static partial void LogDroppedFromBatch(ILogger logger, string firmId, string accountId);

    private sealed record PendingCreate(SyncAccountRecord Record, string DisplayName);

    /// <summary>A batch this run started: <see cref="Done"/> (once; later calls do nothing) says it reached the
    /// throttle, or ended without being sent.</summary>
    private sealed class BatchTicket(Action onDone)
    {
        private int _done;

        public void Done()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                onDone();
            }
        }
    }

    /// <summary>The token of a batch call: cancelled with the run, or once the lease of every account in the batch is
    /// lost (one lost lease, an unsync, does not stop the others' creates).</summary>
    private sealed class BatchLeases : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly List<CancellationTokenRegistration> _registrations;
        private int _held;

        public BatchLeases(LeaseKeeper keeper, IReadOnlyList<SyncAccountRecord> records, CancellationToken run)
        {
            _source = CancellationTokenSource.CreateLinkedTokenSource(run);
            _held = records.Count;
            _registrations = new List<CancellationTokenRegistration>(records.Count);
            foreach (var record in records)
            {
                _registrations.Add(keeper.TokenOf(record.AccountId).Register(LeaseLost));
            }
        }

        public CancellationToken Token => _source.Token;

        /// <summary>Whether the lease of every account in the batch was lost.</summary>
        public bool AllLost => Volatile.Read(ref _held) <= 0;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            _source.Dispose();
        }

        private void LeaseLost()
        {
            if (Interlocked.Decrement(ref _held) == 0)
            {
                _source.Cancel();
            }
        }
    }

    /// <summary>One account's work in progress: the latest version of its record that this worker saved.</summary>
    private sealed class Unit(SyncAccountRecord record, AccountTransitions transitions)
    {
        public SyncAccountRecord Record { get; private set; } = record;

        public async Task<SyncAccountRecord> SaveIntentAsync(SyncIntent intent, CancellationToken cancellationToken) =>
            Record = await transitions.SaveIntentAsync(Record, intent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run's shared state and totals, the creates waiting to go out, and the work in flight.</summary>
    private sealed class Run(string firmId, IProgress<SyncRunProgress>? progress, FirmSyncSettings settings, int maxInFlight) : IDisposable
    {
        private readonly object _lock = new();
        private readonly object _reportLock = new();
        private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
        private readonly List<Task> _inFlight = [];
        private readonly ConcurrentDictionary<string, SyncAccountRecord> _unfinished = new(StringComparer.Ordinal);
        private readonly List<PendingCreate> _creates = [];
        private readonly List<PendingCreate> _deferred = [];
        private readonly HashSet<string> _namesQueued = new(StringComparer.Ordinal);
        private int _claimed;
        private int _done;
        private int _synced;
        private int _failed;
        private int _retrying;
        private int _createsSeen;
        private int _batchesUnderWay;
        private DateTimeOffset? _nextAttemptAt;

        public string FirmId { get; } = firmId;

        public FirmSyncSettings Settings { get; } = settings;

        /// <summary>Customer id → account id of the firm's links, read once per run and kept up to date by it (a
        /// customer a decision of this run took is held at once).</summary>
        public ConcurrentDictionary<string, string>? Linked { get; set; }

        public CustomerDirectory? Directory { get; set; }

        /// <summary>The claimed records not finished yet (given back if the run is cancelled).</summary>
        public IReadOnlyList<SyncAccountRecord> Unfinished => [.. _unfinished.Values];

        /// <summary>How many creates this run has decided so far.</summary>
        public int CreatesSeen => Volatile.Read(ref _createsSeen);

        /// <summary>Queues a create; one whose name another queued create of the run already has waits, to be
        /// decided again once that one is done.</summary>
        public void QueueCreate(PendingCreate create)
        {
            lock (_lock)
            {
                _createsSeen++;
                (_namesQueued.Add(NameKey.Of(create.DisplayName)) ? _creates : _deferred).Add(create);
            }
        }

        /// <summary>Batches this run started that have not reached the client's throttle yet (their intents are being
        /// saved): counted against the batch requests the throttle still allows, so that the run does not start more
        /// batches than the window has room for.</summary>
        public int BatchesUnderWay => Volatile.Read(ref _batchesUnderWay);

        /// <summary>Counts a batch until its ticket says it ended.</summary>
        public BatchTicket PrepareBatch()
        {
            Interlocked.Increment(ref _batchesUnderWay);
            return new BatchTicket(() => Interlocked.Decrement(ref _batchesUnderWay));
        }

        /// <summary>How many creates are queued.</summary>
        public int QueuedCreates
        {
            get
            {
                lock (_lock)
                {
                    return _creates.Count;
                }
            }
        }

        /// <summary>Up to <paramref name="count"/> queued creates, oldest first; null when none are queued.</summary>
        public List<PendingCreate>? TakeCreates(int count)
        {
            lock (_lock)
            {
                if (_creates.Count == 0)
                {
                    return null;
                }

                var taken = _creates.GetRange(0, Math.Min(count, _creates.Count));
                _creates.RemoveRange(0, taken.Count);
                return taken;
            }
        }

        /// <summary>The creates that waited for another one of the same name; the names queued are forgotten.</summary>
        public List<PendingCreate> TakeDeferred()
        {
            lock (_lock)
            {
                var deferred = _deferred.ToList();
                _deferred.Clear();
                _namesQueued.Clear();
                return deferred;
            }
        }

        /// <summary>Starts a unit of work once fewer than the run's limit are in flight (waiting for a slot keeps the
        /// claim loop from running ahead). The work must not throw but for cancellation.</summary>
        public async Task LaunchAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
        {
            await AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
            StartAcquired(work, cancellationToken);
        }

        /// <summary>Waits for a free slot (then <see cref="StartAcquired"/> or <see cref="ReleaseSlot"/>).</summary>
        public Task AcquireSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

        public void ReleaseSlot() => _slots.Release();

        /// <summary>Starts a unit of work in the slot acquired for it; the slot is freed when it ends.</summary>
        public void StartAcquired(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
        {
            var task = Task.Run(async () =>
            {
                try
                {
                    await work(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None);
            lock (_inFlight)
            {
                _inFlight.RemoveAll(t => t.IsCompleted);
                _inFlight.Add(task);
            }
        }

        /// <summary>Waits until no launched work is in flight (a cancelled one included).</summary>
        public async Task WhenIdleAsync()
        {
            Task[] running;
            lock (_inFlight)
            {
                running = [.. _inFlight];
                _inFlight.Clear();
            }

            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled work leaves its accounts to ReleaseUnfinishedAsync.
            }
        }

        public void Claimed(IReadOnlyList<SyncAccountRecord> claimed)
        {
            foreach (var record in claimed)
            {
                _unfinished[record.AccountId] = record;
            }

            lock (_reportLock)
            {
                SyncRunProgress snapshot;
                lock (_lock)
                {
                    _claimed += claimed.Count;
                    snapshot = Progress();
                }

                progress?.Report(snapshot);
            }
        }

        /// <summary>Counts a record the run gives up on (as it was claimed) unless it was counted already; whether
        /// it was not.</summary>
        public bool Abandon(SyncAccountRecord record)
        {
            if (!_unfinished.ContainsKey(record.AccountId))
            {
                return false;
            }

            Done(record);
            return true;
        }

        /// <summary>Counts a finished record. Progress is reported one report at a time, in order: a host's
        /// <see cref="IProgress{T}"/> never sees the counts go back, nor two reports at once.</summary>
        public void Done(SyncAccountRecord record)
        {
            _unfinished.TryRemove(record.AccountId, out _);
            lock (_reportLock)
            {
                DoneLocked(record);
            }
        }

        private void DoneLocked(SyncAccountRecord record)
        {
            SyncRunProgress snapshot;
            lock (_lock)
            {
                _done++;
                switch (record.Status)
                {
                    case SyncStatus.Synced: _synced++; break;
                    case SyncStatus.Failed: _failed++; break;
                    case SyncStatus.Syncing:
                        _retrying++;
                        if (record.NextAttemptAt is { } next && (_nextAttemptAt is null || next < _nextAttemptAt))
                        {
                            _nextAttemptAt = next;
                        }

                        break;
                }

                snapshot = Progress();
            }

            progress?.Report(snapshot);
        }

        public SyncRunResult Result()
        {
            lock (_lock)
            {
                return new SyncRunResult(_claimed, _synced, _failed, _retrying) { NextAttemptAt = _nextAttemptAt };
            }
        }

        public void Dispose() => _slots.Dispose();

        private SyncRunProgress Progress() => new(FirmId, _claimed, _done, _synced, _failed, _retrying);
    }
}
