using System.Diagnostics;

namespace QbSync.Diagnostics;

/// <summary>Starts the spans of the sync steps with the same tag names everywhere (see docs/observability.md).</summary>
internal static class SyncActivities
{
    public const string FirmIdTag = "qbsync.firm_id";
    public const string AccountIdTag = "qbsync.account_id";
    public const string RealmIdTag = "qbsync.realm_id";
    public const string AccountNameTag = "qbsync.account_name";

    /// <summary>An action on one account (sync, link, create, unsync).</summary>
    public static Activity? StartAccount(string name, SyncAccountRecord record, bool includeNames)
    {
        var activity = QbSyncTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(FirmIdTag, record.FirmId);
            activity.SetTag(AccountIdTag, record.AccountId);
            if (includeNames)
            {
                activity.SetTag(AccountNameTag, record.AccountName);
            }
        }

        return activity;
    }

    /// <summary>A step over a firm's work (a run of pending work, a batch) or a realm's data (a directory read).</summary>
    public static Activity? Start(string name, string? firmId, string? realmId)
    {
        var activity = QbSyncTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is not null)
        {
            if (firmId is not null)
            {
                activity.SetTag(FirmIdTag, firmId);
            }

            if (realmId is not null)
            {
                activity.SetTag(RealmIdTag, realmId);
            }
        }

        return activity;
    }

    /// <summary>Tags the outcome of an account's step: its status and reason, an error status when it Failed.</summary>
    public static void SetOutcome(this Activity? activity, SyncStatus status, SyncReason reason)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("qbsync.status", status.ToString());
        activity.SetTag("qbsync.reason", reason.ToString());
        if (status == SyncStatus.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, reason.ToString());
        }
    }
}
