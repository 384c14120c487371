using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.Sync.Scenarios;

/// <summary>The sync engine wired through AddQbSync against the QBO fake, on a fake clock.</summary>
internal sealed class SyncHarness : IDisposable
{
    public const string Firm = "firm-1";
    public const string OtherFirm = "firm-2";
    public const string Realm = "9130350000000001";

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;
    private readonly bool _ownsFake;

    public SyncHarness(
        Action<QuickBooksOnlineFakeOptions>? fake = null,
        Action<QbSyncOptions>? sync = null,
        IAccountStore? store = null,
        QuickBooksOnlineFake? sharedFake = null,
        FakeTimeProvider? sharedTime = null,
        string workerId = "worker-1",
        bool connect = true,
        Action<IServiceCollection>? services = null,
        Action<QbSync.QuickBooks.QuickBooksClientOptions>? client = null,
        string realm = Realm)
    {
        RealmId = realm;
        Time = sharedTime ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        _ownsFake = sharedFake is null;
        Qbo = sharedFake ?? QuickBooksOnlineFake.Start(o =>
        {
            o.TimeProvider = Time;
            fake?.Invoke(o);
        });
        Company = Qbo.Company(realm);
        Store = store ?? DefaultStore?.Invoke() ?? new InMemoryAccountStore();

        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddSingleton(Store);
        collection.AddSingleton<ITokenStore>(Tokens);
        collection.AddSingleton<ISyncNotifier>(Notifier);
        collection.AddQbSync(
            o =>
            {
                o.WorkerId = workerId;
                o.RetryBackoff = TimeSpan.FromSeconds(30);
                o.LeaseDuration = TimeSpan.FromMinutes(5);
                sync?.Invoke(o);
            },
            options =>
            {
                options.BaseUrl = new Uri(Qbo.BaseUrl);
                options.MaxRetryAttempts = 0; // the engine's own retries are under test
                options.EnableThrottling = true;
                client?.Invoke(options);
            },
            oauth =>
            {
                oauth.ClientId = "test-client-id";
                oauth.ClientSecret = "test-client-secret";
                oauth.TokenEndpoint = new Uri(Qbo.TokenEndpoint);
                oauth.RevocationEndpoint = new Uri(Qbo.RevocationEndpoint);
                oauth.RedirectUri = new Uri("https://app.example.com/qbo/callback");
            });
        services?.Invoke(collection);
        _provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _scope = _provider.CreateAsyncScope();
        Service = _scope.ServiceProvider.GetRequiredService<IAccountSyncService>();

        if (connect)
        {
            Tokens.SaveAsync(realm, new QuickBooksTokenSet
            {
                AccessToken = "access-token",
                AccessTokenExpiresAt = Time.GetUtcNow().AddDays(400),
                RefreshToken = "refresh-token",
                RefreshTokenExpiresAt = Time.GetUtcNow().AddDays(400),
            }).AsTask().GetAwaiter().GetResult();
            Store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = Firm, RealmId = realm }, 0).GetAwaiter().GetResult();
        }
    }

    /// <summary>The store a harness gets when the test passes none: in-memory here; the SQLite and PostgreSQL test
    /// projects compile these scenarios again and set it, so that every scenario runs once per store.</summary>
    public static Func<IAccountStore>? DefaultStore { get; set; }

    public FakeTimeProvider Time { get; }

    public string RealmId { get; }

    public QuickBooksOnlineFake Qbo { get; }

    public FakeCompany Company { get; }

    public IAccountStore Store { get; }

    public InMemoryTokenStore Tokens { get; } = new();

    public RecordingNotifier Notifier { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public IAccountSyncService Service { get; }

    public IServiceProvider Services => _scope.ServiceProvider;

    public SyncActor Owner { get; } = SyncActor.User(Firm, "owner-1", FirmRole.Owner);

    public SyncActor Admin { get; } = SyncActor.User(Firm, "admin-1", FirmRole.Admin);

    public SyncActor Employee { get; } = SyncActor.User(Firm, "employee-1", FirmRole.Employee);

    /// <summary>QBO data requests (token requests excluded).</summary>
    public IReadOnlyList<RecordedRequest> QboRequests =>
        Qbo.Journal.Requests.Where(r => r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).ToList();

    public Task<AccountSyncState> AddAccountAsync(string accountId, string name, bool hasBillingActivity = true) =>
        Service.RegisterAccountAsync(Firm, new AccountInfo(accountId, name, hasBillingActivity));

    public string CustomerId(string displayName) =>
        Company.Customers.Single(c => c["DisplayName"]!.GetValue<string>() == displayName)["Id"]!.GetValue<string>();

    public void Dispose()
    {
        _scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _provider.Dispose();
        if (_ownsFake)
        {
            Qbo.Dispose();
        }
    }
}

internal sealed class RecordingNotifier : ISyncNotifier
{
    public System.Collections.Concurrent.ConcurrentQueue<(string FirmId, AccountSyncState State)> Failures { get; } = new();

    public ValueTask AccountFailedAsync(string firmId, AccountSyncState state, CancellationToken cancellationToken = default)
    {
        Failures.Enqueue((firmId, state));
        return ValueTask.CompletedTask;
    }
}
