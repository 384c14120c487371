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

public class SyncActionLabelTests
{
    [Theory]
    [InlineData("en-US", SyncAvailableAction.SyncWithQuickBooks, "Sync account with QuickBooks")]
    [InlineData("en-US", SyncAvailableAction.Unsync, "Do not sync this account / Unsync")]
    [InlineData("ro-RO", SyncAvailableAction.SyncWithQuickBooks, "Sincronizați contul cu QuickBooks")]
    [InlineData("ro-RO", SyncAvailableAction.Unsync, "Nu sincronizați acest cont/Unsync")]
    public void Menu_actions_use_the_article_wording(string culture, SyncAvailableAction action, string expected)
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(culture);
            SyncStatusTexts.ActionLabel(action).Should().Be(expected);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void Every_action_has_a_label_in_both_languages()
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            foreach (var culture in new[] { "en-US", "ro-RO" })
            {
                System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(culture);
                foreach (var action in Enum.GetValues<SyncAvailableAction>())
                {
                    SyncStatusTexts.ActionLabel(action).Should().NotBe(action.ToString(), $"{action} needs a {culture} text");
                }
            }
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }
}
