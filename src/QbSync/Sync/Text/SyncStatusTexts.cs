using System.Globalization;
using System.Resources;

namespace QbSync.Sync;

/// <summary>
/// The texts people see for sync statuses, in the UI culture (<see cref="CultureInfo.CurrentUICulture"/>): English
/// (neutral) and Romanian, falling back to English for any other culture. Labels and tooltips use the help article's
/// wording.
/// </summary>
/// <remarks>
/// Reason messages are formatted with the same three arguments: <c>{0}</c> QBO's error code, <c>{1}</c> QBO's message
/// and <c>{2}</c> the reason's subject: the number of candidates (<see cref="SyncReason.AmbiguousMatch"/>), the other
/// account's name (<see cref="SyncReason.CustomerLinkedToAnotherAccount"/>), the suggested display name
/// (<see cref="SyncReason.NameHeldByVendor"/>, <see cref="SyncReason.NameHeldByEmployee"/>,
/// <see cref="SyncReason.NameHeldByInactiveCustomer"/>), the surviving customer's id
/// (<see cref="SyncReason.CustomerMerged"/>). When a subject is missing, a variant without it is used. QBO's code and
/// message, when the problem has them, follow the reason's sentence ("QuickBooks Online error 6240: …"). The
/// <c>intuit_tid</c> is never shown (it is for Intuit support, in logs and the problem record), nor is any token.
/// </remarks>
public static class SyncStatusTexts
{
    private static readonly ResourceManager Resources = new("QbSync.Sync.Text.SyncTexts", typeof(SyncStatusTexts).Assembly);

    /// <summary>The status's label for the <i>QuickBooks</i> column ("Synced", "Not synced", …).</summary>
    /// <param name="status">The status.</param>
    /// <returns>The label.</returns>
    public static string Label(SyncStatus status) => Get("Label_" + status) ?? status.ToString();

    /// <summary>The tooltip shown when hovering over a status.</summary>
    /// <param name="status">The status.</param>
    /// <param name="reason">Why the account is in it.</param>
    /// <param name="problem">The details, for Failed (and NotSynced).</param>
    /// <param name="wasSyncedBefore">Whether the account was synced before (a NotSynced account's customer may then
    /// have been deleted in QBO).</param>
    /// <returns>The tooltip.</returns>
    public static string Tooltip(SyncStatus status, SyncReason reason, SyncProblem? problem, bool wasSyncedBefore)
    {
        switch (status)
        {
            case SyncStatus.NotSynced:
                var lost = wasSyncedBefore || reason is SyncReason.CustomerInactive or SyncReason.CustomerNotFound;
                return Get(lost ? "Tooltip_NotSynced_WasSyncedBefore" : "Tooltip_NotSynced")!;
            case SyncStatus.Failed:
                var head = Get("Tooltip_Failed")!;
                var effective = problem?.Reason ?? reason;
                return effective is SyncReason.None ? head : head + " " + ReasonMessage(effective, problem);
            case SyncStatus.Syncing when reason == SyncReason.WaitingToRetry:
                return Get("Tooltip_Syncing")! + " " + ReasonMessage(reason, problem);
            default:
                return Get("Tooltip_" + status) ?? Label(status);
        }
    }

    /// <summary>The message for a reason, with the problem's details filled in.</summary>
    /// <param name="reason">The reason.</param>
    /// <param name="problem">The details, if any.</param>
    /// <returns>The message.</returns>
    public static string ReasonMessage(SyncReason reason, SyncProblem? problem)
    {
        var culture = CultureInfo.CurrentUICulture;
        var subject = Subject(reason, problem);
        var key = "Reason_" + reason;
        var template = (subject is null ? Get(key + "_Generic") : null) ?? Get(key) ?? reason.ToString();
        var code = Clean(problem?.QuickBooksErrorCode);
        var message = Clean(problem?.QuickBooksMessage);
        object[] args = [code ?? string.Empty, message ?? string.Empty, subject ?? string.Empty];
        var text = string.Format(culture, template, args);

        var detailKey = (code, message) switch
        {
            (not null, not null) => "Detail_CodeAndMessage",
            (not null, null) => "Detail_CodeOnly",
            (null, not null) => "Detail_MessageOnly",
            _ => null,
        };

        return detailKey is null ? text : text + " " + string.Format(culture, Get(detailKey)!, args);
    }

    /// <summary>The menu text of an action, as the article words it (for example "Sync account with QuickBooks").</summary>
    /// <param name="action">The action.</param>
    /// <returns>The text in the current UI culture.</returns>
    public static string ActionLabel(SyncAvailableAction action) => Get("Action_" + action) ?? action.ToString();

    private static string? Subject(SyncReason reason, SyncProblem? problem) => reason switch
    {
        SyncReason.AmbiguousMatch when problem?.CustomerIds.Count > 1 =>
            problem.CustomerIds.Count.ToString(CultureInfo.CurrentCulture),
        // The other account's name, never its internal id.
        SyncReason.CustomerLinkedToAnotherAccount => Clean(problem?.ConflictingAccountName),
        SyncReason.NameHeldByVendor or SyncReason.NameHeldByEmployee or SyncReason.NameHeldByInactiveCustomer => Clean(problem?.SuggestedDisplayName),
        SyncReason.CustomerMerged when problem?.CustomerIds.Count > 0 => Clean(problem.CustomerIds[0]),
        _ => null,
    };

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture);
}
