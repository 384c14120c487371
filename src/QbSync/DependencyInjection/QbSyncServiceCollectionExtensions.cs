using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Telemetry;
using QbSync.DependencyInjection;
using QbSync.Diagnostics;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;

namespace QbSync;

/// <summary>Registers QbSync's services in an <see cref="IServiceCollection"/>.</summary>
public static class QbSyncServiceCollectionExtensions
{
    /// <summary>The name of the QBO data client in <c>IHttpClientFactory</c>: configure it with
    /// <c>services.AddHttpClient(HttpClientName)</c>. Its logs are under the category <c>QbSync.QuickBooks.Http</c>.</summary>
    public const string HttpClientName = "QbSync.QuickBooks";

    /// <summary>
    /// Registers the typed <see cref="QuickBooksClient"/> over <c>IHttpClientFactory</c>, with OAuth 2.0
    /// (<see cref="QuickBooksTokenManager"/>, <see cref="QuickBooksOAuthClient"/>, an <see cref="ITokenStore"/>
    /// that defaults to <see cref="InMemoryTokenStore"/>) and its pipeline, outermost first: the bearer token with one
    /// refresh and resend on 401; retries and timeouts (Polly v8); the per-realm throttle. Options are validated when
    /// the host starts. Calling it again only applies the extra configuration.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the client options.</param>
    /// <param name="configureOAuth">Configures the OAuth options (client id and secret are required).</param>
    /// <returns>The HTTP client builder, to add handlers or replace the primary handler.</returns>
    public static IHttpClientBuilder AddQuickBooksClient(
        this IServiceCollection services,
        Action<QuickBooksClientOptions>? configure = null,
        Action<QuickBooksOAuthOptions>? configureOAuth = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<QuickBooksClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var oauth = services.AddOptions<QuickBooksOAuthOptions>();
        if (configureOAuth is not null)
        {
            oauth.Configure(configureOAuth);
        }

        return AddQuickBooksClientCore(services);
    }

    /// <summary>
    /// Registers the typed <see cref="QuickBooksClient"/>, binding its options from configuration: the section holds
    /// <see cref="QuickBooksClientOptions"/>, and its <c>OAuth</c> child holds <see cref="QuickBooksOAuthOptions"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section, for example <c>QbSync:QuickBooks</c>.</param>
    /// <returns>The HTTP client builder.</returns>
    public static IHttpClientBuilder AddQuickBooksClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<QuickBooksClientOptions>().Bind(section);
        services.AddOptions<QuickBooksOAuthOptions>().Bind(section.GetSection("OAuth"));
        return AddQuickBooksClientCore(services);
    }

    private static IHttpClientBuilder AddQuickBooksClientCore(IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(QuickBooksClientMarker)))
        {
            return services.AddHttpClient<QuickBooksClient>(HttpClientName);
        }

        services.AddSingleton<QuickBooksClientMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<QuickBooksClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuickBooksClientOptions>, QuickBooksClientOptionsAttributeValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuickBooksClientOptions>, QuickBooksClientOptionsValidator>());
        services.TryAddSingleton<RealmThrottle>();
        // The per-process limiter unless a shared budget store (several processes, one QBO company) is registered.
        services.TryAddSingleton<IRealmRequestThrottle>(static sp => sp.GetService<IRealmRequestBudgetStore>() is { } budget
            ? ActivatorUtilities.CreateInstance<SharedRealmThrottle>(sp, budget)
            : sp.GetRequiredService<RealmThrottle>());
        services.TryAddTransient<RealmThrottleHandler>();
        services.AddQuickBooksAuthenticationCore();

        // Metrics from the host's IMeterFactory (AddMetrics is idempotent; the generic host has already called it).
        services.AddMetrics();
        services.TryAddSingleton<QbSyncMetrics>();

        // Named so that its logs are QbSync's: the default HttpClient loggers (category
        // System.Net.Http.HttpClient.<name>.*) are replaced by one under QbSync.QuickBooks.Http, at Debug per attempt.
        var builder = services.AddHttpClient<QuickBooksClient>(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.RemoveAllLoggers().AddLogger(static sp => new QuickBooksHttpLogger(sp.GetRequiredService<ILoggerFactory>()));
        // Outermost: a 401 refreshes once and resends through the whole pipeline; retries never repeat the refresh.
        builder.AddHttpMessageHandler<QuickBooksAuthenticationHandler>();
        builder.AddResilienceHandler(QuickBooksResilience.PipelineName, static (pipeline, context) => QuickBooksResilience.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<QuickBooksClientOptions>>().Value,
            context.ServiceProvider.GetRequiredService<TimeProvider>(),
            context.ServiceProvider.GetService<QbSyncMetrics>(),
            context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value));
        builder.AddHttpMessageHandler<RealmThrottleHandler>();
        // Innermost: the bearer token is attached per attempt, after the retry delays and the throttle queue.
        builder.AddHttpMessageHandler<QuickBooksBearerTokenHandler>();
        return builder;
    }

    private sealed class QuickBooksClientMarker;
}
