using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.AspNetCore.OAuth;

/// <summary>connect, callback, disconnect.</summary>
internal static partial class OAuthEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/connect", ConnectAsync).WithName("QbSyncConnect");
        group.MapGet("/callback", CallbackAsync).AddEndpointFilter<ProblemPageForBrowsersFilter>().WithName("QbSyncCallback");
        group.MapPost("/disconnect", (Delegate)DisconnectAsync).AddEndpointFilter<RequireJsonForChangesFilter>().WithName("QbSyncDisconnect");
    }

    /// <summary>Sends the owner to Intuit with a fresh state bound to them and their firm.</summary>
    private static async Task<IResult> ConnectAsync(HttpContext context, string? returnUrl)
    {
        var actor = await QbSyncRequest.ActorAsync(context).ConfigureAwait(false);
        var policy = context.RequestServices.GetRequiredService<ISyncAuthorizationPolicy>();
        if (!policy.IsAllowed(actor, SyncAction.ConnectCompany))
        {
            throw new SyncAuthorizationException(actor, SyncAction.ConnectCompany);
        }

        var states = context.RequestServices.GetRequiredService<OAuthStateStore>();
        var state = await states.CreateAsync(actor, IsLocal(returnUrl) ? returnUrl : null, context.RequestAborted).ConfigureAwait(false);
        var url = context.RequestServices.GetRequiredService<QuickBooksOAuthClient>().GetAuthorizationUrl(state);
        Log.ConnectStarted(Logger(context), actor.FirmId, actor.UserId);
        return TypedResults.Redirect(url.AbsoluteUri);
    }

    /// <summary>Intuit's redirect: checks the state (single use, unexpired, same firm and user), exchanges the code and
    /// connects the firm.</summary>
    private static async Task<IResult> CallbackAsync(HttpContext context, string? code, string? state, string? realmId, string? error)
    {
        var actor = await QbSyncRequest.ActorAsync(context).ConfigureAwait(false);
        var states = context.RequestServices.GetRequiredService<OAuthStateStore>();
        var entry = await states.TakeAsync(state, context.RequestAborted).ConfigureAwait(false);
        if (entry is null || entry.FirmId != actor.FirmId || entry.UserId != actor.UserId)
        {
            Log.StateRefused(Logger(context), actor.FirmId, actor.UserId);
            return QbSyncProblems.Create(StatusCodes.Status400BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
        }

        ProblemPageForBrowsersFilter.SetWayBack(context, entry.ReturnUrl);

        if (!string.IsNullOrEmpty(error))
        {
            var cancelled = QbSyncProblems.Create(StatusCodes.Status400BadRequest, QbSyncProblemTypes.ConnectCancelled, error.Length > 100 ? error[..100] : error);
            return cancelled;
        }

        if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(realmId))
        {
            throw new BadRequestException("code and realmId are required.");
        }

        var service = context.RequestServices.GetRequiredService<IAccountSyncService>();
        FirmSyncSettings settings;
        try
        {
            settings = await service.ConnectCompanyAsync(actor, realmId, code, context.RequestAborted).ConfigureAwait(false);
        }
        catch (QuickBooksOAuthException refused)
        {
            Log.CodeRefused(Logger(context), actor.FirmId, refused.Error ?? "?");
            return QbSyncProblems.CodeRefused(refused);
        }

        return entry.ReturnUrl is { } returnUrl
            ? TypedResults.LocalRedirect(returnUrl)
            : TypedResults.Json(settings, QbSyncJsonContext.Default.FirmSyncSettings);
    }

    private static async Task<IResult> DisconnectAsync(HttpContext context)
    {
        var actor = await QbSyncRequest.ActorAsync(context).ConfigureAwait(false);
        var settings = await context.RequestServices.GetRequiredService<IAccountSyncService>().DisconnectCompanyAsync(actor, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(settings, QbSyncJsonContext.Default.FirmSyncSettings);
    }

    /// <summary>Only paths of this site: <c>/x</c>, never <c>//host</c> or <c>/\host</c>.</summary>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("QbSync.AspNetCore.OAuth");

    private static partial class Log
    {
        [LoggerMessage(2812, LogLevel.Warning, "Firm {FirmId}: Intuit refused the authorization code ({Error})")]
        public static partial void CodeRefused(ILogger logger, string firmId, string error);

        [LoggerMessage(2810, LogLevel.Information, "Firm {FirmId}: user {UserId} started connecting QuickBooks")]
        public static partial void ConnectStarted(ILogger logger, string firmId, string userId);

        [LoggerMessage(2811, LogLevel.Warning, "Firm {FirmId}: a QuickBooks callback for user {UserId} had an unknown, used, expired or foreign state")]
        public static partial void StateRefused(ILogger logger, string firmId, string userId);
    }
}
