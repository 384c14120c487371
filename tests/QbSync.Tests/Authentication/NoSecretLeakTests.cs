using System.Text;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Authentication;

/// <summary>Runs every flow and checks that no token and no client secret reaches a log, an exception or a ToString.</summary>
public sealed class NoSecretLeakTests
{
    private static readonly string[] Secrets =
    [
        OAuthTestHost.ClientSecret, "sample_access_token", "sample_refresh_token",
        "rotated-access-zz", "rotated-refresh-zz", "old-refresh-zz", "stale-access-zz",
    ];

    [Fact]
    public async Task AllFlows_NeverExposeTokensOrClientSecret()
    {
        using var host = new OAuthTestHost();
        var texts = new List<string>();
        const string realm = OAuthTestHost.RealmId;

        // Connect.
        host.GivenCodeExchangeResponds(200, Payload.Read("oauth/token-success-sample-values.json"));
        await host.Manager.ConnectAsync(realm, "code");
        texts.Add((await host.Store.GetAsync(realm))!.ToString());

        // Refresh with rotation, through the handler after a 401.
        await host.SeedAsync("stale-access-zz", "old-refresh-zz", host.Time.GetUtcNow().AddMinutes(50));
        host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("rotated-access-zz", "rotated-refresh-zz"));
        host.Server.Given(Request.Create().WithPath("/v3/company/x").WithHeader("Authorization", "Bearer stale-access-zz"))
            .RespondWith(Response.Create().WithStatusCode(401));
        host.Server.Given(Request.Create().WithPath("/v3/company/x").WithHeader("Authorization", "Bearer rotated-access-zz"))
            .RespondWith(Response.Create().WithStatusCode(200));
        using (var data = new HttpClient(new QuickBooksAuthenticationHandler(host.Manager) { InnerHandler = new QuickBooksBearerTokenHandler(host.Manager) { InnerHandler = new HttpClientHandler() } }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, host.Server.Url + "/v3/company/x") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Options.Set(QuickBooksHttpRequestOptions.RealmId, realm);
            using var response = await data.SendAsync(request);
        }

        texts.Add((await host.Store.GetAsync(realm))!.ToString());

        // Transient failure, invalid_client, then invalid_grant and the short-circuit after it.
        foreach (var (status, body) in new[] { (503, "<html/>"), (401, Payload.Read("oauth/invalid-client.json")), (400, Payload.Read("oauth/invalid-grant-token-invalid.json")) })
        {
            host.Server.Reset();
            await host.SeedAsync("stale-access-zz", "old-refresh-zz", host.Time.GetUtcNow().AddMinutes(-1));
            host.GivenRefreshResponds(status, body);
            var ex = await Record.ExceptionAsync(() => host.Manager.GetAccessTokenAsync(realm));
            ex.Should().BeAssignableTo<QuickBooksOAuthException>();
            texts.Add(ex!.ToString());
        }

        texts.Add((await Record.ExceptionAsync(() => host.Manager.GetAccessTokenAsync(realm)))!.ToString());
        texts.Add((await host.Store.GetAsync(realm))!.ToString());
        texts.Add((await host.Manager.GetConnectionStateAsync(realm)).ToString());
        texts.Add(host.Options.ToString());

        // Disconnect with a failing revoke.
        host.Server.Given(Request.Create().WithPath(OAuthTestHost.RevokePath)).RespondWith(Response.Create().WithStatusCode(500));
        await host.Manager.DisconnectAsync(realm);

        texts.Add(host.AllLogText());
        host.Logs.GetSnapshot().Should().Contain(r => r.Message.Contains("Refreshed", StringComparison.Ordinal)
            && r.Message.Contains(realm, StringComparison.Ordinal) && r.Message.Contains("1-tid-refresh", StringComparison.Ordinal));
        var all = string.Join("\n", texts);
        foreach (var secret in Secrets)
        {
            all.Should().NotContain(secret);
        }

        all.Should().NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OAuthTestHost.ClientId}:{OAuthTestHost.ClientSecret}")));
    }
}
