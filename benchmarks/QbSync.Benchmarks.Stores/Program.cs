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

// The stores compared (docs/stores.md, docs/benchmarks.md): registering N accounts (bulk and one by one), claims, saving
// a batch's outcomes together or one by one, the QuickBooks column's page (50 of N) for each status filter, and the
// shared QBO budget's cost per request; each figure printed beside its goal (issue 13). Usage: dotnet run -c Release --project benchmarks/QbSync.Benchmarks.Stores -- [accounts] [stores]
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
    await store.TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = "bench-single", RealmId = "realm-single" }, 0);

    // 1. Registering accounts (each due for its first sync): the bulk API over all of them, and one by one (8 callers)
    //    over a sample in another firm.
    var all = Enumerable.Range(0, accounts).Select(i => new AccountInfo(AccountId(i), AccountName(i), HasBillingActivity: true)).ToList();

    // Warm-up (schema migration, JIT) in a firm of its own, both paths, not timed.
    await service.RegisterAccountsAsync("bench-warm-up", all.Take(3000).ToList());
    foreach (var account in all.Skip(3000).Take(300))
    {
        await service.RegisterAccountAsync("bench-warm-up", account);
    }

    var clock = Stopwatch.StartNew();
    var registered = await service.RegisterAccountsAsync(Firm, all);
    Report($"register, bulk (RegisterAccountsAsync, {registered.Added:N0} added)", accounts / clock.Elapsed.TotalSeconds, "accounts/s", ">= 20,000 accounts/s", accounts / clock.Elapsed.TotalSeconds >= 20_000);
    var sample = Math.Min(accounts, 10_000);
    clock.Restart();
    await Parallel.ForEachAsync(all.Take(sample), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (account, ct) =>
        await service.RegisterAccountAsync("bench-single", account, ct));
    Report($"register, one by one (RegisterAccountAsync, {sample:N0} by {Concurrency} callers)", sample / clock.Elapsed.TotalSeconds, "accounts/s", "(baseline)", null);

    // 2. Claims: the first 20,000 due accounts (of all of them) in batches of 25 by 4 claimers; then the engine's claim
    //    of 500, timed one claim at a time.
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
    Report($"claims of 25 by 4 claimers ({claimed:N0} claimed)", claimed / clock.Elapsed.TotalSeconds, "records/s", "(no goal)", null);
    var claimTimings = new List<double>();
    for (var i = 0; i < 20 && claimed < accounts; i++)
    {
        var one = Stopwatch.StartNew();
        var batch = await store.ClaimDueAsync(Firm, "worker-500", now, TimeSpan.FromMinutes(5), 500);
        claimTimings.Add(one.Elapsed.TotalMilliseconds);
        claimed += batch.Count;
    }

    ReportTimings("claim of 500 (the engine's claim)", claimTimings, "(no goal; O(k log n))", null);

    // 3. Saving the outcomes of a batch of 30 (as the engine ends a QBO batch): one TryUpdateManyAsync against 30
    //    TryUpdateAsync, each a compare-and-swap with its history entry, on claimed records.
    var (many, single) = (new List<double>(), new List<double>());
    var next = 0;
    for (var round = 0; round < 40; round++)
    {
        foreach (var together in new[] { true, false })
        {
            var ids = Enumerable.Range(next, 30).Select(AccountId).ToList();
            next += 30;
            var records = await store.GetManyAsync(Firm, ids);
            var updates = records.Select(r => Outcome(r, SyncStatus.Synced)).ToList();
            var one = Stopwatch.StartNew();
            if (together)
            {
                var results = await store.TryUpdateManyAsync(updates);
                if (results.Any(r => r is null))
                {
                    throw new InvalidOperationException("Unexpected conflict.");
                }

                many.Add(one.Elapsed.TotalMilliseconds);
            }
            else
            {
                foreach (var update in updates)
                {
                    if (await store.TryUpdateAsync(update.Record, update.ExpectedVersion, update.History) is null)
                    {
                        throw new InvalidOperationException("Unexpected conflict.");
                    }
                }

                single.Add(one.Elapsed.TotalMilliseconds);
            }
        }
    }

    many.Sort();
    single.Sort();
    Report("save 30 outcomes: TryUpdateManyAsync", many[many.Count / 2], "ms p50", $"(30 x TryUpdateAsync: {single[single.Count / 2]:F2} ms p50; {single[single.Count / 2] / many[many.Count / 2]:F1}x)", null);

    // 4. The QuickBooks column's statuses as a synced firm has them: 97% Synced, 2% Failed, 0.9% Not synced,
    //    0.1% Skipped and no Syncing, written with TryUpdateManyAsync in chunks of 500.
    clock.Restart();
    var changed = 0;
    foreach (var chunk in Enumerable.Range(0, accounts).Chunk(500))
    {
        var records = await store.GetManyAsync(Firm, chunk.Select(AccountId).ToList());
        var results = await store.TryUpdateManyAsync(records.Select(r => Outcome(r, StatusOf(r.AccountId))).ToList());
        changed += results.Count(r => r is not null);
    }

    Report($"outcomes saved with TryUpdateManyAsync in lists of 500 ({changed:N0})", changed / clock.Elapsed.TotalSeconds, "updates/s", "(no goal)", null);

    // 5. The QuickBooks column: a page of 50 at random places in the list, for each filter.
    var random = new Random(42);
    var filters = new (string Label, SyncStatus[] Statuses)[]
    {
        ("none", []), ("Synced (97%)", [SyncStatus.Synced]), ("Failed (2%)", [SyncStatus.Failed]),
        ("Not synced (0.9%)", [SyncStatus.NotSynced]), ("Skipped (0.1%)", [SyncStatus.Skipped]), ("Syncing (no rows)", [SyncStatus.Syncing]),
        ("Failed + Not synced", [SyncStatus.Failed, SyncStatus.NotSynced]),
    };
    foreach (var (label, statuses) in filters)
    {
        for (var i = 0; i < 30; i++)
        {
            await store.ListAsync(Firm, new AccountQuery { PageSize = 50, Statuses = statuses, ContinuationToken = AccountListToken.Encode(AccountName(i), AccountId(i)) });
        }

        var timings = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var from = random.Next(accounts);
            var token = i % 10 == 0 ? null : AccountListToken.Encode(AccountName(from), AccountId(from));
            var one = Stopwatch.StartNew();
            await store.ListAsync(Firm, new AccountQuery { PageSize = 50, Statuses = statuses, ContinuationToken = token });
            timings.Add(one.Elapsed.TotalMilliseconds);
        }

        ReportTimings($"page of 50 of {accounts:N0}, filter {label}", timings, "p95 <= 5 ms", timings.Order().ElementAt((int)(timings.Count * 0.95)) <= 5);
    }

    // 6. The QBO budget: acquire and release of one request permit (no contention), per request.
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

static void Report(string figure, double value, string unit, string goal, bool? met) =>
    Console.WriteLine($"{figure}: {value:N2} {unit}   goal {goal}{(met is { } ok ? ok ? "  [met]" : "  [NOT met]" : string.Empty)}");

static void ReportTimings(string figure, List<double> timings, string goal, bool? met)
{
    if (timings.Count == 0)
    {
        Console.WriteLine($"{figure}: not measured (nothing left)");
        return;
    }

    timings.Sort();
    Console.WriteLine($"{figure}: p50 {timings[timings.Count / 2]:F2} ms, p95 {timings[(int)(timings.Count * 0.95)]:F2} ms   goal {goal}{(met is { } ok ? ok ? "  [met]" : "  [NOT met]" : string.Empty)}");
}

static SyncStatus StatusOf(string accountId)
{
    var n = int.Parse(accountId.AsSpan(5), CultureInfo.InvariantCulture) * 7 % 1000;
    return n switch { < 970 => SyncStatus.Synced, < 990 => SyncStatus.Failed, < 999 => SyncStatus.NotSynced, _ => SyncStatus.Skipped };
}

static AccountUpdate Outcome(SyncAccountRecord record, SyncStatus to) => new(
    record with { Status = to, LeaseOwner = null, LeaseUntil = null, NextAttemptAt = null, WasSkipped = to == SyncStatus.Skipped },
    record.Version,
    new SyncHistoryEntry
    {
        FirmId = record.FirmId, AccountId = record.AccountId, From = record.Status, To = to, Trigger = SyncTrigger.SyncRequested,
        Reason = SyncReason.None, ActorId = SyncActor.SystemUserId, At = DateTimeOffset.UtcNow,
    });

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
