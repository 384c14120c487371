using Microsoft.Extensions.DependencyInjection;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Adopters;

/// <summary>
/// What an adopter's test project writes once, whatever its test framework: the QuickBooks Online fake (in OAuth
/// mode, so only tokens it issued are accepted), QbSync wired against it with <c>AddQbSync</c> and the in-memory
/// store, and one firm connected to one company through a real authorization-code exchange. Compiled into each
/// adopter project (xunit v2, xunit v3, NUnit); it references no test framework itself.
/// </summary>
public sealed class SyncAgainstTheFake : IAsyncDisposable
{
    public const string FirmId = "firm-1";

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private SyncAgainstTheFake()
    {
        Fake = QuickBooksOnlineFake.Start(options => options.Authentication = FakeAuthenticationMode.OAuth);
        Company = Fake.CreateCompany();
        var services = new ServiceCollection().AddLogging();
        services.AddQbSync(
                sync => { },
                client =>
                {
                    client.BaseUrl = new Uri(Fake.BaseUrl);
                    client.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                },
                oauth =>
                {
                    oauth.ClientId = Fake.OAuth.ClientId;
                    oauth.ClientSecret = Fake.OAuth.ClientSecret;
                    oauth.RedirectUri = new Uri("http://localhost/callback");
                    oauth.TokenEndpoint = new Uri(Fake.TokenEndpoint);
                    oauth.RevocationEndpoint = new Uri(Fake.RevocationEndpoint);
                })
            .UseInMemoryStore();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _scope = _provider.CreateAsyncScope();
        Sync = _scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
    }

    public QuickBooksOnlineFake Fake { get; }

    public FakeCompany Company { get; }

    public IAccountSyncService Sync { get; }

    public SyncActor Owner { get; } = SyncActor.User(FirmId, "owner-1", FirmRole.Owner);

    /// <summary>Starts the fake and QbSync, and connects the firm to <see cref="Company"/>.</summary>
    public static async Task<SyncAgainstTheFake> StartAsync()
    {
        var harness = new SyncAgainstTheFake();
        try
        {
            await harness.Sync.ConnectCompanyAsync(harness.Owner, harness.Company.RealmId, harness.Fake.OAuth.CreateAuthorizationCode(harness.Company.RealmId));
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers an account with billing activity (so it is in the default sync scope).</summary>
    public Task<AccountSyncState> RegisterAsync(string accountId, string name) =>
        Sync.RegisterAccountAsync(FirmId, new AccountInfo(accountId, name, HasBillingActivity: true));

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _provider.DisposeAsync();
        Fake.Dispose();
    }
}
