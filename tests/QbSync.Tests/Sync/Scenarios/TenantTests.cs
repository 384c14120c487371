using QbSync.Stores;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks.Authentication;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Sync.Scenarios;

/// <summary>Issue 8, tenants: a realm belongs to one firm, switching company, no role is no rights, deleting data.</summary>
public sealed class TenantTests : IDisposable
{
    private const string OtherRealm = "9130350000000002";
    private readonly SyncHarness _h = new();

    public void Dispose() => _h.Dispose();

    private SyncActor OtherOwner { get; } = SyncActor.User(SyncHarness.OtherFirm, "owner-2", FirmRole.Owner);

    [Fact]
    public async Task Another_firms_owner_cannot_connect_a_realm_held_by_a_firm_and_nothing_changes()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var tokensBefore = await _h.Tokens.GetAsync(SyncHarness.Realm);
        var code = _h.Qbo.OAuth.CreateAuthorizationCode(OtherRealm); // a code for the attacker's own company

        var refused = await FluentActions.Awaiting(() => _h.Service.ConnectCompanyAsync(OtherOwner, SyncHarness.Realm, code))
            .Should().ThrowAsync<QuickBooksCompanyHeldByAnotherFirmException>();

        refused.Which.RealmId.Should().Be(SyncHarness.Realm);
        refused.Which.Message.Should().NotContain(SyncHarness.Firm, "the holder is not named to another firm");
        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().Be(tokensBefore, "firm 1's tokens are untouched");
        _h.Qbo.Journal.Requests.Should().NotContain(r => r.Kind == FakeRequestKind.Token, "the code is not even exchanged");
        (await _h.Store.GetFirmSettingsAsync(SyncHarness.OtherFirm)).Should().BeNull();
        (await _h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().Be(SyncHarness.Firm);
    }

    [Fact]
    public async Task Disconnecting_touches_only_the_firms_own_realm()
    {
        // Firm 2 records no realm of its own; its owner disconnecting must not reach firm 1's tokens.
        await _h.Service.DisconnectCompanyAsync(OtherOwner);
        await _h.Service.ForgetCompanyAsync(OtherOwner);
        await _h.Service.PurgeFirmAsync(OtherOwner);

        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().NotBeNull();
        (await _h.Store.GetFirmSettingsAsync(SyncHarness.Firm))!.RealmId.Should().Be(SyncHarness.Realm);
        _h.Qbo.Journal.Requests.Should().NotContain(r => r.Kind == FakeRequestKind.Revoke);
    }

    [Fact]
    public async Task The_realm_maps_back_to_its_firm_for_webhooks_and_is_released_by_forgetting()
    {
        (await _h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().Be(SyncHarness.Firm);

        await _h.Service.ForgetCompanyAsync(_h.Owner);

        (await _h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().BeNull();
        var code = _h.Qbo.OAuth.CreateAuthorizationCode(SyncHarness.Realm);
        (await _h.Service.ConnectCompanyAsync(OtherOwner, SyncHarness.Realm, code)).RealmId.Should().Be(SyncHarness.Realm);
        (await _h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().Be(SyncHarness.OtherFirm);
    }

    [Fact]
    public async Task Switching_company_revokes_the_old_tokens_and_turns_linked_accounts_not_synced_with_history()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        await _h.AddAccountAsync("a2", "Beta LLC");
        await _h.AddAccountAsync("a3", "Gamma Inc");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await _h.Service.SyncAsync(_h.Admin, "a2")).Status.Should().Be(SyncStatus.Synced);
        (await _h.Service.UnsyncAsync(_h.Admin, "a3")).Status.Should().Be(SyncStatus.Skipped);
        var code = _h.Qbo.OAuth.CreateAuthorizationCode(OtherRealm);

        var settings = await _h.Service.ConnectCompanyAsync(_h.Owner, OtherRealm, code);

        settings.RealmId.Should().Be(OtherRealm);
        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().BeNull("the old company's tokens are forgotten");
        _h.Qbo.Journal.Requests.Should().Contain(r => r.Kind == FakeRequestKind.Revoke, "and revoked at Intuit");
        foreach (var id in new[] { "a1", "a2" })
        {
            var state = await _h.Service.GetStateAsync(_h.Owner, id);
            state.Status.Should().Be(SyncStatus.NotSynced);
            state.Reason.Should().Be(SyncReason.CompanyChanged);
            state.CustomerId.Should().BeNull();
            var history = await _h.Service.GetHistoryAsync(_h.Owner, id);
            history[^1].Trigger.Should().Be(SyncTrigger.CompanyChanged);
            history[^1].From.Should().Be(SyncStatus.Synced);
            history[^1].ActorId.Should().Be(_h.Owner.UserId);
            history[^1].Note.Should().Contain(OtherRealm);
        }

        (await _h.Service.GetStateAsync(_h.Owner, "a3")).Status.Should().Be(SyncStatus.Skipped, "a skipped account stays skipped");
        (await _h.Service.GetStateAsync(_h.Owner, "a1")).Tooltip.Should().NotBeNullOrWhiteSpace();

        // The accounts then sync into the new company.
        var run = await _h.Service.RunPendingAsync(SyncHarness.Firm);
        run.Synced.Should().Be(2);
        _h.Qbo.Company(OtherRealm).Customers.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("store-fails")]
    [InlineData("caller-cancels")]
    public async Task Switching_company_drops_every_link_to_the_old_company_even_if_forgetting_its_tokens_fails_or_the_caller_leaves(string failure)
    {
        using var cancel = new CancellationTokenSource();
        FailingDeletes? tokens = null;
        using var h = new SyncHarness(services: s =>
        {
            var inner = (ITokenStore)s.Last(d => d.ServiceType == typeof(ITokenStore)).ImplementationInstance!;
            tokens = new FailingDeletes(inner, failure == "store-fails" ? () => throw new IOException("database is locked") : cancel.Cancel);
            s.AddSingleton<ITokenStore>(tokens);
        });
        await h.AddAccountAsync("a1", "Acme Ltd");
        (await h.Service.SyncAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        // The new company is stored first; whatever happens to the old company's tokens afterwards, no account may stay
        // linked to a customer id of the old company (in the new one it would name another customer).
        try
        {
            await h.Service.ConnectCompanyAsync(h.Owner, OtherRealm, h.Qbo.OAuth.CreateAuthorizationCode(OtherRealm), cancel.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }

        tokens!.Deletes.Should().Be(1, "forgetting the old tokens was tried");
        (await h.Store.GetFirmSettingsAsync(SyncHarness.Firm))!.RealmId.Should().Be(OtherRealm);
        var state = await h.Service.GetStateAsync(h.Owner, "a1");
        state.Status.Should().Be(SyncStatus.NotSynced);
        state.Reason.Should().Be(SyncReason.CompanyChanged);
        state.CustomerId.Should().BeNull();
    }

    [Fact]
    public async Task Reconnecting_the_same_company_keeps_every_link()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        await _h.Service.ConnectCompanyAsync(_h.Owner, SyncHarness.Realm, _h.Qbo.OAuth.CreateAuthorizationCode(SyncHarness.Realm));

        (await _h.Service.GetStateAsync(_h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().NotBeNull();
    }

    [Fact]
    public async Task Disconnecting_then_connecting_another_company_drops_the_links_to_the_old_one()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        // The usual way to change company in a UI: disconnect, then connect the other one.
        await _h.Service.DisconnectCompanyAsync(_h.Owner);
        (await _h.Service.GetStateAsync(_h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced, "a disconnect alone keeps the links");
        await _h.Service.ConnectCompanyAsync(_h.Owner, OtherRealm, _h.Qbo.OAuth.CreateAuthorizationCode(OtherRealm));

        var state = await _h.Service.GetStateAsync(_h.Owner, "a1");
        state.Status.Should().Be(SyncStatus.NotSynced, "customer ids of the old company name other customers in the new one");
        state.Reason.Should().Be(SyncReason.CompanyChanged);
        state.CustomerId.Should().BeNull();
        (await _h.Service.GetHistoryAsync(_h.Owner, "a1"))[^1].Note.Should().Contain(OtherRealm).And.Contain(SyncHarness.Realm);
        (await _h.Service.RunPendingAsync(SyncHarness.Firm)).Synced.Should().Be(1);
        _h.Qbo.Company(OtherRealm).Customers.Should().ContainSingle(c => (string?)c["DisplayName"] == "Acme Ltd");
    }

    [Fact]
    public async Task Disconnecting_then_reconnecting_the_same_company_keeps_every_link()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var linked = await _h.Service.SyncAsync(_h.Admin, "a1");

        await _h.Service.DisconnectCompanyAsync(_h.Owner);
        await _h.Service.ConnectCompanyAsync(_h.Owner, SyncHarness.Realm, _h.Qbo.OAuth.CreateAuthorizationCode(SyncHarness.Realm));

        var state = await _h.Service.GetStateAsync(_h.Owner, "a1");
        state.Status.Should().Be(SyncStatus.Synced);
        state.CustomerId.Should().Be(linked.CustomerId);
    }

    [Fact]
    public async Task Connecting_a_third_company_after_another_firm_took_the_old_one_never_touches_that_firms_tokens()
    {
        const string ThirdRealm = "9130350000000003";
        _h.Qbo.Company(ThirdRealm);
        await _h.AddAccountAsync("a1", "Acme Ltd");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        await _h.Service.DisconnectCompanyAsync(_h.Owner);
        await _h.Service.ConnectCompanyAsync(OtherOwner, SyncHarness.Realm, _h.Qbo.OAuth.CreateAuthorizationCode(SyncHarness.Realm));
        var otherFirmsTokens = await _h.Tokens.GetAsync(SyncHarness.Realm);
        var revokesBefore = _h.Qbo.Journal.Requests.Count(r => r.Kind == FakeRequestKind.Revoke);

        await _h.Service.ConnectCompanyAsync(_h.Owner, ThirdRealm, _h.Qbo.OAuth.CreateAuthorizationCode(ThirdRealm));

        (await _h.Service.GetStateAsync(_h.Owner, "a1")).Reason.Should().Be(SyncReason.CompanyChanged);
        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().Be(otherFirmsTokens, "the old company is another firm's now");
        _h.Qbo.Journal.Requests.Count(r => r.Kind == FakeRequestKind.Revoke).Should().Be(revokesBefore);
        (await _h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().Be(SyncHarness.OtherFirm);
    }

    [Fact]
    public async Task Forgetting_a_company_after_disconnecting_it_drops_the_links()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        await _h.Service.DisconnectCompanyAsync(_h.Owner);

        await _h.Service.ForgetCompanyAsync(_h.Owner);

        var state = await _h.Service.GetStateAsync(_h.Owner, "a1");
        state.Status.Should().Be(SyncStatus.NotSynced);
        state.CustomerId.Should().BeNull();
        (await _h.Service.GetSettingsAsync(_h.Owner)).LinkedRealmId.Should().BeNull();
    }

    [Fact]
    public async Task Purging_a_firm_revokes_its_tokens_and_deletes_records_history_problems_and_settings_only_for_the_owner()
    {
        using var h = new SyncHarness(services: s => s.AddSingleton<IBillingDocumentStore>(new InMemoryBillingDocumentStore()));
        await h.AddAccountAsync("a1", "Acme Ltd");
        await h.AddAccountAsync("a2", "Beta LLC");
        h.Company.AddVendor("Beta LLC");
        (await h.Service.SyncAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await h.Service.SyncAsync(h.Admin, "a2")).Status.Should().Be(SyncStatus.Failed);
        await h.Service.RegisterAccountAsync(SyncHarness.OtherFirm, new AccountInfo("a1", "Other firm's account", true));
        var billing = h.Services.GetRequiredService<QbSync.Billing.IBillingSyncService>();
        var invoice = new InvoiceInfo
        {
            InvoiceId = "i1",
            AccountId = "a1",
            Number = "INV-1",
            IssueDate = new DateOnly(2026, 11, 2),
            DueDate = new DateOnly(2026, 12, 2),
            Currency = "USD",
            Lines = [new InvoiceLineInfo("Tax return 2025", 1m, 300m, 300m, "Tax Return")],
        };
        await billing.RecordInvoiceAsync(SyncHarness.Firm, invoice);
        await billing.RecordInvoiceAsync(SyncHarness.OtherFirm, invoice);
        await FluentActions.Awaiting(() => h.Service.PurgeFirmAsync(h.Admin)).Should().ThrowAsync<SyncAuthorizationException>();

        var deleted = await h.Service.PurgeFirmAsync(h.Owner);

        deleted.Should().Be(2);
        (await h.Tokens.GetAsync(SyncHarness.Realm)).Should().BeNull();
        h.Qbo.Journal.Requests.Should().Contain(r => r.Kind == FakeRequestKind.Revoke);
        (await h.Store.GetAsync(SyncHarness.Firm, "a1")).Should().BeNull();
        (await h.Store.GetHistoryAsync(SyncHarness.Firm, "a1")).Should().BeEmpty();
        (await h.Store.GetFirmSettingsAsync(SyncHarness.Firm)).Should().BeNull();
        (await h.Service.ListProblemsAsync(h.Owner)).Should().BeEmpty();
        (await h.Store.FindFirmByRealmAsync(SyncHarness.Realm)).Should().BeNull();
        (await h.Store.GetAsync(SyncHarness.OtherFirm, "a1")).Should().NotBeNull("other firms are untouched");
        var documents = h.Services.GetRequiredService<IBillingDocumentStore>();
        (await documents.ListAsync(SyncHarness.Firm, new BillingDocumentQuery())).Items.Should().BeEmpty("the firm's invoices and payments go with it");
        (await documents.ListAsync(SyncHarness.OtherFirm, new BillingDocumentQuery())).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task Removing_an_account_deletes_it_and_its_history_and_frees_its_customer()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var linked = await _h.Service.SyncAsync(_h.Admin, "a1");

        (await _h.Service.RemoveAccountAsync(SyncHarness.Firm, "a1")).Should().BeTrue();

        (await _h.Store.GetAsync(SyncHarness.Firm, "a1")).Should().BeNull();
        (await _h.Store.GetHistoryAsync(SyncHarness.Firm, "a1")).Should().BeEmpty();
        (await _h.Store.FindByCustomerIdAsync(SyncHarness.Firm, linked.CustomerId!)).Should().BeNull();
        (await _h.Service.RemoveAccountAsync(SyncHarness.Firm, "a1")).Should().BeFalse();
        _h.Company.Customers.Should().ContainSingle("nothing changes in QBO");
    }
}

/// <summary>Issue 8, item 7: every person (owner, admin, employee, no role, unknown role) × every action × own firm or
/// another firm, through the service. A refusal or another firm's attempt changes nothing of firm 1.</summary>
public sealed class RoleTableTests : IClassFixture<RoleTableTests.SharedFake>
{
    private readonly SharedFake _fake;

    public RoleTableTests(SharedFake fake) => _fake = fake;

    public static TheoryData<string, SyncAction, bool> Cases()
    {
        var data = new TheoryData<string, SyncAction, bool>();
        foreach (var who in new[] { "owner", "admin", "employee", "none", "unknown" })
        {
            foreach (var action in Enum.GetValues<SyncAction>())
            {
                data.Add(who, action, true);
                data.Add(who, action, false);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_person_action_and_firm_is_allowed_only_as_the_table_says(string who, SyncAction action, bool ownFirm)
    {
        var realm = "91303" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var h = new SyncHarness(sharedFake: _fake.Qbo, sharedTime: _fake.Time, realm: realm);
        await h.AddAccountAsync("a1", "Acme " + who);
        var customer = h.Qbo.Company(realm).AddCustomer("Chosen " + Guid.NewGuid().ToString("N"), active: false)["Id"]!.GetValue<string>();
        var actor = OwnerOrAdminPolicyTests.Person(who, ownFirm ? SyncHarness.Firm : SyncHarness.OtherFirm);
        var before = (Record: await h.Store.GetAsync(SyncHarness.Firm, "a1"), Settings: await h.Store.GetFirmSettingsAsync(SyncHarness.Firm), Tokens: await h.Tokens.GetAsync(realm));

        Func<Task> act = action switch
        {
            SyncAction.View => () => h.Service.GetStateAsync(actor, "a1"),
            SyncAction.Sync => () => h.Service.SyncAsync(actor, "a1"),
            SyncAction.Unsync => () => h.Service.UnsyncAsync(actor, "a1"),
            SyncAction.Link => () => h.Service.LinkAsync(actor, "a1", customer),
            SyncAction.CreateCustomer => () => h.Service.CreateCustomerAsync(actor, "a1"),
            SyncAction.ReactivateCustomer => () => h.Service.LinkAsync(actor, "a1", customer, reactivateIfInactive: true),
            SyncAction.ChangeSettings => () => h.Service.UpdateSettingsAsync(actor, SyncScope.AllAccounts, false),
            SyncAction.ConnectCompany => () => h.Service.ConnectCompanyAsync(actor, realm, h.Qbo.OAuth.CreateAuthorizationCode(realm)),
            SyncAction.DisconnectCompany => () => h.Service.DisconnectCompanyAsync(actor),
            SyncAction.PurgeFirm => () => h.Service.PurgeFirmAsync(actor),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        var allowed = OwnerOrAdminPolicyTests.Expected(who, action);
        if (!allowed)
        {
            await act.Should().ThrowAsync<SyncAuthorizationException>();
        }
        else if (ownFirm)
        {
            await act.Should().NotThrowAsync();
            return;
        }
        else
        {
            // Another firm's person: firm 1's account is "not found", its realm is refused, and firm-wide actions
            // act on the other firm only.
            try
            {
                await act();
            }
            catch (Exception ex) when (ex is SyncAccountNotFoundException or QuickBooksCompanyHeldByAnotherFirmException)
            {
            }
        }

        (await h.Store.GetAsync(SyncHarness.Firm, "a1")).Should().Be(before.Record);
        (await h.Store.GetFirmSettingsAsync(SyncHarness.Firm)).Should().Be(before.Settings);
        (await h.Tokens.GetAsync(realm)).Should().Be(before.Tokens);
    }

    public sealed class SharedFake : IDisposable
    {
        public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

        public QuickBooksOnlineFake Qbo { get; }

        public SharedFake() => Qbo = QuickBooksOnlineFake.Start(o => o.TimeProvider = Time);

        public void Dispose() => Qbo.Dispose();
    }
}

/// <summary>A token store whose deletes fail, or cancel the caller, after counting.</summary>
file sealed class FailingDeletes(ITokenStore inner, Action onDelete) : ITokenStore
{
    public int Deletes;

    public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => inner.GetAsync(realmId, cancellationToken);

    public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => inner.SaveAsync(realmId, tokens, cancellationToken);

    public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default) =>
        inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);

    public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Deletes);
        onDelete();
        return inner.DeleteAsync(realmId, cancellationToken);
    }
}
