using QbSync.Testing;
using Xunit;

namespace QbSync.Adopters;

public sealed class SyncTests : IAsyncLifetime
{
    private SyncAgainstTheFake _h = null!;

    public async Task InitializeAsync() => _h = await SyncAgainstTheFake.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_account_is_linked_to_the_customer_with_the_same_name()
    {
        var acme = _h.Company.AddCustomer("Acme Ltd");
        await _h.RegisterAsync("a1", "Acme Ltd");

        var state = await _h.Sync.SyncAsync(_h.Owner, "a1");

        Assert.Equal(SyncStatus.Synced, state.Status);
        Assert.Equal(acme["Id"]!.GetValue<string>(), state.CustomerId);
        Assert.Equal(0, _h.Fake.Journal.Count(FakeRequestKind.Create));
    }

    [Fact]
    public async Task An_account_without_a_customer_gets_a_new_one()
    {
        await _h.RegisterAsync("a2", "Brand New Client");

        var state = await _h.Sync.SyncAsync(_h.Owner, "a2");

        Assert.Equal(SyncStatus.Synced, state.Status);
        var created = Assert.Single(_h.Company.Customers, c => c["DisplayName"]!.GetValue<string>() == "Brand New Client");
        Assert.Equal(created["Id"]!.GetValue<string>(), state.CustomerId);
    }

    [Fact]
    public async Task A_linked_customer_made_inactive_in_QuickBooks_is_shown_as_not_synced()
    {
        var customer = _h.Company.AddCustomer("Gone Ltd");
        await _h.RegisterAsync("a3", "Gone Ltd");
        await _h.Sync.SyncAsync(_h.Owner, "a3");

        _h.Company.DeactivateCustomer(customer["Id"]!.GetValue<string>());
        await _h.Sync.VerifyLinksAsync(SyncAgainstTheFake.FirmId);

        var state = await _h.Sync.GetStateAsync(_h.Owner, "a3");
        Assert.Equal(SyncStatus.NotSynced, state.Status);
        Assert.Equal(SyncReason.CustomerInactive, state.Reason);
    }

    [Fact]
    public async Task A_sync_rides_out_QuickBooks_being_briefly_unavailable()
    {
        _h.Company.AddCustomer("Flaky Co");
        await _h.RegisterAsync("a4", "Flaky Co");
        _h.Fake.Faults.Enqueue(InjectedFault.ServiceUnavailable, InjectedFault.InternalServerError);

        var state = await _h.Sync.SyncAsync(_h.Owner, "a4");

        Assert.Equal(SyncStatus.Synced, state.Status);
        Assert.Equal(2, _h.Fake.Journal.Requests.Count(r => r.InjectedFault is not null));
    }
}
