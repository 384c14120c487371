using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.QuickBooks.Authentication;
using QbSync.Sqlite;
using QbSync.Testing;

namespace QbSync.Samples.Worker;

/// <summary>The worker's demo settings (section <c>Demo</c>).</summary>
public sealed class DemoOptions
{
    /// <summary>Run against the built-in QBO fake and seed firms (no Intuit app needed).</summary>
    public bool UseFake { get; set; } = true;

    /// <summary>Firms to seed.</summary>
    public int Firms { get; set; } = 3;

    /// <summary>Accounts per firm.</summary>
    public int AccountsPerFirm { get; set; } = 25;

    /// <summary>Stop the host once every seeded account is synced (for tests and a quick look).</summary>
    public bool StopWhenDone { get; set; }

    /// <summary>The SQLite file to use, kept after the run; <see langword="null"/> for a fresh file in the temp folder,
    /// deleted when the host stops.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>How long the fake takes to answer each QuickBooks request (milliseconds), to watch the work, or stop
    /// the worker, while it runs.</summary>
    public int LatencyMs { get; set; }
}

/// <summary>Points QbSync at the QBO fake and seeds firms: each firm's company holds customers for half of its
/// accounts (the others get new customers), and every firm is connected with an authorization code.</summary>
public static class FakeQuickBooks
{
    /// <summary>The demo's database when <see cref="DemoOptions.DatabasePath"/> is not set: a fresh one each run (the
    /// fake's companies live in memory). Named by a fresh GUID, not the process id: a file left by a process that
    /// was killed must never be picked up by a later process that happens to get the same id.</summary>
    public static string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), "qbsync-worker-demo-" + Guid.NewGuid().ToString("N") + ".db");

    /// <summary>Deletes the demo database after the host stopped (not a file named with <c>Demo:DatabasePath</c>).</summary>
    public static void DeleteDatabase(DemoOptions demo)
    {
        ArgumentNullException.ThrowIfNull(demo);
        if (demo.DatabasePath is not null)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            File.Delete(file);
        }
    }

    public static void Add(HostApplicationBuilder builder, DemoOptions demo)
    {
        var qbo = QuickBooksOnlineFake.Start(o => o.Authentication = FakeAuthenticationMode.OAuth);
        if (demo.LatencyMs > 0)
        {
            qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(demo.LatencyMs));
        }

        builder.Services.AddSingleton(qbo);
        builder.Services.PostConfigure<QuickBooksClientOptions>(o => o.BaseUrl = new Uri(qbo.BaseUrl));
        builder.Services.PostConfigure<QuickBooksOAuthOptions>(o =>
        {
            o.ClientId = qbo.OAuth.ClientId;
            o.ClientSecret = qbo.OAuth.ClientSecret;
            o.RedirectUri = new Uri("http://localhost/qbsync/oauth/callback");
            o.TokenEndpoint = new Uri(qbo.TokenEndpoint);
            o.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
        });
        builder.Services.PostConfigure<SqliteStoreOptions>(o => o.ConnectionString = "Data Source=" + (demo.DatabasePath ?? DatabasePath));
        builder.Services.AddSingleton(demo);
        builder.Services.AddHostedService<DemoFirmsSeeder>();
    }
}

/// <summary>Seeds the firms before the worker's first pass and, with <see cref="DemoOptions.StopWhenDone"/>, stops
/// the host once every account is synced.</summary>
internal sealed partial class DemoFirmsSeeder(
    QuickBooksOnlineFake qbo,
    IServiceScopeFactory scopes,
    DemoOptions demo,
    IHostApplicationLifetime lifetime,
    ILogger<DemoFirmsSeeder> logger) : BackgroundService
{
    public static string FirmId(int index) => "firm-" + index.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
            for (var f = 1; f <= demo.Firms; f++)
            {
                var firmId = FirmId(f);
                var company = qbo.CreateCompany();
                for (var a = 1; a <= demo.AccountsPerFirm; a++)
                {
                    var name = $"Client {f}-{a:D3}";
                    if (a % 2 == 0)
                    {
                        company.AddCustomer(name);
                    }

                    await sync.RegisterAccountAsync(firmId, new AccountInfo($"{firmId}-a{a:D3}", name, HasBillingActivity: true), stoppingToken);
                }

                await sync.ConnectCompanyAsync(SyncActor.User(firmId, "owner", FirmRole.Owner), company.RealmId, qbo.OAuth.CreateAuthorizationCode(company.RealmId), stoppingToken);
                LogSeeded(logger, firmId, company.RealmId, demo.AccountsPerFirm);
            }
        }

        if (!demo.StopWhenDone)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            await using var scope = scopes.CreateAsyncScope();
            var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
            var synced = 0;
            for (var f = 1; f <= demo.Firms; f++)
            {
                var page = await sync.ListAccountsAsync(SyncActor.User(FirmId(f), "reader", FirmRole.Employee), new AccountQuery { Statuses = [SyncStatus.Synced], PageSize = 500 }, stoppingToken);
                synced += page.Items.Count;
            }

            if (synced == demo.Firms * demo.AccountsPerFirm)
            {
                LogDone(logger, synced);
                lifetime.StopApplication();
                return;
            }
        }
    }

    [LoggerMessage(2890, LogLevel.Information, "Seeded firm {FirmId}: QuickBooks company {RealmId}, {Accounts} accounts")]
    private static partial void LogSeeded(ILogger logger, string firmId, string realmId, int accounts);

    [LoggerMessage(2891, LogLevel.Information, "All {Accounts} demo accounts are synced; stopping")]
    private static partial void LogDone(ILogger logger, int accounts);
}
