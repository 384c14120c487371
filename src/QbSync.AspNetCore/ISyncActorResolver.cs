using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace QbSync.AspNetCore;

/// <summary>
/// Turns the signed-in user of a request into the <see cref="SyncActor"/> the engine checks. Replace it (any lifetime:
/// it is resolved from the request's services) to read firms and roles from your own user model. Returning
/// <see langword="null"/> means "no rights": every QbSync endpoint then answers 401 or 403.
/// </summary>
public interface ISyncActorResolver
{
    /// <summary>The actor of the request's user.</summary>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The actor, or <see langword="null"/> when the user has no firm, id or known role.</returns>
    ValueTask<SyncActor?> ResolveAsync(HttpContext context, CancellationToken cancellationToken = default);
}

/// <summary>
/// The default <see cref="ISyncActorResolver"/>: reads the firm, user id and role from the user's claims (claim types
/// in <see cref="QbSyncAspNetCoreOptions"/>). A missing or empty claim, an unknown role, or an unauthenticated user
/// gives no actor. A user with several firm claims gets none either (the firm must be unambiguous).
/// </summary>
/// <param name="options">The claim types.</param>
public sealed class ClaimsSyncActorResolver(IOptions<QbSyncAspNetCoreOptions> options) : ISyncActorResolver
{
    /// <inheritdoc />
    public ValueTask<SyncActor?> ResolveAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(Resolve(context.User, options.Value));
    }

    private static SyncActor? Resolve(ClaimsPrincipal? user, QbSyncAspNetCoreOptions options)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var firms = user.FindAll(options.FirmIdClaimType).Select(c => c.Value).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var userId = user.FindFirst(options.UserIdClaimType)?.Value;
        var roles = user.FindAll(options.RoleClaimType)
            .Select(c => Enum.TryParse<FirmRole>(c.Value, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(c.Value, out _) ? role : (FirmRole?)null)
            .Where(r => r is not null)
            .Select(r => r!.Value)
            .ToList();
        if (firms.Count != 1 || string.IsNullOrEmpty(userId) || roles.Count == 0)
        {
            return null;
        }

        // Several roles: the strongest counts (Owner before Admin before Employee).
        return SyncActor.User(firms[0], userId, roles.Min());
    }
}
