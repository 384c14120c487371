using QbSync.Testing;

namespace QbSync.Samples.Web.Demo;

/// <summary>Fills the fake QBO companies and registers the firms' accounts at start; connects the firms that start
/// connected (the other one is connected by its owner through the pages).</summary>
public sealed class DemoSeeder(QuickBooksOnlineFake qbo, IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var harbor = qbo.Company(DemoDirectory.Harbor.RealmId);
        harbor.AddCustomer("Amy's Bird Sanctuary");
        harbor.AddCustomer("Bill's Windsurf Shop");
        harbor.AddCustomer("Cool Cars");
        harbor.AddCustomer("Diego Rodriguez");
        harbor.AddCustomer("Old Client", active: false);
        harbor.AddVendor("Books by Bessie");
        var summit = qbo.Company(DemoDirectory.Summit.RealmId);
        summit.AddCustomer("Peak Plumbing");
        summit.AddCustomer("Summit Bakery");

        await using var scope = scopes.CreateAsyncScope();
        var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        foreach (var firm in DemoDirectory.Firms)
        {
            var owner = DemoDirectory.Users.First(u => u.FirmId == firm.FirmId && u.Role == FirmRole.Owner);
            var actor = SyncActor.User(firm.FirmId, owner.UserId, FirmRole.Owner);
            await sync.UpdateSettingsAsync(actor, SyncScope.AccountsWithBillingActivity, firm.CreateMissingCustomers, cancellationToken);
            foreach (var (name, billing) in firm.Accounts)
            {
                await sync.RegisterAccountAsync(firm.FirmId, new AccountInfo(DemoDirectory.AccountId(firm, name), name, billing), cancellationToken);
            }

            if (firm.ConnectedAtStart)
            {
                await sync.ConnectCompanyAsync(actor, firm.RealmId, qbo.OAuth.CreateAuthorizationCode(firm.RealmId), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
