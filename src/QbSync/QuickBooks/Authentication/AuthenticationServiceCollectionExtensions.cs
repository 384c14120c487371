using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Authentication;

/// <summary>Registers the OAuth services. The public entry point binds the options and adds the handler to the data client.</summary>
internal static class AuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Registers, idempotently: <see cref="TimeProvider.System"/>, <see cref="InMemoryTokenStore"/> as
    /// <see cref="ITokenStore"/> (unless another store is registered), <see cref="QuickBooksTokenManager"/> and
    /// <see cref="QuickBooksOAuthClient"/> as singletons, the named HTTP client
    /// <see cref="QuickBooksOAuthClient.HttpClientName"/>, <see cref="QuickBooksAuthenticationHandler"/> as transient,
    /// and validation of <see cref="QuickBooksOAuthOptions"/> at startup.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddQuickBooksAuthenticationCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenStore, InMemoryTokenStore>();
        services.AddOptions<QuickBooksOAuthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuickBooksOAuthOptions>, QuickBooksOAuthOptionsValidator>());

        if (!services.Any(d => d.ServiceType == typeof(QuickBooksOAuthClient)))
        {
            // A named client, not a typed one: the client is a singleton and must not capture a transient HttpClient.
            // Its HTTP log is QbSync's too (category QbSync.QuickBooks.Http), as for the data client.
            services.AddHttpClient(QuickBooksOAuthClient.HttpClientName)
                .RemoveAllLoggers()
                .AddLogger(static sp => new Http.QuickBooksHttpLogger(sp.GetRequiredService<ILoggerFactory>()));
        }

        services.TryAddSingleton(sp => new QuickBooksOAuthClient(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<QuickBooksOAuthOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new QuickBooksTokenManager(
            sp.GetRequiredService<QuickBooksOAuthClient>(),
            sp.GetRequiredService<ITokenStore>(),
            sp.GetRequiredService<IOptions<QuickBooksOAuthOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<QuickBooksTokenManager>>())
        {
            Metrics = sp.GetService<Diagnostics.QbSyncMetrics>(),
        });
        services.TryAddTransient(sp => new QuickBooksAuthenticationHandler(
            sp.GetRequiredService<QuickBooksTokenManager>(),
            sp.GetService<ILogger<QuickBooksAuthenticationHandler>>()));
        services.TryAddTransient(sp => new QuickBooksBearerTokenHandler(sp.GetRequiredService<QuickBooksTokenManager>()));
        return services;
    }
}
