namespace QbSync;

/// <summary>The QuickBooks sync status of an account, as shown in the accounts list's <i>QuickBooks</i> column.</summary>
public enum SyncStatus
{
    /// <summary>Not synced; it can be synced from the account's Info tab. If it was synced before, its QBO customer
    /// may have been deleted (see <see cref="SyncAccountRecord.WasSyncedBefore"/>).</summary>
    NotSynced = 0,

    /// <summary>Being synced; this takes a while. Transient QBO failures keep the account here while retries run.</summary>
    Syncing = 1,

    /// <summary>Synced successfully: linked to a QBO customer.</summary>
    Synced = 2,

    /// <summary>Someone chose to skip sync for this account; no automatic sync and no error messages until an owner
    /// or admin syncs it again.</summary>
    Skipped = 3,

    /// <summary>There is a sync problem with this account; <see cref="SyncProblem"/> says what.</summary>
    Failed = 4,
}

/// <summary>
/// Why an account is in its status: a stable code stored with the account and in its history. Texts for people come
/// from resources (English and Romanian), never from the store.
/// </summary>
public enum SyncReason
{
    /// <summary>No particular reason (a plain successful sync).</summary>
    None = 0,

    /// <summary>NotSynced: the account was never synced.</summary>
    NeverSynced = 1,

    /// <summary>NotSynced: the linked customer was made inactive (QBO's "deleted") in QBO.</summary>
    CustomerInactive = 2,

    /// <summary>NotSynced: the linked customer no longer exists in QBO.</summary>
    CustomerNotFound = 3,

    /// <summary>Synced: the linked customer was merged into another one in QBO and the account now links to the survivor.</summary>
    CustomerMerged = 4,

    /// <summary>Skipped: an owner or admin chose not to sync the account.</summary>
    SkippedByUser = 5,

    /// <summary>Failed: no customer has the account's name and the firm requires a person to decide before creating one.</summary>
    NoMatchCreationDisabled = 10,

    /// <summary>Failed: two or more active customers have the account's name; a person must pick one.</summary>
    AmbiguousMatch = 11,

    /// <summary>Failed: the matching customer is already linked to another account of the firm.</summary>
    CustomerLinkedToAnotherAccount = 12,

    /// <summary>Failed: an inactive customer holds the name; it can be reactivated and linked.</summary>
    NameHeldByInactiveCustomer = 13,

    /// <summary>Failed: a vendor holds the name; a customer can be created under another display name.</summary>
    NameHeldByVendor = 14,

    /// <summary>Failed: an employee holds the name; a customer can be created under another display name.</summary>
    NameHeldByEmployee = 15,

    /// <summary>Failed: QBO refused the name as a duplicate but no holder could be found.</summary>
    DuplicateNameUnresolved = 16,

    /// <summary>Failed: the account's name cannot be made into a valid QBO display name (empty once cleaned).</summary>
    InvalidName = 17,

    /// <summary>Failed: QBO refused the request as invalid (the QBO code and message are in the problem).</summary>
    QuickBooksValidationError = 18,

    /// <summary>Failed: the firm's QBO connection must be reconnected by its owner.</summary>
    ReconnectRequired = 19,

    /// <summary>Failed: QBO kept failing transiently and the retries ran out.</summary>
    RetriesExhausted = 20,

    /// <summary>Failed: the firm has not connected a QBO company.</summary>
    NotConnected = 21,

    /// <summary>Failed: the customer chosen to link does not exist in QBO.</summary>
    ChosenCustomerNotFound = 22,

    /// <summary>Failed: the customer chosen to link is inactive and reactivation was not requested.</summary>
    ChosenCustomerInactive = 23,

    /// <summary>Syncing: an attempt failed transiently (QBO unavailable, throttled, an unreadable answer, a local
    /// error); the next attempt is due at <see cref="QbSync.Sync.AccountSyncState.NextAttemptAt"/>.</summary>
    WaitingToRetry = 24,

    /// <summary>NotSynced: the firm connected another QBO company (or forgot its company), so the account's link to a
    /// customer of the old company was dropped; it syncs again into the firm's current company.</summary>
    CompanyChanged = 25,
}

/// <summary>What caused a status change: the events of the sync state machine.</summary>
public enum SyncTrigger
{
    /// <summary>An owner or admin asked to sync the account (match by name).</summary>
    SyncRequested = 0,

    /// <summary>Automatic work picked the account up (eligible, never synced, never skipped).</summary>
    AutoSyncStarted = 1,

    /// <summary>An owner or admin asked to link the account to a chosen customer.</summary>
    LinkRequested = 2,

    /// <summary>An owner or admin asked to create a new customer for the account.</summary>
    CreateRequested = 3,

    /// <summary>An owner or admin chose "Do not sync this account / Unsync".</summary>
    UnsyncRequested = 4,

    /// <summary>The QBO work finished and the account is linked.</summary>
    Succeeded = 5,

    /// <summary>The QBO work failed transiently (429, 5xx, timeout); a retry is scheduled.</summary>
    TransientFailure = 6,

    /// <summary>The QBO work failed for good, or needs a person's decision.</summary>
    PermanentFailure = 7,

    /// <summary>Transient failures went on until the retries ran out.</summary>
    RetriesExhausted = 8,

    /// <summary>The linked customer was found inactive or missing in QBO.</summary>
    CustomerLost = 9,

    /// <summary>The linked customer was found merged into another; the account follows the survivor.</summary>
    CustomerMerged = 10,

    /// <summary>A worker resumed work left in Syncing by a process that stopped.</summary>
    Resumed = 11,

    /// <summary>The firm's owner connected another QBO company or forgot the company: links to the old company's
    /// customers are dropped.</summary>
    CompanyChanged = 12,
}

/// <summary>A person's role in a firm.</summary>
public enum FirmRole
{
    /// <summary>The firm's owner: may do everything, including connecting the QBO company.</summary>
    Owner = 0,

    /// <summary>An admin: may sync, unsync, link, create and reactivate.</summary>
    Admin = 1,

    /// <summary>An employee: may see statuses, not change them (under the default policy).</summary>
    Employee = 2,
}

/// <summary>
/// Who does something: a person of a firm, or the system doing automatic work for a firm. A person is created with
/// <see cref="User"/> (or the constructor) and has exactly the rights of their <see cref="Role"/>: a person with no role,
/// or with a role that is not a defined <see cref="FirmRole"/>, may do nothing. The system exists only through
/// <see cref="System"/>: no constructor argument and no <c>with</c> expression turns a person into it.
/// </summary>
/// <param name="FirmId">The firm the actor belongs to; every operation is scoped to it.</param>
/// <param name="UserId">The person's id in the host application; <c>system</c> for automatic work.</param>
/// <param name="Role">The person's role; <see langword="null"/> for none (no rights), and for the system.</param>
public sealed record SyncActor(string FirmId, string UserId, FirmRole? Role)
{
    /// <summary>The user id recorded for automatic work.</summary>
    public const string SystemUserId = "system";

    /// <summary>Whether this is the system rather than a person: <see langword="true"/> only for actors made by
    /// <see cref="System"/>.</summary>
    public bool IsSystem { get; private init; }

    /// <summary>The system, doing automatic work for a firm.</summary>
    /// <param name="firmId">The firm.</param>
    /// <returns>The actor.</returns>
    public static SyncActor System(string firmId) => new(firmId, SystemUserId, null) { IsSystem = true };

    /// <summary>A person of a firm.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="userId">The person's id.</param>
    /// <param name="role">The person's role.</param>
    /// <returns>The actor.</returns>
    public static SyncActor User(string firmId, string userId, FirmRole role) => new(firmId, userId, role);
}

/// <summary>What an actor wants to do; the authorization policy decides per action.</summary>
public enum SyncAction
{
    /// <summary>Read statuses, history and problems.</summary>
    View = 0,

    /// <summary>Sync an account by name match.</summary>
    Sync = 1,

    /// <summary>Unsync (skip) an account.</summary>
    Unsync = 2,

    /// <summary>Link an account to a chosen customer, and browse the customers available for it.</summary>
    Link = 3,

    /// <summary>Create a new QBO customer for an account.</summary>
    CreateCustomer = 4,

    /// <summary>Reactivate an inactive QBO customer to link it.</summary>
    ReactivateCustomer = 5,

    /// <summary>Change the firm's sync settings.</summary>
    ChangeSettings = 6,

    /// <summary>Connect the firm's QBO company.</summary>
    ConnectCompany = 7,

    /// <summary>Disconnect the firm's QBO company, or forget it (disconnect and drop every link to its customers).</summary>
    DisconnectCompany = 8,

    /// <summary>Delete everything QbSync holds for the firm (tokens revoked, accounts, history, problems, settings).</summary>
    PurgeFirm = 9,
}
