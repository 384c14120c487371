namespace QbSync.Sync;

/// <summary>Builds what the host shows for an account: label and tooltip in the UI culture, and the menu actions.</summary>
internal static class AccountStates
{
    public static AccountSyncState From(SyncAccountRecord record, SyncActor? actor, ISyncAuthorizationPolicy? policy = null) => new()
    {
        AccountId = record.AccountId,
        AccountName = record.AccountName,
        Status = record.Status,
        Reason = record.Reason,
        Problem = record.Problem,
        CustomerId = record.CustomerId,
        CustomerDisplayName = record.CustomerDisplayName,
        WasSyncedBefore = record.WasSyncedBefore,
        StatusChangedAt = record.StatusChangedAt,
        NextAttemptAt = record.NextAttemptAt,
        Attempts = record.Attempts,
        Label = SyncStatusTexts.Label(record.Status),
        Tooltip = SyncStatusTexts.Tooltip(record.Status, record.Reason, record.Problem, record.WasSyncedBefore),
        AvailableActions = actor is null || policy is null ? [] : Actions(record, actor, policy),
    };

    private static List<SyncAvailableAction> Actions(SyncAccountRecord record, SyncActor actor, ISyncAuthorizationPolicy policy)
    {
        var actions = new List<SyncAvailableAction>();
        if (record.Status != SyncStatus.Syncing && policy.IsAllowed(actor, SyncAction.Sync))
        {
            actions.Add(SyncAvailableAction.SyncWithQuickBooks);
        }

        if (record.Status != SyncStatus.Skipped && policy.IsAllowed(actor, SyncAction.Unsync))
        {
            actions.Add(SyncAvailableAction.Unsync);
        }

        if (record.Status == SyncStatus.Failed
            && record.Reason is SyncReason.NameHeldByInactiveCustomer or SyncReason.ChosenCustomerInactive
            && policy.IsAllowed(actor, SyncAction.ReactivateCustomer) && policy.IsAllowed(actor, SyncAction.Link))
        {
            actions.Add(SyncAvailableAction.ReactivateAndLink);
        }

        if (record.Status == SyncStatus.Failed
            && record.Reason is SyncReason.NameHeldByVendor or SyncReason.NameHeldByEmployee or SyncReason.DuplicateNameUnresolved or SyncReason.NameHeldByInactiveCustomer
            && policy.IsAllowed(actor, SyncAction.CreateCustomer))
        {
            actions.Add(SyncAvailableAction.CreateWithAnotherName);
        }

        return actions;
    }
}
