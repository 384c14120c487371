using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Stores;

namespace QbSync.Sqlite;

/// <summary>Registration of the SQLite stores.</summary>
public static class SqliteQbSyncBuilderExtensions
{
    /// <summary>
    /// Keeps accounts, billing documents, history, firm settings, QuickBooks tokens and the webhook event inbox in a
    /// SQLite database file: registers <see cref="SqliteAccountStore"/> as the <see cref="IAccountStore"/>,
    /// <see cref="SqliteBillingDocumentStore"/> as the <see cref="IBillingDocumentStore"/>, <see cref="SqliteTokenStore"/> as the
    /// <see cref="ITokenStore"/> and <see cref="SqliteQuickBooksEventInbox"/> as the <see cref="IQuickBooksEventInbox"/>
    /// (singletons, replacing earlier registrations). The schema is migrated at first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The connection string, for example <c>Data Source=/var/lib/app/qbsync.db</c>.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseSqliteStore(this IQbSyncBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqliteStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Keeps accounts, history, firm settings and QuickBooks tokens in a SQLite database file configured by
    /// <paramref name="configure"/> (see <see cref="UseSqliteStore(IQbSyncBuilder, string)"/>). The options are
    /// validated at start-up.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseSqliteStore(this IQbSyncBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqliteStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());

        services.RemoveAll<SqliteAccountStore>();
        services.RemoveAll<SqliteTokenStore>();
        services.RemoveAll<SqliteBillingDocumentStore>();
        services.AddSingleton(sp => new SqliteAccountStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value));
        services.AddSingleton(sp => new SqliteTokenStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value, sp.GetService<ITokenProtector>()));
        services.AddSingleton(sp => new SqliteBillingDocumentStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value));

        services.RemoveAll<IAccountStore>();
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteAccountStore>());
        services.RemoveAll<IBillingDocumentStore>();
        services.AddSingleton<IBillingDocumentStore>(sp => sp.GetRequiredService<SqliteBillingDocumentStore>());
        services.RemoveAll<ITokenStore>();
        services.AddSingleton<ITokenStore>(sp => sp.GetRequiredService<SqliteTokenStore>());
        services.RemoveAll<IQuickBooksEventInbox>();
        services.AddSingleton<IQuickBooksEventInbox>(sp => new SqliteQuickBooksEventInbox(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value));

        // The shared per-realm QBO budget, when asked for; null leaves the client its per-process throttle.
        services.RemoveAll<SqliteRequestBudgetStore>();
        services.AddSingleton(sp => new SqliteRequestBudgetStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value, sp.GetService<TimeProvider>()));
        services.RemoveAll<IRealmRequestBudgetStore>();
        services.AddSingleton<IRealmRequestBudgetStore>(sp => sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ShareRequestBudget
            ? sp.GetRequiredService<SqliteRequestBudgetStore>()
            : null!);
        return builder;
    }
}
