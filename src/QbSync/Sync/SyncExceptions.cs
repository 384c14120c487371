namespace QbSync.Sync;

/// <summary>The actor may not do this (the authorization policy said no); nothing was changed.</summary>
public sealed class SyncAuthorizationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="actor">Who asked.</param>
    /// <param name="action">What was asked.</param>
    public SyncAuthorizationException(SyncActor actor, SyncAction action)
        : base($"User '{actor?.UserId}' ({(actor?.IsSystem == true ? "system" : actor?.Role?.ToString() ?? "no role")}) may not {action} in firm '{actor?.FirmId}'.")
    {
        ArgumentNullException.ThrowIfNull(actor);
        FirmId = actor.FirmId;
        UserId = actor.UserId;
        Role = actor.Role;
        Action = action;
    }

    /// <summary>The actor's firm.</summary>
    public string FirmId { get; }

    /// <summary>The actor.</summary>
    public string UserId { get; }

    /// <summary>The actor's role.</summary>
    public FirmRole? Role { get; }

    /// <summary>The refused action.</summary>
    public SyncAction Action { get; }
}

/// <summary>
/// The QuickBooks company (realm) is connected to another firm: a realm belongs to one firm, so this firm may not
/// connect it (nothing was changed). The other firm is not named.
/// </summary>
public sealed class QuickBooksCompanyHeldByAnotherFirmException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="firmId">The firm that asked to connect the company.</param>
    /// <param name="realmId">The realm id.</param>
    public QuickBooksCompanyHeldByAnotherFirmException(string firmId, string realmId)
        : base($"QuickBooks company (realm) '{realmId}' is connected to another firm, so firm '{firmId}' cannot connect it. Nothing was changed. The other firm's owner must disconnect or forget it first.")
    {
        FirmId = firmId;
        RealmId = realmId;
    }

    /// <summary>The firm that asked.</summary>
    public string FirmId { get; }

    /// <summary>The realm held by another firm.</summary>
    public string RealmId { get; }
}

/// <summary>The firm has no such account (an account of another firm is reported the same way).</summary>
public sealed class SyncAccountNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="firmId">The actor's firm.</param>
    /// <param name="accountId">The account asked for.</param>
    public SyncAccountNotFoundException(string firmId, string accountId)
        : base($"Firm '{firmId}' has no account '{accountId}'.")
    {
        FirmId = firmId;
        AccountId = accountId;
    }

    /// <summary>The firm.</summary>
    public string FirmId { get; }

    /// <summary>The account.</summary>
    public string AccountId { get; }
}

/// <summary>The status change asked for is not allowed from the account's status (for example syncing an account
/// that is already syncing); nothing was changed.</summary>
public sealed class SyncTransitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="from">The account's status.</param>
    /// <param name="trigger">What was asked.</param>
    public SyncTransitionException(SyncStatus from, SyncTrigger trigger)
        : base($"An account in status {from} cannot take '{trigger}'.")
    {
        From = from;
        Trigger = trigger;
    }

    /// <summary>The status.</summary>
    public SyncStatus From { get; }

    /// <summary>The trigger refused.</summary>
    public SyncTrigger Trigger { get; }
}

/// <summary>Another process changed the account while this call worked on it; read the state again.</summary>
public sealed class SyncConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    public SyncConcurrencyException(string firmId, string accountId)
        : base($"Account '{accountId}' of firm '{firmId}' was changed by someone else meanwhile.")
    {
        FirmId = firmId;
        AccountId = accountId;
    }

    /// <summary>The firm.</summary>
    public string FirmId { get; }

    /// <summary>The account.</summary>
    public string AccountId { get; }
}

/// <summary>Decides who may do what. The default lets owners and admins sync, unsync, link, create and reactivate,
/// and only owners connect or disconnect the QBO company; replace it to fit a firm (billing staff, say).</summary>
public interface ISyncAuthorizationPolicy
{
    /// <summary>Whether the actor may take the action. The actor's firm is already checked by the service.</summary>
    /// <param name="actor">The actor.</param>
    /// <param name="action">The action.</param>
    /// <returns>Whether it is allowed.</returns>
    bool IsAllowed(SyncActor actor, SyncAction action);
}

/// <summary>Told when an account turns Failed, so the host can notify the firm's owners and admins. Not called for
/// Skipped accounts.</summary>
public interface ISyncNotifier
{
    /// <summary>An account failed.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="state">The account's state, with its problem.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    ValueTask AccountFailedAsync(string firmId, AccountSyncState state, CancellationToken cancellationToken = default);
}
