using System.Net;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

public class CustomerRuleTests : FakeTestBase
{
    [Fact]
    public async Task Create_returns_the_customer_with_id_synctoken_zero_and_metadata_from_the_clock()
    {
        var customer = await CreateCustomer("Doe5, Jane");

        customer["Id"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        customer["SyncToken"]!.GetValue<string>().Should().Be("0");
        customer["Active"]!.GetValue<bool>().Should().BeTrue();
        customer["FullyQualifiedName"]!.GetValue<string>().Should().Be("Doe5, Jane");
        customer["PrintOnCheckName"]!.GetValue<string>().Should().Be("Doe5, Jane");
        customer["MetaData"]!["CreateTime"]!.GetValue<string>().Should().Be("2025-03-01T05:00:00-07:00");
    }

    [Fact]
    public async Task Read_returns_the_stored_customer()
    {
        var created = await CreateCustomer("Amy's Bird Sanctuary");
        var (status, body) = await Get("customer/" + created["Id"] + "?minorversion=75");

        status.Should().Be(HttpStatusCode.OK);
        body["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("Amy's Bird Sanctuary");
        body["time"]!.GetValue<string>().Should().Be("2025-03-01T05:00:00.000-07:00");
    }

    [Fact]
    public async Task Read_of_a_non_numeric_id_answers_2030()
    {
        var (status, body) = await Get("customer/1.5");
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("2030");
        FirstError(body)["element"]!.GetValue<string>().Should().Be("Id");
    }

    [Fact]
    public async Task Read_of_a_missing_id_answers_610()
    {
        var (status, body) = await Get("customer/999");
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("610");
    }

    [Fact]
    public async Task Duplicate_display_name_answers_6240_shaped_like_real_traffic()
    {
        await CreateCustomer("Weiskopf Consulting");
        var (status, body) = await PostJson("customer", new JsonObject { ["DisplayName"] = "Weiskopf Consulting" });

        status.Should().Be(HttpStatusCode.BadRequest);
        body["Fault"]!["type"]!.GetValue<string>().Should().Be("ValidationFault");
        var error = FirstError(body);
        error["code"]!.GetValue<string>().Should().Be("6240");
        error["Message"]!.GetValue<string>().Should().Be("Duplicate Name Exists Error");
        error["Detail"]!.GetValue<string>().Should().Be("The name supplied already exists. : null");
        error.ContainsKey("element").Should().BeFalse();
        body["time"].Should().NotBeNull();
    }

    [Fact]
    public async Task Duplicate_display_name_is_case_insensitive_by_default()
    {
        await CreateCustomer("Acme Ltd");
        var (status, _) = await PostJson("customer", new JsonObject { ["DisplayName"] = "ACME LTD" });
        status.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Display_names_held_by_a_vendor_an_employee_or_an_inactive_customer_collide()
    {
        Company.AddVendor("Books by Bessie");
        Company.AddEmployee("Emily Platt");
        Company.AddCustomer("Old Client", active: false);

        foreach (var name in new[] { "Books by Bessie", "Emily Platt", "Old Client" })
        {
            var (status, body) = await PostJson("customer", new JsonObject { ["DisplayName"] = name });
            status.Should().Be(HttpStatusCode.BadRequest);
            FirstError(body)["code"]!.GetValue<string>().Should().Be("6240");
        }
    }

    [Theory]
    [InlineData("Colon: Name")]
    [InlineData("Tab\tName")]
    [InlineData("New\nLine")]
    public async Task Colon_tab_and_newline_are_refused(string name)
    {
        var (status, body) = await PostJson("customer", new JsonObject { ["DisplayName"] = name });
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["element"]!.GetValue<string>().Should().Be("DisplayName");
    }

    [Fact]
    public async Task Display_name_longer_than_500_is_refused_and_500_is_accepted()
    {
        var (tooLong, _) = await PostJson("customer", new JsonObject { ["DisplayName"] = new string('a', 501) });
        tooLong.Should().Be(HttpStatusCode.BadRequest);
        var (ok, _) = await PostJson("customer", new JsonObject { ["DisplayName"] = new string('b', 500) });
        ok.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Display_name_is_generated_from_name_parts_and_missing_names_answer_6080()
    {
        var (status, body) = await PostJson("customer", new JsonObject { ["GivenName"] = "James", ["FamilyName"] = "King" });
        status.Should().Be(HttpStatusCode.OK);
        body["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("James King");

        var (noName, fault) = await PostJson("customer", new JsonObject { ["CompanyName"] = "Nameless" });
        noName.Should().Be(HttpStatusCode.BadRequest);
        FirstError(fault)["code"]!.GetValue<string>().Should().Be("6080");
    }

    [Fact]
    public async Task Sparse_update_changes_only_given_fields_and_increments_synctoken()
    {
        var created = await CreateCustomer("Bill's Windsurf Shop");
        Clock.Advance(TimeSpan.FromMinutes(5));
        var (status, body) = await PostJson("customer", new JsonObject { ["Id"] = created["Id"]!.GetValue<string>(), ["SyncToken"] = "0", ["sparse"] = true, ["MiddleName"] = "Mark" });

        status.Should().Be(HttpStatusCode.OK);
        var customer = body["Customer"]!;
        customer["SyncToken"]!.GetValue<string>().Should().Be("1");
        customer["MiddleName"]!.GetValue<string>().Should().Be("Mark");
        customer["DisplayName"]!.GetValue<string>().Should().Be("Bill's Windsurf Shop");
        customer["sparse"]!.GetValue<bool>().Should().BeFalse();
        customer["MetaData"]!["LastUpdatedTime"]!.GetValue<string>().Should().Be("2025-03-01T05:05:00-07:00");
        customer["MetaData"]!["CreateTime"]!.GetValue<string>().Should().Be("2025-03-01T05:00:00-07:00");
    }

    [Fact]
    public async Task Sparse_update_that_changes_nothing_keeps_the_synctoken()
    {
        var created = await CreateCustomer("Same Name");
        var (_, body) = await PostJson("customer", new JsonObject { ["Id"] = created["Id"]!.GetValue<string>(), ["SyncToken"] = "0", ["sparse"] = true, ["DisplayName"] = "Same Name" });
        body["Customer"]!["SyncToken"]!.GetValue<string>().Should().Be("0");
    }

    [Fact]
    public async Task Full_update_drops_omitted_writable_fields()
    {
        var (_, created) = await PostJson("customer", new JsonObject { ["DisplayName"] = "Jack", ["Notes"] = "note" });
        var id = created["Customer"]!["Id"]!.GetValue<string>();
        var (_, body) = await PostJson("customer", new JsonObject { ["Id"] = id, ["SyncToken"] = "0", ["DisplayName"] = "Jack Moe" });
        body["Customer"]!["Notes"].Should().BeNull();
        body["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("Jack Moe");
        body["Customer"]!["FullyQualifiedName"]!.GetValue<string>().Should().Be("Jack Moe");
    }

    [Fact]
    public async Task Stale_synctoken_answers_5010()
    {
        var created = await CreateCustomer("Stale Co");
        var id = created["Id"]!.GetValue<string>();
        await PostJson("customer", new JsonObject { ["Id"] = id, ["SyncToken"] = "0", ["sparse"] = true, ["Notes"] = "one" });
        var (status, body) = await PostJson("customer", new JsonObject { ["Id"] = id, ["SyncToken"] = "0", ["sparse"] = true, ["Notes"] = "two" });

        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("5010");
        FirstError(body)["Message"]!.GetValue<string>().Should().Be("Stale Object Error");
    }

    [Fact]
    public async Task Deactivated_customer_is_returned_with_deleted_suffix_and_can_be_reactivated()
    {
        var created = await CreateCustomer("Emily's Shop");
        var id = created["Id"]!.GetValue<string>();
        var (_, off) = await PostJson("customer", new JsonObject { ["Id"] = id, ["SyncToken"] = "0", ["sparse"] = true, ["Active"] = false });
        off["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("Emily's Shop (deleted)");
        off["Customer"]!["FullyQualifiedName"]!.GetValue<string>().Should().Be("Emily's Shop (deleted)");
        off["Customer"]!["PrintOnCheckName"]!.GetValue<string>().Should().Be("Emily's Shop");
        off["Customer"]!["Active"]!.GetValue<bool>().Should().BeFalse();

        var (_, on) = await PostJson("customer", new JsonObject { ["Id"] = id, ["SyncToken"] = "1", ["sparse"] = true, ["Active"] = true });
        on["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("Emily's Shop");
        on["Customer"]!["SyncToken"]!.GetValue<string>().Should().Be("2");
        Company.Get("Customer", id)!["DisplayName"]!.GetValue<string>().Should().Be("Emily's Shop");
    }

    [Fact]
    public async Task Customer_type_reference_must_exist()
    {
        var (status, body) = await PostJson("customer", new JsonObject { ["DisplayName"] = "Typed", ["CustomerTypeRef"] = new JsonObject { ["value"] = "999" } });
        status.Should().Be(HttpStatusCode.BadRequest);
        FirstError(body)["code"]!.GetValue<string>().Should().Be("2500");

        var typeId = Company.CustomerTypes[0]["Id"]!.GetValue<string>();
        var (ok, _) = await PostJson("customer", new JsonObject { ["DisplayName"] = "Typed", ["CustomerTypeRef"] = new JsonObject { ["value"] = typeId } });
        ok.Should().Be(HttpStatusCode.OK);
    }
}

public class CustomerRuleSettingTests() : FakeTestBase(o =>
{
    o.DisplayNameComparison = StringComparison.Ordinal;
    o.DuplicateNameDetailIncludesId = true;
    o.AppendDeletedSuffixToInactiveNames = false;
})
{
    [Fact]
    public async Task Case_sensitive_uniqueness_is_a_setting()
    {
        await CreateCustomer("Acme Ltd");
        var (status, _) = await PostJson("customer", new JsonObject { ["DisplayName"] = "ACME LTD" });
        status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_6240_detail_can_carry_the_colliding_id()
    {
        var existing = await CreateCustomer("Acme Ltd");
        var (_, body) = await PostJson("customer", new JsonObject { ["DisplayName"] = "Acme Ltd" });
        FirstError(body)["Detail"]!.GetValue<string>().Should().Be("The name supplied already exists. : Id=" + existing["Id"]);
    }

    [Fact]
    public async Task The_deleted_suffix_can_be_turned_off()
    {
        var inactive = Company.AddCustomer("Gone", active: false);
        var (_, body) = await Get("customer/" + inactive["Id"]);
        body["Customer"]!["DisplayName"]!.GetValue<string>().Should().Be("Gone");
    }
}
