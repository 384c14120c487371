using QbSync.Stores;

namespace QbSync.Sync;

/// <summary>
/// The QuickBooks Online sync of a firm's accounts, as the help article describes it: match an account to the QBO
/// customer with the same name, link it or create one, let owners and admins sync and unsync, and show every
/// account's status. Every call is scoped to the actor's firm and checked against the authorization policy before
/// anything else is read; an account of another firm is "not found".
/// </summary>
/// <remarks>
/// What QuickBooks Online answers while an account is synced (a refusal, an outage, a lost connection) is not thrown:
/// it becomes the account's status (Failed with a reason, or a retry), so that one account never stops the others.
/// Each method documents what it throws. In addition, every method throws <see cref="OperationCanceledException"/>
/// when its <c>cancellationToken</c> is cancelled, and lets the store's own exceptions through (a database that
/// cannot be reached, say).
/// </remarks>
public interface IAccountSyncService
{
    /// <summary>
    /// Tells the sync about an account of the host application, or about a change to it (a rename, new billing
    /// activity). A rename never reaches QBO: the link is by customer id. New eligible accounts become due for
    /// automatic sync.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="account">The account as the host application has it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty, or <paramref name="account"/> is <see langword="null"/>, has no id, has no name, or its name is not valid UTF-16 text (a lone surrogate).</exception>
    /// <exception cref="SyncConcurrencyException">Other writers kept changing the account; nothing was changed, and the call may be repeated.</exception>
    Task<AccountSyncState> RegisterAccountAsync(string firmId, AccountInfo account, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers many accounts at once (an import, a nightly reconciliation): each exactly as
    /// <see cref="RegisterAccountAsync"/> would (same validation, same rename rule, same due marking), written in chunks
    /// of 2,000 with one read and at most two store writes (one insert list, one update list) per chunk.
    /// </summary>
    /// <remarks>
    /// Every item is checked before anything is written: a missing id or name, a name that is not valid UTF-16, a null
    /// item or an account id given twice refuses the whole call with an <see cref="ArgumentException"/> that names the
    /// item's position and id, and nothing is registered. Once writing starts, the chunks already written stay written
    /// if a later one fails (a <see cref="SyncConcurrencyException"/> when an account keeps changing under the call, a
    /// store error, a cancellation); registering is idempotent, so calling again with the same list completes it.
    /// </remarks>
    /// <param name="firmId">The firm.</param>
    /// <param name="accounts">The accounts as the host application has them; each account id at most once.</param>
    /// <param name="cancellationToken">Cancels the call between chunks.</param>
    /// <returns>How many accounts were added, changed (renamed, billing activity changed, or made due) and left as
    /// they were.</returns>
    Task<AccountRegistrationResult> RegisterAccountsAsync(string firmId, IEnumerable<AccountInfo> accounts, CancellationToken cancellationToken = default);

    /// <summary>"Sync account with QuickBooks" by name: link the customer with the same name, or create one (unless the
    /// firm requires a person to decide). Decided on the realm's names, brought up to date with one change-data-capture
    /// request: at most two QBO round trips once the process knows the realm (the first action reads its name space).</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account's new state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor sync; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    /// <exception cref="SyncTransitionException">The account's status does not allow the action (for example, work on it is under way); nothing was changed.</exception>
    /// <exception cref="SyncConcurrencyException">Other writers kept changing the account while the action started; nothing was changed, and the call may be repeated.</exception>
    Task<AccountSyncState> SyncAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Links the account to a customer the actor picked; an inactive customer is reactivated only when asked.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="accountId">The account.</param>
    /// <param name="customerId">The chosen QBO customer.</param>
    /// <param name="reactivateIfInactive">Whether to reactivate the customer if it is inactive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account's new state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> or <paramref name="customerId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor link (or, with <paramref name="reactivateIfInactive"/>, reactivate a customer); nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    /// <exception cref="SyncTransitionException">The account's status does not allow the action (for example, work on it is under way); nothing was changed.</exception>
    /// <exception cref="SyncConcurrencyException">Other writers kept changing the account while the action started; nothing was changed, and the call may be repeated.</exception>
    Task<AccountSyncState> LinkAsync(SyncActor actor, string accountId, string customerId, bool reactivateIfInactive = false, CancellationToken cancellationToken = default);

    /// <summary>Creates a new QBO customer for the account (type <i>Individual</i> when the company has it) and links it.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="accountId">The account.</param>
    /// <param name="displayName">The display name to use instead of the account's name (for example
    /// <c>Name (client)</c> when a vendor holds the name); <see langword="null"/> for the account's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account's new state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, <paramref name="accountId"/> is <see langword="null"/> or empty, or the display name is empty once made valid for QuickBooks Online.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor create a customer; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    /// <exception cref="SyncTransitionException">The account's status does not allow the action (for example, work on it is under way); nothing was changed.</exception>
    /// <exception cref="SyncConcurrencyException">Other writers kept changing the account while the action started; nothing was changed, and the call may be repeated.</exception>
    Task<AccountSyncState> CreateCustomerAsync(SyncActor actor, string accountId, string? displayName = null, CancellationToken cancellationToken = default);

    /// <summary>"Do not sync this account / Unsync": the account becomes Skipped; no error messages and no automatic
    /// sync until an owner or admin syncs it again.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account's new state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor unsync; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    /// <exception cref="SyncTransitionException">The account is already Skipped; nothing was changed.</exception>
    /// <exception cref="SyncConcurrencyException">Other writers kept changing the account while the action started; nothing was changed, and the call may be repeated.</exception>
    Task<AccountSyncState> UnsyncAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default);

    /// <summary>One account's state, with its label, tooltip and the actions available to the actor.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    Task<AccountSyncState> GetStateAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default);

    /// <summary>The firm's accounts with their states for the <i>QuickBooks</i> column: filtered by status, paged,
    /// in a stable order.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="query">Filter and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="query"/> is <see langword="null"/> or breaks a rule (a page size outside 1 to 1000, null statuses, a continuation token no store issued).</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    Task<AccountSyncPage> ListAccountsAsync(SyncActor actor, AccountQuery query, CancellationToken cancellationToken = default);

    /// <summary>The QBO customers an account can be linked to: searchable, paged, excluding customers already linked
    /// to another account of the firm.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="query">Search text and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="query"/> is <see langword="null"/>; an <see cref="ArgumentOutOfRangeException"/> when its <c>Skip</c> is negative or its <c>Take</c> is outside 1 to 200.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor link; nothing was read or changed.</exception>
    /// <exception cref="InvalidOperationException">The firm has not connected a QuickBooks Online company.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksReconnectRequiredException">The company's tokens are gone or were refused: an owner must connect it again.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksOAuthException">Refreshing the company's access token failed (after retries).</exception>
    /// <exception cref="QuickBooks.QuickBooksException">QuickBooks Online refused the read or stayed unavailable after retries (the exception carries the status, codes and <c>intuit_tid</c>).</exception>
    Task<CustomerPickerPage> ListAvailableCustomersAsync(SyncActor actor, CustomerPickerQuery query, CancellationToken cancellationToken = default);

    /// <summary>Likely matches for an account whose name matches no customer exactly ("Smith, John" for "John
    /// Smith"); never linked automatically.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The suggestions, best first.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor link; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    /// <exception cref="InvalidOperationException">The firm has not connected a QuickBooks Online company.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksReconnectRequiredException">The company's tokens are gone or were refused: an owner must connect it again.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksOAuthException">Refreshing the company's access token failed (after retries).</exception>
    /// <exception cref="QuickBooks.QuickBooksException">QuickBooks Online refused the read or stayed unavailable after retries (the exception carries the status, codes and <c>intuit_tid</c>).</exception>
    Task<IReadOnlyList<CustomerSuggestion>> SuggestCustomersAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default);

    /// <summary>The firm's current sync problems (accounts in Failed), newest first, for an error banner or page.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The problems.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    Task<IReadOnlyList<AccountSyncState>> ListProblemsAsync(SyncActor actor, CancellationToken cancellationToken = default);

    /// <summary>An account's status history: who changed what, when and why.</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    /// <exception cref="SyncAccountNotFoundException">The actor's firm has no account <paramref name="accountId"/> (an account of another firm is not found either).</exception>
    Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(SyncActor actor, string accountId, CancellationToken cancellationToken = default);

    /// <summary>The firm's settings (defaults when never saved).</summary>
    /// <param name="actor">Anyone of the firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor view accounts; nothing was read or changed.</exception>
    Task<FirmSyncSettings> GetSettingsAsync(SyncActor actor, CancellationToken cancellationToken = default);

    /// <summary>Changes the firm's sync scope and creation rule; accounts that become eligible are made due.</summary>
    /// <param name="actor">An owner or admin (by default).</param>
    /// <param name="scope">Which accounts sync automatically.</param>
    /// <param name="createMissingCustomers">Whether missing customers are created automatically.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved settings.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor change settings; nothing was read or changed.</exception>
    /// <exception cref="InvalidOperationException">Other writers kept changing the firm's settings; nothing was changed, and the call may be repeated.</exception>
    Task<FirmSyncSettings> UpdateSettingsAsync(SyncActor actor, SyncScope scope, bool createMissingCustomers, CancellationToken cancellationToken = default);

    /// <summary>Connects the firm's QBO company: exchanges the OAuth authorization code and records the realm.
    /// The owner's action (by default). A realm belongs to one firm: a realm held by another firm is refused before
    /// anything is changed. Connecting a different company than the one the firm's links belong to
    /// (<see cref="FirmSyncSettings.LinkedRealmId"/>: the current company, or the one it disconnected last) turns every
    /// linked account NotSynced with <see cref="SyncReason.CompanyChanged"/> (with a history entry), and revokes and
    /// forgets the old company's tokens if the firm still held it; those accounts then sync into the new company like
    /// accounts never synced. Connecting the same company again keeps every link.</summary>
    /// <param name="actor">The firm's owner.</param>
    /// <param name="realmId">The realm id Intuit returned with the code.</param>
    /// <param name="authorizationCode">The authorization code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved settings.</returns>
    /// <exception cref="QuickBooksCompanyHeldByAnotherFirmException">Another firm holds the realm; nothing was changed.</exception>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id, or <paramref name="realmId"/> or <paramref name="authorizationCode"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor connect a company; nothing was read or changed.</exception>
    /// <exception cref="QuickBooksCompanyHeldByAnotherFirmException">Another firm holds this QuickBooks Online company; no token was exchanged or stored.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksOAuthException">Intuit refused the authorization code (used, expired, or for another app) or the token endpoint failed after retries; nothing was saved.</exception>
    /// <exception cref="InvalidOperationException">The tokens were stored but the firm's settings could not be saved: other writers kept changing them, or the store refused the company (when another firm took it meanwhile, <see cref="QuickBooksCompanyHeldByAnotherFirmException"/> is thrown instead).</exception>
    Task<FirmSyncSettings> ConnectCompanyAsync(SyncActor actor, string realmId, string authorizationCode, CancellationToken cancellationToken = default);

    /// <summary>Checks every linked customer of the firm in QBO: one made inactive or gone turns its account NotSynced
    /// (previously synced). Run it now and then (the background worker does not), or rely on webhooks.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many accounts changed.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksReconnectRequiredException">The company's tokens are gone or were refused: an owner must connect it again.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksOAuthException">Refreshing the company's access token failed (after retries).</exception>
    /// <exception cref="QuickBooks.QuickBooksException">QuickBooks Online refused the read or stayed unavailable after retries (the exception carries the status, codes and <c>intuit_tid</c>).</exception>
    Task<int> VerifyLinksAsync(string firmId, CancellationToken cancellationToken = default);

    /// <summary>Applies QBO's change notifications (verified and parsed with <c>QuickBooksWebhookVerifier</c> and
    /// <c>QuickBooksWebhookParser</c>) to the firm's links: a customer merged into another relinks its account to the
    /// survivor; one deleted or made inactive turns its account NotSynced. Events of other realms are ignored.</summary>
    /// <param name="firmId">The firm whose QBO company sent them.</param>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many accounts changed.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty, or <paramref name="events"/> is <see langword="null"/>.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksReconnectRequiredException">The company's tokens are gone or were refused: an owner must connect it again.</exception>
    /// <exception cref="QuickBooks.Authentication.QuickBooksOAuthException">Refreshing the company's access token failed (after retries).</exception>
    /// <exception cref="QuickBooks.QuickBooksException">QuickBooks Online refused reading a changed customer or stayed unavailable after retries (a customer that no longer exists is not an error: its account turns Not synced).</exception>
    Task<int> ApplyQuickBooksChangesAsync(string firmId, IEnumerable<QuickBooks.Webhooks.QuickBooksWebhookEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Disconnects the firm's QBO company: revokes its tokens at Intuit (best effort), forgets them and
    /// releases the realm. Accounts keep their statuses and links (<see cref="FirmSyncSettings.LinkedRealmId"/> keeps
    /// the company they belong to): connecting the same company again resumes them, connecting another one drops them
    /// (<see cref="SyncReason.CompanyChanged"/>). New work fails as not connected until a company is connected. The
    /// owner's action (by default).</summary>
    /// <param name="actor">The firm's owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved settings.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor disconnect the company; nothing was read or changed.</exception>
    /// <exception cref="InvalidOperationException">Other writers kept changing the firm's settings; nothing was changed, and the call may be repeated.</exception>
    Task<FirmSyncSettings> DisconnectCompanyAsync(SyncActor actor, CancellationToken cancellationToken = default);

    /// <summary>Forgets the firm's QBO company (the connected one, or the one it disconnected last): revokes its tokens
    /// at Intuit (best effort), deletes them, releases the realm (another firm may then connect it) and turns every
    /// linked account NotSynced with
    /// <see cref="SyncReason.CompanyChanged"/> (with a history entry). The owner's action (by default:
    /// <see cref="SyncAction.DisconnectCompany"/>).</summary>
    /// <param name="actor">The firm's owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved settings (no realm).</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor disconnect the company; nothing was read or changed.</exception>
    /// <exception cref="InvalidOperationException">Other writers kept changing the firm's settings; nothing was changed, and the call may be repeated.</exception>
    Task<FirmSyncSettings> ForgetCompanyAsync(SyncActor actor, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything QbSync holds for the firm: revokes and deletes its QBO tokens, and deletes every
    /// account record (with its problem), every history entry and the firm's settings. Irreversible. The owner's
    /// action (by default: <see cref="SyncAction.PurgeFirm"/>).</summary>
    /// <param name="actor">The firm's owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many accounts were deleted.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is <see langword="null"/> or has no firm id.</exception>
    /// <exception cref="SyncAuthorizationException">The authorization policy does not let the actor purge the firm; nothing was read or changed.</exception>
    Task<int> PurgeFirmAsync(SyncActor actor, CancellationToken cancellationToken = default);

    /// <summary>Tells the sync that an account was deleted in the host application: its record and history are
    /// deleted (nothing changes in QBO; its customer becomes free for another account). The host's call, like
    /// <see cref="RegisterAccountAsync"/>.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the firm had the account.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> or <paramref name="accountId"/> is <see langword="null"/> or empty.</exception>
    Task<bool> RemoveAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Runs the firm's due automatic work now (for hosts without the background worker): eligible accounts
    /// never synced nor skipped, retries whose time has come, and work a stopped process left in Syncing.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty.</exception>
    Task<SyncRunResult> RunPendingAsync(string firmId, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="RunPendingAsync(string, CancellationToken)"/>, reporting progress after every account (claimed so
    /// far, done, and done by outcome), so a host can draw a progress bar for a first sync.
    /// </summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="progress">Receives a report after each claim and each finished account; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run; claimed accounts are given back.</param>
    /// <returns>What the run did, and when the earliest retry it scheduled is due.</returns>
    /// <exception cref="ArgumentException"><paramref name="firmId"/> is <see langword="null"/> or empty.</exception>
    Task<SyncRunResult> RunPendingAsync(string firmId, IProgress<SyncRunProgress>? progress, CancellationToken cancellationToken = default);

}

/// <summary>An account as the host application has it.</summary>
/// <param name="AccountId">The account's id.</param>
/// <param name="Name">The account's name.</param>
/// <param name="HasBillingActivity">Whether it has invoices or payments.</param>
public sealed record AccountInfo(string AccountId, string Name, bool HasBillingActivity);

/// <summary>What <see cref="IAccountSyncService.RegisterAccountsAsync"/> did.</summary>
/// <param name="Added">Accounts the sync did not know before.</param>
/// <param name="Updated">Known accounts that changed: renamed, billing activity changed, or made due for sync.</param>
/// <param name="Unchanged">Known accounts already as given.</param>
public sealed record AccountRegistrationResult(int Added, int Updated, int Unchanged);

/// <summary>What the host shows for one account.</summary>
public sealed record AccountSyncState
{
    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The account's name.</summary>
    public required string AccountName { get; init; }

    /// <summary>The status.</summary>
    public required SyncStatus Status { get; init; }

    /// <summary>Why.</summary>
    public SyncReason Reason { get; init; }

    /// <summary>Details of a Failed or NotSynced status.</summary>
    public SyncProblem? Problem { get; init; }

    /// <summary>The linked QBO customer.</summary>
    public string? CustomerId { get; init; }

    /// <summary>The linked customer's display name.</summary>
    public string? CustomerDisplayName { get; init; }

    /// <summary>Whether it was synced before.</summary>
    public bool WasSyncedBefore { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>When background work next picks the account up (a retry after a transient failure, or new work);
    /// <see langword="null"/> when nothing is due.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Attempts used by the current work (see <see cref="QbSyncOptions.MaxAttempts"/>).</summary>
    public int Attempts { get; init; }

    /// <summary>The status label in the current UI culture (<c>Synced</c>, <c>Sincronizat</c>, …).</summary>
    public required string Label { get; init; }

    /// <summary>The tooltip in the current UI culture, with a Failed status's details filled in.</summary>
    public required string Tooltip { get; init; }

    /// <summary>The menu actions the actor may take now.</summary>
    public IReadOnlyList<SyncAvailableAction> AvailableActions { get; init; } = [];
}

/// <summary>An entry of the account's menu.</summary>
public enum SyncAvailableAction
{
    /// <summary>"Sync account with QuickBooks" (pick a customer or create one).</summary>
    SyncWithQuickBooks = 0,

    /// <summary>"Do not sync this account / Unsync".</summary>
    Unsync = 1,

    /// <summary>Reactivate the inactive customer holding the name, and link it.</summary>
    ReactivateAndLink = 2,

    /// <summary>Create the customer under another display name (a vendor or employee holds the name).</summary>
    CreateWithAnotherName = 3,
}

/// <summary>A page of account states.</summary>
/// <param name="Items">The states.</param>
/// <param name="ContinuationToken">Pass it back for the next page.</param>
public sealed record AccountSyncPage(IReadOnlyList<AccountSyncState> Items, string? ContinuationToken);

/// <summary>Search and paging of the customer picker.</summary>
public sealed record CustomerPickerQuery
{
    /// <summary>The account the picker is for (its own linked customer stays listed).</summary>
    public string? AccountId { get; init; }

    /// <summary>Text the display name, company name or e-mail must contain (same-name rules); empty for all.</summary>
    public string? SearchText { get; init; }

    /// <summary>Whether inactive customers are listed (to reactivate and link).</summary>
    public bool IncludeInactive { get; init; }

    /// <summary>Rows to skip.</summary>
    public int Skip { get; init; }

    /// <summary>Rows to return (1 to 200).</summary>
    public int Take { get; init; } = 25;
}

/// <summary>A customer in the picker.</summary>
/// <param name="CustomerId">The QBO id.</param>
/// <param name="DisplayName">The display name (without the deleted suffix).</param>
/// <param name="CompanyName">The company name.</param>
/// <param name="Email">The primary e-mail.</param>
/// <param name="IsActive">Whether it is active.</param>
public sealed record CustomerChoice(string CustomerId, string DisplayName, string? CompanyName, string? Email, bool IsActive);

/// <summary>A page of the picker.</summary>
/// <param name="Items">The customers.</param>
/// <param name="TotalCount">How many match in all.</param>
public sealed record CustomerPickerPage(IReadOnlyList<CustomerChoice> Items, int TotalCount);

/// <summary>A likely match for an account, never linked automatically.</summary>
/// <param name="Customer">The customer.</param>
/// <param name="Score">Similarity from 0 to 1.</param>
/// <param name="Why">Why it is suggested.</param>
public sealed record CustomerSuggestion(CustomerChoice Customer, double Score, SuggestionKind Why);

/// <summary>Why a customer is suggested.</summary>
public enum SuggestionKind
{
    /// <summary>The same words in another order ("Smith, John" and "John Smith").</summary>
    ReorderedWords = 0,

    /// <summary>The same words once legal suffixes and punctuation are ignored ("Acme LLC" and "Acme, L.L.C.").</summary>
    SameWordsIgnoringPunctuationAndSuffixes = 1,

    /// <summary>Similar spelling.</summary>
    SimilarSpelling = 2,
}

/// <summary>What a run of pending work did.</summary>
/// <param name="Claimed">Accounts claimed.</param>
/// <param name="Synced">Accounts that ended Synced.</param>
/// <param name="Failed">Accounts that ended Failed.</param>
/// <param name="Retrying">Accounts left Syncing for a later retry.</param>
public sealed record SyncRunResult(int Claimed, int Synced, int Failed, int Retrying)
{
    /// <summary>When the earliest retry this run scheduled is due (<see langword="null"/> when it left none): a host
    /// driving runs itself calls again then.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>Progress of a firm's run of pending work.</summary>
/// <param name="FirmId">The firm.</param>
/// <param name="Claimed">Accounts claimed so far (the run claims in batches, so this grows while it runs).</param>
/// <param name="Done">Accounts the run has finished with.</param>
/// <param name="Synced">Of those, the ones that ended Synced.</param>
/// <param name="Failed">Of those, the ones that ended Failed.</param>
/// <param name="Retrying">Of those, the ones left Syncing for a later retry.</param>
public sealed record SyncRunProgress(string FirmId, int Claimed, int Done, int Synced, int Failed, int Retrying);
