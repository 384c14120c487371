using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Sync.Steps;

namespace QbSync;

/// <summary>Configures QbSync after <c>AddQbSync</c>: the store, the background worker, the policy.</summary>
public interface IQbSyncBuilder
{
    /// <summary>The services.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Registration of the sync engine.</summary>
public static class QbSyncBuilderExtensions
{
    /// <summary>
    /// Registers the sync engine (<see cref="IAccountSyncService"/>) and the QuickBooks client it uses. The host
    /// chooses the store: call <see cref="UseInMemoryStore"/>, a SQL store's <c>Use…Store</c>, or register your own
    /// <see cref="IAccountStore"/>. Options are validated at start-up; calling it again only adds configuration.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the sync options.</param>
    /// <param name="configureClient">Configures the QuickBooks client options.</param>
    /// <param name="configureOAuth">Configures the OAuth options (client id and secret are required).</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder AddQbSync(
        this IServiceCollection services,
        Action<QbSyncOptions>? configure = null,
        Action<QuickBooksClientOptions>? configureClient = null,
        Action<QuickBooks.Authentication.QuickBooksOAuthOptions>? configureOAuth = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<QbSyncOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddQuickBooksClient(configureClient, configureOAuth);
        return AddCore(services);
    }

    /// <summary>Registers the sync engine with options bound from configuration: <c>Sync</c> holds
    /// <see cref="QbSyncOptions"/> and <c>QuickBooks</c> (with <c>QuickBooks:OAuth</c>) the client's.</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section, for example <c>QbSync</c>.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder AddQbSync(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<QbSyncOptions>().Bind(section.GetSection("Sync"));
        services.AddQuickBooksClient(section.GetSection("QuickBooks"));
        return AddCore(services);
    }

    /// <summary>Keeps accounts, billing documents and the webhook event inbox in memory (tests, demos, single-process
    /// hosts that rebuild state at start).</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseInMemoryStore(this IQbSyncBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IAccountStore>();
        builder.Services.AddSingleton<IAccountStore, InMemoryAccountStore>();
        builder.Services.RemoveAll<IBillingDocumentStore>();
        builder.Services.AddSingleton<IBillingDocumentStore, InMemoryBillingDocumentStore>();
        builder.Services.RemoveAll<IQuickBooksEventInbox>();
        builder.Services.AddSingleton<IQuickBooksEventInbox, InMemoryQuickBooksEventInbox>();
        return builder;
    }

    /// <summary>Runs pending work in the background (<see cref="SyncWorker"/>), for generic-host and ASP.NET hosts.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder AddBackgroundWorker(this IQbSyncBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<SyncWorker>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SyncWorker>(sp => sp.GetRequiredService<SyncWorker>()));
        return builder;
    }

    /// <summary>Replaces who may do what (the default is <see cref="OwnerOrAdminPolicy"/>).</summary>
    /// <typeparam name="TPolicy">The policy.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseAuthorizationPolicy<TPolicy>(this IQbSyncBuilder builder)
        where TPolicy : class, ISyncAuthorizationPolicy
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISyncAuthorizationPolicy>();
        builder.Services.AddSingleton<ISyncAuthorizationPolicy, TPolicy>();
        return builder;
    }

    private static Builder AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<QbSyncOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QbSyncOptions>, DependencyInjection.QbSyncOptionsValidator>());
        services.TryAddSingleton<ISyncAuthorizationPolicy>(OwnerOrAdminPolicy.Instance);
        services.TryAddSingleton<CustomerTypeCache>();
        services.TryAddSingleton<CustomerDirectoryCache>();
        services.TryAddSingleton<CustomerDecider>();
        services.TryAddSingleton<SyncWorkSignal>();
        services.TryAddSingleton<NameConflictResolver>();
        services.TryAddSingleton<AccountWork>();
        services.TryAddSingleton<AccountTransitions>();
        services.TryAddScoped<PendingWorkRunner>();
        services.TryAddScoped<LinkVerifier>();
        services.TryAddScoped<IAccountSyncService, AccountSyncService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccountStatusObserver, Diagnostics.MetricsAccountObserver>());
        AddBilling(services);
        return new Builder(services);
    }

    /// <summary>The billing engine. Everything that needs the document store is built by a factory, so a host that
    /// registers only an <see cref="IAccountStore"/> still starts (and gets a clear error when it asks for billing).</summary>
    private static void AddBilling(IServiceCollection services)
    {
        services.TryAddSingleton<Billing.BillingCatalogs>();
        services.TryAddSingleton(sp => new Billing.BillingTransitions(
            RequireBillingStore(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<QbSyncOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Billing.BillingTransitions>>(),
            sp.GetService<Diagnostics.QbSyncMetrics>()));
        services.TryAddScoped(sp => ActivatorUtilities.CreateInstance<Billing.PendingDocumentRunner>(sp, sp.GetRequiredService<Billing.BillingTransitions>()));
        services.TryAddScoped<Billing.IBillingSyncService>(sp => ActivatorUtilities.CreateInstance<Billing.BillingSyncService>(
            sp, RequireBillingStore(sp), sp.GetRequiredService<Billing.BillingTransitions>(), sp.GetRequiredService<Billing.PendingDocumentRunner>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccountStatusObserver, Billing.BillingAccountObserver>());
    }

    private static IBillingDocumentStore RequireBillingStore(IServiceProvider services) =>
        services.GetService<IBillingDocumentStore>()
        ?? throw new InvalidOperationException("Billing needs an IBillingDocumentStore: call UseInMemoryStore() or a SQL store's Use…Store(), or register your own.");

    private sealed class Builder(IServiceCollection services) : IQbSyncBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
