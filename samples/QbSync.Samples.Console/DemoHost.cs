using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QbSync.Sqlite;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Samples.ConsoleHost;

/// <summary>
/// The demo's host: the QuickBooks Online fake (in OAuth mode, so the owner really connects with an authorization
/// code) and the sync engine wired with <c>AddQbSync</c>, the way an application would wire it against Intuit.
/// </summary>
internal sealed class DemoHost : IDisposable
{
    public const string FirmId = "firm-harbor";
    public const string RealmId = "9341453050298765";

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private DemoHost(QuickBooksOnlineFake qbo, ServiceProvider provider)
    {
        Qbo = qbo;
        _provider = provider;
        _scope = provider.CreateAsyncScope();
        Sync = _scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        Billing = _scope.ServiceProvider.GetRequiredService<QbSync.Billing.IBillingSyncService>();
    }

    /// <summary>The fake QuickBooks Online (stands in for https://quickbooks.api.intuit.com and Intuit's OAuth).</summary>
    public QuickBooksOnlineFake Qbo { get; }

    /// <summary>The firm's QBO company inside the fake.</summary>
    public FakeCompany Company => Qbo.Company(RealmId);

    /// <summary>The sync engine: the only way the demo touches accounts.</summary>
    public IAccountSyncService Sync { get; }

    /// <summary>Invoices and payments of synced accounts.</summary>
    public QbSync.Billing.IBillingSyncService Billing { get; }

    public SyncActor Owner { get; } = SyncActor.User(FirmId, "olivia.owner", FirmRole.Owner);

    public SyncActor Admin { get; } = SyncActor.User(FirmId, "adam.admin", FirmRole.Admin);

    public SyncActor Employee { get; } = SyncActor.User(FirmId, "emma.employee", FirmRole.Employee);

    /// <summary>The demo's embedded database: a new one every run, left behind for a look with the sqlite3 tool.</summary>
    public static string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), "qbsync-demo.db");

    public static DemoHost Start(DemoArguments arguments)
    {
        var qbo = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
        try
        {
            var services = new ServiceCollection();
            services.AddLogging(logging => logging
                .AddSimpleConsole(c => c.SingleLine = true)
                .SetMinimumLevel(arguments.Verbose ? LogLevel.Information : LogLevel.Error));
            services
                .AddQbSync(
                    sync => sync.WorkerId = "console-demo",
                    client => client.BaseUrl = new Uri(qbo.BaseUrl), // without it: Intuit's sandbox URL (QuickBooksEnvironment.Sandbox is the default)
                    oauth =>
                    {
                        // Your app's keys from developer.intuit.com; the fake accepts these.
                        oauth.ClientId = qbo.OAuth.ClientId;
                        oauth.ClientSecret = qbo.OAuth.ClientSecret;
                        oauth.RedirectUri = new Uri("http://localhost:5000/qbo/callback");
                        oauth.TokenEndpoint = new Uri(qbo.TokenEndpoint);
                        oauth.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
                    })
                .UseStore(arguments.Store);
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
            return new DemoHost(qbo, provider);
        }
        catch
        {
            qbo.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _provider.Dispose();
        Qbo.Dispose();
    }
}

internal static class StoreSelection
{
    /// <summary>Picks the account store: the one line that changes between stores.</summary>
    public static IQbSyncBuilder UseStore(this IQbSyncBuilder builder, StoreKind store)
    {
        switch (store)
        {
            case StoreKind.Memory:
                return builder.UseInMemoryStore();
            case StoreKind.Sqlite:
                foreach (var file in new[] { DemoHost.DatabasePath, DemoHost.DatabasePath + "-wal", DemoHost.DatabasePath + "-shm" })
                {
                    File.Delete(file);
                }

                return builder.UseSqliteStore("Data Source=" + DemoHost.DatabasePath);
            default:
                throw new NotSupportedException($"The {store} store is not available.");
        }
    }
}
