using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

public class RegistrationTests
{
    private static ServiceProvider Build(Action<QuickBooksClientOptions> configure) =>
        new ServiceCollection()
            .AddLogging()
            .Also(s => s.AddQuickBooksClient(configure, oauth =>
            {
                oauth.ClientId = "id";
                oauth.ClientSecret = "secret";
            }))
            .BuildServiceProvider();

    [Theory]
    [InlineData("AttemptTimeout")]
    [InlineData("TotalTimeout")]
    [InlineData("MinorVersion")]
    [InlineData("BaseUrl")]
    [InlineData("MaxConcurrentRequestsPerRealm")]
    [InlineData("BatchRequestsPerWindowPerRealm")]
    public void Invalid_client_options_fail_validation_at_start_up_naming_the_setting(string setting)
    {
        using var provider = Build(o =>
        {
            switch (setting)
            {
                case "AttemptTimeout": o.AttemptTimeout = TimeSpan.FromSeconds(121); break;
                case "TotalTimeout": o.TotalTimeout = TimeSpan.FromSeconds(10); o.AttemptTimeout = TimeSpan.FromSeconds(30); break;
                case "MinorVersion": o.MinorVersion = 0; break;
                case "BaseUrl": o.BaseUrl = new Uri("ftp://example.test/"); break;
                case "MaxConcurrentRequestsPerRealm": o.MaxConcurrentRequestsPerRealm = 0; break;
                case "BatchRequestsPerWindowPerRealm": o.BatchRequestsPerWindowPerRealm = 600; break;
            }
        });

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(setting);
    }

    [Fact]
    public void Missing_oauth_credentials_fail_at_start_up()
    {
        using var provider = new ServiceCollection().AddLogging().Also(s => s.AddQuickBooksClient()).BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("ClientId");
    }

    [Fact]
    public void Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QbSync:QuickBooks:Environment"] = "Production",
            ["QbSync:QuickBooks:MinorVersion"] = "75",
            ["QbSync:QuickBooks:MaxRetryAttempts"] = "2",
            ["QbSync:QuickBooks:OAuth:ClientId"] = "abc",
            ["QbSync:QuickBooks:OAuth:ClientSecret"] = "def",
        }).Build();
        using var provider = new ServiceCollection().AddLogging()
            .Also(s => s.AddQuickBooksClient(configuration.GetSection(QuickBooksClientOptions.DefaultSectionName)))
            .BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<QuickBooksClientOptions>>().Value;
        options.ResolveBaseUrl().Should().Be(new Uri("https://quickbooks.api.intuit.com"));
        options.MaxRetryAttempts.Should().Be(2);
        provider.GetRequiredService<IOptions<QuickBooksOAuthOptions>>().Value.ClientId.Should().Be("abc");
    }

    [Fact]
    public void Sandbox_is_the_default_base_url() =>
        new QuickBooksClientOptions().ResolveBaseUrl().Should().Be(new Uri("https://sandbox-quickbooks.api.intuit.com"));

    [Fact]
    public async Task Registering_twice_keeps_one_pipeline()
    {
        using var harness = new ClientHarness(configureServices: services => services.AddQuickBooksClient(o => o.MinorVersion = 75));
        harness.Server.Given(Request.Create().UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        var request = harness.Server.LogEntries.Single().Request();
        request.HeaderValue("Authorization").Should().Be("Bearer " + ClientHarness.AccessToken);
    }

    [Fact]
    public async Task Nothing_secret_reaches_the_logs_or_exceptions_across_a_refresh_and_a_fault()
    {
        using var harness = new ClientHarness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet()).InScenario("r")
            .WillSetStateTo("refreshed")
            .RespondWith(Response.Create().WithStatusCode(401).WithBody(Payload.Read("faults/401-lowercase-fault-token-expired.json")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet()).InScenario("r").WhenStateIs("refreshed")
            .RespondWith(Response.Create().WithStatusCode(400).WithBody(Payload.Read("faults/2030-invalid-id.json")));
        harness.Server.Given(Request.Create().WithPath("/oauth2/v1/tokens/bearer").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("oauth/token-success-sample-values.json")));

        var error = await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")).Should().ThrowAsync<QuickBooksException>();

        var newTokens = await harness.Tokens.GetAsync(ClientHarness.Realm);
        var secrets = new[] { ClientHarness.AccessToken, ClientHarness.RefreshToken, ClientHarness.ClientSecret, newTokens!.AccessToken, newTokens.RefreshToken };
        var visible = harness.Logs.AllText + error.Which + newTokens;
        foreach (var secret in secrets)
        {
            visible.Should().NotContain(secret);
        }

        harness.Logs.Lines.Should().NotBeEmpty();
    }
}

internal static class ServiceCollectionTestExtensions
{
    public static IServiceCollection Also(this IServiceCollection services, Action<IServiceCollection> configure)
    {
        configure(services);
        return services;
    }
}
