using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>
/// The real <see cref="QuickBooksClient"/> (registered with <c>AddQuickBooksClient</c>, its whole pipeline: OAuth,
/// retries, per-realm throttle) pointed at a <see cref="QuickBooksOnlineFake"/> in OAuth mode, so that tokens are
/// obtained with a real code exchange and only tokens the fake issued are accepted. Retry delays are tiny.
/// </summary>
public sealed class FakeClientHarness : IDisposable
{
    public const string Realm = "9130350000000042";

    private readonly ServiceProvider _provider;

    private FakeClientHarness(
        Action<QuickBooksOnlineFakeOptions>? configureFake,
        Action<QuickBooksClientOptions>? configureClient,
        Action<QuickBooksOAuthOptions>? configureOAuth)
    {
        Fake = QuickBooksOnlineFake.Start(options =>
        {
            options.Authentication = FakeAuthenticationMode.OAuth;
            configureFake?.Invoke(options);
        });
        Company = Fake.Company(Realm);
        var services = new ServiceCollection();
        services.AddSingleton<ITokenStore>(Tokens);
        services.AddQuickBooksClient(
            options =>
            {
                options.BaseUrl = new Uri(Fake.BaseUrl);
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                options.ThrottledRetryDelay = TimeSpan.FromMilliseconds(5);
                options.AttemptTimeout = TimeSpan.FromSeconds(10);
                options.TotalTimeout = TimeSpan.FromSeconds(30);
                configureClient?.Invoke(options);
            },
            oauth =>
            {
                oauth.ClientId = Fake.OAuth.ClientId;
                oauth.ClientSecret = Fake.OAuth.ClientSecret;
                oauth.TokenEndpoint = new Uri(Fake.TokenEndpoint);
                oauth.RevocationEndpoint = new Uri(Fake.RevocationEndpoint);
                oauth.RedirectUri = new Uri("http://localhost/callback");
                oauth.TransientRetryDelay = TimeSpan.FromMilliseconds(1);
                configureOAuth?.Invoke(oauth);
            });
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Client = _provider.GetRequiredService<QuickBooksClient>();
        TokenManager = _provider.GetRequiredService<QuickBooksTokenManager>();
    }

    public QuickBooksOnlineFake Fake { get; }

    public FakeCompany Company { get; }

    public QuickBooksClient Client { get; }

    public QuickBooksTokenManager TokenManager { get; }

    public InMemoryTokenStore Tokens { get; } = new();

    /// <summary>Starts the fake and the client and connects <see cref="Realm"/> with a real authorization-code exchange.</summary>
    public static async Task<FakeClientHarness> StartAsync(
        Action<QuickBooksOnlineFakeOptions>? configureFake = null,
        Action<QuickBooksClientOptions>? configureClient = null,
        Action<QuickBooksOAuthOptions>? configureOAuth = null,
        bool connect = true)
    {
        var harness = new FakeClientHarness(configureFake, configureClient, configureOAuth);
        try
        {
            if (connect)
            {
                await harness.ConnectAsync(Realm);
            }

            return harness;
        }
        catch
        {
            harness.Dispose();
            throw;
        }
    }

    /// <summary>Connects a realm as the OAuth redirect would: a code from the fake, exchanged by the token manager.</summary>
    public Task ConnectAsync(string realmId) => TokenManager.ConnectAsync(realmId, Fake.OAuth.CreateAuthorizationCode(realmId));

    /// <summary>The tokens stored for <see cref="Realm"/>.</summary>
    public async Task<QuickBooksTokenSet> StoredTokensAsync() => (await Tokens.GetAsync(Realm))!;

    /// <summary>Requests the fake recorded for an API path ending (e.g. <c>/customer</c>), in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string pathEnding) =>
        [.. Fake.Journal.Requests.Where(r => r.Path.EndsWith(pathEnding, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Customers stored in the fake that hold the given name.</summary>
    public int CustomersNamed(string displayName) =>
        Company.Customers.Count(c => string.Equals((string?)c["DisplayName"], displayName, StringComparison.Ordinal));

    public void Dispose()
    {
        _provider.Dispose();
        Fake.Dispose();
    }
}
