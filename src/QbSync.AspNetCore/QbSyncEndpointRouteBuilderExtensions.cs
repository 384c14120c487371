using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using QbSync.AspNetCore.Api;
using QbSync.AspNetCore.OAuth;
using QbSync.AspNetCore.Webhooks;

namespace QbSync.AspNetCore;

/// <summary>The three endpoint groups <c>MapQbSync</c> mounted; secure each with your own policies
/// (<c>RequireAuthorization</c>, rate limiting, CORS…).</summary>
/// <param name="OAuth"><c>{prefix}/oauth</c>: <c>GET connect</c>, <c>GET callback</c>, <c>POST disconnect</c>.</param>
/// <param name="Webhooks"><c>{prefix}/webhooks</c>: <c>POST</c> from Intuit (anonymous; the signature is the check).</param>
/// <param name="Api"><c>{prefix}/api</c>: the JSON API of the accounts screens.</param>
public sealed record QbSyncEndpointGroups(RouteGroupBuilder OAuth, RouteGroupBuilder Webhooks, RouteGroupBuilder Api);

/// <summary>Mounts QbSync's endpoints. Register the services first with <c>AddQbSync(...).AddAspNetCore()</c>.</summary>
public static class QbSyncEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Mounts the OAuth, webhook and JSON API groups under <paramref name="prefix"/>. Every endpoint answers QbSync's
    /// exceptions as ProblemDetails (<see cref="QbSyncProblemTypes"/>) and writes enums as strings; state-changing
    /// calls must be <c>application/json</c> (a cross-site form cannot send that).
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The path prefix.</param>
    /// <returns>The groups, to add authorization policies and other conventions to.</returns>
    public static QbSyncEndpointGroups MapQbSync(this IEndpointRouteBuilder endpoints, string prefix = "/qbsync")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        return new QbSyncEndpointGroups(
            endpoints.MapQbSyncOAuth(prefix + "/oauth"),
            endpoints.MapQbSyncWebhooks(prefix + "/webhooks"),
            endpoints.MapQbSyncApi(prefix + "/api"));
    }

    /// <summary>Mounts <c>GET connect?returnUrl=/local/path</c> (owner: redirects to Intuit with a single-use,
    /// expiring state bound to the owner and firm), <c>GET callback</c> (Intuit's redirect: checks the state,
    /// exchanges the code, connects the firm, then redirects to the return URL or answers the settings) and
    /// <c>POST disconnect</c>. The callback path must be the app's registered redirect URI.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The group's path.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapQbSyncOAuth(this IEndpointRouteBuilder endpoints, string prefix = "/qbsync/oauth")
    {
        var group = Group(endpoints, prefix);
        OAuthEndpoints.Map(group);
        return group;
    }

    /// <summary>Mounts the webhook receiver (<c>POST</c>): verifies <c>intuit-signature</c> in constant time (legacy and
    /// CloudEvents bodies), finds each realm's firm, records the events in the <c>IQuickBooksEventInbox</c> (once per
    /// event id) and answers 200 at once; <see cref="QuickBooksWebhookProcessor"/> applies them. Anonymous by design.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The group's path (the webhook URL registered at Intuit).</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapQbSyncWebhooks(this IEndpointRouteBuilder endpoints, string prefix = "/qbsync/webhooks")
    {
        var group = Group(endpoints, prefix);
        group.AllowAnonymous();
        WebhookEndpoints.Map(group);
        return group;
    }

    /// <summary>Mounts the JSON API: <c>GET accounts?status=&amp;pageSize=&amp;continuationToken=</c>,
    /// <c>GET accounts/{id}</c>, <c>GET accounts/{id}/history</c>, <c>GET accounts/{id}/customers?search=&amp;skip=&amp;take=</c>,
    /// <c>GET accounts/{id}/suggestions</c>, <c>POST accounts/{id}/sync|unsync|link|reactivate|create-customer</c>,
    /// <c>GET problems</c>, <c>GET|PUT settings</c>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The group's path.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapQbSyncApi(this IEndpointRouteBuilder endpoints, string prefix = "/qbsync/api")
    {
        var group = Group(endpoints, prefix);
        ApiEndpoints.Map(group);
        return group;
    }

    private static RouteGroupBuilder Group(IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter<QbSyncProblemFilter>();
        group.WithTags("QbSync");
        return group;
    }
}
