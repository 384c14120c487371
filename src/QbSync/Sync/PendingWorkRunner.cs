using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
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
        var run = new Run(firmId, progress, await store.GetFirmSettingsAsync(firmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = firmId });
        var options = transitions.Options;
        while (!cancellationToken.IsCancellationRequested)
        {
            var claimed = await store.ClaimDueAsync(firmId, options.WorkerId, transitions.Now, options.LeaseDuration, options.ClaimBatchSize, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                break;
            }

            run.Claimed(claimed.Count);
            var keeper = new LeaseKeeper(store, transitions.Time, options.LeaseDuration, firmId, options.WorkerId, logger, cancellationToken);
            await using (keeper.ConfigureAwait(false))
            {
                try
                {
                    await RunClaimAsync(run, claimed, keeper, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    await ReleaseUnfinishedAsync(firmId, claimed).ConfigureAwait(false);
                    throw;
                }
            }
        }

        var result = run.Result();
        LogRun(logger, firmId, result.Claimed, result.Synced, result.Failed, result.Retrying);
        return result;
    }

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

        // Start every unit first (intent and lease written before any QBO call).
        var started = new List<SyncAccountRecord>(units.Count);
        foreach (var record in units)
        {
            if (await StartAsync(run, record, keeper, cancellationToken).ConfigureAwait(false) is { } s)
            {
                started.Add(s);
            }
        }

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

        var singles = new List<SyncAccountRecord>();
        var batchResumes = new Dictionary<string, List<SyncAccountRecord>>(StringComparer.Ordinal);
        var creates = new List<PendingCreate>();
        foreach (var record in started)
        {
            switch (record.Intent!)
            {
                case { Kind: SyncIntentKind.CreateCustomer, BatchRequestId: { } batchRequestId }:
                    (batchResumes.TryGetValue(batchRequestId, out var group) ? group : batchResumes[batchRequestId] = []).Add(record);
                    break;
                case { Kind: SyncIntentKind.MatchByName }:
                    var decision = Decide(run, record, directory);
                    if (decision is NameDecision.Create create)
                    {
                        creates.Add(new PendingCreate(record, create.DisplayName));
                    }
                    else
                    {
                        await FinishAsync(run, record, keeper, ToOutcome(decision), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    singles.Add(record);
                    break;
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = transitions.Options.MaxConcurrentAccountsPerRealm, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(singles, parallel, async (record, ct) =>
            await GuardAsync(run, record, keeper, async (unit, token) => await work.RunAsync(client, realmId, unit.Record, settings, LinkedElsewhere(run, record.AccountId),
                unit.SaveIntentAsync, resuming: true, token).ConfigureAwait(false), ct).ConfigureAwait(false)).ConfigureAwait(false);

        await Parallel.ForEachAsync(batchResumes.Values, parallel, async (group, ct) =>
            await ResumeBatchAsync(run, realmId, group, directory, keeper, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // Two accounts that would create the same name never go out together: the first creates, the others are decided
        // again once it has finished (linked to another account, or created if the first failed).
        while (creates.Count > 0)
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var now = creates.Where(c => taken.Add(NameKey.Of(c.DisplayName))).ToList();
            var later = creates.Except(now).ToList();
            await CreateAsync(run, realmId, now, directory, keeper, cancellationToken).ConfigureAwait(false);
            creates = [];
            foreach (var pending in later)
            {
                var decision = Decide(run, pending.Record, directory);
                if (decision is NameDecision.Create again)
                {
                    creates.Add(pending with { DisplayName = again.DisplayName });
                }
                else
                {
                    await FinishAsync(run, pending.Record, keeper, ToOutcome(decision), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private NameDecision Decide(Run run, SyncAccountRecord record, CustomerDirectory directory) =>
        decider.Decide(record.AccountName, directory, LinkedElsewhere(run, record.AccountId), run.Settings);

    private static StepOutcome ToOutcome(NameDecision decision) => decision switch
    {
        NameDecision.Link link => new StepOutcome.Linked(link.Customer.Id, link.Customer.DisplayName, SyncReason.None, "matched by name"),
        NameDecision.Fail fail => fail.Outcome,
        _ => throw new InvalidOperationException("A create is not an outcome."),
    };

    private async Task CreateAsync(Run run, string realmId, List<PendingCreate> creates, CustomerDirectory directory, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = transitions.Options.MaxConcurrentAccountsPerRealm, CancellationToken = cancellationToken };
        if (creates.Count < transitions.Options.BulkThreshold)
        {
            await Parallel.ForEachAsync(creates, parallel, async (pending, ct) =>
                await GuardAsync(run, pending.Record, keeper, async (unit, token) =>
                {
                    var intent = new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = AccountWork.NewRequestId(), DisplayName = pending.DisplayName };
                    await unit.SaveIntentAsync(intent, token).ConfigureAwait(false);
                    return await work.RunAsync(client, realmId, unit.Record, run.Settings, LinkedElsewhere(run, unit.Record.AccountId),
                        unit.SaveIntentAsync, resuming: false, token).ConfigureAwait(false);
                }, ct).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        await Parallel.ForEachAsync(creates.Chunk(QuickBooksBatch.MaxItems), parallel, async (chunk, ct) =>
        {
            // The batch's request id and each item's bId are stored with the intents before the batch goes out, so a
            // resume sends the very same batch request again.
            var batchRequestId = AccountWork.NewRequestId();
            var items = new List<SyncAccountRecord>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var intent = new SyncIntent
                {
                    Kind = SyncIntentKind.CreateCustomer,
                    RequestId = AccountWork.NewRequestId(),
                    DisplayName = chunk[i].DisplayName,
                    BatchRequestId = batchRequestId,
                    BatchItemId = "b" + i.ToString(CultureInfo.InvariantCulture),
                };
                var record = chunk[i].Record;
                await GuardAsync(run, record, keeper, async (unit, token) =>
                {
                    items.Add(await unit.SaveIntentAsync(intent, token).ConfigureAwait(false));
                    return null;
                }, ct).ConfigureAwait(false);
            }

            await SendBatchAsync(run, realmId, batchRequestId, items, directory, keeper, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
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
            await SendBatchAsync(run, realmId, unresolved[0].Intent!.BatchRequestId!, unresolved, directory, keeper, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendBatchAsync(Run run, string realmId, string batchRequestId, List<SyncAccountRecord> items, CustomerDirectory directory, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
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
                run.Done(latest ?? await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false) ?? record);
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
        try
        {
            result = await client.Batch.ExecuteAsync(realmId, batch, batchRequestId, cancellationToken).ConfigureAwait(false);
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
                    outcome = new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None,
                        AccountWork.CreatedNote(typeId) + " in a batch" + AccountWork.NoteOf(record, record.Intent));
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

    /// <summary>Starts (or, when its attempts are used up, ends) one claimed unit; null when it must not be worked on.</summary>
    private async Task<SyncAccountRecord?> StartAsync(Run run, SyncAccountRecord record, LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        try
        {
            var resuming = record.Status == SyncStatus.Syncing;
            if (resuming && transitions.IsExhausted(record))
            {
                run.Done(await transitions.ExhaustAsync(record, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false));
                return null;
            }

            var intent = record.Intent ?? new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = AccountWork.NewRequestId() };
            var started = await transitions.StartAsync(record, resuming ? SyncTrigger.Resumed : SyncTrigger.AutoSyncStarted, intent,
                SyncActor.SystemUserId, keeper.OwnerId, cancellationToken).ConfigureAwait(false);
            keeper.Track(started.AccountId);
            return started;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Changed meanwhile (someone else decides), or the store failed: the lease ends and the work comes back.
            LogUnitFailed(logger, run.FirmId, record.AccountId, error.GetType().Name);
            run.Done(record);
            return null;
        }
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
            if (finished.Status == SyncStatus.Synced && finished.CustomerId is { } customerId)
            {
                run.Linked![customerId] = finished.AccountId;
            }

            run.Done(finished);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store failed while saving the outcome: the lease ends, the work is resumed and the attempt counted.
            LogUnitFailed(logger, run.FirmId, record.AccountId, error.GetType().Name);
            run.Done(record);
        }
        finally
        {
            keeper.Untrack(record.AccountId);
        }
    }

    private static Func<string, string?> LinkedElsewhere(Run run, string accountId) =>
        customerId => run.Linked!.TryGetValue(customerId, out var holder) && holder != accountId ? holder : null;

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

    /// <summary>One account's work in progress: the latest version of its record that this worker saved.</summary>
    private sealed class Unit(SyncAccountRecord record, AccountTransitions transitions)
    {
        public SyncAccountRecord Record { get; private set; } = record;

        public async Task<SyncAccountRecord> SaveIntentAsync(SyncIntent intent, CancellationToken cancellationToken) =>
            Record = await transitions.SaveIntentAsync(Record, intent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run's shared state and totals.</summary>
    private sealed class Run(string firmId, IProgress<SyncRunProgress>? progress, FirmSyncSettings settings)
    {
        private readonly object _lock = new();
        private int _claimed;
        private int _done;
        private int _synced;
        private int _failed;
        private int _retrying;
        private DateTimeOffset? _nextAttemptAt;

        public string FirmId { get; } = firmId;

        public FirmSyncSettings Settings { get; } = settings;

        /// <summary>Customer id → account id of the firm's links, read once per run and kept up to date by it.</summary>
        public ConcurrentDictionary<string, string>? Linked { get; set; }

        public CustomerDirectory? Directory { get; set; }

        public void Claimed(int count)
        {
            SyncRunProgress snapshot;
            lock (_lock)
            {
                _claimed += count;
                snapshot = Progress();
            }

            progress?.Report(snapshot);
        }

        public void Done(SyncAccountRecord record)
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

        private SyncRunProgress Progress() => new(FirmId, _claimed, _done, _synced, _failed, _retrying);
    }
}
