using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QbSync.Stores;
using QbSync.Sync.Steps;

namespace QbSync.Sync;

/// <summary>
/// Saves every status change: asks <see cref="SyncStateMachine"/> for the target status (nothing else assigns one),
/// writes the record with a compare-and-swap on its version and the history entry in the same step, and reports
/// failures to the notifier. Also turns a step's outcome into the final change.
/// </summary>
internal sealed partial class AccountTransitions(
    IAccountStore store,
    TimeProvider time,
    IOptions<QbSyncOptions> options,
    IEnumerable<ISyncNotifier> notifiers,
    IEnumerable<IAccountStatusObserver> observers,
    ILogger<AccountTransitions> logger)
{
    public QbSyncOptions Options => options.Value;

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeProvider Time => time;

    /// <summary>Applies a trigger; throws <see cref="SyncTransitionException"/> if illegal and
    /// <see cref="SyncConcurrencyException"/> if someone else changed the record first.</summary>
    public async Task<SyncAccountRecord> ApplyAsync(SyncAccountRecord record, SyncTrigger trigger, Func<SyncAccountRecord, SyncAccountRecord> change, string actorId, string? note, CancellationToken cancellationToken)
    {
        return await TryApplyAsync(record, trigger, change, actorId, note, cancellationToken).ConfigureAwait(false)
            ?? throw new SyncConcurrencyException(record.FirmId, record.AccountId);
    }

    /// <summary>As <see cref="ApplyAsync"/>, but returns <see langword="null"/> when someone else changed the record first.</summary>
    public Task<SyncAccountRecord?> TryApplyAsync(SyncAccountRecord record, SyncTrigger trigger, Func<SyncAccountRecord, SyncAccountRecord> change, string actorId, string? note, CancellationToken cancellationToken) =>
        TryApplyAsync(record, trigger, change, actorId, note, rebasesLeft: 3, cancellationToken);

    private async Task<SyncAccountRecord?> TryApplyAsync(SyncAccountRecord record, SyncTrigger trigger, Func<SyncAccountRecord, SyncAccountRecord> change, string actorId, string? note, int rebasesLeft, CancellationToken cancellationToken)
    {
        var (next, history) = Plan(record, trigger, change, actorId, note);
        var saved = await store.TryUpdateAsync(next, record.Version, history, cancellationToken).ConfigureAwait(false);
        if (saved is null && rebasesLeft > 0 && await SameWorkAsync(record, cancellationToken).ConfigureAwait(false) is { } latest)
        {
            // Someone changed only the account's name or billing flag meanwhile (the host re-registered it): the work
            // is still ours, so apply the change on top of theirs.
            return await TryApplyAsync(latest, trigger, change, actorId, note, rebasesLeft - 1, cancellationToken).ConfigureAwait(false);
        }

        if (saved is null)
        {
            LogConflict(logger, record.FirmId, record.AccountId, trigger);
        }
        else if (saved.Status != record.Status)
        {
            await NotifyObserversAsync(record, saved, cancellationToken).ConfigureAwait(false);
        }

        return saved;
    }

    /// <summary>The record and history entry a trigger leads to (not saved).</summary>
    private (SyncAccountRecord Next, SyncHistoryEntry History) Plan(SyncAccountRecord record, SyncTrigger trigger, Func<SyncAccountRecord, SyncAccountRecord> change, string actorId, string? note)
    {
        var to = SyncStateMachine.Next(record.Status, trigger);
        var now = Now;
        var next = change(record) with
        {
            Status = to,
            StatusChangedAt = to != record.Status ? now : record.StatusChangedAt,
        };
        var history = new SyncHistoryEntry
        {
            FirmId = record.FirmId,
            AccountId = record.AccountId,
            From = record.Status,
            To = to,
            Trigger = trigger,
            Reason = next.Reason,
            ActorId = actorId,
            At = now,
            Note = note,
        };
        return (next, history);
    }

    /// <summary>
    /// Applies many changes with one store call (<see cref="IAccountStore.TryUpdateManyAsync"/>: one transaction in
    /// the SQL stores) and tells the observers of each status change saved. A change the store refuses goes to
    /// <paramref name="refused"/> alone (the one-account path, which rebases it over a re-registration or says why).
    /// Returns one result per change, in order.
    /// </summary>
    private async Task<SyncAccountRecord?[]> ApplyManyAsync(IReadOnlyList<PlannedChange> changes, Func<int, Task<SyncAccountRecord?>> refused, CancellationToken cancellationToken)
    {
        var updates = changes.Select(c =>
        {
            var (next, history) = Plan(c.Record, c.Trigger, c.Change, c.ActorId, c.Note);
            return new AccountUpdate(next, c.Record.Version, history);
        }).ToList();
        var stored = await store.TryUpdateManyAsync(updates, cancellationToken).ConfigureAwait(false);
        var results = new SyncAccountRecord?[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            if (stored[i] is not { } saved)
            {
                results[i] = await refused(i).ConfigureAwait(false);
                continue;
            }

            results[i] = saved;
            if (saved.Status != changes[i].Record.Status)
            {
                await NotifyObserversAsync(changes[i].Record, saved, cancellationToken).ConfigureAwait(false);
            }
        }

        return results;
    }

    /// <summary>One change of <see cref="ApplyManyAsync"/>.</summary>
    private sealed record PlannedChange(SyncAccountRecord Record, SyncTrigger Trigger, Func<SyncAccountRecord, SyncAccountRecord> Change, string ActorId, string? Note);

    private async Task NotifyObserversAsync(SyncAccountRecord before, SyncAccountRecord after, CancellationToken cancellationToken)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.AccountStatusChangedAsync(before, after, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogObserverFailed(logger, after.FirmId, after.AccountId, error);
            }
        }
    }

    /// <summary>The latest version of a record when what changed since <paramref name="record"/> leaves its sync
    /// state untouched (same status, intent and lease): a re-registration, a rename. Null otherwise.</summary>
    private async Task<SyncAccountRecord?> SameWorkAsync(SyncAccountRecord record, CancellationToken cancellationToken)
    {
        var latest = await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false);
        return latest is not null
               && latest.Version != record.Version
               && latest.Status == record.Status
               && latest.Intent?.RequestId == record.Intent?.RequestId
               && latest.LeaseOwner == record.LeaseOwner
               && latest.LeaseUntil == record.LeaseUntil
               && latest.CustomerId == record.CustomerId
               && latest.Attempts == record.Attempts
            ? latest
            : null;
    }

    /// <summary>Starts work: Syncing, with the intent written before any QBO write, and a lease to
    /// <paramref name="leaseOwner"/>. Every start counts as an attempt: a fresh start is the first, a resume (after a
    /// transient failure or an interruption) adds one. The last problem is kept while the work is retried, so that
    /// running out of attempts can say what went wrong.</summary>
    public async Task<SyncAccountRecord> StartAsync(SyncAccountRecord record, SyncTrigger trigger, SyncIntent intent, string actorId, string leaseOwner, CancellationToken cancellationToken)
    {
        var start = StartChange(record, trigger, intent, actorId, leaseOwner);
        return await ApplyAsync(record, trigger, start.Change, actorId, start.Note, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts many units with one store call, as <see cref="StartAsync"/> would one by one. Returns one result
    /// per start, in order: null when the record changed meanwhile (someone else decides).</summary>
    public async Task<SyncAccountRecord?[]> TryStartManyAsync(IReadOnlyList<(SyncAccountRecord Record, SyncTrigger Trigger, SyncIntent Intent)> starts, string actorId, string leaseOwner, CancellationToken cancellationToken)
    {
        var changes = starts.Select(s => StartChange(s.Record, s.Trigger, s.Intent, actorId, leaseOwner)).ToList();
        return await ApplyManyAsync(changes, i => TryApplyAsync(changes[i].Record, changes[i].Trigger, changes[i].Change, actorId, changes[i].Note, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private PlannedChange StartChange(SyncAccountRecord record, SyncTrigger trigger, SyncIntent intent, string actorId, string leaseOwner)
    {
        var now = Now;
        var resumed = trigger == SyncTrigger.Resumed;
        return new PlannedChange(record, trigger, r => r with
        {
            Intent = intent,
            Reason = SyncReason.None,
            Problem = resumed ? r.Problem : null,
            Attempts = resumed ? r.Attempts + 1 : 1,
            LeaseOwner = leaseOwner,
            LeaseUntil = now + Options.LeaseDuration,
            // If this process stops, the work becomes due again when the lease ends.
            NextAttemptAt = now + Options.LeaseDuration,
        }, actorId, DescribeIntent(intent) + (resumed ? $" (attempt {record.Attempts + 1} of {Options.MaxAttempts})" : string.Empty));
    }

    /// <summary>Whether work in Syncing has used all its attempts: it must not start again.</summary>
    public bool IsExhausted(SyncAccountRecord record) => record.Attempts >= Options.MaxAttempts;

    /// <summary>Ends work that used all its attempts (a failure that repeats at the same point, an interruption that
    /// keeps happening): Failed with <see cref="SyncReason.RetriesExhausted"/> and the last problem recorded.</summary>
    public async Task<SyncAccountRecord> ExhaustAsync(SyncAccountRecord record, string actorId, CancellationToken cancellationToken)
    {
        var problem = (record.Problem ?? new SyncProblem { Reason = SyncReason.RetriesExhausted, Detail = "interrupted" }) with
        {
            Reason = SyncReason.RetriesExhausted,
            OccurredAt = Now,
        };
        return await FailAsync(record, SyncTrigger.RetriesExhausted, problem, actorId, $"{record.Attempts} attempts used", cancellationToken).ConfigureAwait(false)
            ?? await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false) ?? record;
    }

    /// <summary>Replaces the intent of a record in Syncing (match → create), before the create is sent.</summary>
    public async Task<SyncAccountRecord> SaveIntentAsync(SyncAccountRecord record, SyncIntent intent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = Now;
            var saved = await store.TryUpdateAsync(record with
            {
                Intent = intent,
                LeaseUntil = now + Options.LeaseDuration,
                NextAttemptAt = now + Options.LeaseDuration,
            }, record.Version, null, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return saved;
            }

            record = await SameWorkAsync(record, cancellationToken).ConfigureAwait(false)
                ?? throw new SyncConcurrencyException(record.FirmId, record.AccountId);
        }

        throw new SyncConcurrencyException(record.FirmId, record.AccountId);
    }

    /// <summary>Replaces the intents of many records in Syncing with one store call; one that changed meanwhile goes
    /// through <see cref="SaveIntentAsync"/> alone. Returns one result per record, in order: null when it cannot be
    /// saved (someone else changed the work).</summary>
    public async Task<SyncAccountRecord?[]> TrySaveIntentsAsync(IReadOnlyList<(SyncAccountRecord Record, SyncIntent Intent)> intents, CancellationToken cancellationToken)
    {
        var now = Now;
        var stored = await store.TryUpdateManyAsync(intents.Select(i => new AccountUpdate(i.Record with
        {
            Intent = i.Intent,
            LeaseUntil = now + Options.LeaseDuration,
            NextAttemptAt = now + Options.LeaseDuration,
        }, i.Record.Version)).ToList(), cancellationToken).ConfigureAwait(false);
        var results = new SyncAccountRecord?[intents.Count];
        for (var i = 0; i < intents.Count; i++)
        {
            try
            {
                results[i] = stored[i] ?? await SaveIntentAsync(intents[i].Record, intents[i].Intent, cancellationToken).ConfigureAwait(false);
            }
            catch (SyncConcurrencyException)
            {
                results[i] = null;
            }
        }

        return results;
    }

    /// <summary>
    /// Saves many links with one store call: the outcome of a batch of creates, or of the matches of a claim. A link the
    /// store refuses (another account took the customer, or the record changed) goes through
    /// <see cref="FinishAsync"/> alone, which says why. Returns the latest record of each, in order.
    /// </summary>
    public async Task<SyncAccountRecord[]> FinishLinkedAsync(IReadOnlyList<(SyncAccountRecord Record, StepOutcome.Linked Outcome)> links, string actorId, CancellationToken cancellationToken)
    {
        var results = await ApplyManyAsync(
            links.Select(l => LinkChange(l.Record, l.Outcome, actorId)).ToList(),
            async i => await FinishAsync(links[i].Record, links[i].Outcome, actorId, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return [.. results.Select(r => r!)];
    }

    private static PlannedChange LinkChange(SyncAccountRecord record, StepOutcome.Linked linked, string actorId) =>
        new(record, SyncTrigger.Succeeded, r => r with
        {
            CustomerId = linked.CustomerId,
            CustomerDisplayName = linked.DisplayName,
            Reason = linked.Reason,
            Problem = null,
            Intent = null,
            WasSyncedBefore = true,
            Attempts = 0,
            LeaseOwner = null,
            LeaseUntil = null,
            NextAttemptAt = null,
        }, actorId, $"linked to customer {linked.CustomerId} '{linked.DisplayName}'" + (linked.Note is null ? string.Empty : ": " + linked.Note));

    /// <summary>Saves the outcome of the work. Returns the latest record, also when someone else changed it meanwhile
    /// (an unsync during the work wins; the outcome is then dropped and logged).</summary>
    public async Task<SyncAccountRecord> FinishAsync(SyncAccountRecord record, StepOutcome outcome, string actorId, CancellationToken cancellationToken)
    {
        var now = Now;
        SyncAccountRecord? saved;
        if (outcome is StepOutcome.Failed { Problem: { Reason: SyncReason.CustomerLinkedToAnotherAccount, ConflictingAccountId: { } otherId, ConflictingAccountName: null } } named)
        {
            outcome = await WithOtherAccountNameAsync(record.FirmId, otherId, named, cancellationToken).ConfigureAwait(false);
        }

        switch (outcome)
        {
            case StepOutcome.Superseded:
                saved = null;
                break;

            case StepOutcome.Linked linked:
            {
                var link = LinkChange(record, linked, actorId);
                saved = await TryApplyAsync(record, link.Trigger, link.Change, actorId, link.Note, cancellationToken).ConfigureAwait(false);

                // The store refuses a second link to one customer (another account, here or in another process, took
                // it): say which account holds it.
                if (saved is null
                    && await store.FindByCustomerIdAsync(record.FirmId, linked.CustomerId, cancellationToken).ConfigureAwait(false) is { } taker
                    && taker.AccountId != record.AccountId)
                {
                    outcome = new StepOutcome.Failed(new SyncProblem
                    {
                        Reason = SyncReason.CustomerLinkedToAnotherAccount,
                        CustomerIds = [linked.CustomerId],
                        ConflictingAccountId = taker.AccountId,
                        ConflictingAccountName = taker.AccountName,
                        OccurredAt = now,
                    });
                    goto default;
                }

                break;
            }

            case StepOutcome.Transient transient when record.Attempts < Options.MaxAttempts:
            {
                var attempts = Math.Max(1, record.Attempts);
                var wait = Options.RetryBackoff * Math.Pow(2, attempts - 1);
                if (transient.Error is QuickBooks.QuickBooksException { RetryAfter: { } retryAfter } && retryAfter > wait)
                {
                    wait = retryAfter;
                }

                saved = await TryApplyAsync(record, SyncTrigger.TransientFailure, r => r with
                {
                    Reason = SyncReason.WaitingToRetry,
                    Problem = StepOutcome.ProblemFrom(SyncReason.WaitingToRetry, transient.Error, now),
                    LeaseOwner = null,
                    LeaseUntil = null,
                    NextAttemptAt = now + wait,
                }, actorId, $"attempt {attempts} of {Options.MaxAttempts} failed transiently ({Describe(transient.Error)}); retry after {wait}", cancellationToken).ConfigureAwait(false);
                if (saved is not null)
                {
                    LogRetrying(logger, saved.FirmId, saved.AccountId, attempts, Describe(transient.Error));
                }

                break;
            }

            case StepOutcome.Transient transient:
            {
                var problem = StepOutcome.ProblemFrom(SyncReason.RetriesExhausted, transient.Error, now);
                saved = await FailAsync(record, SyncTrigger.RetriesExhausted, problem, actorId, Describe(transient.Error), cancellationToken).ConfigureAwait(false);
                break;
            }

            case StepOutcome.CustomerLost lost:
                saved = await TryApplyAsync(record, SyncTrigger.CustomerLost, r => r with
                {
                    Reason = lost.Reason,
                    Problem = new SyncProblem { Reason = lost.Reason, CustomerIds = r.CustomerId is null ? [] : [r.CustomerId], OccurredAt = now },
                    CustomerId = null,
                    CustomerDisplayName = null,
                    Intent = null,
                    LeaseOwner = null,
                    LeaseUntil = null,
                    NextAttemptAt = null,
                }, actorId, lost.Note, cancellationToken).ConfigureAwait(false);
                break;

            default:
            {
                var failed = (StepOutcome.Failed)outcome;
                saved = await FailAsync(record, SyncTrigger.PermanentFailure, failed.Problem, actorId, null, cancellationToken).ConfigureAwait(false);
                break;
            }
        }

        return saved ?? await store.GetAsync(record.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false) ?? record;
    }

    /// <summary>Gives a claimed record back without working on it (shutdown, or it is no longer eligible). Work cut
    /// short by a shutdown gives its attempt back (<paramref name="uncountAttempt"/>): it did not fail.</summary>
    public async Task ReleaseAsync(SyncAccountRecord record, DateTimeOffset? nextAttemptAt, bool uncountAttempt = false)
    {
        await store.TryUpdateAsync(record with
        {
            LeaseOwner = null,
            LeaseUntil = null,
            NextAttemptAt = nextAttemptAt,
            Attempts = uncountAttempt ? Math.Max(0, record.Attempts - 1) : record.Attempts,
        }, record.Version, null, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<StepOutcome> WithOtherAccountNameAsync(string firmId, string otherAccountId, StepOutcome.Failed failed, CancellationToken cancellationToken)
    {
        var other = await store.GetAsync(firmId, otherAccountId, cancellationToken).ConfigureAwait(false);
        return other is null ? failed : failed with { Problem = failed.Problem with { ConflictingAccountName = other.AccountName } };
    }

    private async Task<SyncAccountRecord?> FailAsync(SyncAccountRecord record, SyncTrigger trigger, SyncProblem problem, string actorId, string? note, CancellationToken cancellationToken)
    {
        // A failed account holds no customer: a link it had before the failed attempt is released, so the customer
        // shows in the picker again and no stale link blocks another account.
        var unlinked = record.CustomerId is null ? null : $"unlinked from customer {record.CustomerId}";
        var saved = await TryApplyAsync(record, trigger, r => r with
        {
            Reason = problem.Reason,
            Problem = problem,
            CustomerId = null,
            CustomerDisplayName = null,
            Intent = null,
            LeaseOwner = null,
            LeaseUntil = null,
            NextAttemptAt = null,
        }, actorId, note is null ? unlinked : unlinked is null ? note : note + "; " + unlinked, cancellationToken).ConfigureAwait(false);
        if (saved is not null)
        {
            LogFailed(logger, saved.FirmId, saved.AccountId, problem.Reason, problem.QuickBooksErrorCode, problem.IntuitTid);
            var state = AccountStates.From(saved, actor: null);
            foreach (var notifier in notifiers)
            {
                try
                {
                    await notifier.AccountFailedAsync(saved.FirmId, state, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogNotifierFailed(logger, saved.FirmId, saved.AccountId, error);
                }
            }
        }

        return saved;
    }

    private static string DescribeIntent(SyncIntent intent) => intent.Kind switch
    {
        SyncIntentKind.LinkChosen => $"link customer {intent.CustomerId}" + (intent.ReactivateIfInactive ? ", reactivating it if inactive" : string.Empty),
        SyncIntentKind.CreateCustomer => $"create customer '{intent.DisplayName}'",
        _ => "match by name",
    };

    private static string Describe(Exception error) => error switch
    {
        QuickBooks.QuickBooksException qbo => $"HTTP {(qbo.StatusCode is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}, code {qbo.ErrorCode ?? "none"}, intuit_tid {qbo.IntuitTid ?? "none"}",
        _ => error.GetType().Name,
    };

    [LoggerMessage(2001, LogLevel.Information, "Account {AccountId} of firm {FirmId} changed meanwhile; {Trigger} not applied")]
    private static partial void LogConflict(ILogger logger, string firmId, string accountId, SyncTrigger trigger);

    [LoggerMessage(2002, LogLevel.Warning, "Account {AccountId} of firm {FirmId} failed: {Reason} (QBO code {ErrorCode}, intuit_tid {IntuitTid})")]
    private static partial void LogFailed(ILogger logger, string firmId, string accountId, SyncReason reason, string? errorCode, string? intuitTid);

    [LoggerMessage(2606, LogLevel.Error, "An account status observer failed for account {AccountId} of firm {FirmId}")]
    private static partial void LogObserverFailed(ILogger logger, string firmId, string accountId, Exception error);

    [LoggerMessage(2004, LogLevel.Information, "Account {AccountId} of firm {FirmId}: attempt {Attempt} failed transiently ({Error}); retry scheduled")]
    private static partial void LogRetrying(ILogger logger, string firmId, string accountId, int attempt, string error);

    [LoggerMessage(2003, LogLevel.Error, "The sync notifier failed for account {AccountId} of firm {FirmId}")]
    private static partial void LogNotifierFailed(ILogger logger, string firmId, string accountId, Exception error);
}
