using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Sync.Steps;

namespace QbSync.Sync;

/// <summary>
/// Runs a firm's due automatic work: claims due accounts with a lease, starts the eligible ones, resumes work left in
/// Syncing by a stopped process, retries transient failures whose time has come, with bounded concurrency. From
/// <see cref="QbSyncOptions.BulkThreshold"/> accounts to match, it reads the company's directory once, matches
/// locally and creates the missing customers in batches of 30.
/// </summary>
internal sealed partial class PendingWorkRunner(
    IAccountStore store,
    QuickBooksClient client,
    AccountTransitions transitions,
    AccountWork work,
    CustomerMatcher matcher,
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

    public async Task<SyncRunResult> RunAsync(string firmId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var totals = new RunTotals();
        var settings = await store.GetFirmSettingsAsync(firmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = firmId };
        var options = transitions.Options;
        CustomerDirectory? directory = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var claimed = await store.ClaimDueAsync(firmId, options.WorkerId, transitions.Now, options.LeaseDuration, options.ClaimBatchSize, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                break;
            }

            totals.Claimed += claimed.Count;
            var linked = new ConcurrentDictionary<string, string>(await store.GetLinkedCustomersAsync(firmId, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
            var fresh = new List<SyncAccountRecord>();
            var resume = new List<SyncAccountRecord>();
            foreach (var record in claimed)
            {
                if (record.Status == SyncStatus.Syncing)
                {
                    resume.Add(record);
                }
                else if (IsAutoEligible(record, settings))
                {
                    fresh.Add(record);
                }
                else
                {
                    await transitions.ReleaseAsync(record, nextAttemptAt: null).ConfigureAwait(false);
                }
            }

            try
            {
                if (settings.RealmId is { } realmId)
                {
                    if (fresh.Count >= options.BulkThreshold)
                    {
                        directory ??= await CustomerDirectory.BuildAsync(client, realmId, includeVendorsAndEmployees: true, cancellationToken).ConfigureAwait(false);
                        await RunBulkAsync(realmId, settings, fresh, directory, linked, totals, cancellationToken).ConfigureAwait(false);
                        fresh.Clear();
                    }

                    await Parallel.ForEachAsync(
                        resume.Select(r => (Record: r, Trigger: SyncTrigger.Resumed)).Concat(fresh.Select(r => (Record: r, Trigger: SyncTrigger.AutoSyncStarted))),
                        new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentAccountsPerRealm, CancellationToken = cancellationToken },
                        async (item, ct) => totals.Count(await RunOneAsync(realmId, settings, item.Record, item.Trigger, linked, ct).ConfigureAwait(false)))
                        .ConfigureAwait(false);
                    directories.Invalidate(realmId);
                }
                else
                {
                    foreach (var record in resume)
                    {
                        totals.Count(await transitions.FinishAsync(record, new StepOutcome.Failed(new SyncProblem { Reason = SyncReason.NotConnected, OccurredAt = transitions.Now }), SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false));
                    }

                    foreach (var record in fresh)
                    {
                        await transitions.ReleaseAsync(record, nextAttemptAt: null).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ReleaseUnfinishedAsync(firmId, claimed).ConfigureAwait(false);
                throw;
            }
        }

        var result = new SyncRunResult(totals.Claimed, totals.Synced, totals.Failed, totals.Retrying);
        LogRun(logger, firmId, result.Claimed, result.Synced, result.Failed, result.Retrying);
        return result;
    }

    private async Task<SyncAccountRecord> RunOneAsync(string realmId, FirmSyncSettings settings, SyncAccountRecord record, SyncTrigger trigger, ConcurrentDictionary<string, string> linked, CancellationToken cancellationToken)
    {
        var resuming = trigger == SyncTrigger.Resumed;
        var intent = record.Intent ?? new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = AccountWork.NewRequestId() };
        SyncAccountRecord current;
        try
        {
            current = await transitions.StartAsync(record, trigger, intent, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
        }
        catch (SyncConcurrencyException)
        {
            return await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false) ?? record;
        }

        var outcome = await work.RunAsync(client, realmId, current, settings,
            customerId => linked.TryGetValue(customerId, out var holder) && holder != record.AccountId ? holder : null,
            async (r, next, ct) => current = await transitions.SaveIntentAsync(current, next, ct).ConfigureAwait(false),
            resuming, cancellationToken).ConfigureAwait(false);
        var finished = await transitions.FinishAsync(current, outcome, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
        if (finished.Status == SyncStatus.Synced && finished.CustomerId is { } customerId)
        {
            linked[customerId] = finished.AccountId;
        }

        return finished;
    }

    private async Task RunBulkAsync(string realmId, FirmSyncSettings settings, List<SyncAccountRecord> fresh, CustomerDirectory directory,
        ConcurrentDictionary<string, string> linked, RunTotals totals, CancellationToken cancellationToken)
    {
        string? LinkedElsewhere(string customerId, string accountId) =>
            linked.TryGetValue(customerId, out var holder) && holder != accountId ? holder : null;

        var toCreate = new List<SyncAccountRecord>();
        foreach (var claimedRecord in fresh)
        {
            SyncAccountRecord record;
            try
            {
                record = await transitions.StartAsync(claimedRecord, SyncTrigger.AutoSyncStarted,
                    new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = AccountWork.NewRequestId() }, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
            }
            catch (SyncConcurrencyException)
            {
                continue;
            }

            StepOutcome? outcome = null;
            switch (matcher.MatchLocal(directory, record.AccountName, id => LinkedElsewhere(id, record.AccountId)))
            {
                case MatchResult.Match m:
                    outcome = new StepOutcome.Linked(m.Customer.Id!, m.Customer.BareDisplayName!, SyncReason.None, "matched by name");
                    break;
                case MatchResult.Problem p:
                    outcome = p.Outcome;
                    break;
                default:
                    var name = QuickBooksDisplayName.FromAccountName(record.AccountName);
                    if (!settings.CreateMissingCustomers)
                    {
                        outcome = new StepOutcome.Failed(new SyncProblem { Reason = SyncReason.NoMatchCreationDisabled, OccurredAt = transitions.Now });
                    }
                    else if (!name.IsValid)
                    {
                        outcome = new StepOutcome.Failed(new SyncProblem { Reason = SyncReason.InvalidName, OccurredAt = transitions.Now });
                    }
                    else
                    {
                        // The intent (with its request id) is stored before the batch is sent: a crash resumes by looking first.
                        toCreate.Add(await transitions.SaveIntentAsync(record,
                            new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = AccountWork.NewRequestId(), DisplayName = name.Value },
                            cancellationToken).ConfigureAwait(false));
                    }

                    break;
            }

            if (outcome is not null)
            {
                var finished = await transitions.FinishAsync(record, outcome, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
                Remember(finished, linked);
                totals.Count(finished);
            }
        }

        if (toCreate.Count == 0)
        {
            return;
        }

        var typeId = await TryAsync(() => customerTypes.GetIndividualTypeIdAsync(client, realmId, cancellationToken)).ConfigureAwait(false);
        var leasedAt = transitions.Now;
        var taken = 0;
        var gate = new SemaphoreSlim(1, 1);
        var batches = (toCreate.Count + QuickBooksBatch.MaxItems - 1) / QuickBooksBatch.MaxItems;

        // Several batches in flight at once (the client's throttle keeps to QBO's 40 batches a minute); records are
        // taken from the shared list, leases renewed and outcomes applied one at a time under the gate.
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions
        {
            MaxDegreeOfParallelism = transitions.Options.MaxConcurrentAccountsPerRealm,
            CancellationToken = cancellationToken,
        }, async (_, ct) =>
        {
            List<SyncAccountRecord> chunk;
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (transitions.Now - leasedAt > transitions.Options.LeaseDuration / 2)
                {
                    // A long first sync: renew the leases of the accounts still waiting, so no other worker resumes them.
                    await transitions.RenewLeasesAsync(toCreate, taken, ct).ConfigureAwait(false);
                    leasedAt = transitions.Now;
                }

                chunk = toCreate.GetRange(taken, Math.Min(QuickBooksBatch.MaxItems, toCreate.Count - taken));
                taken += chunk.Count;
            }
            finally
            {
                gate.Release();
            }

            var batch = new QuickBooksBatch();
            var byBatchId = new Dictionary<string, SyncAccountRecord>(StringComparer.Ordinal);
            for (var i = 0; i < chunk.Count; i++)
            {
                var batchId = "b" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                byBatchId[batchId] = chunk[i];
                batch.Create(batchId, new CustomerCreateRequest
                {
                    DisplayName = chunk[i].Intent!.DisplayName,
                    CustomerTypeRef = typeId.Value is { } id ? new QuickBooksReference(id) : null,
                });
            }

            QuickBooksBatchResult? result = null;
            StepOutcome? failure = null;
            try
            {
                result = await client.Batch.ExecuteAsync(realmId, batch, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception error) when (StepOutcome.FromException(error, transitions.Time) is { } outcome)
            {
                failure = outcome;
            }

            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var outcomes = failure is null
                    ? await ApplyBatchResultAsync(realmId, result!, byBatchId, directory, typeId.Value, linked, ct).ConfigureAwait(false)
                    : byBatchId.Keys.ToDictionary(batchId => batchId, _ => failure, StringComparer.Ordinal);
                foreach (var (batchId, record) in byBatchId)
                {
                    var finished = await transitions.FinishAsync(record, outcomes[batchId], SyncActor.SystemUserId, ct).ConfigureAwait(false);
                    Remember(finished, linked);
                    totals.Count(finished);
                }
            }
            finally
            {
                gate.Release();
            }
        }).ConfigureAwait(false);
    }

    private async Task<Dictionary<string, StepOutcome>> ApplyBatchResultAsync(string realmId, QuickBooksBatchResult result, Dictionary<string, SyncAccountRecord> byBatchId,
        CustomerDirectory directory, string? typeId, ConcurrentDictionary<string, string> linked, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, StepOutcome>(StringComparer.Ordinal);
        var duplicates = new List<(string BatchId, QuickBooksDuplicateNameException Error)>();
        foreach (var (batchId, record) in byBatchId)
        {
            if (!result.TryGet(batchId, out var item))
            {
                outcomes[batchId] = new StepOutcome.Transient(new InvalidOperationException("QBO returned no result for the item."));
            }
            else if (item.IsSuccess)
            {
                var customer = item.GetEntity<Customer>();
                directory.Add(customer);
                var changes = AccountWork.DescribeChanges(record.AccountName, QuickBooksDisplayName.FromAccountName(record.AccountName));
                outcomes[batchId] = new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None,
                    "created the customer in a batch" + (typeId is null ? " (no Individual customer type in the company)" : " with customer type Individual")
                    + (changes is null ? string.Empty : "; " + changes));
            }
            else if (item.Fault is QuickBooksDuplicateNameException duplicate)
            {
                duplicates.Add((batchId, duplicate));
            }
            else
            {
                outcomes[batchId] = StepOutcome.FromException(item.Fault!, transitions.Time)!;
            }
        }

        // Successes first, so that two accounts of one name in a batch resolve against the one just created.
        foreach (var (batchId, duplicate) in duplicates)
        {
            var record = byBatchId[batchId];
            var local = resolver.ResolveLocal(directory, record.Intent!.DisplayName!,
                id => linked.TryGetValue(id, out var holder) && holder != record.AccountId ? holder : null, duplicate);
            outcomes[batchId] = local is StepOutcome.Failed { Problem.Reason: SyncReason.DuplicateNameUnresolved }
                ? await TryResolveRemotelyAsync(realmId, record, linked, duplicate, cancellationToken).ConfigureAwait(false)
                : local;
        }

        return outcomes;
    }

    private async Task<StepOutcome> TryResolveRemotelyAsync(string realmId, SyncAccountRecord record, ConcurrentDictionary<string, string> linked, QuickBooksDuplicateNameException duplicate, CancellationToken cancellationToken)
    {
        try
        {
            return await resolver.ResolveAsync(client, realmId, record.Intent!.DisplayName!,
                id => linked.TryGetValue(id, out var holder) && holder != record.AccountId ? holder : null, duplicate, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StepOutcome.FromException(error, transitions.Time) is { } failure)
        {
            return failure;
        }
    }

    private static async Task<(string? Value, bool Ok)> TryAsync(Func<Task<string?>> read)
    {
        try
        {
            return (await read().ConfigureAwait(false), true);
        }
        catch (QuickBooksException)
        {
            // Without the type list the customers are still created, with the field left empty.
            return (null, false);
        }
    }

    private static void Remember(SyncAccountRecord finished, ConcurrentDictionary<string, string> linked)
    {
        if (finished.Status == SyncStatus.Synced && finished.CustomerId is { } customerId)
        {
            linked[customerId] = finished.AccountId;
        }
    }

    private async Task ReleaseUnfinishedAsync(string firmId, IReadOnlyList<SyncAccountRecord> claimed)
    {
        // On shutdown, give the claimed accounts back at once so another worker can go on; work already in Syncing
        // keeps its intent and is resumed by looking for its result first.
        foreach (var record in claimed)
        {
            var latest = await store.GetAsync(firmId, record.AccountId, CancellationToken.None).ConfigureAwait(false);
            if (latest is not null && latest.LeaseOwner == transitions.Options.WorkerId)
            {
                await transitions.ReleaseAsync(latest, transitions.Now).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(2201, LogLevel.Information, "Pending work of firm {FirmId}: {Claimed} claimed, {Synced} synced, {Failed} failed, {Retrying} to retry")]
    private static partial void LogRun(ILogger logger, string firmId, int claimed, int synced, int failed, int retrying);

    private sealed class RunTotals
    {
        private int _synced;
        private int _failed;
        private int _retrying;

        public int Claimed { get; set; }

        public int Synced => _synced;

        public int Failed => _failed;

        public int Retrying => _retrying;

        public void Count(SyncAccountRecord finished)
        {
            switch (finished.Status)
            {
                case SyncStatus.Synced: Interlocked.Increment(ref _synced); break;
                case SyncStatus.Failed: Interlocked.Increment(ref _failed); break;
                case SyncStatus.Syncing: Interlocked.Increment(ref _retrying); break;
            }
        }
    }
}
