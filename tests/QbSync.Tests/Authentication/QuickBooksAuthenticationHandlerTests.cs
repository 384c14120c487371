using System.Net;
using System.Text;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Authentication;

public sealed class QuickBooksAuthenticationHandlerTests : IDisposable
{
    private const string DataPath = "/v3/company/" + OAuthTestHost.RealmId + "/customer";
    private readonly OAuthTestHost _host = new();
    private readonly HttpClient _data;

    public QuickBooksAuthenticationHandlerTests()
    {
        _data = new HttpClient(new QuickBooksAuthenticationHandler(_host.Manager) { InnerHandler = new QuickBooksBearerTokenHandler(_host.Manager) { InnerHandler = new HttpClientHandler() } });
    }

    public void Dispose()
    {
        _data.Dispose();
        _host.Dispose();
    }

    private HttpRequestMessage NewRequest(string? realm = OAuthTestHost.RealmId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _host.Server.Url + DataPath + "?minorversion=75")
        {
            Content = new StringContent("{\"DisplayName\":\"Amy's Bird Sanctuary\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json");
        if (realm is not null)
        {
            request.Options.Set(QuickBooksHttpRequestOptions.RealmId, realm);
        }

        request.Options.Set(QuickBooksHttpRequestOptions.Kind, QuickBooksRequestKind.Standard);
        return request;
    }

    private IReadOnlyList<WireMock.Logging.ILogEntry> DataRequests =>
        _host.Server.LogEntries.Where(e => e.Request().Path == DataPath).ToList();

    [Fact]
    public async Task SendAsync_ValidToken_AddsBearer()
    {
        await _host.SeedAsync("valid-access", "refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.Server.Given(Request.Create().WithPath(DataPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        using var response = await _data.SendAsync(NewRequest());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        DataRequests.Single().Request().HeaderValue("Authorization").Should().Be("Bearer valid-access");
    }

    [Fact]
    public async Task SendAsync_401Then200_RefreshesOnceAndResendsSameRequestWithNewBearer()
    {
        await _host.SeedAsync("revoked-access", "old-refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));
        _host.Server.Given(Request.Create().WithPath(DataPath).UsingPost().WithHeader("Authorization", "Bearer revoked-access"))
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("WWW-Authenticate", "Bearer realm=\"Intuit\""));
        _host.Server.Given(Request.Create().WithPath(DataPath).UsingPost().WithHeader("Authorization", "Bearer new-access"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"Customer\":{}}"));

        using var response = await _data.SendAsync(NewRequest());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        _host.RefreshRequests.Should().HaveCount(1);
        var sent = DataRequests;
        sent.Should().HaveCount(2);
        sent[1].Request().HeaderValue("Authorization").Should().Be("Bearer new-access");
        sent[1].Request().Body.Should().Be(sent[0].Request().Body).And.Be("{\"DisplayName\":\"Amy's Bird Sanctuary\"}");
        sent[1].Request().Method.Should().Be("POST");
        sent[1].Request().Url.Should().Be(sent[0].Request().Url);
        sent[1].Request().HeaderValue("Content-Type").Should().StartWith("application/json");
        sent[1].Request().HeaderValue("Accept").Should().Be("application/json");
        (await _host.Store.GetAsync(OAuthTestHost.RealmId))!.RefreshToken.Should().Be("new-refresh");
    }

    [Fact]
    public async Task SendAsync_401Twice_Returns401AfterOneRefresh()
    {
        await _host.SeedAsync("revoked-access", "old-refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));
        _host.Server.Given(Request.Create().WithPath(DataPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(401));

        using var response = await _data.SendAsync(NewRequest());

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        _host.RefreshRequests.Should().HaveCount(1);
        DataRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task SendAsync_NoRealm_ThrowsInvalidOperation()
    {
        await _data.Invoking(c => c.SendAsync(NewRequest(realm: null))).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*realm*");
        _host.Server.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_ReconnectRequired_ThrowsWithoutCallingQuickBooks()
    {
        await _host.Store.SaveAsync(OAuthTestHost.RealmId, new QuickBooksTokenSet
        {
            AccessToken = "a",
            AccessTokenExpiresAt = _host.Time.GetUtcNow().AddMinutes(50),
            RefreshToken = "r",
            RefreshTokenExpiresAt = _host.Time.GetUtcNow().AddDays(50),
            ReconnectRequired = true,
            ReconnectReason = "invalid_grant",
        });

        await _data.Invoking(c => c.SendAsync(NewRequest())).Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        _host.Server.LogEntries.Should().BeEmpty();
    }
}
