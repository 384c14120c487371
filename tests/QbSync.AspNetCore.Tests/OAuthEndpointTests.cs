using System.Net;
using QbSync.AspNetCore;

namespace QbSync.AspNetCore.Tests;

public sealed class OAuthEndpointTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Connect_sends_the_owner_to_Intuit_with_a_fresh_state_each_time()
    {
        using var owner = _app.Owner();

        var first = await owner.GetAsync("/qbsync/oauth/connect");
        var second = await owner.GetAsync("/qbsync/oauth/connect");

        first.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var location = first.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).Should().Be(_app.Qbo.AuthorizationEndpoint);
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        query["client_id"].Should().Be(_app.Qbo.OAuth.ClientId);
        query["redirect_uri"].Should().Be("http://localhost/qbsync/oauth/callback");
        query["response_type"].Should().Be("code");
        query["state"].Should().HaveLength(43, "256 random bits, base64url");
        State(second).Should().NotBe(query["state"]);
    }

    [Theory]
    [InlineData("Admin")]
    [InlineData("Employee")]
    public async Task Only_the_owner_may_connect(string role)
    {
        using var client = _app.Client(TestApp.FirmA, "someone", role);

        var response = await client.GetAsync("/qbsync/oauth/connect");

        await ShouldBeProblem(response, HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
    }

    [Fact]
    public async Task Anonymous_users_and_users_without_claims_have_no_rights()
    {
        using var anonymous = _app.Client();
        using var noFirm = _app.Client(userId: "u1", role: "Owner");
        using var unknownRole = _app.Client(TestApp.FirmA, "u1", "Partner");

        await ShouldBeProblem(await anonymous.GetAsync("/qbsync/oauth/connect"), HttpStatusCode.Unauthorized, QbSyncProblemTypes.Unauthenticated);
        await ShouldBeProblem(await noFirm.GetAsync("/qbsync/oauth/connect"), HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
        await ShouldBeProblem(await unknownRole.GetAsync("/qbsync/api/accounts"), HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
    }

    [Fact]
    public async Task The_callback_connects_the_firm_and_its_state_cannot_be_replayed()
    {
        using var owner = _app.Owner();
        var state = State(await owner.GetAsync("/qbsync/oauth/connect"));
        var company = _app.Qbo.CreateCompany();

        var callback = await owner.GetAsync(Callback(state, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));
        var replay = await owner.GetAsync(Callback(state, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));

        callback.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json.ReadAsync(callback)).GetProperty("realmId").GetString().Should().Be(company.RealmId);
        await ShouldBeProblem(replay, HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
    }

    [Fact]
    public async Task The_callback_redirects_to_a_local_return_url_only()
    {
        using var owner = _app.Owner();
        var local = State(await owner.GetAsync("/qbsync/oauth/connect?returnUrl=%2Fsettings%3Fconnected%3D1"));
        var foreign = State(await owner.GetAsync("/qbsync/oauth/connect?returnUrl=%2F%2Fevil.example%2F"));
        var company = _app.Qbo.CreateCompany();

        var toLocal = await owner.GetAsync(Callback(local, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));
        var notForeign = await owner.GetAsync(Callback(foreign, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));

        toLocal.StatusCode.Should().Be(HttpStatusCode.Redirect);
        toLocal.Headers.Location!.OriginalString.Should().Be("/settings?connected=1");
        notForeign.StatusCode.Should().Be(HttpStatusCode.OK, "a foreign return URL is dropped when the state is made");
    }

    [Fact]
    public async Task An_expired_state_is_refused()
    {
        using var owner = _app.Owner();
        var state = State(await owner.GetAsync("/qbsync/oauth/connect"));
        var company = _app.Qbo.CreateCompany();

        _app.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var response = await owner.GetAsync(Callback(state, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));

        await ShouldBeProblem(response, HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
    }

    [Fact]
    public async Task A_state_issued_to_another_user_or_firm_is_refused_and_spent()
    {
        using var ownerA = _app.Owner(TestApp.FirmA);
        using var ownerB = _app.Owner(TestApp.FirmB);
        using var otherOwnerOfA = _app.Client(TestApp.FirmA, "second-owner", "Owner");
        var stateForB = State(await ownerA.GetAsync("/qbsync/oauth/connect"));
        var stateForOther = State(await ownerA.GetAsync("/qbsync/oauth/connect"));
        var company = _app.Qbo.CreateCompany();

        await ShouldBeProblem(await ownerB.GetAsync(Callback(stateForB, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId))), HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
        await ShouldBeProblem(await otherOwnerOfA.GetAsync(Callback(stateForOther, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId))), HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
        await ShouldBeProblem(await ownerA.GetAsync(Callback(stateForB, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId))), HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
    }

    [Fact]
    public async Task Unknown_and_missing_states_are_refused()
    {
        using var owner = _app.Owner();
        var company = _app.Qbo.CreateCompany();
        var code = _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId);

        await ShouldBeProblem(await owner.GetAsync(Callback("made-up", company.RealmId, code)), HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
        await ShouldBeProblem(await owner.GetAsync($"/qbsync/oauth/callback?code={code}&realmId={company.RealmId}"), HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid);
    }

    [Fact]
    public async Task Cancelling_on_Intuits_page_is_a_connect_cancelled_problem()
    {
        using var owner = _app.Owner();
        var state = State(await owner.GetAsync("/qbsync/oauth/connect"));

        var response = await owner.GetAsync($"/qbsync/oauth/callback?error=access_denied&state={Uri.EscapeDataString(state)}");

        var problem = await ShouldBeProblem(response, HttpStatusCode.BadRequest, QbSyncProblemTypes.ConnectCancelled);
        problem.GetProperty("detail").GetString().Should().Be("access_denied");
    }

    [Fact]
    public async Task A_code_Intuit_refuses_is_a_quickbooks_refused_problem_with_the_oauth_error_code()
    {
        using var owner = _app.Owner();
        var state = State(await owner.GetAsync("/qbsync/oauth/connect"));
        var company = _app.Qbo.CreateCompany();

        var response = await owner.GetAsync(Callback(state, company.RealmId, "not-a-code-the-fake-issued"));

        var problem = await ShouldBeProblem(response, (HttpStatusCode)502, QbSyncProblemTypes.QuickBooksRefused);
        problem.GetProperty("code").GetString().Should().Be("invalid_grant");
    }

    [Fact]
    public async Task The_consent_page_of_the_fake_redirects_back_with_code_state_and_realm()
    {
        using var owner = _app.Owner();
        var authorize = (await owner.GetAsync("/qbsync/oauth/connect")).Headers.Location!;
        var company = _app.Qbo.CreateCompany();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var page = await browser.GetStringAsync(authorize);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        var approve = await browser.GetAsync($"{_app.Qbo.AuthorizationEndpoint}/approve?redirect_uri={Uri.EscapeDataString(query["redirect_uri"]!)}&state={Uri.EscapeDataString(query["state"]!)}&realmId={company.RealmId}&decision=allow");
        var back = approve.Headers.Location!;
        var callback = await owner.GetAsync(back.PathAndQuery);

        page.Should().Contain(company.RealmId).And.Contain("<label for=\"realmId\">");
        approve.StatusCode.Should().Be(HttpStatusCode.Redirect);
        callback.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json.ReadAsync(callback)).GetProperty("realmId").GetString().Should().Be(company.RealmId);
    }

    [Fact]
    public async Task A_company_another_firm_holds_is_refused_without_naming_the_firm()
    {
        var company = await _app.ConnectAsync(TestApp.FirmA);
        using var ownerB = _app.Owner(TestApp.FirmB);
        var state = State(await ownerB.GetAsync("/qbsync/oauth/connect"));

        var response = await ownerB.GetAsync(Callback(state, company.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(company.RealmId)));

        var problem = await ShouldBeProblem(response, HttpStatusCode.Conflict, QbSyncProblemTypes.CompanyHeldByAnotherFirm);
        problem.ToString().Should().NotContain(TestApp.FirmA);
    }

    [Fact]
    public async Task A_person_whose_connect_fails_reads_the_problem_as_a_page_with_a_way_back()
    {
        var held = await _app.ConnectAsync(TestApp.FirmA);
        using var ownerB = _app.Owner(TestApp.FirmB);
        ownerB.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
        var cancelState = State(await ownerB.GetAsync("/qbsync/oauth/connect?returnUrl=%2Faccounts%3Fx%3D1%26y%3D%3Cb%3E"));
        var heldState = State(await ownerB.GetAsync("/qbsync/oauth/connect"));

        var cancelled = await ownerB.GetAsync($"/qbsync/oauth/callback?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={Uri.EscapeDataString(cancelState)}");
        var taken = await ownerB.GetAsync(Callback(heldState, held.RealmId, _app.Qbo.OAuth.CreateAuthorizationCode(held.RealmId)));
        var replayed = await ownerB.GetAsync($"/qbsync/oauth/callback?error=access_denied&state={Uri.EscapeDataString(cancelState)}");

        var page = await ShouldBeProblemPage(cancelled, HttpStatusCode.BadRequest, QbSyncProblemTypes.ConnectCancelled);
        page.Should().Contain("<h1>The connection to QuickBooks was cancelled</h1>")
            .And.Contain("href=\"/accounts?x=1&amp;y=&lt;b&gt;\"", "the way back is the return URL the connect was started with")
            .And.NotContain("<script>", "Intuit's error is text, never markup");
        (await ShouldBeProblemPage(taken, HttpStatusCode.Conflict, QbSyncProblemTypes.CompanyHeldByAnotherFirm))
            .Should().Contain("This QuickBooks company is connected to another firm").And.Contain("href=\"/\"").And.NotContain(TestApp.FirmA);
        (await ShouldBeProblemPage(replayed, HttpStatusCode.BadRequest, QbSyncProblemTypes.OAuthStateInvalid))
            .Should().Contain("The connection link is invalid or has expired");
    }

    [Fact]
    public async Task The_problem_page_follows_the_request_culture()
    {
        using var owner = _app.Client(TestApp.FirmA, "owner-firm-a", "Owner", culture: "ro");
        owner.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
        var state = State(await owner.GetAsync("/qbsync/oauth/connect"));

        var response = await owner.GetAsync($"/qbsync/oauth/callback?error=access_denied&state={Uri.EscapeDataString(state)}");

        var page = await ShouldBeProblemPage(response, HttpStatusCode.BadRequest, QbSyncProblemTypes.ConnectCancelled);
        page.Should().Contain("lang=\"ro\"").And.Contain("Conectarea la QuickBooks a fost anulată");
    }

    [Fact]
    public async Task Disconnect_is_the_owners_and_needs_json()
    {
        await _app.ConnectAsync(TestApp.FirmA);
        using var admin = _app.Admin();
        using var owner = _app.Owner();

        await ShouldBeProblem(await admin.PostAsync("/qbsync/oauth/disconnect", Json.Body()), HttpStatusCode.Forbidden, QbSyncProblemTypes.Forbidden);
        await ShouldBeProblem(await owner.PostAsync("/qbsync/oauth/disconnect", new FormUrlEncodedContent([])), HttpStatusCode.UnsupportedMediaType, QbSyncProblemTypes.BadRequest);
        var response = await owner.PostAsync("/qbsync/oauth/disconnect", Json.Body());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json.ReadAsync(response)).TryGetProperty("realmId", out _).Should().BeFalse();
    }

    internal static string State(HttpResponseMessage connect)
    {
        connect.StatusCode.Should().Be(HttpStatusCode.Redirect);
        return System.Web.HttpUtility.ParseQueryString(connect.Headers.Location!.Query)["state"]!;
    }

    private static string Callback(string state, string realmId, string code) =>
        $"/qbsync/oauth/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}&realmId={realmId}";

    /// <summary>What a browser sends when it follows Intuit's redirect to the callback.</summary>
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private static async Task<string> ShouldBeProblemPage(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.TryGetValues("Content-Security-Policy", out var policy).Should().BeTrue();
        policy!.Single().Should().Contain("default-src 'none'");
        body.Should().StartWith("<!doctype html>").And.Contain($"data-problem-type=\"{type}\"");
        return body;
    }

    internal static async Task<System.Text.Json.JsonElement> ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await Json.ReadAsync(response);
        response.StatusCode.Should().Be(status, body.ToString());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        body.GetProperty("type").GetString().Should().Be(type);
        body.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        return body;
    }
}
