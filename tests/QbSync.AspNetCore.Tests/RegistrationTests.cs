using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.AspNetCore;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.AspNetCore.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public async Task A_scoped_notifier_added_with_AddScopedSyncNotifier_is_resolved_and_called_with_scope_validation_on()
    {
        using var qbo = QuickBooksOnlineFake.Start();
        var company = qbo.CreateCompany();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<List<string>>();
        services.AddQbSync(
                s => s.WorkerId = "t",
                c => { c.BaseUrl = new Uri(qbo.BaseUrl); c.MaxRetryAttempts = 0; },
                o => { o.ClientId = qbo.OAuth.ClientId; o.ClientSecret = qbo.OAuth.ClientSecret; o.RedirectUri = new Uri("http://localhost/cb"); o.TokenEndpoint = new Uri(qbo.TokenEndpoint); })
            .UseInMemoryStore()
            .AddScopedSyncNotifier<RecordingNotifier>();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var scope = provider.CreateAsyncScope();
        var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        var owner = SyncActor.User("f", "o", FirmRole.Owner);
        await sync.ConnectCompanyAsync(owner, company.RealmId, qbo.OAuth.CreateAuthorizationCode(company.RealmId));
        await sync.UpdateSettingsAsync(owner, SyncScope.AllAccounts, createMissingCustomers: false);
        await sync.RegisterAccountAsync("f", new AccountInfo("a1", "Nobody Known", true));

        await sync.RunPendingAsync("f");

        provider.GetRequiredService<List<string>>().Should().Equal("f/a1");
    }

    [Fact]
    public void A_scoped_notifier_registered_directly_is_the_captive_dependency_the_adapter_avoids()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<List<string>>();
        services.AddQbSync(configureOAuth: o => { o.ClientId = "x"; o.ClientSecret = "y"; }).UseInMemoryStore();
        services.AddScoped<ISyncNotifier, RecordingNotifier>();

        var build = () => services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        build.Should().Throw<AggregateException>().WithMessage("*scoped*ISyncNotifier*");
    }

    [Theory]
    [InlineData("f1", "u1", "Owner", FirmRole.Owner)]
    [InlineData("f1", "u1", "admin", FirmRole.Admin)]
    [InlineData("f1", "u1", "EMPLOYEE", FirmRole.Employee)]
    [InlineData("f1", "u1", "1", null)]
    [InlineData("f1", "u1", "Partner", null)]
    [InlineData("", "u1", "Owner", null)]
    [InlineData("f1", null, "Owner", null)]
    [InlineData(null, "u1", "Owner", null)]
    public async Task Claims_become_an_actor_only_when_firm_user_and_a_known_role_are_there(string? firm, string? user, string? role, FirmRole? expected)
    {
        var claims = new List<Claim>();
        if (firm is not null)
        {
            claims.Add(new Claim("qbsync_firm", firm));
        }

        if (user is not null)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, user));
        }

        if (role is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        var resolver = new ClaimsSyncActorResolver(Options.Create(new QbSyncAspNetCoreOptions()));
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test")) };

        var actor = await resolver.ResolveAsync(context);

        if (expected is null)
        {
            actor.Should().BeNull();
        }
        else
        {
            actor.Should().Be(SyncActor.User("f1", "u1", expected.Value));
        }
    }

    [Fact]
    public async Task Two_firm_claims_or_an_unauthenticated_user_give_no_actor_and_claim_types_are_configurable()
    {
        var options = new QbSyncAspNetCoreOptions { FirmIdClaimType = "tenant", RoleClaimType = "firm_role", UserIdClaimType = "sub" };
        var resolver = new ClaimsSyncActorResolver(Options.Create(options));
        var two = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new("tenant", "a"), new("tenant", "b"), new("sub", "u"), new("firm_role", "Owner")], "test")) };
        var anonymous = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new("tenant", "a"), new("sub", "u"), new("firm_role", "Owner")])) };
        var custom = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new("tenant", "a"), new("sub", "u"), new("firm_role", "Admin"), new("firm_role", "Owner")], "test")) };

        (await resolver.ResolveAsync(two)).Should().BeNull();
        (await resolver.ResolveAsync(anonymous)).Should().BeNull();
        (await resolver.ResolveAsync(custom)).Should().Be(SyncActor.User("a", "u", FirmRole.Owner));
    }

    [Fact]
    public void Invalid_options_fail_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbSync(configureOAuth: o => { o.ClientId = "x"; o.ClientSecret = "y"; }).UseInMemoryStore().AddAspNetCore(o =>
        {
            o.WebhookVerifierToken = "short";
            o.OAuthStateLifetime = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<QbSyncAspNetCoreOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(2);
    }

    private sealed class RecordingNotifier(List<string> calls) : ISyncNotifier
    {
        public ValueTask AccountFailedAsync(string firmId, AccountSyncState state, CancellationToken cancellationToken = default)
        {
            lock (calls)
            {
                calls.Add(firmId + "/" + state.AccountId);
            }

            return ValueTask.CompletedTask;
        }
    }
}
