using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Sync.Scenarios;

public class MatchingAndCreationTests : IDisposable
{
    private readonly SyncHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task An_account_links_the_one_active_customer_with_the_same_name_in_one_round_trip()
    {
        await _h.AddAccountAsync("warm", "Warm Up");
        await _h.Service.SyncAsync(_h.Owner, "warm"); // the realm's names are read in full once per process
        var customerId = _h.Company.AddCustomer("O'Brien & Sons")["Id"]!.GetValue<string>();
        await _h.AddAccountAsync("a1", "  o’brien  &  SONS ");
        _h.Qbo.Journal.Clear();

        var state = await _h.Service.SyncAsync(_h.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        state.CustomerId.Should().Be(customerId);
        state.Label.Should().Be("Synced");
        _h.QboRequests.Should().ContainSingle("one change-data-capture request brings the names up to date").Which.Kind.Should().Be(FakeRequestKind.ChangeDataCapture);
        _h.Company.Customers.Should().HaveCount(2);
    }

    [Fact]
    public async Task The_first_action_of_a_process_reads_the_whole_name_space_once()
    {
        _h.Company.AddCustomer("Someone Else");
        await _h.AddAccountAsync("a1", "Someone Else");
        _h.Qbo.Journal.Clear();

        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        _h.QboRequests.Select(r => r.Kind).Should().Equal(FakeRequestKind.Query, FakeRequestKind.Query, FakeRequestKind.Query);
        _h.QboRequests.Select(r => r.Body).Should().Contain(b => b.Contains("FROM Vendor", StringComparison.OrdinalIgnoreCase))
            .And.Contain(b => b.Contains("FROM Employee", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Without_a_match_a_customer_of_type_Individual_is_created_in_two_round_trips()
    {
        await _h.AddAccountAsync("warm", "Warm Up");
        await _h.Service.SyncAsync(_h.Owner, "warm"); // the customer-type list is read once per realm and cached
        await _h.AddAccountAsync("a1", "Jane: Doe\tLLC");
        _h.Qbo.Journal.Clear();

        var state = await _h.Service.SyncAsync(_h.Owner, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        _h.QboRequests.Select(r => r.Kind).Should().Equal(FakeRequestKind.ChangeDataCapture, FakeRequestKind.Create);
        var customer = _h.Company.Get("Customer", state.CustomerId!)!;
        customer["DisplayName"]!.GetValue<string>().Should().Be("Jane - Doe LLC");
        var individual = _h.Company.CustomerTypes.Single(t => t["Name"]!.GetValue<string>() == "Individual")["Id"]!.GetValue<string>();
        customer["CustomerTypeRef"]!["value"]!.GetValue<string>().Should().Be(individual);
        var history = await _h.Service.GetHistoryAsync(_h.Owner, "a1");
        history[^1].Note.Should().Contain("Jane - Doe LLC").And.Contain("ColonsReplaced");
    }

    [Fact]
    public async Task Without_an_Individual_type_the_customer_type_is_left_empty()
    {
        using var h = new SyncHarness(fake: o => o.SeedIndividualCustomerType = false);
        await h.Service.RegisterAccountAsync(SyncHarness.Firm, new AccountInfo("a1", "No Type Client", true));

        var state = await h.Service.SyncAsync(h.Owner, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        h.Company.Get("Customer", state.CustomerId!)!["CustomerTypeRef"].Should().BeNull();
    }

    [Fact]
    public async Task Two_active_customers_with_the_same_name_fail_as_ambiguous_with_the_candidates()
    {
        using var h = new SyncHarness(fake: o => o.DisplayNameComparison = StringComparison.Ordinal);
        var first = h.Company.AddCustomer("John Smith")["Id"]!.GetValue<string>();
        var second = h.Company.AddCustomer("JOHN SMITH")["Id"]!.GetValue<string>();
        await h.Service.RegisterAccountAsync(SyncHarness.Firm, new AccountInfo("a1", "John Smith", true));

        var state = await h.Service.SyncAsync(h.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.AmbiguousMatch);
        state.Problem!.CustomerIds.Should().BeEquivalentTo([first, second]);
        state.Tooltip.Should().Contain("2");
        h.Company.Customers.Should().HaveCount(2, "nothing is created or linked automatically");
    }

    [Fact]
    public async Task A_customer_already_linked_to_another_account_is_never_taken()
    {
        _h.Company.AddCustomer("Acme Ltd");
        await _h.AddAccountAsync("a1", "Acme Ltd");
        await _h.AddAccountAsync("a2", "ACME LTD");
        (await _h.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);

        var state = await _h.Service.SyncAsync(_h.Admin, "a2");

        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(SyncReason.CustomerLinkedToAnotherAccount);
        state.Problem!.ConflictingAccountId.Should().Be("a1");
        _h.Company.Customers.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_name_held_by_an_inactive_customer_fails_with_reactivate_and_link_which_then_works()
    {
        var id = _h.Company.AddCustomer("Old Client", active: false)["Id"]!.GetValue<string>();
        await _h.AddAccountAsync("a1", "Old Client");

        var failed = await _h.Service.SyncAsync(_h.Admin, "a1");

        failed.Status.Should().Be(SyncStatus.Failed);
        failed.Reason.Should().Be(SyncReason.NameHeldByInactiveCustomer);
        failed.Problem!.CustomerIds.Should().Equal(id);
        failed.AvailableActions.Should().Contain(SyncAvailableAction.ReactivateAndLink);

        var linked = await _h.Service.LinkAsync(_h.Admin, "a1", id, reactivateIfInactive: true);

        linked.Status.Should().Be(SyncStatus.Synced);
        linked.CustomerId.Should().Be(id);
        linked.CustomerDisplayName.Should().Be("Old Client");
        _h.Company.Get("Customer", id)!["Active"]!.GetValue<bool>().Should().BeTrue();
        _h.Company.Customers.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_customer_differing_only_in_case_is_linked_without_a_refused_write_even_when_queries_are_case_sensitive()
    {
        // Whether QBO's queries compare case is unconfirmed: names are decided on the directory, not by a query.
        using var h = new SyncHarness(fake: o => o.QueryStringComparison = StringComparison.Ordinal);
        var id = h.Company.AddCustomer("ACME LTD")["Id"]!.GetValue<string>();
        await h.Service.RegisterAccountAsync(SyncHarness.Firm, new AccountInfo("a1", "Acme Ltd", true));

        var state = await h.Service.SyncAsync(h.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        state.CustomerId.Should().Be(id);
        h.Company.Customers.Should().HaveCount(1);
        h.QboRequests.Should().NotContain(r => r.Kind == FakeRequestKind.Create);
    }

    [Fact]
    public async Task Creation_can_require_a_person_to_decide()
    {
        await _h.Service.UpdateSettingsAsync(_h.Owner, SyncScope.AccountsWithBillingActivity, createMissingCustomers: false);
        await _h.AddAccountAsync("a1", "Nobody Yet");

        var state = await _h.Service.SyncAsync(_h.Owner, "a1");

        state.Reason.Should().Be(SyncReason.NoMatchCreationDisabled);
        _h.Company.Customers.Should().BeEmpty();
        (await _h.Service.CreateCustomerAsync(_h.Owner, "a1")).Status.Should().Be(SyncStatus.Synced);
    }

    [Fact]
    public async Task Linking_a_chosen_customer_checks_it_exists_and_is_active_unless_reactivation_is_asked()
    {
        var inactive = _h.Company.AddCustomer("Dormant", active: false)["Id"]!.GetValue<string>();
        await _h.AddAccountAsync("a1", "Whatever");

        (await _h.Service.LinkAsync(_h.Admin, "a1", "999999")).Reason.Should().Be(SyncReason.ChosenCustomerNotFound);
        var refused = await _h.Service.LinkAsync(_h.Admin, "a1", inactive);
        refused.Reason.Should().Be(SyncReason.ChosenCustomerInactive);
        refused.AvailableActions.Should().Contain(SyncAvailableAction.ReactivateAndLink);
        _h.Company.Get("Customer", inactive)!["Active"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Linking_a_customer_another_account_holds_fails_before_any_QBO_write()
    {
        _h.Company.AddCustomer("Taken Ltd");
        await _h.AddAccountAsync("a1", "Taken Ltd");
        var first = await _h.Service.SyncAsync(_h.Admin, "a1");
        await _h.AddAccountAsync("a2", "Someone Else");
        _h.Qbo.Journal.Clear();

        var state = await _h.Service.LinkAsync(_h.Admin, "a2", first.CustomerId!, reactivateIfInactive: true);

        state.Reason.Should().Be(SyncReason.CustomerLinkedToAnotherAccount);
        state.Problem!.ConflictingAccountId.Should().Be("a1");
        _h.QboRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Near_misses_are_suggested_never_linked()
    {
        _h.Company.AddCustomer("Smith, John");
        _h.Company.AddCustomer("Acme, L.L.C.");
        _h.Company.AddCustomer("Unrelated Bakery");
        await _h.AddAccountAsync("a1", "John Smith");
        await _h.AddAccountAsync("a2", "Acme LLC");

        var johns = await _h.Service.SuggestCustomersAsync(_h.Admin, "a1");
        var acmes = await _h.Service.SuggestCustomersAsync(_h.Admin, "a2");

        johns[0].Customer.DisplayName.Should().Be("Smith, John");
        johns[0].Why.Should().Be(SuggestionKind.ReorderedWords);
        acmes[0].Customer.DisplayName.Should().Be("Acme, L.L.C.");
        johns.Should().NotContain(s => s.Customer.DisplayName == "Unrelated Bakery");
        (await _h.Service.GetStateAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.NotSynced);
    }

    [Fact]
    public async Task The_picker_searches_pages_and_hides_customers_linked_to_other_accounts()
    {
        for (var i = 0; i < 30; i++)
        {
            _h.Company.AddCustomer($"Client {i:00}", configure: c => c["PrimaryEmailAddr"] = new System.Text.Json.Nodes.JsonObject { ["Address"] = $"c{i}@example.test" });
        }

        _h.Company.AddCustomer("Gone Client", active: false);
        await _h.AddAccountAsync("a1", "Client 05");
        await _h.Service.SyncAsync(_h.Admin, "a1");

        var page = await _h.Service.ListAvailableCustomersAsync(_h.Admin, new CustomerPickerQuery { AccountId = "a2", SearchText = "client", Skip = 0, Take = 10 });
        var all = await _h.Service.ListAvailableCustomersAsync(_h.Admin, new CustomerPickerQuery { AccountId = "a2", SearchText = "CLIENT", Take = 200, IncludeInactive = true });
        var byEmail = await _h.Service.ListAvailableCustomersAsync(_h.Admin, new CustomerPickerQuery { SearchText = "c7@example", Take = 10 });
        var own = await _h.Service.ListAvailableCustomersAsync(_h.Admin, new CustomerPickerQuery { AccountId = "a1", SearchText = "Client 05" });

        page.Items.Should().HaveCount(10);
        page.TotalCount.Should().Be(29, "Client 05 is linked to a1, and inactive ones are hidden");
        all.TotalCount.Should().Be(30);
        all.Items.Should().Contain(c => c.DisplayName == "Gone Client" && !c.IsActive);
        byEmail.Items.Should().ContainSingle().Which.DisplayName.Should().Be("Client 07");
        own.Items.Should().ContainSingle("an account's own customer stays listed for it");
    }
}
