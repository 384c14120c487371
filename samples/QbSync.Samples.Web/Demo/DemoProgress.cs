using QbSync.AspNetCore;
using QbSync.Stores;

namespace QbSync.Samples.Web.Demo;

/// <summary>Counts of the firm's accounts for the progress indicator.</summary>
public static class DemoProgress
{
    public static async Task<IResult> GetAsync(HttpContext context, ISyncActorResolver actors, IAccountStore store)
    {
        if (await actors.ResolveAsync(context, context.RequestAborted) is not { } actor)
        {
            return Results.Forbid();
        }

        var (total, syncing, pending) = await CountAsync(store, actor.FirmId, context.RequestAborted);
        return Results.Json(new { total, syncing, pending });
    }

    /// <summary>The accounts of the first sync (every account but those left <see cref="SyncStatus.NotSynced"/> with
    /// nothing due: out of the firm's scope, or waiting for a person), those in Syncing, and those due that have not
    /// started.</summary>
    public static async Task<(int Total, int Syncing, int Pending)> CountAsync(IAccountStore store, string firmId, CancellationToken cancellationToken)
    {
        int total = 0, syncing = 0, pending = 0;
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 500, ContinuationToken = token }, cancellationToken);
            foreach (var record in page.Items)
            {
                if (record.Status == SyncStatus.NotSynced && record.NextAttemptAt is null)
                {
                    continue;
                }

                total++;
                syncing += record.Status == SyncStatus.Syncing ? 1 : 0;
                pending += record.Status == SyncStatus.NotSynced && record.NextAttemptAt is not null ? 1 : 0;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return (total, syncing, pending);
    }
}
