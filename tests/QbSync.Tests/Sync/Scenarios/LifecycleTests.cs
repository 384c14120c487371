using System.Globalization;
using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Tests.Sync.Scenarios;

public class LifecycleTests : IDisposable
{
    private readonly SyncHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Unsync_skips_the_account_stops_automatic_work_and_a_later_sync_relinks_it()
    {
        _h.Company.AddCustomer("Acme Ltd");
        await _h.AddAccountAsync("a1", "Acme Ltd");
        await _h.Service.RunPendingAsync(SyncHarness.Firm);
        (await _h.Service.GetStateAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        var skipped = await _h.Service.UnsyncAsync(_h.Admin, "a1");

        skipped.Status.Should().Be(SyncStatus.Skipped);
        skipped.Label.Should().Be("Skipped");
        skipped.AvailableActions.Should().Equal(SyncAvailableAction.SyncWithQuickBooks);
        await _h.AddAccountAsync("a1", "Acme Ltd", hasBillingActivity: true);
        _h.Time.Advance(TimeSpan.FromHours(1));
        (await _h.Service.RunPendingAsync(SyncHarness.Firm)).Claimed.Should().Be(0, "a skipped account is never picked up automatically");
        (await _h.Service.ListProblemsAsync(_h.Admin)).Should().BeEmpty();

        var resynced = await _h.Service.SyncAsync(_h.Owner, "a1");

        resynced.Status.Should().Be(SyncStatus.Synced);
        var history = await _h.Service.GetHistoryAsync(_h.Employee, "a1");
        history.Select(e => (e.From, e.To)).Should().Equal(
            (SyncStatus.NotSynced, SyncStatus.Syncing),
            (SyncStatus.Syncing, SyncStatus.Synced),
            (SyncStatus.Synced, SyncStatus.Skipped),
            (SyncStatus.Skipped, SyncStatus.Syncing),
            (SyncStatus.Syncing, SyncStatus.Synced));
        history.Select(e => e.ActorId).Should().Equal("system", "system", "admin-1", "owner-1", "owner-1");
        history.Should().OnlyContain(e => e.At == _h.Time.GetUtcNow() || e.At == _h.Time.GetUtcNow().AddHours(-1));
    }

    [Fact]
    public async Task Only_owners_and_admins_change_sync_and_a_refusal_changes_nothing()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var before = await _h.Store.GetAsync(SyncHarness.Firm, "a1");

        var attempts = new Func<Task>[]
        {
            () => _h.Service.SyncAsync(_h.Employee, "a1"),
            () => _h.Service.UnsyncAsync(_h.Employee, "a1"),
            () => _h.Service.LinkAsync(_h.Employee, "a1", "1"),
            () => _h.Service.CreateCustomerAsync(_h.Employee, "a1"),
            () => _h.Service.ListAvailableCustomersAsync(_h.Employee, new CustomerPickerQuery()),
            () => _h.Service.UpdateSettingsAsync(_h.Employee, SyncScope.AllAccounts, true),
            () => _h.Service.ConnectCompanyAsync(_h.Admin, SyncHarness.Realm, "code"),
        };
        foreach (var attempt in attempts)
        {
            await attempt.Should().ThrowAsync<SyncAuthorizationException>();
        }

        (await _h.Store.GetAsync(SyncHarness.Firm, "a1")).Should().Be(before);
        _h.QboRequests.Should().BeEmpty();
        (await _h.Service.GetStateAsync(_h.Employee, "a1")).AvailableActions.Should().BeEmpty("employees see the status, not the menu");
    }

    [Fact]
    public async Task Only_the_owner_disconnects_the_company_and_later_work_fails_as_not_connected()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        await FluentActions.Awaiting(() => _h.Service.DisconnectCompanyAsync(_h.Admin)).Should().ThrowAsync<SyncAuthorizationException>();

        var settings = await _h.Service.DisconnectCompanyAsync(_h.Owner);

        settings.RealmId.Should().BeNull();
        (await _h.Tokens.GetAsync(SyncHarness.Realm)).Should().BeNull("the tokens are forgotten");
        var state = await _h.Service.SyncAsync(_h.Admin, "a1");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.NotConnected);
        _h.Company.Customers.Should().BeEmpty();
    }

    [Fact]
    public async Task Another_firms_user_can_neither_read_nor_change_an_account()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var stranger = SyncActor.User(SyncHarness.OtherFirm, "owner-2", FirmRole.Owner);

        await FluentActions.Awaiting(() => _h.Service.GetStateAsync(stranger, "a1")).Should().ThrowAsync<SyncAccountNotFoundException>();
        await FluentActions.Awaiting(() => _h.Service.SyncAsync(stranger, "a1")).Should().ThrowAsync<SyncAccountNotFoundException>();
        await FluentActions.Awaiting(() => _h.Service.UnsyncAsync(stranger, "a1")).Should().ThrowAsync<SyncAccountNotFoundException>();
        (await _h.Service.ListAccountsAsync(stranger, new AccountQuery())).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Renaming_an_account_changes_nothing_in_QBO()
    {
        var id = _h.Company.AddCustomer("Acme Ltd")["Id"]!.GetValue<string>();
        await _h.AddAccountAsync("a1", "Acme Ltd");
        await _h.Service.SyncAsync(_h.Admin, "a1");
        _h.Qbo.Journal.Clear();

        var renamed = await _h.AddAccountAsync("a1", "Acme Holdings");

        renamed.AccountName.Should().Be("Acme Holdings");
        renamed.Status.Should().Be(SyncStatus.Synced);
        renamed.CustomerId.Should().Be(id);
        _h.QboRequests.Should().BeEmpty();
        _h.Company.Get("Customer", id)!["DisplayName"]!.GetValue<string>().Should().Be("Acme Ltd");
    }

    [Fact]
    public async Task A_linked_customer_made_inactive_or_missing_turns_the_account_not_synced_previously_synced()
    {
        _h.Company.AddCustomer("Acme Ltd");
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var synced = await _h.Service.SyncAsync(_h.Admin, "a1");
        var customer = _h.Company.Get("Customer", synced.CustomerId!)!;
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "any");
            var body = $$"""{"Id":"{{synced.CustomerId}}","SyncToken":"{{customer["SyncToken"]}}","sparse":true,"Active":false}""";
            (await http.PostAsync(_h.Qbo.CompanyUrl(SyncHarness.Realm) + "/customer", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        (await _h.Service.VerifyLinksAsync(SyncHarness.Firm)).Should().Be(1);

        var state = await _h.Service.GetStateAsync(_h.Admin, "a1");
        state.Status.Should().Be(SyncStatus.NotSynced);
        state.Reason.Should().Be(SyncReason.CustomerInactive);
        state.WasSyncedBefore.Should().BeTrue();
        state.Tooltip.Should().Contain("deleted");
        state.AvailableActions.Should().Contain(SyncAvailableAction.SyncWithQuickBooks);
        (await _h.Service.RunPendingAsync(SyncHarness.Firm)).Claimed.Should().Be(0, "a previously synced account waits for a person");
    }

    [Fact]
    public async Task A_merge_in_QBO_relinks_the_account_to_the_survivor_and_records_it()
    {
        var survivor = _h.Company.AddCustomer("Acme Holdings")["Id"]!.GetValue<string>();
        _h.Company.AddCustomer("Acme Ltd");
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var synced = await _h.Service.SyncAsync(_h.Admin, "a1");

        var changed = await _h.Service.ApplyQuickBooksChangesAsync(SyncHarness.Firm,
        [
            new QuickBooksWebhookEvent { RealmId = SyncHarness.Realm, EntityName = "Customer", EntityId = survivor, Operation = QuickBooksWebhookOperation.Merge, DeletedId = synced.CustomerId },
            new QuickBooksWebhookEvent { RealmId = "another-realm", EntityName = "Customer", EntityId = "1", Operation = QuickBooksWebhookOperation.Delete },
        ]);

        changed.Should().Be(1);
        var state = await _h.Service.GetStateAsync(_h.Admin, "a1");
        state.Status.Should().Be(SyncStatus.Synced);
        state.CustomerId.Should().Be(survivor);
        state.Reason.Should().Be(SyncReason.CustomerMerged);
        (await _h.Service.GetHistoryAsync(_h.Admin, "a1"))[^1].Note.Should().Contain("merged into " + survivor);
    }

    [Fact]
    public async Task Failures_are_listed_newest_first_and_notified_and_skipped_accounts_are_not()
    {
        _h.Company.AddVendor("Vendor One");
        _h.Company.AddVendor("Vendor Two");
        await _h.AddAccountAsync("a1", "Vendor One");
        await _h.AddAccountAsync("a2", "Vendor Two");
        await _h.Service.SyncAsync(_h.Admin, "a1");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.Service.SyncAsync(_h.Admin, "a2");

        var problems = await _h.Service.ListProblemsAsync(_h.Employee);

        problems.Select(p => p.AccountId).Should().Equal("a2", "a1");
        _h.Notifier.Failures.Select(f => f.State.AccountId).Should().Equal("a1", "a2");
        await _h.Service.UnsyncAsync(_h.Admin, "a2");
        (await _h.Service.ListProblemsAsync(_h.Employee)).Select(p => p.AccountId).Should().Equal("a1");
    }

    [Fact]
    public async Task Status_texts_follow_the_ui_culture()
    {
        await _h.AddAccountAsync("a1", "Acme Ltd");
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("ro-RO");
            var state = await _h.Service.GetStateAsync(_h.Admin, "a1");
            state.Label.Should().NotBe("Not synced");
            CultureInfo.CurrentUICulture = new CultureInfo("en-US");
            (await _h.Service.GetStateAsync(_h.Admin, "a1")).Label.Should().Be("Not synced");
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public async Task Scope_decides_which_accounts_sync_automatically()
    {
        await _h.AddAccountAsync("billed", "Billed Client", hasBillingActivity: true);
        await _h.AddAccountAsync("quiet", "Quiet Client", hasBillingActivity: false);

        await _h.Service.RunPendingAsync(SyncHarness.Firm);
        (await _h.Service.GetStateAsync(_h.Admin, "billed")).Status.Should().Be(SyncStatus.Synced);
        (await _h.Service.GetStateAsync(_h.Admin, "quiet")).Status.Should().Be(SyncStatus.NotSynced);

        await _h.Service.UpdateSettingsAsync(_h.Owner, SyncScope.AllAccounts, createMissingCustomers: true);
        await _h.Service.RunPendingAsync(SyncHarness.Firm);

        (await _h.Service.GetStateAsync(_h.Admin, "quiet")).Status.Should().Be(SyncStatus.Synced);
        var page = await _h.Service.ListAccountsAsync(_h.Employee, new AccountQuery { Statuses = [SyncStatus.Synced], PageSize = 1 });
        page.Items.Should().ContainSingle().Which.AccountId.Should().Be("billed");
        page.ContinuationToken.Should().NotBeNull();
    }
}
