namespace QbSync;

/// <summary>The details of a Failed or NotSynced status: a reason code and what QBO said.</summary>
public sealed record SyncProblem
{
    /// <summary>Why.</summary>
    public required SyncReason Reason { get; init; }

    /// <summary>QBO's error code, when QBO refused something (for example <c>6240</c>).</summary>
    public string? QuickBooksErrorCode { get; init; }

    /// <summary>QBO's message and detail, as data for the tooltip (never a token).</summary>
    public string? QuickBooksMessage { get; init; }

    /// <summary>The <c>intuit_tid</c> of the failed request, for Intuit support.</summary>
    public string? IntuitTid { get; init; }

    /// <summary>Customers involved: the candidates of an ambiguous match, the inactive customer holding the name.</summary>
    public IReadOnlyList<string> CustomerIds { get; init; } = [];

    /// <summary>The other account already linked to the matching customer.</summary>
    public string? ConflictingAccountId { get; init; }

    /// <summary>That other account's name, as the firm knows it (what the tooltip shows, never the internal id).</summary>
    public string? ConflictingAccountName { get; init; }

    /// <summary>What failed when it was not QBO (the type of a local error, for example <c>IOException</c>); never a
    /// message that could hold a secret.</summary>
    public string? Detail { get; init; }

    /// <summary>The id of the vendor or employee holding the name.</summary>
    public string? ConflictingRecordId { get; init; }

    /// <summary>A display name that would not collide (for example <c>Name (client)</c>).</summary>
    public string? SuggestedDisplayName { get; init; }

    /// <summary>When the problem was recorded.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>Value equality, <see cref="CustomerIds"/> compared item by item (so records read back from a store
    /// equal the ones written).</summary>
    /// <param name="other">The other problem.</param>
    /// <returns>Whether both describe the same problem.</returns>
    public bool Equals(SyncProblem? other) =>
        other is not null
        && Reason == other.Reason
        && QuickBooksErrorCode == other.QuickBooksErrorCode
        && QuickBooksMessage == other.QuickBooksMessage
        && IntuitTid == other.IntuitTid
        && ConflictingAccountId == other.ConflictingAccountId
        && ConflictingAccountName == other.ConflictingAccountName
        && Detail == other.Detail
        && ConflictingRecordId == other.ConflictingRecordId
        && SuggestedDisplayName == other.SuggestedDisplayName
        && OccurredAt == other.OccurredAt
        && CustomerIds.SequenceEqual(other.CustomerIds, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Reason);
        hash.Add(QuickBooksErrorCode, StringComparer.Ordinal);
        hash.Add(ConflictingAccountId, StringComparer.Ordinal);
        hash.Add(OccurredAt);
        foreach (var id in CustomerIds)
        {
            hash.Add(id, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}

/// <summary>The QBO write an account's record has committed to before making it (written first, so a crash can
/// resume without writing twice).</summary>
public sealed record SyncIntent
{
    /// <summary>What the write is.</summary>
    public required SyncIntentKind Kind { get; init; }

    /// <summary>The <c>requestid</c> sent with the write and with every retry of it.</summary>
    public required string RequestId { get; init; }

    /// <summary>The customer involved (to link, to reactivate).</summary>
    public string? CustomerId { get; init; }

    /// <summary>The display name the customer is created under.</summary>
    public string? DisplayName { get; init; }


    /// <summary>Whether an inactive customer may be reactivated as part of the link.</summary>
    public bool ReactivateIfInactive { get; init; }

    /// <summary>The <c>requestid</c> of the batch that carries this create, when it goes in a batch: stored with the
    /// intent before the batch is sent, so a resume sends the same batch request again.</summary>
    public string? BatchRequestId { get; init; }

    /// <summary>This create's <c>bId</c> in that batch.</summary>
    public string? BatchItemId { get; init; }
}

/// <summary>The kinds of work the sync does for one account.</summary>
public enum SyncIntentKind
{
    /// <summary>Find the customer with the account's name; link it, or create one if the firm allows.</summary>
    MatchByName = 0,

    /// <summary>Link a customer a person chose (reactivating it if asked).</summary>
    LinkChosen = 1,

    /// <summary>Create a new customer.</summary>
    CreateCustomer = 2,
}

/// <summary>One account as the sync sees it, with its status, link and bookkeeping. Every change is a
/// compare-and-swap on <see cref="Version"/>.</summary>
public sealed record SyncAccountRecord
{
    /// <summary>The firm (tenant) the account belongs to.</summary>
    public required string FirmId { get; init; }

    /// <summary>The account's id in the host application.</summary>
    public required string AccountId { get; init; }

    /// <summary>The account's current name in the host application (renames never reach QBO).</summary>
    public required string AccountName { get; init; }

    /// <summary>Whether the account has invoices or payments (the default sync scope).</summary>
    public bool HasBillingActivity { get; init; }

    /// <summary>The status.</summary>
    public SyncStatus Status { get; init; } = SyncStatus.NotSynced;

    /// <summary>Why it is in that status.</summary>
    public SyncReason Reason { get; init; } = SyncReason.NeverSynced;

    /// <summary>Details for Failed and NotSynced.</summary>
    public SyncProblem? Problem { get; init; }

    /// <summary>The linked QBO customer's id; the link is by id, so renames on either side do not break it.</summary>
    public string? CustomerId { get; init; }

    /// <summary>The linked customer's display name when linked (informational).</summary>
    public string? CustomerDisplayName { get; init; }

    /// <summary>Whether the account was ever synced (so a NotSynced account's customer may have been deleted).</summary>
    public bool WasSyncedBefore { get; init; }

    /// <summary>Whether an owner or admin ever skipped it: automatic work never picks it up again by itself.</summary>
    public bool WasSkipped { get; init; }

    /// <summary>The QBO write in progress, written before it is made.</summary>
    public SyncIntent? Intent { get; init; }

    /// <summary>Attempts started for the current work so far: a fresh start is the first, every retry and every resume
    /// of interrupted work adds one; at <see cref="QbSync.Sync.QbSyncOptions.MaxAttempts"/> the work ends in Failed.</summary>
    public int Attempts { get; init; }

    /// <summary>When background work should next pick the account up; <see langword="null"/> when nothing is due.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The worker holding the account, while it works on it.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when the lease holds; after that another worker may resume the work.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The record's version: 0 before the first insert; each successful update adds one.</summary>
    public long Version { get; init; }
}

/// <summary>One change of an account's status, kept for the account's history.</summary>
public sealed record SyncHistoryEntry
{
    /// <summary>The firm.</summary>
    public required string FirmId { get; init; }

    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The status before.</summary>
    public required SyncStatus From { get; init; }

    /// <summary>The status after.</summary>
    public required SyncStatus To { get; init; }

    /// <summary>What caused it.</summary>
    public required SyncTrigger Trigger { get; init; }

    /// <summary>The reason recorded with the new status.</summary>
    public SyncReason Reason { get; init; }

    /// <summary>Who: a user id, or <see cref="SyncActor.SystemUserId"/>.</summary>
    public required string ActorId { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Facts worth keeping: the customer linked, the display name changed for QBO, the merge survivor.</summary>
    public string? Note { get; init; }
}

/// <summary>Which accounts a firm syncs automatically.</summary>
public enum SyncScope
{
    /// <summary>Accounts that have invoices or payments (the default).</summary>
    AccountsWithBillingActivity = 0,

    /// <summary>All accounts.</summary>
    AllAccounts = 1,
}

/// <summary>A firm's sync settings.</summary>
public sealed record FirmSyncSettings
{
    /// <summary>The firm.</summary>
    public required string FirmId { get; init; }

    /// <summary>The connected QBO company (realm id), if any.</summary>
    public string? RealmId { get; init; }

    /// <summary>The QBO company the firm's links (customer ids) belong to: the connected one, or the one the firm
    /// disconnected last (kept so that connecting it again keeps every link, and connecting another company drops them
    /// with <see cref="SyncReason.CompanyChanged"/>). <see langword="null"/> once the company is forgotten. Not unique
    /// across firms: a disconnected company may be connected by another firm.</summary>
    public string? LinkedRealmId { get; init; }

    /// <summary>Which accounts are synced automatically.</summary>
    public SyncScope Scope { get; init; } = SyncScope.AccountsWithBillingActivity;

    /// <summary>Whether a missing customer is created automatically (<see langword="true"/>, the default) or the
    /// account fails with <see cref="SyncReason.NoMatchCreationDisabled"/> until a person decides.</summary>
    public bool CreateMissingCustomers { get; init; } = true;

    /// <summary>The QBO item (by name) used for invoice lines whose service matches no QBO item; <see langword="null"/>
    /// (the default) makes such a line a Failed reason (<see cref="BillingReason.ItemNotMapped"/>).</summary>
    public string? DefaultItemName { get; init; }

    /// <summary>The settings' version, for compare-and-swap.</summary>
    public long Version { get; init; }
}
