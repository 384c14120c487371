using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QbSync.AspNetCore;
using QbSync.Testing;

namespace QbSync.AspNetCore.Tests;

public sealed class ApiEndpointTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private FakeCompany _company = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _company = await _app.ConnectAsync(TestApp.FirmA);
        _company.AddCustomer("Acme Ltd");
        _company.AddCustomer("Bright Bakery");
        _company.AddCustomer("Cedar Clinic");
        await _app.RegisterAsync(TestApp.FirmA, "acc-acme", "Acme Ltd");
        await _app.RegisterAsync(TestApp.FirmA, "acc-bright", "Bright Bakery");
        await _app.RunPendingAsync(TestApp.FirmA);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_accounts_list_has_statuses_as_strings_with_label_tooltip_and_actions()
    {
        using var owner = _app.Owner();

        var response = await owner.GetAsync("/qbsync/api/accounts");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var items = (await Json.ReadAsync(response)).GetProperty("items");
        items.GetArrayLength().Should().Be(2);
        var acme = items[0];
        acme.GetProperty("accountId").GetString().Should().Be("acc-acme");
        acme.GetProperty("status").GetString().Should().Be("Synced");
        acme.GetProperty("label").GetString().Should().Be("Synced");
        acme.GetProperty("tooltip").GetString().Should().NotBeNullOrEmpty();
        acme.GetProperty("availableActions").EnumerateArray().Select(a => a.GetString()).Should().Contain("Unsync");
    }

    [Fact]
    public async Task Texts_follow_the_request_culture()
    {
        using var romanian = _app.Client(TestApp.FirmA, "owner-firm-a", "Owner", culture: "ro");
        using var anonymousRomanian = _app.Client(culture: "ro-RO");

        var list = await Json.ReadAsync(await romanian.GetAsync("/qbsync/api/accounts"));
        var problem = await Json.ReadAsync(await romanian.GetAsync("/qbsync/api/accounts/nope"));
        var unauthenticated = await Json.ReadAsync(await anonymousRomanian.GetAsync("/qbsync/api/accounts"));

        list.GetProperty("items")[0].GetProperty("label").GetString().Should().Be("Sincronizat");
        problem.GetProperty("title").GetString().Should().Be("Contul nu a fost găsit");
        unauthenticated.GetProperty("title").GetString().Should().Be("Autentificare necesară");
    }

    [Fact]
    public async Task Filter_by_status_and_paging()
    {
        using var owner = _app.Owner();
        await owner.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body());

        var skipped = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/accounts?status=skipped"));
        var first = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/accounts?pageSize=1"));
        var token = first.GetProperty("continuationToken").GetString();
        var second = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/accounts?pageSize=1&continuationToken=" + Uri.EscapeDataString(token!)));

        skipped.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("accountId").GetString()).Should().Equal("acc-bright");
        first.GetProperty("items")[0].GetProperty("accountId").GetString().Should().Be("acc-acme");
        second.GetProperty("items")[0].GetProperty("accountId").GetString().Should().Be("acc-bright");
        await OAuthEndpointTests.ShouldBeProblem(await owner.GetAsync("/qbsync/api/accounts?status=Bogus"), HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
        await OAuthEndpointTests.ShouldBeProblem(await owner.GetAsync("/qbsync/api/accounts?status=7"), HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
        await OAuthEndpointTests.ShouldBeProblem(await owner.GetAsync("/qbsync/api/accounts?pageSize=0"), HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
    }

    [Fact]
    public async Task Unsync_then_link_through_the_picker()
    {
        using var admin = _app.Admin();

        var unsync = await Json.ReadAsync(await admin.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body()));
        var picker = await Json.ReadAsync(await admin.GetAsync("/qbsync/api/accounts/acc-bright/customers?search=bright&take=10"));
        var customerId = picker.GetProperty("items")[0].GetProperty("customerId").GetString();
        var link = await admin.PostAsync("/qbsync/api/accounts/acc-bright/link", Json.Body($"{{\"customerId\":\"{customerId}\"}}"));
        var history = await Json.ReadAsync(await admin.GetAsync("/qbsync/api/accounts/acc-bright/history"));

        unsync.GetProperty("status").GetString().Should().Be("Skipped");
        picker.GetProperty("totalCount").GetInt32().Should().Be(1);
        link.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json.ReadAsync(link)).GetProperty("status").GetString().Should().Be("Synced");
        history.EnumerateArray().Select(h => h.GetProperty("to").GetString()).Should().Contain("Skipped").And.EndWith("Synced");
    }

    [Fact]
    public async Task The_picker_excludes_customers_linked_to_other_accounts()
    {
        using var admin = _app.Admin();
        await admin.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body());

        var picker = await Json.ReadAsync(await admin.GetAsync("/qbsync/api/accounts/acc-bright/customers"));

        picker.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("displayName").GetString()).Should().NotContain("Acme Ltd").And.Contain("Cedar Clinic");
    }

    [Fact]
    public async Task Another_firms_account_ids_are_not_found_for_every_call()
    {
        await _app.ConnectAsync(TestApp.FirmB);
        using var ownerB = _app.Owner(TestApp.FirmB);

        foreach (var (method, path) in new[]
        {
            ("GET", "/qbsync/api/accounts/acc-acme"), ("GET", "/qbsync/api/accounts/acc-acme/history"),
            ("POST", "/qbsync/api/accounts/acc-acme/sync"), ("POST", "/qbsync/api/accounts/acc-acme/unsync"),
            ("POST", "/qbsync/api/accounts/acc-acme/create-customer"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Json.Body() : null };
            var response = await ownerB.SendAsync(request);
            var problem = await OAuthEndpointTests.ShouldBeProblem(response, HttpStatusCode.NotFound, QbSyncProblemTypes.NotFound);
            problem.GetProperty("accountId").GetString().Should().Be("acc-acme");
        }

        var list = await Json.ReadAsync(await ownerB.GetAsync("/qbsync/api/accounts"));
        list.GetProperty("items").GetArrayLength().Should().Be(0);
        var link = await ownerB.PostAsync("/qbsync/api/accounts/acc-acme/link", Json.Body("{\"customerId\":\"1\"}"));
        await OAuthEndpointTests.ShouldBeProblem(link, HttpStatusCode.NotFound, QbSyncProblemTypes.NotFound);
    }

    [Fact]
    public async Task Employees_see_statuses_but_may_not_change_them()
    {
        using var employee = _app.Employee();

        var list = await Json.ReadAsync(await employee.GetAsync("/qbsync/api/accounts"));
        var unsync = await employee.PostAsync("/qbsync/api/accounts/acc-acme/unsync", Json.Body());
        var settings = await employee.PutAsync("/qbsync/api/settings", Json.Body("{\"scope\":\"AllAccounts\",\"createMissingCustomers\":false}"));

        list.GetProperty("items")[0].GetProperty("availableActions").GetArrayLength().Should().Be(0);
        var problem = await OAuthEndpointTests.ShouldBeProblem(unsync, HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
        problem.GetProperty("action").GetString().Should().Be("Unsync");
        await OAuthEndpointTests.ShouldBeProblem(settings, HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
    }

    [Fact]
    public async Task Unsyncing_a_skipped_account_is_a_conflict()
    {
        using var owner = _app.Owner();
        await owner.PostAsync("/qbsync/api/accounts/acc-acme/unsync", Json.Body());

        var again = await owner.PostAsync("/qbsync/api/accounts/acc-acme/unsync", Json.Body());

        var problem = await OAuthEndpointTests.ShouldBeProblem(again, HttpStatusCode.Conflict, QbSyncProblemTypes.Conflict);
        problem.GetProperty("status").GetInt32().Should().Be(409);
        problem.GetProperty("accountStatus").GetString().Should().Be("Skipped");
    }

    [Fact]
    public async Task A_revoked_connection_is_reconnect_required()
    {
        using var owner = _app.Owner();
        await owner.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body());
        _app.Qbo.OAuth.RevokeAll();
        _app.Qbo.OAuth.ExpireAccessTokens();
        ExpireCustomerDirectory(); // the picker reads the cached directory while it is fresh

        var picker = await owner.GetAsync("/qbsync/api/accounts/acc-bright/customers");

        await OAuthEndpointTests.ShouldBeProblem(picker, HttpStatusCode.Conflict, QbSyncProblemTypes.ReconnectRequired);
    }

    [Fact]
    public async Task A_QuickBooks_failure_is_quickbooks_refused_with_its_code()
    {
        using var owner = _app.Owner();
        await owner.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body());
        _app.Qbo.Faults.Enqueue(InjectedFault.InternalServerError);
        ExpireCustomerDirectory(); // the picker reads the cached directory while it is fresh

        var picker = await owner.GetAsync("/qbsync/api/accounts/acc-bright/customers");

        var problem = await OAuthEndpointTests.ShouldBeProblem(picker, HttpStatusCode.BadGateway, QbSyncProblemTypes.QuickBooksRefused);
        problem.TryGetProperty("code", out _).Should().BeTrue(problem.ToString());
    }

    private void ExpireCustomerDirectory() =>
        _app.Time.Advance(_app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QbSyncOptions>>().Value.CustomerDirectoryCacheDuration + TimeSpan.FromSeconds(1));

    [Fact]
    public async Task Changes_must_be_sent_as_json()
    {
        using var owner = _app.Owner();

        var form = await owner.PostAsync("/qbsync/api/accounts/acc-acme/unsync", new FormUrlEncodedContent([]));
        var none = await owner.PostAsync("/qbsync/api/accounts/acc-acme/unsync", null);
        var badJson = await owner.PostAsync("/qbsync/api/accounts/acc-acme/link", Json.Body("{not json"));

        await OAuthEndpointTests.ShouldBeProblem(form, HttpStatusCode.UnsupportedMediaType, QbSyncProblemTypes.BadRequest);
        await OAuthEndpointTests.ShouldBeProblem(none, HttpStatusCode.UnsupportedMediaType, QbSyncProblemTypes.BadRequest);
        await OAuthEndpointTests.ShouldBeProblem(badJson, HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
        (await Json.ReadAsync(await owner.GetAsync("/qbsync/api/accounts/acc-acme"))).GetProperty("status").GetString().Should().Be("Synced");
    }

    [Fact]
    public async Task Settings_round_trip_with_enum_names()
    {
        using var owner = _app.Owner();

        var put = await owner.PutAsync("/qbsync/api/settings", Json.Body("{\"scope\":\"AllAccounts\",\"createMissingCustomers\":false}"));
        var get = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/settings"));

        put.StatusCode.Should().Be(HttpStatusCode.OK);
        get.GetProperty("scope").GetString().Should().Be("AllAccounts");
        get.GetProperty("createMissingCustomers").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task A_name_held_by_an_inactive_customer_is_reactivated_and_linked_from_the_menu()
    {
        var inactiveId = _company.AddCustomer("Old Orchard", active: false)["Id"]!.GetValue<string>();
        await _app.RegisterAsync(TestApp.FirmA, "acc-old", "Old Orchard");
        await _app.RunPendingAsync(TestApp.FirmA);
        using var owner = _app.Owner();
        using var employee = _app.Employee();

        var failed = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/accounts/acc-old"));
        var byEmployee = await employee.PostAsync("/qbsync/api/accounts/acc-old/reactivate", Json.Body($"{{\"customerId\":\"{inactiveId}\"}}"));
        var noCustomer = await owner.PostAsync("/qbsync/api/accounts/acc-old/reactivate", Json.Body());
        var reactivated = await owner.PostAsync("/qbsync/api/accounts/acc-old/reactivate", Json.Body($"{{\"customerId\":\"{inactiveId}\"}}"));

        failed.GetProperty("status").GetString().Should().Be("Failed");
        failed.GetProperty("reason").GetString().Should().Be("NameHeldByInactiveCustomer");
        failed.GetProperty("availableActions").EnumerateArray().Select(a => a.GetString()).Should().Contain("ReactivateAndLink");
        failed.GetProperty("problem").GetProperty("customerIds").EnumerateArray().Select(c => c.GetString()).Should().Equal(inactiveId);
        await OAuthEndpointTests.ShouldBeProblem(byEmployee, HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
        await OAuthEndpointTests.ShouldBeProblem(noCustomer, HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
        reactivated.StatusCode.Should().Be(HttpStatusCode.OK);
        var state = await Json.ReadAsync(reactivated);
        state.GetProperty("status").GetString().Should().Be("Synced");
        state.GetProperty("customerId").GetString().Should().Be(inactiveId);
        _company.Customers.Single(c => c["Id"]!.GetValue<string>() == inactiveId)["Active"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task The_picker_pages_with_skip_and_take_and_a_sync_from_the_menu_links_the_named_customer()
    {
        using var admin = _app.Admin();
        _company.AddCustomer("Bright Bakery East");
        _company.AddCustomer("Bright Bakery West");
        ExpireCustomerDirectory(); // the picker reads the cached directory while it is fresh
        await admin.PostAsync("/qbsync/api/accounts/acc-bright/unsync", Json.Body());

        var first = await Json.ReadAsync(await admin.GetAsync("/qbsync/api/accounts/acc-bright/customers?search=bright&skip=0&take=2"));
        var second = await Json.ReadAsync(await admin.GetAsync("/qbsync/api/accounts/acc-bright/customers?search=bright&skip=2&take=2"));
        var tooMany = await admin.GetAsync("/qbsync/api/accounts/acc-bright/customers?take=201");
        var synced = await admin.PostAsync("/qbsync/api/accounts/acc-bright/sync", Json.Body());

        first.GetProperty("totalCount").GetInt32().Should().Be(3);
        first.GetProperty("items").GetArrayLength().Should().Be(2);
        second.GetProperty("items").GetArrayLength().Should().Be(1);
        first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("displayName").GetString()).Should().BeEquivalentTo(["Bright Bakery", "Bright Bakery East", "Bright Bakery West"]);
        await OAuthEndpointTests.ShouldBeProblem(tooMany, HttpStatusCode.BadRequest, QbSyncProblemTypes.BadRequest);
        synced.StatusCode.Should().Be(HttpStatusCode.OK);
        var state = await Json.ReadAsync(synced);
        state.GetProperty("status").GetString().Should().Be("Synced");
        state.GetProperty("customerDisplayName").GetString().Should().Be("Bright Bakery");
    }

    [Fact]
    public async Task Creating_a_customer_for_a_failed_account()
    {
        using var owner = _app.Owner();
        await owner.PutAsync("/qbsync/api/settings", Json.Body("{\"scope\":\"AccountsWithBillingActivity\",\"createMissingCustomers\":false}"));
        await _app.RegisterAsync(TestApp.FirmA, "acc-new", "Delta Dental");
        await _app.RunPendingAsync(TestApp.FirmA);
        var problems = await Json.ReadAsync(await owner.GetAsync("/qbsync/api/problems"));

        var created = await owner.PostAsync("/qbsync/api/accounts/acc-new/create-customer", Json.Body());

        problems.EnumerateArray().Select(p => p.GetProperty("accountId").GetString()).Should().Equal("acc-new");
        problems[0].GetProperty("reason").GetString().Should().Be("NoMatchCreationDisabled");
        (await Json.ReadAsync(created)).GetProperty("status").GetString().Should().Be("Synced");
        _company.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).Should().Contain("Delta Dental");
    }
}
