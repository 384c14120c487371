namespace QbSync.Sync;

/// <summary>
/// The default authorization policy, as the help article puts it: anyone of the firm may view; only the owner or an
/// admin may sync, unsync, link, create, reactivate or change settings; only the owner connects or disconnects the QBO
/// company. The system (automatic work, <see cref="SyncActor.IsSystem"/>) may view, sync and create customers (the
/// firm's default sync and its "create missing customers" setting), nothing else: unsyncing, linking a chosen customer,
/// reactivating and settings are people's decisions.
/// </summary>
public sealed class OwnerOrAdminPolicy : ISyncAuthorizationPolicy
{
    /// <summary>The shared instance (the policy has no state).</summary>
    public static OwnerOrAdminPolicy Instance { get; } = new();

    /// <inheritdoc />
    public bool IsAllowed(SyncActor actor, SyncAction action)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.IsSystem)
        {
            return action is SyncAction.View or SyncAction.Sync or SyncAction.CreateCustomer;
        }

        return action switch
        {
            SyncAction.View => true,
            SyncAction.Sync or SyncAction.Unsync or SyncAction.Link or SyncAction.CreateCustomer
                or SyncAction.ReactivateCustomer or SyncAction.ChangeSettings =>
                actor.Role is FirmRole.Owner or FirmRole.Admin,
            SyncAction.ConnectCompany or SyncAction.DisconnectCompany => actor.Role is FirmRole.Owner,
            _ => false,
        };
    }
}
