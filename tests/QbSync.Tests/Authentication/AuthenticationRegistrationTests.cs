using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Tests.Authentication;

public sealed class AuthenticationRegistrationTests
{
    private static ServiceProvider Build(Action<QuickBooksOAuthOptions> configure, bool twice = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuickBooksAuthenticationCore();
        if (twice)
        {
            services.AddQuickBooksAuthenticationCore();
        }

        services.Configure(configure);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void AddQuickBooksAuthenticationCore_ValidOptions_ResolvesEverything()
    {
        using var provider = Build(o => { o.ClientId = "id"; o.ClientSecret = "secret"; });

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<ITokenStore>().Should().BeOfType<InMemoryTokenStore>();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
        provider.GetRequiredService<QuickBooksTokenManager>().Should().BeSameAs(provider.GetRequiredService<QuickBooksTokenManager>());
        provider.GetRequiredService<QuickBooksOAuthClient>().Should().NotBeNull();
        provider.GetRequiredService<QuickBooksAuthenticationHandler>()
            .Should().NotBeSameAs(provider.GetRequiredService<QuickBooksAuthenticationHandler>());
    }

    [Fact]
    public void AddQuickBooksAuthenticationCore_CalledTwice_RegistersOnce()
    {
        var once = new ServiceCollection().AddQuickBooksAuthenticationCore();
        var twice = new ServiceCollection().AddQuickBooksAuthenticationCore().AddQuickBooksAuthenticationCore();

        twice.Count(d => d.ServiceType == typeof(QuickBooksTokenManager)).Should().Be(1);
        twice.Count(d => d.ServiceType == typeof(IValidateOptions<QuickBooksOAuthOptions>))
            .Should().Be(once.Count(d => d.ServiceType == typeof(IValidateOptions<QuickBooksOAuthOptions>)));
        twice.Count(d => d.ServiceType == typeof(ITokenStore)).Should().Be(1);
    }

    [Fact]
    public void AddQuickBooksAuthenticationCore_CustomStoreRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ITokenStore, NullStore>();
        services.AddQuickBooksAuthenticationCore();
        services.Single(d => d.ServiceType == typeof(ITokenStore)).ImplementationType.Should().Be<NullStore>();
    }

    [Theory]
    [InlineData(null, "secret", null, "ClientId")]
    [InlineData("id", null, null, "ClientSecret")]
    [InlineData("id", "secret", "relative/path", "TokenEndpoint")]
    [InlineData("id", "secret", "http://oauth.example.com/token", "TokenEndpoint")]
    public void ValidateOnStart_InvalidOptions_ThrowsOptionsValidationException(string? clientId, string? secret, string? tokenEndpoint, string property)
    {
        using var provider = Build(o =>
        {
            o.ClientId = clientId;
            o.ClientSecret = secret;
            if (tokenEndpoint is not null)
            {
                o.TokenEndpoint = new Uri(tokenEndpoint, UriKind.RelativeOrAbsolute);
            }
        });

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{property}*");
        var resolve = () => provider.GetRequiredService<IOptions<QuickBooksOAuthOptions>>().Value;
        resolve.Should().Throw<OptionsValidationException>();
    }

    [Fact]
    public void ValidateOnStart_SkewTooLarge_Fails()
    {
        using var provider = Build(o => { o.ClientId = "id"; o.ClientSecret = "secret"; o.AccessTokenRefreshSkew = TimeSpan.FromHours(1); });
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*AccessTokenRefreshSkew*");
    }

    [Fact]
    public void ValidationFailure_NeverContainsTheClientSecret()
    {
        const string secret = "the-very-secret-value";
        using var provider = Build(o => { o.ClientSecret = secret; o.TokenEndpoint = new Uri("ftp://x/y"); });
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        ex.ToString().Should().NotContain(secret);
        new QuickBooksOAuthOptions { ClientId = "id", ClientSecret = secret }.ToString().Should().NotContain(secret).And.Contain("id");
    }

    private sealed class NullStore : ITokenStore
    {
        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => default;
        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => default;
        public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default) => default;
        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => default;
    }
}
