using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using QbSync;
using QbSync.PostgreSql;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;
using QbSync.Sqlite;
using QbSync.Stores;
using QbSync.Sync;

// The stores compared (docs/stores.md): registering N accounts through the engine, the QuickBooks column's page (50 of
// N, with and without a status filter), claims and state changes per second, and the shared QBO budget's cost per
// request. Usage: dotnet run -c Release --project benchmarks/QbSync.Benchmarks.Stores -- [accounts] [stores]
//   accounts: default 100000; stores: comma list of memory,sqlite,postgres (postgres needs QBSYNC_POSTGRES_CONNECTION).
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var accounts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var stores = (args.Length > 1 ? args[1] : "memory,sqlite,postgres").Split(',');
const int Concurrency = 8;
Console.WriteLine($"QbSync store benchmark: {accounts:N0} accounts, {Concurrency} concurrent callers (.NET {Environment.Version}, {Environment.ProcessorCount} cores)");

foreach (var kind in stores)
{
    using var target = StoreUnderTest.Create(kind);
    if (target is null)
    {
        Console.WriteLine($"{kind}: skipped (QBSYNC_POSTGRES_CONNECTION is not set)");
        continue;
    }

    Console.WriteLine();
    Console.WriteLine($"## {kind}");
    try
    {
        await RunAsync(target, accounts);
    }
    catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException)
    {
        Console.WriteLine($"{kind}: stopped by {error.GetType().Name}: {error.Message}");
    }
}

return 0;

static async Task RunAsync(StoreUnderTest target, int accounts)
{
    const string Firm = "bench-firm";
    var services = new ServiceCollection();
    services.AddQbSync(_ => { }, c => c.BaseUrl = new Uri("http://localhost:1/"), o =>
    {
        o.ClientId = "c";
        o.ClientSecret = "s";
    });
    services.AddSingleton(target.Store);
    await using var provider = services.BuildServiceProvider();
    var store = target.Store;
    var service = provider.GetRequiredService<IAccountSyncService>();
    await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = Firm, RealmId = "realm" }, 0);

    // 1. Registering accounts through the engine (each due for its first sync).
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
        await service.RegisterAccountAsync(Firm, new AccountInfo(AccountId(i), AccountName(i), HasBillingActivity: true), ct));
    Console.WriteLine($"register: {accounts / clock.Elapsed.TotalSeconds:N0} accounts/s ({clock.Elapsed.TotalSeconds:F1} s)");

    // 2. Claims: the first 20,000 due accounts (of all of them), in batches of 25, by 4 claimers.
    var now = DateTimeOffset.UtcNow.AddMinutes(1);
    var claimed = 0;
    var toClaim = Math.Min(accounts, 20_000);
    clock.Restart();
    await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
    {
        while (Volatile.Read(ref claimed) < toClaim)
        {
            var batch = await store.ClaimDueAsync(Firm, "worker-" + w, now, TimeSpan.FromMinutes(5), 25);
            if (batch.Count == 0)
            {
                return;
            }

            Interlocked.Add(ref claimed, batch.Count);
        }
    })));
    Console.WriteLine($"claims: {claimed / clock.Elapsed.TotalSeconds:N0} records/s ({claimed:N0} claimed in batches of 25 by 4 claimers, {clock.Elapsed.TotalSeconds:F1} s)");

    // 3. State changes: compare-and-swap with a history entry, as the engine ends a unit of work; a tenth end Failed.
    var changes = Math.Min(accounts, 20_000);
    clock.Restart();
    await Parallel.ForEachAsync(Enumerable.Range(0, changes), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
    {
        var record = (await store.GetAsync(Firm, AccountId(i * (accounts / changes)), ct))!;
        var to = i % 10 == 0 ? SyncStatus.Failed : SyncStatus.Synced;
        var history = new SyncHistoryEntry
        {
            FirmId = Firm, AccountId = record.AccountId, From = record.Status, To = to, Trigger = SyncTrigger.SyncRequested,
            Reason = SyncReason.None, ActorId = SyncActor.SystemUserId, At = DateTimeOffset.UtcNow,
        };
        var updated = await store.TryUpdateAsync(record with { Status = to, LeaseOwner = null, LeaseUntil = null, NextAttemptAt = null }, record.Version, history, ct);
        if (updated is null)
        {
            throw new InvalidOperationException("Unexpected conflict.");
        }
    });
    Console.WriteLine($"state changes: {changes / clock.Elapsed.TotalSeconds:N0} updates/s (read + compare-and-swap with history, {changes:N0}, {clock.Elapsed.TotalSeconds:F1} s)");

    // 4. The QuickBooks column: a page of 50 at random places in the list, unfiltered and filtered to Failed (2% of accounts).
    var random = new Random(42);
    foreach (var (label, statuses) in new[] { ("page of 50", Array.Empty<SyncStatus>()), ("page of 50, status Failed", new[] { SyncStatus.Failed }) })
    {
        var timings = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var from = random.Next(accounts);
            var token = i % 10 == 0 ? null : AccountListToken.Encode(AccountName(from), AccountId(from));
            var one = Stopwatch.StartNew();
            var page = await store.ListAsync(Firm, new AccountQuery { PageSize = 50, Statuses = statuses, ContinuationToken = token });
            timings.Add(one.Elapsed.TotalMilliseconds);
            if (page.Items.Count == 0 && token is null)
            {
                throw new InvalidOperationException("Empty first page.");
            }
        }

        timings.Sort();
        Console.WriteLine($"{label}: p50 {timings[timings.Count / 2]:F2} ms, p95 {timings[(int)(timings.Count * 0.95)]:F2} ms");
    }

    // 5. The QBO budget: acquire and release of one request permit (no contention), per request.
    if (target.Budget is { } budget)
    {
        var limits = new RealmRequestLimits(10, 1_000_000, 1_000_000, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3));
        var timings = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var permit = new RealmRequestPermit(Guid.NewGuid(), "budget-realm", QuickBooksRequestKind.Standard);
            var one = Stopwatch.StartNew();
            if (await budget.TryAcquireAsync(permit, limits) is not null)
            {
                throw new InvalidOperationException("The budget refused a permit.");
            }

            await budget.ReleaseAsync(permit, limits);
            timings.Add(one.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        Console.WriteLine($"shared QBO budget: acquire + release p50 {timings[timings.Count / 2]:F2} ms, p95 {timings[(int)(timings.Count * 0.95)]:F2} ms per request (one realm window of 2,000 permits)");
    }
    else
    {
        var options = Options.Create(new QuickBooksClientOptions());
        var timings = new List<double>();
        using var throttle = new ServiceCollection().AddSingleton<IOptions<QuickBooksClientOptions>>(options)
            .AddQuickBooksClient(o => o.BaseUrl = new Uri("http://localhost:1/")).Services.BuildServiceProvider();
        var perProcess = throttle.GetRequiredService<IRealmRequestThrottle>();
        for (var i = 0; i < 2000; i++)
        {
            var one = Stopwatch.StartNew();
            await using (await perProcess.AcquireAsync("budget-realm-" + (i / 400), QuickBooksRequestKind.Standard))
            {
            }

            timings.Add(one.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        Console.WriteLine($"per-process throttle: acquire + release p50 {timings[timings.Count / 2] * 1000:F1} µs, p95 {timings[(int)(timings.Count * 0.95)] * 1000:F1} µs per request");
    }
}

static string AccountId(int i) => "acct-" + i.ToString("D6", CultureInfo.InvariantCulture);

static string AccountName(int i) => "Client " + ((i * 7919) % 1_000_003).ToString("D7", CultureInfo.InvariantCulture) + " LLC";

internal sealed class StoreUnderTest : IDisposable
{
    private readonly Action _cleanup;

    private StoreUnderTest(IAccountStore store, IRealmRequestBudgetStore? budget, Action cleanup)
    {
        Store = store;
        Budget = budget;
        _cleanup = cleanup;
    }

    public IAccountStore Store { get; }

    public IRealmRequestBudgetStore? Budget { get; }

    public static StoreUnderTest? Create(string kind)
    {
        switch (kind)
        {
            case "memory":
                return new StoreUnderTest(new InMemoryAccountStore(), null, () => { });
            case "sqlite":
                var path = Path.Combine(Path.GetTempPath(), "qbsync-bench-" + Guid.NewGuid().ToString("N") + ".db");
                var options = new SqliteStoreOptions { ConnectionString = "Data Source=" + path };
                return new StoreUnderTest(new SqliteAccountStore(options), new SqliteRequestBudgetStore(options), () =>
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    foreach (var suffix in new[] { "", "-wal", "-shm" })
                    {
                        File.Delete(path + suffix);
                    }
                });
            case "postgres":
                var connectionString = Environment.GetEnvironmentVariable("QBSYNC_POSTGRES_CONNECTION");
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    return null;
                }

                var dataSource = NpgsqlDataSource.Create(connectionString);
                var schema = "qbsync_bench_" + Guid.NewGuid().ToString("N")[..8];
                var pgOptions = new PostgreSqlStoreOptions { DataSource = dataSource, Schema = schema };
                return new StoreUnderTest(new PostgreSqlAccountStore(pgOptions), new PostgreSqlRequestBudgetStore(pgOptions), () =>
                {
                    using (var drop = dataSource.CreateCommand("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE;"))
                    {
                        drop.ExecuteNonQuery();
                    }

                    dataSource.Dispose();
                });
            default:
                throw new ArgumentException("Unknown store: " + kind);
        }
    }

    public void Dispose() => _cleanup();
}
