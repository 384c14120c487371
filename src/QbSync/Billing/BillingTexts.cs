using System.Globalization;
using System.Resources;
using QbSync.Sync;

namespace QbSync.Billing;

/// <summary>
/// The texts people see for billing documents, in the UI culture: English (neutral) and Romanian. Reason messages
/// are formatted with <c>{0}</c> QBO's error code, <c>{1}</c> QBO's message and <c>{2}</c> the problem's
/// <see cref="BillingProblem.Subject"/> (the unmapped service, the number, the two totals, the invoice waited for);
/// a variant without the subject is used when there is none. QBO's code and message, when the problem has them,
/// follow the reason's sentence. The <c>intuit_tid</c> is never shown.
/// </summary>
public static class BillingTexts
{
    private static readonly ResourceManager Resources = new("QbSync.Sync.Text.BillingTexts", typeof(BillingTexts).Assembly);
    private static readonly ResourceManager Shared = new("QbSync.Sync.Text.SyncTexts", typeof(BillingTexts).Assembly);

    /// <summary>The status label (the same words as for accounts: "Synced", "Not synced", …).</summary>
    /// <param name="status">The status.</param>
    /// <returns>The label.</returns>
    public static string Label(SyncStatus status) => SyncStatusTexts.Label(status);

    /// <summary>The tooltip of a document's status, with the reason's message.</summary>
    /// <param name="status">The status.</param>
    /// <param name="reason">Why.</param>
    /// <param name="problem">The details, if any.</param>
    /// <returns>The tooltip.</returns>
    public static string Tooltip(SyncStatus status, BillingReason reason, BillingProblem? problem)
    {
        var head = Get(Resources, "Tooltip_" + status) ?? Label(status);
        var effective = problem?.Reason ?? reason;
        return effective == BillingReason.None ? head : head + " " + ReasonMessage(effective, problem);
    }

    /// <summary>The message of a reason, with the problem's details filled in.</summary>
    /// <param name="reason">The reason.</param>
    /// <param name="problem">The details, if any.</param>
    /// <returns>The message.</returns>
    public static string ReasonMessage(BillingReason reason, BillingProblem? problem)
    {
        var culture = CultureInfo.CurrentUICulture;
        var subject = Clean(problem?.Subject);
        var key = "Reason_" + reason;
        var template = (subject is null ? Get(Resources, key + "_Generic") : null) ?? Get(Resources, key) ?? reason.ToString();
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

        return detailKey is null ? text : text + " " + string.Format(culture, Get(Shared, detailKey)!, args);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Get(ResourceManager resources, string key) => resources.GetString(key, CultureInfo.CurrentUICulture);
}
