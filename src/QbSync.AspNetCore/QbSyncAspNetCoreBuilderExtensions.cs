using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QbSync.AspNetCore.OAuth;
using QbSync.AspNetCore.Webhooks;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.AspNetCore;

/// <summary>Registration of QbSync's ASP.NET Core services.</summary>
public static class QbSyncAspNetCoreBuilderExtensions
{
    /// <summary>
    /// Registers what <c>MapQbSync</c> needs: the <see cref="ISyncActorResolver"/> (claims; replaceable), the
    /// server-side OAuth state (in <c>IDistributedCache</c>: in memory unless the host registers a shared one), the
    /// webhook inbox (in memory unless the store registered one, as <c>UseSqliteStore</c> does) and the
    /// <see cref="QuickBooksWebhookProcessor"/> as a hosted service. Options are validated at start-up.
    /// </summary>
    /// <param name="builder">The QbSync builder.</param>
    /// <param name="configure">Configures the options (claim types, webhook verifier token…).</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder AddAspNetCore(this IQbSyncBuilder builder, Action<QbSyncAspNetCoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<QbSyncAspNetCoreOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QbSyncAspNetCoreOptions>, QbSyncAspNetCoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddDistributedMemoryCache();
        services.TryAddSingleton<ISyncActorResolver, ClaimsSyncActorResolver>();
        services.TryAddSingleton<OAuthStateStore>();
        services.TryAddSingleton<RealmFirmLookup>();
        services.TryAddSingleton<IQuickBooksEventInbox, InMemoryQuickBooksEventInbox>();
        services.TryAddSingleton<QuickBooksWebhookProcessor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QuickBooksWebhookProcessor>(sp => sp.GetRequiredService<QuickBooksWebhookProcessor>()));
        return builder;
    }

    /// <summary>Replaces how the request's user becomes a <see cref="SyncActor"/>.</summary>
    /// <typeparam name="TResolver">The resolver (resolved from the request's services: any lifetime works).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="lifetime">Its lifetime.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseSyncActorResolver<TResolver>(this IQbSyncBuilder builder, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TResolver : class, ISyncActorResolver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISyncActorResolver>();
        builder.Services.Add(ServiceDescriptor.Describe(typeof(ISyncActorResolver), typeof(TResolver), lifetime));
        return builder;
    }

    /// <summary>
    /// Adds an <see cref="ISyncNotifier"/> that may be a scoped service (one that uses a <c>DbContext</c>, say). The
    /// engine holds notifiers in a singleton, so a notifier registered as scoped directly fails with a captive
    /// dependency; this registers a singleton adapter that resolves <typeparamref name="TNotifier"/> in a new scope
    /// for each call. Register singleton notifiers directly with <c>AddSingleton&lt;ISyncNotifier, T&gt;()</c>.
    /// </summary>
    /// <typeparam name="TNotifier">The notifier.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder AddScopedSyncNotifier<TNotifier>(this IQbSyncBuilder builder)
        where TNotifier : class, ISyncNotifier
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TNotifier>();
        builder.Services.AddSingleton<ISyncNotifier>(sp => new ScopedSyncNotifier<TNotifier>(sp.GetRequiredService<IServiceScopeFactory>()));
        return builder;
    }
}

/// <summary>Calls a scoped notifier in a scope of its own.</summary>
internal sealed class ScopedSyncNotifier<TNotifier>(IServiceScopeFactory scopes) : ISyncNotifier
    where TNotifier : class, ISyncNotifier
{
    public async ValueTask AccountFailedAsync(string firmId, AccountSyncState state, CancellationToken cancellationToken = default)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<TNotifier>().AccountFailedAsync(firmId, state, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Checks <see cref="QbSyncAspNetCoreOptions"/> at start-up.</summary>
internal sealed class QbSyncAspNetCoreOptionsValidator : IValidateOptions<QbSyncAspNetCoreOptions>
{
    public ValidateOptionsResult Validate(string? name, QbSyncAspNetCoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FirmIdClaimType) || string.IsNullOrWhiteSpace(options.UserIdClaimType) || string.IsNullOrWhiteSpace(options.RoleClaimType))
        {
            failures.Add("The firm, user id and role claim types are required.");
        }

        if (options.WebhookVerifierToken is { } token && token.Trim().Length < 8)
        {
            failures.Add("WebhookVerifierToken is too short to be Intuit's verifier token.");
        }

        if (options.OAuthStateLifetime <= TimeSpan.Zero || options.OAuthStateLifetime > TimeSpan.FromHours(1))
        {
            failures.Add("OAuthStateLifetime must be more than zero and at most one hour.");
        }

        if (options.WebhookMaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add("WebhookMaxBodyBytes must be from 1 KiB to 16 MiB.");
        }

        if (options.WebhookPollInterval <= TimeSpan.Zero || options.WebhookLeaseDuration <= TimeSpan.Zero)
        {
            failures.Add("WebhookPollInterval and WebhookLeaseDuration must be more than zero.");
        }

        if (options.WebhookMaxAttempts < 1 || options.WebhookBatchSize is < 1 or > 1000)
        {
            failures.Add("WebhookMaxAttempts must be at least 1 and WebhookBatchSize from 1 to 1000.");
        }

        if (string.IsNullOrWhiteSpace(options.ProcessorId))
        {
            failures.Add("ProcessorId is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
