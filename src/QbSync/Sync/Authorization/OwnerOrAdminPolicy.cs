namespace QbSync.Sync;

/// <summary>
/// The default authorization policy, as the help article puts it: anyone of the firm (owner, admin, employee) may
/// view; only the owner or an admin may sync, unsync, link, create, reactivate or change settings; only the owner
/// connects, disconnects or forgets the QBO company and purges the firm's data. A person with no role, or a role that
/// is not a defined <see cref="FirmRole"/>, may do nothing. The system (automatic work, made only by
/// <see cref="SyncActor.System"/>) may view, sync and create customers (the firm's default sync and its "create
/// missing customers" setting), nothing else: unsyncing, linking a chosen customer, reactivating, settings and data
/// deletion are people's decisions.
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

        // No role is no rights, and so is a value outside the enum (for example one read from user input).
        if (actor.Role is not (FirmRole.Owner or FirmRole.Admin or FirmRole.Employee))
        {
            return false;
        }

        return action switch
        {
            SyncAction.View => true,
            SyncAction.Sync or SyncAction.Unsync or SyncAction.Link or SyncAction.CreateCustomer
                or SyncAction.ReactivateCustomer or SyncAction.ChangeSettings =>
                actor.Role is FirmRole.Owner or FirmRole.Admin,
            SyncAction.ConnectCompany or SyncAction.DisconnectCompany or SyncAction.PurgeFirm => actor.Role is FirmRole.Owner,
            _ => false,
        };
    }
}
