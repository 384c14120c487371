using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using QbSync.AspNetCore;
using QbSync.Testing;

namespace QbSync.AspNetCore.Tests;

/// <summary>A minimal API host with QbSync mounted, over the QBO fake (OAuth mode), on the in-process test server.
/// Users are given per request with the X-Test-* headers (see <see cref="TestAuthentication"/>).</summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string VerifierToken = "test-verifier-token-0123456789";
    public const string FirmA = "firm-a";
    public const string FirmB = "firm-b";

    private TestApp(QuickBooksOnlineFake qbo, FakeTimeProvider time)
    {
        Qbo = qbo;
        Time = time;
    }

    public QuickBooksOnlineFake Qbo { get; }

    public FakeTimeProvider Time { get; }

    public WebApplication App { get; private set; } = null!;

    public IServiceProvider Services => App.Services;

    public static async Task<TestApp> StartAsync(Action<IServiceCollection>? configureServices = null)
    {
        var qbo = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
        var app = new TestApp(qbo, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(app.Time);
        builder.Services.AddAuthentication(TestAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services
            .AddQbSync(
                sync => sync.WorkerId = "test",
                client =>
                {
                    client.BaseUrl = new Uri(qbo.BaseUrl);
                    client.MaxRetryAttempts = 0;
                },
                oauth =>
                {
                    oauth.ClientId = qbo.OAuth.ClientId;
                    oauth.ClientSecret = qbo.OAuth.ClientSecret;
                    oauth.RedirectUri = new Uri("http://localhost/qbsync/oauth/callback");
                    oauth.AuthorizationEndpoint = new Uri(qbo.AuthorizationEndpoint);
                    oauth.TokenEndpoint = new Uri(qbo.TokenEndpoint);
                    oauth.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
                })
            .UseInMemoryStore()
            .AddAspNetCore(o =>
            {
                o.WebhookVerifierToken = VerifierToken;
                o.ProcessWebhooksInBackground = false; // the tests drive the processor step by step
            });
        configureServices?.Invoke(builder.Services);
        var web = builder.Build();
        web.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures("en", "ro").AddSupportedUICultures("en", "ro"));
        web.UseAuthentication();
        web.UseAuthorization();
        web.MapQbSync();
        app.App = web;
        await web.StartAsync();
        return app;
    }

    /// <summary>A client signed in as the given user (no headers: anonymous).</summary>
    public HttpClient Client(string? firmId = null, string? userId = null, string? role = null, string? culture = null)
    {
        var client = App.GetTestClient();
        if (firmId is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthentication.FirmHeader, firmId);
        }

        if (userId is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthentication.UserHeader, userId);
        }

        if (role is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthentication.RoleHeader, role);
        }

        if (culture is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(culture));
        }

        return client;
    }

    public HttpClient Owner(string firmId = FirmA) => Client(firmId, "owner-" + firmId, "Owner");

    public HttpClient Admin(string firmId = FirmA) => Client(firmId, "admin-" + firmId, "Admin");

    public HttpClient Employee(string firmId = FirmA) => Client(firmId, "employee-" + firmId, "Employee");

    public IAccountSyncService Sync(out AsyncServiceScope scope)
    {
        scope = Services.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
    }

    /// <summary>Connects a firm to a fresh fake company through the engine (not through the endpoints).</summary>
    public async Task<FakeCompany> ConnectAsync(string firmId)
    {
        var company = Qbo.CreateCompany();
        var sync = Sync(out var scope);
        await using (scope)
        {
            await sync.ConnectCompanyAsync(SyncActor.User(firmId, "owner-" + firmId, FirmRole.Owner), company.RealmId, Qbo.OAuth.CreateAuthorizationCode(company.RealmId));
        }

        return company;
    }

    public async Task<AccountSyncState> RegisterAsync(string firmId, string accountId, string name)
    {
        var sync = Sync(out var scope);
        await using (scope)
        {
            return await sync.RegisterAccountAsync(firmId, new AccountInfo(accountId, name, HasBillingActivity: true));
        }
    }

    public async Task<SyncRunResult> RunPendingAsync(string firmId)
    {
        var sync = Sync(out var scope);
        await using (scope)
        {
            return await sync.RunPendingAsync(firmId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Qbo.Dispose();
    }
}

/// <summary>Signs the request in from X-Test-Firm, X-Test-User and X-Test-Role (each optional); no header at all is anonymous.</summary>
internal sealed class TestAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string FirmHeader = "X-Test-Firm";
    public const string UserHeader = "X-Test-User";
    public const string RoleHeader = "X-Test-Role";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var claims = new List<Claim>();
        if (Request.Headers.TryGetValue(FirmHeader, out var firm))
        {
            claims.Add(new Claim("qbsync_firm", firm.ToString()));
        }

        if (Request.Headers.TryGetValue(UserHeader, out var user))
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, user.ToString()));
        }

        if (Request.Headers.TryGetValue(RoleHeader, out var role))
        {
            claims.Add(new Claim(ClaimTypes.Role, role.ToString()));
        }

        if (claims.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}

internal static class Json
{
    public static StringContent Body(string json = "{}") => new(json, System.Text.Encoding.UTF8, "application/json");

    public static async Task<System.Text.Json.JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return System.Text.Json.JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone();
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
