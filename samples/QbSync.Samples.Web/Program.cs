using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using QbSync;
using QbSync.AspNetCore;
using QbSync.Samples.Web.Demo;
using QbSync.Sqlite;
using QbSync.Testing;

// The web sample: the accounts screens of a practice-management app, with QbSync hosted through QbSync.AspNetCore,
// against the built-in QuickBooks Online fake (in OAuth mode) and an embedded SQLite file. `dotnet run` and open
// the printed URL; sign in as one of the demo users.
var builder = WebApplication.CreateBuilder(args);
var publicUrl = builder.Configuration["Demo:PublicUrl"] ?? "http://localhost:5080";
builder.WebHost.UseUrls(publicUrl);

// The QBO fake stands in for https://quickbooks.api.intuit.com and Intuit's OAuth pages. A real app leaves it out
// and keeps Intuit's default endpoints.
var qbo = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
builder.Services.AddSingleton(qbo);

// The embedded database: a new one at every start (the fake's companies live in memory).
var databasePath = builder.Configuration["Demo:DatabasePath"] ?? Path.Combine(Path.GetTempPath(), "qbsync-web-demo.db");
foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
{
    File.Delete(file);
}

const string verifierToken = "demo-webhook-verifier-token";
builder.Services
    .AddQbSync(
        sync =>
        {
            sync.WorkerId = "web-sample";
            sync.WorkerPollInterval = TimeSpan.FromSeconds(1);
        },
        client => client.BaseUrl = new Uri(qbo.BaseUrl),
        oauth =>
        {
            oauth.ClientId = qbo.OAuth.ClientId;
            oauth.ClientSecret = qbo.OAuth.ClientSecret;
            oauth.RedirectUri = new Uri(publicUrl.TrimEnd('/') + "/qbsync/oauth/callback");
            oauth.AuthorizationEndpoint = new Uri(qbo.AuthorizationEndpoint);
            oauth.TokenEndpoint = new Uri(qbo.TokenEndpoint);
            oauth.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
        })
    .UseSqliteStore("Data Source=" + databasePath)
    .AddBackgroundWorker()
    .AddAspNetCore(options =>
    {
        options.WebhookVerifierToken = verifierToken;
        options.WebhookPollInterval = TimeSpan.FromSeconds(1);
    });

builder.Services.AddHostedService<DemoSeeder>();
builder.Services.AddSingleton(new DemoSettings(verifierToken));

// Demo sign-in: a cookie with the claims ClaimsSyncActorResolver reads (firm, user id, role).
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.LoginPath = "/SignIn";
        options.Cookie.Name = "qbsync-demo";
        options.Cookie.SameSite = SameSiteMode.Lax;
    });
builder.Services.AddAuthorization();
builder.Services.AddRazorPages(options =>
{
    options.Conventions.AuthorizeFolder("/Accounts");
    options.Conventions.AuthorizePage("/Simulate");
});

var app = builder.Build();
app.Lifetime.ApplicationStopped.Register(qbo.Dispose);

app.UseRequestLocalization(options => options.SetDefaultCulture("en").AddSupportedCultures("en", "ro").AddSupportedUICultures("en", "ro"));
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/", () => Results.Redirect("/Accounts"));
app.MapRazorPages();

// QbSync's endpoints: OAuth connect/callback (the redirect URI above), webhooks, and the JSON API of the screens.
var qbsync = app.MapQbSync();
qbsync.Api.RequireAuthorization();
qbsync.OAuth.RequireAuthorization();

// The live progress of the first sync (sample-only; reads the store the host owns).
app.MapGet("/demo/progress", DemoProgress.GetAsync).RequireAuthorization();

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"QbSync web sample: open {publicUrl} and sign in as a demo user."));
app.Run();

/// <summary>The sample's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
