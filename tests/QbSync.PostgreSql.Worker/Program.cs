// One worker process of the multi-process tests (tests/QbSync.PostgreSql.Tests/MultiProcessTests.cs): the QbSync
// background worker over a PostgreSQL schema, against a QBO fake that the test process runs, with the shared per-realm
// budget. Exits 0 once the schema has no due work at all (every account settled), 2 on timeout.
//
// Arguments: <schema> <fake base url> <token endpoint> <worker id> <throttle window ms> <timeout s>
// Environment: QBSYNC_POSTGRES_CONNECTION.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QbSync;
using QbSync.PostgreSql;
using QbSync.Stores;

var schema = args[0];
var baseUrl = new Uri(args[1]);
var tokenEndpoint = new Uri(args[2]);
var workerId = args[3];
var window = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture));
var timeout = TimeSpan.FromSeconds(int.Parse(args[5], CultureInfo.InvariantCulture));
var connectionString = Environment.GetEnvironmentVariable("QBSYNC_POSTGRES_CONNECTION")
    ?? throw new InvalidOperationException("QBSYNC_POSTGRES_CONNECTION is not set.");

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.AddQbSync(
        sync =>
        {
            sync.WorkerId = workerId;
            sync.WorkerPollInterval = TimeSpan.FromMilliseconds(200);
            sync.ClaimBatchSize = 25;
            sync.LeaseDuration = TimeSpan.FromMinutes(2);
            sync.RetryBackoff = TimeSpan.FromSeconds(1);
        },
        client =>
        {
            client.BaseUrl = baseUrl;
            client.ThrottleWindow = window; // QBO's limits (10 in flight, 500 and 40 batches per window), time scaled
            client.ThrottledRetryDelay = TimeSpan.FromSeconds(1);
            client.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        },
        oauth =>
        {
            oauth.ClientId = "multi-process-client";
            oauth.ClientSecret = "multi-process-secret";
            oauth.TokenEndpoint = tokenEndpoint;
        })
    .UsePostgreSqlStore(connectionString, o => o.Schema = schema)
    .AddBackgroundWorker();

using var host = builder.Build();
await host.StartAsync();
var store = host.Services.GetRequiredService<IAccountStore>();
var deadline = DateTimeOffset.UtcNow + timeout;
var exitCode = 2;
while (DateTimeOffset.UtcNow < deadline)
{
    await Task.Delay(TimeSpan.FromMilliseconds(500));

    // Nothing due even a year from now: no account waits for work, a lease or a retry.
    if ((await store.ListFirmsWithDueWorkAsync(DateTimeOffset.UtcNow.AddYears(1))).Count == 0)
    {
        exitCode = 0;
        break;
    }
}

await host.StopAsync();
Console.WriteLine($"{workerId} done: {(exitCode == 0 ? "settled" : "timed out")}");
return exitCode;
