using NUnit.Framework;
using QbSync.Testing;

namespace QbSync.Adopters;

[TestFixture]
public sealed class SyncTests
{
    private SyncAgainstTheFake _h = null!;

    [SetUp]
    public async Task StartAsync() => _h = await SyncAgainstTheFake.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _h.DisposeAsync();

    [Test]
    public async Task An_account_is_linked_to_the_customer_with_the_same_name()
    {
        var acme = _h.Company.AddCustomer("Acme Ltd");
        await _h.RegisterAsync("a1", "Acme Ltd");

        var state = await _h.Sync.SyncAsync(_h.Owner, "a1");

        Assert.That(state.Status, Is.EqualTo(SyncStatus.Synced));
        Assert.That(state.CustomerId, Is.EqualTo(acme["Id"]!.GetValue<string>()));
        Assert.That(_h.Fake.Journal.Count(FakeRequestKind.Create), Is.Zero);
    }

    [Test]
    public async Task An_account_without_a_customer_gets_a_new_one()
    {
        await _h.RegisterAsync("a2", "Brand New Client");

        var state = await _h.Sync.SyncAsync(_h.Owner, "a2");

        Assert.That(state.Status, Is.EqualTo(SyncStatus.Synced));
        var created = _h.Company.Customers.Where(c => c["DisplayName"]!.GetValue<string>() == "Brand New Client").ToList();
        Assert.That(created, Has.Count.EqualTo(1));
        Assert.That(state.CustomerId, Is.EqualTo(created[0]["Id"]!.GetValue<string>()));
    }

    [Test]
    public async Task A_customer_deleted_in_QuickBooks_is_shown_as_not_synced()
    {
        var customer = _h.Company.AddCustomer("Deleted Ltd");
        await _h.RegisterAsync("a3", "Deleted Ltd");
        await _h.Sync.SyncAsync(_h.Owner, "a3");

        _h.Company.DeactivateCustomer(customer["Id"]!.GetValue<string>());
        await _h.Sync.VerifyLinksAsync(SyncAgainstTheFake.FirmId);

        var state = await _h.Sync.GetStateAsync(_h.Owner, "a3");
        Assert.That(state.Status, Is.EqualTo(SyncStatus.NotSynced));
        Assert.That(state.Reason, Is.EqualTo(SyncReason.CustomerInactive));
    }

    [Test]
    public async Task A_sync_rides_out_QuickBooks_being_briefly_unavailable()
    {
        _h.Company.AddCustomer("Flaky Co");
        await _h.RegisterAsync("a4", "Flaky Co");
        _h.Fake.Faults.Enqueue(InjectedFault.ServiceUnavailable, InjectedFault.InternalServerError);

        var state = await _h.Sync.SyncAsync(_h.Owner, "a4");

        Assert.That(state.Status, Is.EqualTo(SyncStatus.Synced));
        Assert.That(_h.Fake.Journal.Requests.Count(r => r.InjectedFault is not null), Is.EqualTo(2));
    }
}
