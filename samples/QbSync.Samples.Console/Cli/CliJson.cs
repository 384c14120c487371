using System.Text.Json;
using System.Text.Json.Serialization;
using QbSync.Sync;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>An account as <c>status --json</c> and <c>problems --json</c> print it.</summary>
internal sealed record AccountJson(
    string AccountId,
    string AccountName,
    SyncStatus Status,
    SyncReason Reason,
    string Label,
    string Tooltip,
    string? CustomerId,
    string? CustomerDisplayName,
    bool WasSyncedBefore,
    DateTimeOffset? StatusChangedAt,
    DateTimeOffset? NextAttemptAt,
    int Attempts,
    ProblemJson? Problem,
    IReadOnlyList<SyncAvailableAction> AvailableActions)
{
    public static AccountJson From(AccountSyncState s) => new(
        s.AccountId, s.AccountName, s.Status, s.Reason, s.Label, s.Tooltip, s.CustomerId, s.CustomerDisplayName, s.WasSyncedBefore,
        s.StatusChangedAt, s.NextAttemptAt, s.Attempts, s.Problem is { } p ? ProblemJson.From(p) : null, s.AvailableActions);
}

/// <summary>A Failed or Not synced account's details.</summary>
internal sealed record ProblemJson(
    SyncReason Reason,
    string? QuickBooksErrorCode,
    string? QuickBooksMessage,
    string? IntuitTid,
    string? Detail,
    IReadOnlyList<string> CustomerIds,
    string? ConflictingAccountId,
    string? SuggestedDisplayName,
    DateTimeOffset? OccurredAt)
{
    public static ProblemJson From(SyncProblem p) => new(
        p.Reason, p.QuickBooksErrorCode, p.QuickBooksMessage, p.IntuitTid, p.Detail, p.CustomerIds, p.ConflictingAccountId, p.SuggestedDisplayName, p.OccurredAt);
}

/// <summary><c>status --json</c>: one page (or all pages with <c>--all</c>) and the token of the next page.</summary>
internal sealed record StatusJson(IReadOnlyList<AccountJson> Accounts, string? ContinuationToken);

/// <summary><c>problems --json</c>.</summary>
internal sealed record ProblemsJson(IReadOnlyList<AccountJson> Accounts);

/// <summary>One change of an account's status.</summary>
internal sealed record HistoryEntryJson(DateTimeOffset At, string ActorId, SyncStatus From, SyncStatus To, SyncTrigger Trigger, SyncReason Reason, string? Note);

/// <summary><c>history --json</c>.</summary>
internal sealed record HistoryJson(string AccountId, IReadOnlyList<HistoryEntryJson> Entries);

/// <summary>A customer of the picker.</summary>
internal sealed record CustomerJson(string CustomerId, string DisplayName, string? CompanyName, string? Email, bool IsActive);

/// <summary><c>customers --json</c>.</summary>
internal sealed record CustomersJson(IReadOnlyList<CustomerJson> Customers, int TotalCount, int Skip);

/// <summary>The command line's JSON, source-generated: camelCase names, enums as their names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(ProblemsJson))]
[JsonSerializable(typeof(HistoryJson))]
[JsonSerializable(typeof(CustomersJson))]
[JsonSerializable(typeof(ConnectState))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
