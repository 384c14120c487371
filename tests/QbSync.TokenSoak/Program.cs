// One process of the multi-process token test. Arguments (all required):
//   --db <sqlite file> --api <fake base url> --token <token endpoint> --revoke <revocation endpoint>
//   --realm <realm id> --customer <customer id> --seconds <how long>
//   (or --postgres-schema <schema> instead of --db, for the PostgreSQL token store)
// It reads a customer in a loop through the real client pipeline (token manager, SQLite token store with its
// cross-process refresh lock), and prints one line per 10-second bucket (every bucket, an empty one too) and a final
// RESULT line. The loop is paced at about 6 reads a second, under the client's own 500 requests a minute per realm:
// faster, the throttle held every process for about 25 seconds a minute, during which no token was used. Exit code 0 when it
// ran to the end, 2 when the realm was declared "reconnect required", 1 on any other crash.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QbSync;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Sqlite;

var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    arguments[args[i].TrimStart('-')] = args[i + 1];
}

var services = new ServiceCollection();
services.AddLogging(logging => logging.AddProvider(new CountingLoggerProvider()).SetMinimumLevel(LogLevel.Information));
// --postgres-schema <schema> runs the same process on the PostgreSQL token store (connection string from
// QBSYNC_POSTGRES_CONNECTION, kept off the command line) instead of the SQLite file.
services.AddSingleton<ITokenStore>(arguments.TryGetValue("postgres-schema", out var schema)
    ? new QbSync.PostgreSql.PostgreSqlTokenStore(new QbSync.PostgreSql.PostgreSqlStoreOptions
    {
        ConnectionString = Environment.GetEnvironmentVariable("QBSYNC_POSTGRES_CONNECTION"),
        Schema = schema,
    })
    : new SqliteTokenStore(new SqliteStoreOptions { ConnectionString = "Data Source=" + arguments["db"] }));
services.AddQuickBooksClient(
    client => client.BaseUrl = new Uri(arguments["api"]),
    oauth =>
    {
        oauth.ClientId = "test-client-id";
        oauth.ClientSecret = "test-client-secret";
        oauth.TokenEndpoint = new Uri(arguments["token"]);
        oauth.RevocationEndpoint = new Uri(arguments["revoke"]);
    });
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<QuickBooksClient>();
var realm = arguments["realm"];
var customer = arguments["customer"];
var duration = TimeSpan.FromSeconds(double.Parse(arguments["seconds"], CultureInfo.InvariantCulture));

var clock = Stopwatch.StartNew();
var ok = 0;
var failed = 0;
var bucketOk = 0;
var bucket = 0;
string? lastError = null;
while (clock.Elapsed < duration)
{
    var succeeded = false;
    try
    {
        var read = await client.Customers.GetAsync(realm, customer);
        succeeded = read.Id == customer;
    }
    catch (QuickBooksReconnectRequiredException ex)
    {
        Console.WriteLine($"RECONNECT {ex.Message}");
        Console.WriteLine($"RESULT ok={ok} failed={failed} reconnect=1");
        return 2;
    }
    catch (Exception ex) when (ex is not OutOfMemoryException)
    {
        failed++;
        lastError = ex.GetType().Name + ": " + ex.Message;
    }

    // A call counts in the bucket it ended in; buckets a long call spanned are printed empty.
    var current = (int)(clock.Elapsed.TotalSeconds / 10);
    while (bucket < current)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BUCKET {bucket} ok={bucketOk}"));
        bucket++;
        bucketOk = 0;
    }

    if (succeeded)
    {
        ok++;
        bucketOk++;
    }

    await Task.Delay(150);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BUCKET {bucket} ok={bucketOk}"));

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT ok={ok} failed={failed} reconnect=0 refreshes={CountingLoggerProvider.Refreshes} adopted={CountingLoggerProvider.Adopted} lastError={lastError}"));
return 0;

/// <summary>Counts the token manager's refreshes and adoptions (log event ids), never logging a token.</summary>
internal sealed class CountingLoggerProvider : ILoggerProvider
{
    public static int Refreshes;
    public static int Adopted;

    public ILogger CreateLogger(string categoryName) => new Counter();

    public void Dispose()
    {
    }

    private sealed class Counter : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            switch (eventId.Id)
            {
                case 1102:
                    Interlocked.Increment(ref Refreshes);
                    break;
                case 2500 or 2501 or 1106:
                    Interlocked.Increment(ref Adopted);
                    break;
            }
        }
    }
}
