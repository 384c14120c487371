using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QbSync.DependencyInjection;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;

namespace QbSync;

/// <summary>Registers QbSync's services in an <see cref="IServiceCollection"/>.</summary>
public static class QbSyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers the typed <see cref="QuickBooksClient"/> over <c>IHttpClientFactory</c> with its pipeline, outermost
    /// first: retries and timeouts (Polly v8), OAuth bearer with one refresh on 401, the per-realm throttle. Options
    /// are validated when the host starts. Calling it again only applies the extra configuration.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the client options.</param>
    /// <returns>The HTTP client builder, to add handlers or replace the primary handler.</returns>
    public static IHttpClientBuilder AddQuickBooksClient(this IServiceCollection services, Action<QuickBooksClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<QuickBooksClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddQuickBooksClientCore(services);
    }

    /// <summary>Registers the typed <see cref="QuickBooksClient"/>, binding its options from configuration.</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section holding <see cref="QuickBooksClientOptions"/> (for example <c>QbSync:QuickBooks</c>).</param>
    /// <returns>The HTTP client builder.</returns>
    public static IHttpClientBuilder AddQuickBooksClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<QuickBooksClientOptions>().Bind(section);
        return AddQuickBooksClientCore(services);
    }

    private static IHttpClientBuilder AddQuickBooksClientCore(IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(QuickBooksClientMarker)))
        {
            return services.AddHttpClient<QuickBooksClient>();
        }

        services.AddSingleton<QuickBooksClientMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<QuickBooksClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuickBooksClientOptions>, QuickBooksClientOptionsAttributeValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuickBooksClientOptions>, QuickBooksClientOptionsValidator>());
        services.TryAddSingleton<RealmThrottle>();
        services.TryAddTransient<RealmThrottleHandler>();

        var builder = services.AddHttpClient<QuickBooksClient>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler(QuickBooksResilience.PipelineName, static (pipeline, context) => QuickBooksResilience.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<QuickBooksClientOptions>>().Value,
            context.ServiceProvider.GetRequiredService<TimeProvider>()));
        builder.AddHttpMessageHandler<RealmThrottleHandler>();
        return builder;
    }

    private sealed class QuickBooksClientMarker;
}
