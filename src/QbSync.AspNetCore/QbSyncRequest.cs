using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace QbSync.AspNetCore;

/// <summary>Per-request helpers of QbSync's endpoints.</summary>
internal static class QbSyncRequest
{
    /// <summary>The request's actor; throws <see cref="NoActorException"/> (401 or 403) when there is none.</summary>
    public static async Task<SyncActor> ActorAsync(HttpContext context)
    {
        var resolver = context.RequestServices.GetRequiredService<ISyncActorResolver>();
        return await resolver.ResolveAsync(context, context.RequestAborted).ConfigureAwait(false) ?? throw new NoActorException();
    }

    /// <summary>Reads a JSON body, or <paramref name="empty"/> when there is none.</summary>
    public static async Task<T> BodyAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, T? empty = null)
        where T : class
    {
        if (context.Request.ContentLength == 0 && empty is not null)
        {
            return empty;
        }

        RequireJson(context);
        var body = await context.Request.ReadFromJsonAsync(type, context.RequestAborted).ConfigureAwait(false);
        return body ?? empty ?? throw new BadRequestException("A JSON body is required.");
    }

    /// <summary>State-changing requests must say they are JSON: a cross-site HTML form cannot, so a signed-in user's
    /// cookie cannot be used to change anything from another site.</summary>
    public static void RequireJson(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new BadRequestException("The request must have Content-Type: application/json.", StatusCodes.Status415UnsupportedMediaType);
        }
    }
}

/// <summary>The request has no actor (not signed in, or no firm, user id or role).</summary>
internal sealed class NoActorException : Exception
{
    public NoActorException()
        : base("The request has no QbSync actor.")
    {
    }
}

/// <summary>Requires JSON on state-changing requests (see <see cref="QbSyncRequest.RequireJson"/>).</summary>
internal sealed class RequireJsonForChangesFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var method = context.HttpContext.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
        {
            QbSyncRequest.RequireJson(context.HttpContext);
        }

        return next(context);
    }
}
