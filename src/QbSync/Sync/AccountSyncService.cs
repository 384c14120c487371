using Microsoft.Extensions.Logging;
using QbSync.Diagnostics;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;
using QbSync.Sync.Steps;

namespace QbSync.Sync;

/// <summary>
/// The sync service: load, authorize, ask the state machine, save with the version, run the step, save the outcome.
/// All QBO work goes through the step classes; all status changes through <see cref="AccountTransitions"/>.
/// </summary>
internal sealed partial class AccountSyncService(
    IAccountStore store,
    QuickBooksClient client,
    QuickBooksTokenManager tokens,
    ISyncAuthorizationPolicy policy,
    AccountTransitions transitions,
    AccountWork work,
    PendingWorkRunner pending,
    LinkVerifier verifier,
    CustomerDirectoryCache directories,
    SyncWorkSignal signal,
    IEnumerable<IBillingDocumentStore> billingStores,
    ILogger<AccountSyncService> logger) : IAccountSyncService
{
    public async Task<AccountSyncState> RegisterAccountAsync(string firmId, AccountInfo account, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrEmpty(account.AccountId, nameof(account));
        ArgumentNullException.ThrowIfNull(account.Name, nameof(account));
        ThrowIfInvalidRegistration(account, nameof(account), null);

        var settings = await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var existing = await store.GetAsync(firmId, account.AccountId, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                var inserted = await store.TryInsertAsync(Registered(firmId, account, settings), null, cancellationToken).ConfigureAwait(false);
                if (inserted is not null)
                {
                    WakeIfDue(inserted);
                    return AccountStates.From(inserted, null);
                }

                continue;
            }

            if (Reregistered(existing, account, settings) is not { } updated)
            {
                return AccountStates.From(existing, null);
            }

            var saved = await store.TryUpdateAsync(updated, existing.Version, null, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                WakeIfDue(saved);
                return AccountStates.From(saved, null);
            }
        }

        throw new SyncConcurrencyException(firmId, account.AccountId);
    }

    public async Task<AccountRegistrationResult> RegisterAccountsAsync(string firmId, IEnumerable<AccountInfo> accounts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(accounts);

        // Every item is checked before anything is written: bad input refuses the whole call.
        var items = accounts.ToList();
        var positions = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var account = items[i] ?? throw new ArgumentException($"Item {i} is null. Nothing was registered.", nameof(accounts));
            ThrowIfInvalidRegistration(account, nameof(accounts), i);
            if (!positions.TryAdd(account.AccountId, i))
            {
                throw new ArgumentException(
                    $"Item {i} repeats account id '{account.AccountId}' of item {positions[account.AccountId]}. Nothing was registered.", nameof(accounts));
            }
        }

        var settings = await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false);
        int added = 0, updated = 0, unchanged = 0;
        var anyDue = false;
        try
        {
            foreach (var chunk in items.Chunk(RegistrationChunkSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<AccountInfo> pending = chunk;
                for (var attempt = 0; pending.Count > 0; attempt++)
                {
                    if (attempt == 5)
                    {
                        throw new SyncConcurrencyException(firmId, pending[0].AccountId);
                    }

                    var existing = (await store.GetManyAsync(firmId, pending.Select(a => a.AccountId).ToList(), cancellationToken).ConfigureAwait(false))
                        .ToDictionary(r => r.AccountId, StringComparer.Ordinal);
                    var inserts = new List<(AccountInfo Account, SyncAccountRecord Record)>();
                    var updates = new List<(AccountInfo Account, AccountUpdate Update)>();
                    foreach (var account in pending)
                    {
                        if (!existing.TryGetValue(account.AccountId, out var current))
                        {
                            inserts.Add((account, Registered(firmId, account, settings)));
                        }
                        else if (Reregistered(current, account, settings) is { } changed)
                        {
                            updates.Add((account, new AccountUpdate(changed, current.Version)));
                        }
                        else
                        {
                            unchanged++;
                        }
                    }

                    // A refused item was inserted or changed by someone else meanwhile: it is read and decided again.
                    var retry = new List<AccountInfo>();
                    var inserted = inserts.Count == 0 ? [] : await store.TryInsertManyAsync(inserts.ConvertAll(i => i.Record), cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < inserted.Count; i++)
                    {
                        if (inserted[i] is { } record)
                        {
                            added++;
                            anyDue |= record.NextAttemptAt is not null;
                        }
                        else
                        {
                            retry.Add(inserts[i].Account);
                        }
                    }

                    var saved = updates.Count == 0 ? [] : await store.TryUpdateManyAsync(updates.ConvertAll(u => u.Update), cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < saved.Count; i++)
                    {
                        if (saved[i] is { } record)
                        {
                            updated++;
                            anyDue |= record.NextAttemptAt is not null;
                        }
                        else
                        {
                            retry.Add(updates[i].Account);
                        }
                    }

                    pending = retry;
                }
            }
        }
        finally
        {
            if (anyDue)
            {
                signal.Wake();
            }
        }

        return new AccountRegistrationResult(added, updated, unchanged);
    }

    public Task<AccountSyncState> SyncAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default) =>
        RunActionAsync(actor, accountId, SyncAction.Sync, SyncTrigger.SyncRequested,
            new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = AccountWork.NewRequestId() }, cancellationToken);

    public async Task<AccountSyncState> LinkAsync(SyncActor actor, string accountId, string customerId, bool reactivateIfInactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        if (reactivateIfInactive)
        {
            Authorize(actor, SyncAction.ReactivateCustomer);
        }

        return await RunActionAsync(actor, accountId, SyncAction.Link, SyncTrigger.LinkRequested,
            new SyncIntent { Kind = SyncIntentKind.LinkChosen, RequestId = AccountWork.NewRequestId(), CustomerId = customerId, ReactivateIfInactive = reactivateIfInactive },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountSyncState> CreateCustomerAsync(SyncActor actor, string accountId, string? displayName = null, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.CreateCustomer);
        var record = await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        var name = QuickBooksDisplayName.FromAccountName(displayName ?? record.AccountName);
        if (!name.IsValid)
        {
            throw new ArgumentException("The display name is empty once made valid for QuickBooks Online.", nameof(displayName));
        }

        return await RunActionAsync(actor, record, SyncTrigger.CreateRequested,
            new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = AccountWork.NewRequestId(), DisplayName = name.Value },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountSyncState> UnsyncAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.Unsync);
        var record = await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        using var activity = SyncActivities.StartAccount("QbSync Unsync", record, transitions.Options.IncludeNamesInTelemetry);
        var saved = await transitions.ApplyAsync(record, SyncTrigger.UnsyncRequested, r => r with
        {
            Reason = SyncReason.SkippedByUser,
            Problem = null,
            Intent = null,
            CustomerId = null,
            CustomerDisplayName = null,
            WasSkipped = true,
            Attempts = 0,
            LeaseOwner = null,
            LeaseUntil = null,
            NextAttemptAt = null,
        }, actor.UserId, record.CustomerId is null ? null : $"unlinked from customer {record.CustomerId}", cancellationToken).ConfigureAwait(false);
        activity.SetOutcome(saved.Status, saved.Reason);
        return AccountStates.From(saved, actor, policy);
    }

    public async Task<AccountSyncState> GetStateAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        var record = await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        return AccountStates.From(record, actor, policy);
    }

    public async Task<AccountSyncPage> ListAccountsAsync(SyncActor actor, AccountQuery query, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        ArgumentNullException.ThrowIfNull(query);
        var page = await store.ListAsync(actor.FirmId, query, cancellationToken).ConfigureAwait(false);
        return new AccountSyncPage(page.Items.Select(r => AccountStates.From(r, actor, policy)).ToList(), page.ContinuationToken);
    }

    public async Task<CustomerPickerPage> ListAvailableCustomersAsync(SyncActor actor, CustomerPickerQuery query, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.Link);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Take, 200);
        var realmId = await RealmAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        var linked = await store.GetLinkedCustomersAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        var directory = await directories.GetForBrowsingAsync(client, realmId, cancellationToken).ConfigureAwait(false);
        var search = string.IsNullOrWhiteSpace(query.SearchText) ? null : NameKey.Of(query.SearchText);
        var matches = directory.Customers
            .Where(c => query.IncludeInactive || c.IsActive)
            .Where(c => !linked.TryGetValue(c.Id, out var holder) || holder == query.AccountId)
            .Where(c => search is null
                        || NameKey.Of(c.DisplayName).Contains(search, StringComparison.Ordinal)
                        || (c.CompanyName is { } company && NameKey.Of(company).Contains(search, StringComparison.Ordinal))
                        || (c.Email is { } email && NameKey.Of(email).Contains(search, StringComparison.Ordinal)))
            .Select(Choice)
            .OrderBy(c => NameKey.Of(c.DisplayName), StringComparer.Ordinal)
            .ThenBy(c => c.CustomerId, StringComparer.Ordinal)
            .ToList();
        return new CustomerPickerPage(matches.Skip(query.Skip).Take(query.Take).ToList(), matches.Count);
    }

    public async Task<IReadOnlyList<CustomerSuggestion>> SuggestCustomersAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.Link);
        var record = await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        var realmId = await RealmAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        var linked = await store.GetLinkedCustomersAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        var directory = await directories.GetForBrowsingAsync(client, realmId, cancellationToken).ConfigureAwait(false);
        var candidates = directory.Customers.Where(c => c.IsActive && (!linked.TryGetValue(c.Id, out var holder) || holder == accountId));
        return NameSimilarity.Suggest(record.AccountName, candidates, c => c.DisplayName)
            .Select(s => new CustomerSuggestion(Choice(s.Item), s.Score, s.Kind))
            .ToList();
    }

    public async Task<IReadOnlyList<AccountSyncState>> ListProblemsAsync(SyncActor actor, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        // Failed accounts, and accounts waiting to retry after a failure (a QBO outage, an unreadable answer).
        var failed = new List<SyncAccountRecord>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(actor.FirmId, new AccountQuery { Statuses = [SyncStatus.Failed, SyncStatus.Syncing], PageSize = 1000, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            failed.AddRange(page.Items.Where(r => r.Status == SyncStatus.Failed || r.Problem is not null));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return failed
            .OrderByDescending(r => r.Problem?.OccurredAt ?? r.StatusChangedAt ?? DateTimeOffset.MinValue)
            .ThenBy(r => r.AccountId, StringComparer.Ordinal)
            .Select(r => AccountStates.From(r, actor, policy))
            .ToList();
    }

    public async Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        return await store.GetHistoryAsync(actor.FirmId, accountId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FirmSyncSettings> GetSettingsAsync(SyncActor actor, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.View);
        return await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FirmSyncSettings> UpdateSettingsAsync(SyncActor actor, SyncScope scope, bool createMissingCustomers, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.ChangeSettings);
        var saved = await SaveSettingsAsync(actor.FirmId, s => s with { Scope = scope, CreateMissingCustomers = createMissingCustomers }, cancellationToken).ConfigureAwait(false);
        await pending.MarkEligibleDueAsync(saved, cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return saved;
    }

    public async Task<FirmSyncSettings> ConnectCompanyAsync(SyncActor actor, string realmId, string authorizationCode, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.ConnectCompany);
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentException.ThrowIfNullOrEmpty(authorizationCode);

        // A realm belongs to one firm: refuse before any token is exchanged or stored.
        await EnsureRealmIsFreeOrOwnAsync(actor, realmId, cancellationToken).ConfigureAwait(false);
        var before = await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        // The links belong to the connected company, or to the one the firm disconnected last.
        var previousRealm = before.RealmId ?? before.LinkedRealmId;
        await tokens.ConnectAsync(realmId, authorizationCode, cancellationToken).ConfigureAwait(false);
        FirmSyncSettings saved;
        try
        {
            saved = await SaveSettingsAsync(actor.FirmId, s => s with { RealmId = realmId, LinkedRealmId = realmId }, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Another firm may have claimed the realm in the meantime (the store refuses a second holder).
            await EnsureRealmIsFreeOrOwnAsync(actor, realmId, cancellationToken).ConfigureAwait(false);
            throw;
        }

        LogConnected(logger, actor.FirmId, realmId, actor.UserId);
        if (previousRealm is not null && previousRealm != realmId)
        {
            // The new company is stored: from here the switch must not stop half-way (a caller that leaves, a store
            // error on the old tokens), or accounts would stay linked to customer ids of the old company, which name
            // other customers in the new one. So the links go first, and none of it runs under the caller's token.
            directories.Invalidate(previousRealm);
            var changed = await DropLinksAsync(actor, $"the firm connected QBO company {realmId} in place of {previousRealm}", CancellationToken.None).ConfigureAwait(false);
            // A company the firm had disconnected has no tokens of the firm's any more, and may be another firm's now.
            if (before.RealmId == previousRealm)
            {
                try
                {
                    await tokens.DisconnectAsync(previousRealm, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogOldTokensNotForgotten(logger, actor.FirmId, previousRealm, ex);
                }
            }

            LogCompanyChanged(logger, actor.FirmId, previousRealm, realmId, changed, actor.UserId);
        }

        await pending.MarkEligibleDueAsync(saved, cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return saved;
    }

    public async Task<FirmSyncSettings> DisconnectCompanyAsync(SyncActor actor, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.DisconnectCompany);
        var settings = await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        if (settings.RealmId is { } realmId)
        {
            await DisconnectOwnRealmAsync(actor, realmId, cancellationToken).ConfigureAwait(false);
            LogDisconnected(logger, actor.FirmId, realmId, actor.UserId);
        }

        // The links stay, with the company they belong to: connecting it again resumes them, another one drops them.
        return await SaveSettingsAsync(actor.FirmId, s => s with { RealmId = null, LinkedRealmId = s.RealmId ?? s.LinkedRealmId }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FirmSyncSettings> ForgetCompanyAsync(SyncActor actor, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.DisconnectCompany);
        var settings = await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        if ((settings.RealmId ?? settings.LinkedRealmId) is not { } realmId)
        {
            return settings;
        }

        if (settings.RealmId is not null)
        {
            await DisconnectOwnRealmAsync(actor, realmId, cancellationToken).ConfigureAwait(false);
        }

        var saved = await SaveSettingsAsync(actor.FirmId, s => s with { RealmId = null, LinkedRealmId = null }, cancellationToken).ConfigureAwait(false);
        var changed = await DropLinksAsync(actor, $"the firm forgot QBO company {realmId}", cancellationToken).ConfigureAwait(false);
        LogForgotten(logger, actor.FirmId, realmId, changed, actor.UserId);
        return saved;
    }

    public async Task<int> PurgeFirmAsync(SyncActor actor, CancellationToken cancellationToken = default)
    {
        Authorize(actor, SyncAction.PurgeFirm);
        var settings = await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        if (settings.RealmId is { } realmId)
        {
            await DisconnectOwnRealmAsync(actor, realmId, cancellationToken).ConfigureAwait(false);
        }

        var deleted = await store.PurgeFirmAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        // The firm's invoices and payments (and their history) go with it.
        foreach (var billing in billingStores)
        {
            await billing.PurgeFirmAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        }

        LogPurged(logger, actor.FirmId, deleted, actor.UserId);
        return deleted;
    }

    public async Task<bool> RemoveAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return await store.DeleteAccountAsync(firmId, accountId, cancellationToken).ConfigureAwait(false);
    }

    public Task<SyncRunResult> RunPendingAsync(string firmId, CancellationToken cancellationToken = default) =>
        pending.RunAsync(firmId, null, cancellationToken);

    public Task<SyncRunResult> RunPendingAsync(string firmId, IProgress<SyncRunProgress>? progress, CancellationToken cancellationToken = default) =>
        pending.RunAsync(firmId, progress, cancellationToken);

    public async Task<int> VerifyLinksAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        return await verifier.VerifyAsync(await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> ApplyQuickBooksChangesAsync(string firmId, IEnumerable<QuickBooks.Webhooks.QuickBooksWebhookEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(events);
        return await verifier.ApplyAsync(await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false), events, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AccountSyncState> RunActionAsync(SyncActor actor, string accountId, SyncAction action, SyncTrigger trigger, SyncIntent intent, CancellationToken cancellationToken)
    {
        Authorize(actor, action);
        var record = await LoadAsync(actor, accountId, cancellationToken).ConfigureAwait(false);
        return await RunActionAsync(actor, record, trigger, intent, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AccountSyncState> RunActionAsync(SyncActor actor, SyncAccountRecord record, SyncTrigger trigger, SyncIntent intent, CancellationToken cancellationToken)
    {
        using var activity = SyncActivities.StartAccount(ActivityName(trigger), record, transitions.Options.IncludeNamesInTelemetry);
        var settings = await SettingsAsync(actor.FirmId, cancellationToken).ConfigureAwait(false);
        activity?.SetTag(SyncActivities.RealmIdTag, settings.RealmId);
        // A person's action leases under its own owner id: a worker of this process shutting down never releases it.
        var leaseOwner = transitions.Options.WorkerId + "/action-" + Guid.NewGuid().ToString("N")[..8];
        record = await transitions.StartAsync(record, trigger, intent, actor.UserId, leaseOwner, cancellationToken).ConfigureAwait(false);
        StepOutcome outcome;
        if (settings.RealmId is not { } realmId)
        {
            outcome = new StepOutcome.Failed(new SyncProblem { Reason = SyncReason.NotConnected, OccurredAt = transitions.Now });
        }
        else
        {
            var keeper = new LeaseKeeper(store, transitions.Time, transitions.Options.LeaseDuration, actor.FirmId, leaseOwner, logger, cancellationToken);
            await using (keeper.ConfigureAwait(false))
            {
                var token = keeper.Track(record.AccountId);
                // No scan of every link for one action: a chosen customer is checked up front (before any reactivation),
                // and every other link is checked where it is saved (AccountTransitions.FinishAsync, and the store).
                var chosenHolder = intent.CustomerId is { } chosen
                    ? (await store.FindByCustomerIdAsync(actor.FirmId, chosen, cancellationToken).ConfigureAwait(false))?.AccountId
                    : null;
                var current = record;
                try
                {
                    outcome = await work.RunAsync(client, realmId, record, settings,
                        customerId => LinkHolder(customerId, intent, chosenHolder, current.AccountId),
                        async (next, ct) => current = await transitions.SaveIntentAsync(current, next, ct).ConfigureAwait(false),
                        resuming: false, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The lease was lost (someone unsynced the account meanwhile): their state stands.
                    outcome = new StepOutcome.Superseded();
                }

                record = current;
            }
        }

        var finished = await transitions.FinishAsync(record, outcome, actor.UserId, cancellationToken).ConfigureAwait(false);
        activity.SetOutcome(finished.Status, finished.Reason);
        return AccountStates.From(finished, actor, policy);
    }

    private static string ActivityName(SyncTrigger trigger) => trigger switch
    {
        SyncTrigger.LinkRequested => "QbSync Link",
        SyncTrigger.CreateRequested => "QbSync CreateCustomer",
        _ => "QbSync Sync",
    };

    private async Task EnsureRealmIsFreeOrOwnAsync(SyncActor actor, string realmId, CancellationToken cancellationToken)
    {
        var holder = await store.FindFirmByRealmAsync(realmId, cancellationToken).ConfigureAwait(false);
        if (holder is not null && holder != actor.FirmId)
        {
            LogRealmRefused(logger, actor.FirmId, realmId, actor.UserId);
            throw new QuickBooksCompanyHeldByAnotherFirmException(actor.FirmId, realmId);
        }
    }

    // Touches the realm's tokens only when the store confirms the realm is this firm's.
    private async Task DisconnectOwnRealmAsync(SyncActor actor, string realmId, CancellationToken cancellationToken)
    {
        var holder = await store.FindFirmByRealmAsync(realmId, cancellationToken).ConfigureAwait(false);
        if (holder == actor.FirmId)
        {
            await tokens.DisconnectAsync(realmId, cancellationToken).ConfigureAwait(false);
        }

        directories.Invalidate(realmId);
    }

    /// <summary>Every account linked to (or working in, or failed in) the old company turns NotSynced
    /// (<see cref="SyncReason.CompanyChanged"/>), with a history entry; it counts as never synced in the new company.</summary>
    private async Task<int> DropLinksAsync(SyncActor actor, string note, CancellationToken cancellationToken)
    {
        var changed = 0;
        string? token = null;
        do
        {
            var page = await store.ListAsync(actor.FirmId, new AccountQuery { PageSize = 500, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items.Where(r => r.Status != SyncStatus.Skipped
                         && (r.CustomerId is not null || r.WasSyncedBefore || r.Status is SyncStatus.Syncing or SyncStatus.Failed or SyncStatus.Synced)))
            {
                var current = record;
                for (var attempt = 0; attempt < 5 && current is not null && current.Status != SyncStatus.Skipped; attempt++)
                {
                    var saved = await transitions.TryApplyAsync(current, SyncTrigger.CompanyChanged, r => r with
                    {
                        Reason = SyncReason.CompanyChanged,
                        Problem = null,
                        Intent = null,
                        CustomerId = null,
                        CustomerDisplayName = null,
                        WasSyncedBefore = false,
                        Attempts = 0,
                        LeaseOwner = null,
                        LeaseUntil = null,
                        NextAttemptAt = null,
                    }, actor.UserId, note, cancellationToken).ConfigureAwait(false);
                    if (saved is not null)
                    {
                        changed++;
                        break;
                    }

                    current = await store.GetAsync(actor.FirmId, record.AccountId, cancellationToken).ConfigureAwait(false);
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return changed;
    }

    /// <summary>For one action: the chosen customer's holder is known up front; other customers are checked by the
    /// store when the link is saved.</summary>
    private static string? LinkHolder(string customerId, SyncIntent intent, string? chosenHolder, string accountId) =>
        customerId == intent.CustomerId && chosenHolder != accountId ? chosenHolder : null;

    /// <summary>Accounts registered per store round (one read, at most one insert list and one update list, so at most
    /// two commits): large enough that a SQL store's commit (an fsync) is shared by many accounts, small enough that a
    /// writer holds SQLite's write lock for tens of milliseconds, not seconds.</summary>
    private const int RegistrationChunkSize = 2000;

    /// <summary>The registration rule for an account the sync does not know: NotSynced, due now when the firm's scope
    /// makes it eligible. Shared by <see cref="RegisterAccountAsync"/> and <see cref="RegisterAccountsAsync"/>.</summary>
    private SyncAccountRecord Registered(string firmId, AccountInfo account, FirmSyncSettings settings)
    {
        var fresh = new SyncAccountRecord
        {
            FirmId = firmId,
            AccountId = account.AccountId,
            AccountName = account.Name,
            HasBillingActivity = account.HasBillingActivity,
        };
        return fresh with { NextAttemptAt = PendingWorkRunner.IsAutoEligible(fresh, settings) ? transitions.Now : null };
    }

    /// <summary>The registration rule for a known account: the new name and billing activity (a rename changes nothing
    /// in QBO: the link is by customer id), due now if that makes it eligible; <see langword="null"/> when nothing
    /// changes. Shared by <see cref="RegisterAccountAsync"/> and <see cref="RegisterAccountsAsync"/>.</summary>
    private SyncAccountRecord? Reregistered(SyncAccountRecord existing, AccountInfo account, FirmSyncSettings settings)
    {
        var updated = existing with { AccountName = account.Name, HasBillingActivity = account.HasBillingActivity };
        var becomesDue = updated.NextAttemptAt is null && PendingWorkRunner.IsAutoEligible(updated, settings);
        if (becomesDue)
        {
            return updated with { NextAttemptAt = transitions.Now };
        }

        return existing.AccountName == account.Name && existing.HasBillingActivity == account.HasBillingActivity ? null : updated;
    }

    /// <summary>The registration's input rules, shared by both paths; <paramref name="position"/> names the item of a
    /// list in the message.</summary>
    private static void ThrowIfInvalidRegistration(AccountInfo account, string paramName, int? position)
    {
        var which = position is { } i ? $"Item {i} (account id '{account.AccountId}'): " : string.Empty;
        var outcome = position is null ? string.Empty : " Nothing was registered.";
        if (string.IsNullOrEmpty(account.AccountId))
        {
            throw new ArgumentException((position is { } p ? $"Item {p}: " : string.Empty) + "The account id is required." + outcome, paramName);
        }

        if (account.Name is null)
        {
            throw new ArgumentException(which + "The account's name is required." + outcome, paramName);
        }

        if (!IsValidUtf16(account.Name))
        {
            // A lone surrogate cannot be stored or sent losslessly: refuse it rather than change the name silently.
            throw new ArgumentException(which + "The account's name is not valid UTF-16 text (it holds a lone surrogate)." + outcome, paramName);
        }
    }

    private void WakeIfDue(SyncAccountRecord record)
    {
        if (record.NextAttemptAt is not null)
        {
            signal.Wake();
        }
    }

    private static bool IsValidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
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

    private async Task<SyncAccountRecord> LoadAsync(SyncActor actor, string accountId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        // Always scoped to the actor's firm: another firm's account is simply not found.
        return await store.GetAsync(actor.FirmId, accountId, cancellationToken).ConfigureAwait(false)
            ?? throw new SyncAccountNotFoundException(actor.FirmId, accountId);
    }

    private async Task<FirmSyncSettings> SettingsAsync(string firmId, CancellationToken cancellationToken) =>
        await store.GetFirmSettingsAsync(firmId, cancellationToken).ConfigureAwait(false) ?? new FirmSyncSettings { FirmId = firmId };

    private async Task<string> RealmAsync(string firmId, CancellationToken cancellationToken) =>
        (await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false)).RealmId
        ?? throw new InvalidOperationException($"Firm '{firmId}' has not connected a QuickBooks Online company.");

    private async Task<FirmSyncSettings> SaveSettingsAsync(string firmId, Func<FirmSyncSettings, FirmSyncSettings> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await SettingsAsync(firmId, cancellationToken).ConfigureAwait(false);
            var saved = await store.TrySaveFirmSettingsAsync(change(current), current.Version, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return saved;
            }
        }

        throw new InvalidOperationException($"The settings of firm '{firmId}' keep changing; try again.");
    }

    private static CustomerChoice Choice(NameHolder customer) =>
        new(customer.Id, customer.DisplayName, customer.CompanyName, customer.Email, customer.IsActive);

    [LoggerMessage(2101, LogLevel.Warning, "User {UserId} of firm {FirmId} was refused {Action}")]
    private static partial void LogDenied(ILogger logger, string firmId, string userId, SyncAction action);

    [LoggerMessage(2103, LogLevel.Information, "Firm {FirmId} disconnected QBO company {RealmId} (by {UserId})")]
    private static partial void LogDisconnected(ILogger logger, string firmId, string realmId, string userId);

    [LoggerMessage(2510, LogLevel.Warning, "Firm {FirmId} was refused QBO company {RealmId}: another firm holds it (by {UserId})")]
    private static partial void LogRealmRefused(ILogger logger, string firmId, string realmId, string userId);

    [LoggerMessage(2511, LogLevel.Information, "Firm {FirmId} switched from QBO company {OldRealmId} to {RealmId}: old tokens revoked, {Count} accounts turned NotSynced (by {UserId})")]
    private static partial void LogCompanyChanged(ILogger logger, string firmId, string oldRealmId, string realmId, int count, string userId);

    [LoggerMessage(2512, LogLevel.Information, "Firm {FirmId} forgot QBO company {RealmId}: tokens revoked, {Count} accounts turned NotSynced (by {UserId})")]
    private static partial void LogForgotten(ILogger logger, string firmId, string realmId, int count, string userId);

    [LoggerMessage(2513, LogLevel.Warning, "Firm {FirmId} purged: tokens revoked, {Count} accounts with their history and the settings deleted (by {UserId})")]
    private static partial void LogPurged(ILogger logger, string firmId, int count, string userId);

    [LoggerMessage(3400, LogLevel.Error, "Firm {FirmId} switched company, but the tokens of the old QBO company {RealmId} could not be revoked and deleted: disconnect it by hand")]
    private static partial void LogOldTokensNotForgotten(ILogger logger, string firmId, string realmId, Exception exception);

    [LoggerMessage(2102, LogLevel.Information, "Firm {FirmId} connected QBO company {RealmId} (by {UserId})")]
    private static partial void LogConnected(ILogger logger, string firmId, string realmId, string userId);
}
