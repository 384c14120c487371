using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class SyncRegistrationTests
{
    private static ServiceProvider Build(Action<QbSyncOptions> configure, Action<IQbSyncBuilder>? builder = null)
    {
        var services = new ServiceCollection().AddLogging();
        var qbSync = services.AddQbSync(configure, client => { }, oauth =>
        {
            oauth.ClientId = "id";
            oauth.ClientSecret = "secret";
        }).UseInMemoryStore();
        builder?.Invoke(qbSync);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Theory]
    [InlineData("MaxAttempts")]
    [InlineData("LeaseDuration")]
    [InlineData("CustomerTypeName")]
    [InlineData("MaxConcurrentAccountsPerRealm")]
    [InlineData("RetryBackoff")]
    public void Invalid_sync_options_fail_at_start_up_naming_the_setting(string setting)
    {
        using var provider = Build(o =>
        {
            switch (setting)
            {
                case "MaxAttempts": o.MaxAttempts = 0; break;
                case "LeaseDuration": o.LeaseDuration = TimeSpan.Zero; break;
                case "CustomerTypeName": o.CustomerTypeName = ""; break;
                case "MaxConcurrentAccountsPerRealm": o.MaxConcurrentAccountsPerRealm = 11; break;
                case "RetryBackoff": o.RetryBackoff = TimeSpan.FromSeconds(-1); break;
            }
        });

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(setting);
    }

    [Fact]
    public void The_service_resolves_per_scope_with_the_chosen_store_and_policy()
    {
        using var provider = Build(_ => { }, b => b.UseAuthorizationPolicy<EveryoneMaySync>().AddBackgroundWorker());
        provider.GetRequiredService<IStartupValidator>().Validate();

        using var scope = provider.CreateScope();
        scope.ServiceProvider.GetRequiredService<IAccountSyncService>().Should().NotBeNull();
        provider.GetRequiredService<IAccountStore>().Should().BeOfType<InMemoryAccountStore>();
        provider.GetRequiredService<ISyncAuthorizationPolicy>().Should().BeOfType<EveryoneMaySync>();
        provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Should().ContainSingle().Which.Should().BeOfType<SyncWorker>();
    }

    [Fact]
    public async Task A_replaced_policy_lets_billing_staff_sync()
    {
        using var provider = Build(_ => { }, b => b.UseAuthorizationPolicy<EveryoneMaySync>());
        using var scope = provider.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        await service.RegisterAccountAsync("f", new AccountInfo("a", "Acme", true));

        var state = await service.UnsyncAsync(SyncActor.User("f", "billing-clerk", FirmRole.Employee), "a");

        state.Status.Should().Be(SyncStatus.Skipped);
    }

    private sealed class EveryoneMaySync : ISyncAuthorizationPolicy
    {
        public bool IsAllowed(SyncActor actor, SyncAction action) => action is not (SyncAction.ConnectCompany or SyncAction.DisconnectCompany);
    }
}
