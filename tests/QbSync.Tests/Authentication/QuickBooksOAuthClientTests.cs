using System.Net;
using System.Text;
using System.Web;
using QbSync.QuickBooks.Authentication;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Authentication;

public sealed class QuickBooksOAuthClientTests : IDisposable
{
    private readonly OAuthTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void GetAuthorizationUrl_DefaultScopes_ContainsEncodedParameters()
    {
        var url = _host.Client.GetAuthorizationUrl("st ate/&=+é");

        url.GetLeftPart(UriPartial.Path).Should().Be("https://appcenter.intuit.com/connect/oauth2");
        url.Query.Should().Contain("response_type=code")
            .And.Contain("client_id=test-client-id")
            .And.Contain("redirect_uri=https%3A%2F%2Fapp.example.com%2Fqbo%2Fcallback")
            .And.Contain("scope=com.intuit.quickbooks.accounting")
            .And.Contain("state=st%20ate%2F%26%3D%2B%C3%A9");
        var query = HttpUtility.ParseQueryString(url.Query);
        query["state"].Should().Be("st ate/&=+é");
        query["redirect_uri"].Should().Be("https://app.example.com/qbo/callback");
    }

    [Fact]
    public void GetAuthorizationUrl_GivenScopes_JoinsThemWithEncodedSpace()
    {
        var url = _host.Client.GetAuthorizationUrl("s", ["com.intuit.quickbooks.accounting", "openid", "email"]);

        url.Query.Should().Contain("scope=com.intuit.quickbooks.accounting%20openid%20email");
        HttpUtility.ParseQueryString(url.Query)["scope"].Should().Be("com.intuit.quickbooks.accounting openid email");
    }

    [Fact]
    public void GetAuthorizationUrl_NoRedirectUri_Throws()
    {
        _host.Options.RedirectUri = null;
        var act = () => _host.Client.GetAuthorizationUrl("s");
        act.Should().Throw<InvalidOperationException>().WithMessage("*RedirectUri*");
    }

    [Fact]
    public async Task ExchangeCodeAsync_Success_SendsIntuitRequestAndComputesExpiries()
    {
        _host.GivenCodeExchangeResponds(200, Payload.Read("oauth/token-success-sample-values.json"));
        var now = _host.Time.GetUtcNow();

        var tokens = await _host.Client.ExchangeCodeAsync("AB11-code/+");

        tokens.AccessToken.Should().Be("sample_access_token");
        tokens.RefreshToken.Should().Be("sample_refresh_token");
        tokens.AccessTokenExpiresAt.Should().Be(now.AddSeconds(3600));
        tokens.RefreshTokenExpiresAt.Should().Be(now.AddSeconds(8726400));
        tokens.RefreshTokenHardExpiresAt.Should().BeNull();
        tokens.ReconnectRequired.Should().BeFalse();
        tokens.IntuitTid.Should().Be("1-tid-code");

        var request = _host.TokenRequests.Should().ContainSingle().Subject.Request();
        request.Method.Should().Be("POST");
        var expectedBasic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OAuthTestHost.ClientId}:{OAuthTestHost.ClientSecret}"));
        request.HeaderValue("Authorization").Should().Be("Basic " + expectedBasic);
        request.HeaderValue("Accept").Should().Be("application/json");
        request.HeaderValue("x-include-refresh-token-hard-expires-in").Should().Be("true");
        request.HeaderValue("Content-Type").Should().StartWith("application/x-www-form-urlencoded");
        var form = HttpUtility.ParseQueryString(request.Body!);
        form["grant_type"].Should().Be("authorization_code");
        form["code"].Should().Be("AB11-code/+");
        form["redirect_uri"].Should().Be("https://app.example.com/qbo/callback");
    }

    [Fact]
    public async Task RefreshAsync_HardExpiryPresent_IsParsed()
    {
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("a2", "r2", 3600, 8726400, hardExpiresIn: 157_680_000));
        var now = _host.Time.GetUtcNow();

        var tokens = await _host.Client.RefreshAsync("r1");

        tokens.RefreshTokenHardExpiresAt.Should().Be(now.AddSeconds(157_680_000));
        HttpUtility.ParseQueryString(_host.RefreshRequests.Single().Request().Body!)["refresh_token"].Should().Be("r1");
    }

    [Fact]
    public async Task RefreshAsync_OptionalFieldsMissing_UsesDefaults()
    {
        _host.GivenRefreshResponds(200, "{\"refresh_token\":\"r2\",\"access_token\":\"a2\"}");
        var now = _host.Time.GetUtcNow();

        var tokens = await _host.Client.RefreshAsync("r1");

        tokens.AccessTokenExpiresAt.Should().Be(now.AddHours(1));
        tokens.RefreshTokenExpiresAt.Should().Be(now.AddDays(100));
    }

    public static TheoryData<string, int, string> PayloadCases => new()
    {
        { "oauth/token-success-sample-values.json", 200, "success" },
        { "oauth/token-success-placeholders.json", 200, "success" },
        { "oauth/token-refresh-success-expired-2016.json", 200, "success" },
        { "oauth/invalid-grant-bare.json", 400, "invalid_grant" },
        { "oauth/invalid-grant-incorrect-refresh-token-2022.json", 400, "invalid_grant" },
        { "oauth/invalid-grant-incorrect-refresh-token-2025.json", 400, "invalid_grant" },
        { "oauth/invalid-grant-incorrect-token-type.json", 400, "invalid_grant" },
        { "oauth/invalid-grant-token-invalid.json", 400, "invalid_grant" },
        { "oauth/invalid-client.json", 401, "invalid_client" },
        // A placeholder error body: an OAuth error, but neither a grant nor a client problem.
        { "oauth/token-failure-placeholder.json", 400, "other" },
    };

    [Fact]
    public void PayloadCases_CoverEveryOAuthPayloadFile()
    {
        var files = Directory.GetFiles(Payload.PathOf("oauth")).Select(f => "oauth/" + Path.GetFileName(f));
        PayloadCases.Select(row => (string)row[0]).Should().BeEquivalentTo(files);
    }

    [Theory]
    [MemberData(nameof(PayloadCases))]
    public async Task RefreshAsync_RealPayload_MapsToOutcome(string file, int status, string expected)
    {
        // Bytes as found: three files start with a UTF-8 BOM.
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json;charset=UTF-8")
                .WithHeader("intuit_tid", "1-tid-payload").WithBody(Payload.ReadBytes(file)));

        var act = () => _host.Client.RefreshAsync("some-refresh-token");

        if (expected == "success")
        {
            var tokens = await act();
            tokens.AccessToken.Should().NotBeNullOrEmpty();
            tokens.RefreshToken.Should().NotBeNullOrEmpty();
            tokens.AccessTokenExpiresAt.Should().Be(_host.Time.GetUtcNow().AddSeconds(3600));
            return;
        }

        var ex = (await act.Should().ThrowAsync<QuickBooksOAuthException>()).Which;
        ex.StatusCode.Should().Be((HttpStatusCode)status);
        ex.IntuitTid.Should().Be("1-tid-payload");
        ex.IsTransient.Should().BeFalse();
        ex.Should().NotBeOfType<QuickBooksReconnectRequiredException>();
        switch (expected)
        {
            case "invalid_grant":
                ex.Error.Should().Be("invalid_grant");
                ex.ReconnectRequired.Should().BeTrue();
                ex.IsInvalidClient.Should().BeFalse();
                break;
            case "invalid_client":
                ex.Error.Should().Be("invalid_client");
                ex.ReconnectRequired.Should().BeFalse();
                ex.IsInvalidClient.Should().BeTrue();
                ex.Message.Should().Contain("client id or client secret");
                break;
            default:
                ex.Error.Should().Be("error");
                ex.ErrorDescription.Should().Be("error_description");
                ex.ReconnectRequired.Should().BeFalse();
                ex.IsInvalidClient.Should().BeFalse();
                break;
        }

        ex.Message.Should().NotContain("some-refresh-token").And.NotContain(OAuthTestHost.ClientSecret);
    }

    [Fact]
    public async Task RefreshAsync_Html503_IsTransientWithoutOAuthError()
    {
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "text/html")
                .WithBody("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"));

        var ex = (await _host.Client.Invoking(c => c.RefreshAsync("r1")).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        ex.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        ex.IsTransient.Should().BeTrue();
        ex.Error.Should().BeNull();
        ex.ReconnectRequired.Should().BeFalse();
    }

    [Fact]
    public async Task RefreshAsync_ErrorInsideHttp200_IsNotTreatedAsTokens()
    {
        _host.GivenRefreshResponds(200, Payload.Read("oauth/invalid-grant-bare.json"));

        var ex = (await _host.Client.Invoking(c => c.RefreshAsync("r1")).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        ex.ReconnectRequired.Should().BeTrue();
    }

    [Fact]
    public async Task RefreshAsync_Unreachable_IsTransient()
    {
        var port = _host.Server.Ports[0];
        _host.Server.Stop();
        _host.Options.TokenEndpoint = new Uri($"http://localhost:{port}{OAuthTestHost.TokenPath}");

        var ex = (await _host.Client.Invoking(c => c.RefreshAsync("r1")).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        ex.IsTransient.Should().BeTrue();
        ex.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task RevokeAsync_PostsJsonTokenWithBasicAuth()
    {
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.RevokePath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200));

        await _host.Client.RevokeAsync("refresh-to-revoke");

        var request = _host.Server.LogEntries.Should().ContainSingle().Subject.Request();
        request.Path.Should().Be(OAuthTestHost.RevokePath);
        request.Body.Should().Be("{\"token\":\"refresh-to-revoke\"}");
        request.HeaderValue("Content-Type").Should().StartWith("application/json");
        request.HeaderValue("Authorization").Should().StartWith("Basic ");
    }

    [Fact]
    public async Task RevokeAsync_Failure_Throws()
    {
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.RevokePath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("{\"error\":\"invalid_request\"}"));

        var ex = (await _host.Client.Invoking(c => c.RevokeAsync("t")).Should().ThrowAsync<QuickBooksOAuthException>()).Which;
        ex.Error.Should().Be("invalid_request");
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsOptionsValidationException()
    {
        using var http = new HttpClient();
        var act = () => new QuickBooksOAuthClient(http, new QuickBooksOAuthOptions { ClientId = "id" });
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*ClientSecret*");
    }
}
