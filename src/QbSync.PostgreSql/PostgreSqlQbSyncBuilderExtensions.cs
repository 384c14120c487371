using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Stores;

namespace QbSync.PostgreSql;

/// <summary>Registration of the PostgreSQL stores.</summary>
public static class PostgreSqlQbSyncBuilderExtensions
{
    /// <summary>
    /// Keeps accounts, history, firm settings, billing documents, webhook events and QuickBooks tokens in a PostgreSQL
    /// schema shared by every process of the app: registers <see cref="PostgreSqlAccountStore"/> as the <see cref="IAccountStore"/>,
    /// <see cref="PostgreSqlTokenStore"/> as the <see cref="ITokenStore"/>,
    /// <see cref="PostgreSqlBillingDocumentStore"/> as the <see cref="IBillingDocumentStore"/>,
    /// <see cref="PostgreSqlQuickBooksEventInbox"/> as the <see cref="IQuickBooksEventInbox"/> and (unless
    /// <see cref="PostgreSqlStoreOptions.ShareRequestBudget"/> is off) <see cref="PostgreSqlRequestBudgetStore"/> as the
    /// <see cref="IRealmRequestBudgetStore"/>, as singletons over one connection pool, replacing earlier registrations.
    /// The schema is migrated at first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Configures the other options (schema, shared budget), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UsePostgreSqlStore(this IQbSyncBuilder builder, string connectionString, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSqlStore(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Keeps accounts, history, firm settings and QuickBooks tokens in a PostgreSQL schema reached through a data source
    /// the application owns (see <see cref="UsePostgreSqlStore(IQbSyncBuilder, string, Action{PostgreSqlStoreOptions})"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source; the application disposes it.</param>
    /// <param name="configure">Configures the other options (schema, shared budget), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UsePostgreSqlStore(this IQbSyncBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UsePostgreSqlStore(options =>
        {
            options.DataSource = dataSource;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Keeps accounts, history, firm settings and QuickBooks tokens in a PostgreSQL schema configured by
    /// <paramref name="configure"/> (see <see cref="UsePostgreSqlStore(IQbSyncBuilder, string, Action{PostgreSqlStoreOptions})"/>).
    /// The options are validated at start-up.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UsePostgreSqlStore(this IQbSyncBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<PostgreSqlStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());

        services.RemoveAll<PostgreSqlDatabase>();
        services.RemoveAll<PostgreSqlAccountStore>();
        services.RemoveAll<PostgreSqlTokenStore>();
        services.RemoveAll<PostgreSqlRequestBudgetStore>();
        services.RemoveAll<PostgreSqlBillingDocumentStore>();
        services.RemoveAll<PostgreSqlQuickBooksEventInbox>();
        services.AddSingleton(sp => new PostgreSqlDatabase(sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value, "options"));
        services.AddSingleton(sp => new PostgreSqlAccountStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.AddSingleton(sp => new PostgreSqlTokenStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false, sp.GetService<ITokenProtector>()));
        services.AddSingleton(sp => new PostgreSqlRequestBudgetStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.AddSingleton(sp => new PostgreSqlBillingDocumentStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.AddSingleton(sp => new PostgreSqlQuickBooksEventInbox(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));

        services.RemoveAll<IAccountStore>();
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<PostgreSqlAccountStore>());
        services.RemoveAll<ITokenStore>();
        services.AddSingleton<ITokenStore>(sp => sp.GetRequiredService<PostgreSqlTokenStore>());
        services.RemoveAll<IBillingDocumentStore>();
        services.AddSingleton<IBillingDocumentStore>(sp => sp.GetRequiredService<PostgreSqlBillingDocumentStore>());
        services.RemoveAll<IQuickBooksEventInbox>();
        services.AddSingleton<IQuickBooksEventInbox>(sp => sp.GetRequiredService<PostgreSqlQuickBooksEventInbox>());
        services.RemoveAll<IRealmRequestBudgetStore>();
        // Resolves to null when the budget is not shared: the client then keeps its per-process throttle.
        services.AddSingleton<IRealmRequestBudgetStore>(sp => sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ShareRequestBudget
            ? sp.GetRequiredService<PostgreSqlRequestBudgetStore>()
            : null!);
        return builder;
    }
}
