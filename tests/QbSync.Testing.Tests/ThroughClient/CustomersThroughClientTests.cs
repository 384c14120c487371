using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>The customer, vendor, employee, customer type and item clients end to end against the fake.</summary>
public sealed class CustomersThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    public static TheoryData<string> AwkwardNames => new()
    {
        "Amy's Bird Sanctuary",
        @"Back\slash Ltd",
        @"Trailing backslash\",
        @"Both \' together",
        "100% Organic",
        "Zoë Ångström Ünïcødé",
        "東京商事",
        "Rocket 🚀 Ltd",
        "O'Brien's \"Quoted\" Café",
    };

    [Theory]
    [MemberData(nameof(AwkwardNames))]
    public async Task Create_read_find_update_deactivate_reactivate(string name)
    {
        using var h = await FakeClientHarness.StartAsync();
        var customers = h.Client.Customers;

        var created = await customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = name, GivenName = "Ann" });
        created.Id.Should().NotBeNullOrEmpty();
        created.DisplayName.Should().Be(name);
        created.SyncToken.Should().Be("0");

        var read = await customers.GetAsync(Realm, created.Id!);
        read.DisplayName.Should().Be(name);
        read.GivenName.Should().Be("Ann");

        var found = await customers.FindByDisplayNameAsync(Realm, name);
        found.Should().ContainSingle().Which.Id.Should().Be(created.Id);
        (await customers.FindByDisplayNameAsync(Realm, name, includeInactive: false)).Should().ContainSingle().Which.Id.Should().Be(created.Id);

        var updated = await customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = created.Id!, SyncToken = created.SyncToken!, Notes = "sparse" });
        updated.Notes.Should().Be("sparse");
        updated.GivenName.Should().Be("Ann", "a sparse update keeps the fields it does not name");
        updated.DisplayName.Should().Be(name);
        updated.SyncToken.Should().Be("1");

        var deactivated = await customers.DeactivateAsync(Realm, updated.Id!, updated.SyncToken!);
        deactivated.IsActive.Should().BeFalse();
        deactivated.BareDisplayName.Should().Be(name);

        (await customers.FindByDisplayNameAsync(Realm, name, includeInactive: false)).Should().BeEmpty();
        var inactive = await customers.FindByDisplayNameAsync(Realm, name, includeInactive: true);
        inactive.Should().ContainSingle();
        inactive[0].Id.Should().Be(created.Id);
        inactive[0].IsActive.Should().BeFalse();
        inactive[0].DisplayName.Should().Be(name + QuickBooksNamedEntity.DeletedSuffix);
        inactive[0].BareDisplayName.Should().Be(name);

        var reactivated = await customers.ReactivateAsync(Realm, deactivated.Id!, deactivated.SyncToken!);
        reactivated.IsActive.Should().BeTrue();
        reactivated.DisplayName.Should().Be(name);
        (await customers.FindByDisplayNameAsync(Realm, name, includeInactive: false)).Should().ContainSingle().Which.Id.Should().Be(created.Id);
    }

    [Fact]
    public async Task Find_of_an_unknown_name_is_empty_and_a_name_that_looks_like_an_injection_matches_nothing_else()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddCustomer("Victim");
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Nobody")).Should().BeEmpty();
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "x' OR DisplayName LIKE '%")).Should().BeEmpty();
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "%")).Should().BeEmpty();
    }

    [Fact]
    public async Task Duplicate_names_against_customers_inactive_customers_vendors_and_employees_raise_duplicate_name()
    {
        using var h = await FakeClientHarness.StartAsync();
        var active = h.Company.AddCustomer("Active Holder");
        h.Company.AddCustomer("Inactive Holder", active: false);
        h.Company.AddVendor("Vendor Holder");
        h.Company.AddEmployee("Employee Holder");

        foreach (var name in new[] { "Active Holder", "active holder", "Inactive Holder", "Vendor Holder", "Employee Holder" })
        {
            var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = name });
            var thrown = await act.Should().ThrowAsync<QuickBooksDuplicateNameException>(name);
            thrown.Which.ErrorCode.Should().Be("6240");
            thrown.Which.IsTransient.Should().BeFalse();
        }

        h.Company.Customers.Should().HaveCount(2);
        h.Company.Get("Customer", (string)active["Id"]!)!.Should().NotBeNull();
    }

    [Fact]
    public async Task Duplicate_name_reports_the_existing_id_when_qbo_sends_it()
    {
        using var h = await FakeClientHarness.StartAsync(fake => fake.DuplicateNameDetailIncludesId = true);
        var holder = h.Company.AddCustomer("Holder");
        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Holder" });
        (await act.Should().ThrowAsync<QuickBooksDuplicateNameException>()).Which.ExistingId.Should().Be((string?)holder["Id"]);
    }

    [Fact]
    public async Task Renaming_onto_a_held_name_raises_duplicate_name()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddVendor("Taken");
        var customer = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Free" });
        var act = () => h.Client.Customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = customer.Id!, SyncToken = customer.SyncToken!, DisplayName = "Taken" });
        await act.Should().ThrowAsync<QuickBooksDuplicateNameException>();
    }

    [Fact]
    public async Task A_stale_sync_token_raises_stale_object()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Stale Co" });
        await h.Client.Customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = customer.Id!, SyncToken = customer.SyncToken!, Notes = "first" });

        var act = () => h.Client.Customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = customer.Id!, SyncToken = customer.SyncToken!, Notes = "second" });
        var thrown = await act.Should().ThrowAsync<QuickBooksStaleObjectException>();
        thrown.Which.ErrorCode.Should().Be("5010");
        (await h.Client.Customers.GetAsync(Realm, customer.Id!)).Notes.Should().Be("first");
    }

    [Theory]
    [InlineData("Colon: Ltd")]
    [InlineData("Tab\tLtd")]
    [InlineData("New\nLine")]
    public async Task Names_with_forbidden_characters_raise_validation_and_are_not_retried(string name)
    {
        using var h = await FakeClientHarness.StartAsync();
        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = name });
        var thrown = await act.Should().ThrowAsync<QuickBooksValidationException>();
        thrown.Which.Should().NotBeOfType<QuickBooksDuplicateNameException>();
        thrown.Which.IsTransient.Should().BeFalse();
        h.RequestsTo("/customer").Should().ContainSingle();
        h.Company.Customers.Should().BeEmpty();
    }

    [Fact]
    public async Task A_name_over_500_characters_raises_validation()
    {
        using var h = await FakeClientHarness.StartAsync();
        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = new string('a', 501) });
        await act.Should().ThrowAsync<QuickBooksValidationException>();
        (await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = new string('a', 500) })).DisplayName.Should().HaveLength(500);
    }

    [Fact]
    public async Task Reading_a_missing_customer_raises_object_not_found()
    {
        using var h = await FakeClientHarness.StartAsync();
        var act = () => h.Client.Customers.GetAsync(Realm, "99999");
        await act.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(100)]
    [InlineData(7)]
    public async Task List_pages_through_every_customer_without_duplicates_or_gaps(int pageSize)
    {
        using var h = await FakeClientHarness.StartAsync();
        const int total = 2350;
        for (var i = 0; i < total; i++)
        {
            h.Company.AddCustomer($"Customer {i:D5}", active: i % 50 != 0);
        }

        var expectedActive = h.Company.Customers.Where(c => (bool?)c["Active"] != false).Select(c => (string)c["Id"]!).ToHashSet();
        expectedActive.Should().HaveCount(total - 47);
        var all = h.Company.Customers.Select(c => (string)c["Id"]!).ToHashSet();

        var size = pageSize;
        var ids = new List<string>();
        await foreach (var customer in h.Client.Customers.ListAsync(Realm, pageSize: size))
        {
            ids.Add(customer.Id!);
        }

        ids.Should().OnlyHaveUniqueItems();
        ids.ToHashSet().SetEquals(expectedActive).Should().BeTrue();

        var withInactive = new List<Customer>();
        await foreach (var customer in h.Client.Customers.ListAsync(Realm, includeInactive: true, pageSize: Math.Max(size, 500)))
        {
            withInactive.Add(customer);
        }

        withInactive.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        withInactive.Select(c => c.Id!).ToHashSet().SetEquals(all).Should().BeTrue();
        withInactive.Where(c => !c.IsActive).Should().HaveCount(47).And.OnlyContain(c => c.DisplayName!.EndsWith(" (deleted)") && !c.BareDisplayName!.EndsWith(" (deleted)"));

        var queries = h.Fake.Journal.Requests.Count(r => r.Kind == FakeRequestKind.Query);
        var expectedQueries = ((total - 47) / size) + 1 + (total / Math.Max(size, 500)) + 1;
        queries.Should().BeLessThanOrEqualTo(expectedQueries, "each page is one request, plus at most one empty page at the end");
    }

    [Fact]
    public async Task Count_with_and_without_inactive()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.SeedDemoData();
        h.Company.AddCustomer("Gone Too", active: false);
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(3);
        (await h.Client.Customers.CountAsync(Realm, includeInactive: true)).Should().Be(5);
        (await h.Client.Vendors.CountAsync(Realm)).Should().Be(1);
        (await h.Client.Employees.CountAsync(Realm)).Should().Be(1);
    }

    [Fact]
    public async Task Count_of_an_empty_company_is_zero()
    {
        using var h = await FakeClientHarness.StartAsync();
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);
        var none = new List<Customer>();
        await foreach (var customer in h.Client.Customers.ListAsync(Realm))
        {
            none.Add(customer);
        }

        none.Should().BeEmpty();
    }

    [Fact]
    public async Task Vendors_and_employees_find_and_list()
    {
        using var h = await FakeClientHarness.StartAsync();
        var vendor = h.Company.AddVendor("Books by Bessie's");
        h.Company.AddVendor("Old Vendor", active: false);
        var employee = h.Company.AddEmployee(@"Emily \ Platt");

        (await h.Client.Vendors.FindByDisplayNameAsync(Realm, "Books by Bessie's")).Should().ContainSingle().Which.Id.Should().Be((string?)vendor["Id"]);
        (await h.Client.Employees.FindByDisplayNameAsync(Realm, @"Emily \ Platt")).Should().ContainSingle().Which.Id.Should().Be((string?)employee["Id"]);
        var oldVendor = await h.Client.Vendors.FindByDisplayNameAsync(Realm, "Old Vendor");
        oldVendor.Should().ContainSingle().Which.BareDisplayName.Should().Be("Old Vendor");
        (await h.Client.Vendors.GetAsync(Realm, (string)vendor["Id"]!)).DisplayName.Should().Be("Books by Bessie's");

        var vendors = new List<Vendor>();
        await foreach (var v in h.Client.Vendors.ListAsync(Realm))
        {
            vendors.Add(v);
        }

        vendors.Should().ContainSingle().Which.DisplayName.Should().Be("Books by Bessie's");

        var employees = new List<Employee>();
        await foreach (var e in h.Client.Employees.ListAsync(Realm, includeInactive: true))
        {
            employees.Add(e);
        }

        employees.Should().ContainSingle().Which.DisplayName.Should().Be(@"Emily \ Platt");
    }

    [Fact]
    public async Task Customer_types_list_with_individual_seeded()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddCustomerType("Added Later");
        var types = await h.Client.CustomerTypes.ListAsync(Realm);
        types.Select(t => t.Name).Should().BeEquivalentTo("Individual", "Retail", "Wholesale", "Business", "Added Later");
        types.Should().OnlyContain(t => t.IsActive && !string.IsNullOrEmpty(t.Id));
    }

    [Fact]
    public async Task Customer_types_list_includes_inactive_types_only_when_asked()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddCustomerType("Retired", active: false);
        (await h.Client.CustomerTypes.ListAsync(Realm)).Should().NotContain(t => t.Name!.StartsWith("Retired"));
        var all = await h.Client.CustomerTypes.ListAsync(Realm, includeInactive: true);
        all.Should().Contain(t => t.Name!.StartsWith("Retired") && !t.IsActive);
    }

    [Fact]
    public async Task Customer_types_list_without_individual()
    {
        using var h = await FakeClientHarness.StartAsync(fake => fake.SeedIndividualCustomerType = false);
        var types = await h.Client.CustomerTypes.ListAsync(Realm);
        types.Select(t => t.Name).Should().NotContain("Individual").And.HaveCount(3);
    }

    [Fact]
    public async Task A_customer_created_with_a_customer_type_reads_it_back()
    {
        using var h = await FakeClientHarness.StartAsync();
        var retail = (await h.Client.CustomerTypes.ListAsync(Realm)).Single(t => t.Name == "Retail");
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Typed", CustomerTypeRef = new QuickBooksReference(retail.Id!) });
        (await h.Client.Customers.GetAsync(Realm, created.Id!)).CustomerTypeRef!.Value.Should().Be(retail.Id);
    }

    [Fact]
    public async Task Items_find_by_name_get_and_list()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddItem("Widget's \\ Large", 12.5m);
        h.Company.AddItem("Retired Item", active: false);

        var bookkeeping = await h.Client.Items.FindByNameAsync(Realm, "Bookkeeping");
        bookkeeping.Should().ContainSingle().Which.UnitPrice.Should().Be(150m);
        var widget = await h.Client.Items.FindByNameAsync(Realm, "Widget's \\ Large");
        widget.Should().ContainSingle().Which.UnitPrice.Should().Be(12.5m);
        (await h.Client.Items.FindByNameAsync(Realm, "No Such Item")).Should().BeEmpty();
        (await h.Client.Items.GetAsync(Realm, widget[0].Id!)).Name.Should().Be("Widget's \\ Large");

        var items = new List<Item>();
        await foreach (var item in h.Client.Items.ListAsync(Realm, pageSize: 2))
        {
            items.Add(item);
        }

        items.Select(i => i.Name).Should().BeEquivalentTo("Services", "Bookkeeping", "Tax Return", "Widget's \\ Large");
    }
}
