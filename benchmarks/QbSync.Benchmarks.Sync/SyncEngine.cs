using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Benchmarks.Sync;

/// <summary>The sync engine wired with AddQbSync against the QBO fake in OAuth mode (as the console sample does).</summary>
internal sealed class SyncEngine : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private SyncEngine(QuickBooksOnlineFake qbo, ServiceProvider provider)
    {
        Qbo = qbo;
        _provider = provider;
        _scope = provider.CreateAsyncScope();
        Service = _scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        Options = provider.GetRequiredService<IOptions<QbSyncOptions>>().Value;
    }

    public QuickBooksOnlineFake Qbo { get; }

    public IAccountSyncService Service { get; }

    public QbSyncOptions Options { get; }

    public static SyncEngine Start(BenchmarkArguments arguments)
    {
        var qbo = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
        qbo.Journal.Enabled = true;
        if (arguments.LatencyMs > 0)
        {
            qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(arguments.LatencyMs));
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbSync(
                sync =>
                {
                    sync.WorkerId = "benchmark";
                    if (arguments.ClaimBatchSize is { } claim)
                    {
                        sync.ClaimBatchSize = claim;
                    }

                    if (arguments.BulkThreshold is { } threshold)
                    {
                        sync.BulkThreshold = threshold;
                    }
                },
                client => client.BaseUrl = new Uri(qbo.BaseUrl),
                oauth =>
                {
                    oauth.ClientId = qbo.OAuth.ClientId;
                    oauth.ClientSecret = qbo.OAuth.ClientSecret;
                    oauth.RedirectUri = new Uri("http://localhost/qbo/callback");
                    oauth.TokenEndpoint = new Uri(qbo.TokenEndpoint);
                    oauth.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
                })
            .UseInMemoryStore();
        return new SyncEngine(qbo, services.BuildServiceProvider());
    }

    /// <summary>Connects a firm to a realm the way an owner does (authorization code).</summary>
    public async Task<SyncActor> ConnectAsync(string firmId, string realmId)
    {
        var owner = SyncActor.User(firmId, "owner", FirmRole.Owner);
        await Service.ConnectCompanyAsync(owner, realmId, Qbo.OAuth.CreateAuthorizationCode(realmId));
        return owner;
    }

    /// <summary>Accounting API requests of a realm so far (token requests excluded), by kind.</summary>
    public IReadOnlyDictionary<FakeRequestKind, int> DataRequests(string realmId) =>
        Qbo.Journal.Requests
            .Where(r => r.RealmId == realmId && r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke))
            .GroupBy(r => r.Kind)
            .ToDictionary(g => g.Key, g => g.Count());

    public void Dispose()
    {
        _scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _provider.Dispose();
        Qbo.Dispose();
    }
}
