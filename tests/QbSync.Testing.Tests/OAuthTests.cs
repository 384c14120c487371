using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

public class OAuthTests() : FakeTestBase(o => o.Authentication = FakeAuthenticationMode.OAuth)
{
    private async Task<(HttpStatusCode Status, JsonObject Body)> TokenRequest(string form, string? basic = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Fake.TokenEndpoint)
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic ?? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Fake.OAuth.ClientId}:{Fake.OAuth.ClientSecret}")));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await ReadJson(response));
    }

    private async Task<HttpStatusCode> ReadWith(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api("customertype/1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Authorization_code_grant_issues_tokens_once()
    {
        var code = Fake.OAuth.CreateAuthorizationCode(Realm);
        var (status, body) = await TokenRequest($"grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp%2Fcb");
        status.Should().Be(HttpStatusCode.OK);
        body["token_type"]!.GetValue<string>().Should().Be("bearer");
        body["expires_in"]!.GetValue<long>().Should().Be(3600);
        body["x_refresh_token_expires_in"]!.GetValue<long>().Should().Be(8726400);
        (await ReadWith(body["access_token"]!.GetValue<string>())).Should().Be(HttpStatusCode.OK);

        var (again, error) = await TokenRequest($"grant_type=authorization_code&code={code}");
        again.Should().Be(HttpStatusCode.BadRequest);
        error["error"]!.GetValue<string>().Should().Be("invalid_grant");
    }

    [Fact]
    public async Task Wrong_client_credentials_answer_invalid_client()
    {
        var (status, body) = await TokenRequest("grant_type=refresh_token&refresh_token=x", Convert.ToBase64String(Encoding.UTF8.GetBytes("bad:secret")));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body["error"]!.GetValue<string>().Should().Be("invalid_client");
    }

    [Fact]
    public async Task Refresh_rotates_and_the_old_token_works_for_the_grace_window_then_invalid_grant()
    {
        var tokens = Fake.OAuth.IssueTokens();
        var (_, refreshed) = await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken);
        var newRefresh = refreshed["refresh_token"]!.GetValue<string>();
        newRefresh.Should().NotBe(tokens.RefreshToken);

        Clock.Advance(TimeSpan.FromHours(23));
        (await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken)).Status.Should().Be(HttpStatusCode.OK);

        Clock.Advance(TimeSpan.FromHours(2));
        var (status, body) = await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken);
        status.Should().Be(HttpStatusCode.BadRequest);
        body["error"]!.GetValue<string>().Should().Be("invalid_grant");
        Fake.OAuth.IsRefreshTokenValid(newRefresh).Should().BeTrue();
    }

    [Fact]
    public async Task Expired_access_token_answers_401_with_the_lowercase_authentication_fault()
    {
        var tokens = Fake.OAuth.IssueTokens();
        Clock.Advance(TimeSpan.FromMinutes(61));
        using var request = new HttpRequestMessage(HttpMethod.Get, Api("customer/1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");
        var body = await ReadJson(response);
        body["fault"]!["type"]!.GetValue<string>().Should().Be("AUTHENTICATION");
        body["fault"]!["error"]![0]!["code"]!.GetValue<string>().Should().Be("3200");
        body["fault"]!["error"]![0]!["message"]!.GetValue<string>().Should().Be("message=AuthenticationFailed; errorCode=003200; statusCode=401");
        body["fault"]!["error"]![0]!["detail"]!.GetValue<string>().Should().StartWith("Token expired: ");
        body["time"]!.GetValue<long>().Should().BePositive();
        body.ContainsKey("cdcresponse").Should().BeTrue();
    }

    [Fact]
    public async Task Unknown_bearer_is_refused_in_oauth_mode()
    {
        (await ReadWith("made-up-token")).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revocation_invalidates_refresh_and_access_tokens()
    {
        var tokens = Fake.OAuth.IssueTokens();
        using var request = new HttpRequestMessage(HttpMethod.Post, Fake.RevocationEndpoint)
        {
            Content = new StringContent("{\"token\":\"" + tokens.RefreshToken + "\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Fake.OAuth.ClientId}:{Fake.OAuth.ClientSecret}")));
        using var response = await Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        (await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken)).Status.Should().Be(HttpStatusCode.BadRequest);
        (await ReadWith(tokens.AccessToken)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Invalid_grant_can_be_forced()
    {
        var tokens = Fake.OAuth.IssueTokens();
        Fake.OAuth.FailNextRefreshes();
        (await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken)).Status.Should().Be(HttpStatusCode.BadRequest);
        (await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken)).Status.Should().Be(HttpStatusCode.OK);

        Fake.OAuth.AlwaysInvalidGrant = true;
        (await TokenRequest("grant_type=refresh_token&refresh_token=" + tokens.RefreshToken)).Body["error"]!.GetValue<string>().Should().Be("invalid_grant");
    }

    [Fact]
    public async Task Expire_access_tokens_on_demand()
    {
        var tokens = Fake.OAuth.IssueTokens();
        (await ReadWith(tokens.AccessToken)).Should().Be(HttpStatusCode.OK);
        Fake.OAuth.ExpireAccessTokens();
        (await ReadWith(tokens.AccessToken)).Should().Be(HttpStatusCode.Unauthorized);
    }
}

public class AuthModeTests
{
    [Fact]
    public async Task No_auth_mode_accepts_requests_without_a_bearer()
    {
        using var fake = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.None);
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        using var response = await http.GetAsync("/v3/company/1/customertype/1");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Any_bearer_mode_accepts_any_token_but_requires_one()
    {
        using var fake = QuickBooksOnlineFake.Start();
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        using (var missing = await http.GetAsync("/v3/company/1/customertype/1"))
        {
            missing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "anything-at-all");
        using var ok = await http.GetAsync("/v3/company/1/customertype/1");
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_realm_answers_403_when_companies_are_not_auto_created()
    {
        using var fake = QuickBooksOnlineFake.Start(o => o.AutoCreateCompanies = false);
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "some-token");
        using var response = await http.GetAsync("/v3/company/404/customer/1");
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("ApplicationAuthorizationFailed");
    }
}
