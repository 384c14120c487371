using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;
using QbSync.Sqlite;
using QbSync.Sync;

namespace QbSync.Benchmarks.Sync;

/// <summary>
/// Issue 13: the engine's own cost of a first sync (CPU, allocation, peak managed heap of this process; the fake runs
/// in a child process), in a growth series, beside a naive per-account loop built on the library's client (one name
/// query and one create per account, 10 at a time); then the pacing under latency and at QBO's real limits.
/// Half the accounts match one of the company's customers (other case and spacing), the rest are created.
/// </summary>
internal static class EngineCost
{
    private const string RealmId = "9130350000000301";
    private const string NaiveRealmId = "9130350000000302";

    public static async Task<int> RunAsync(CostArguments arguments)
    {
        Console.WriteLine($"QbSync engine cost benchmark (.NET {Environment.Version}, {Environment.ProcessorCount} cores, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, store {arguments.Store}); the QBO fake runs in a child process");
        Console.WriteLine();
        Console.WriteLine("## Growth: first sync with no injected latency (QBO's rate limits lifted, 10 requests in flight kept)");
        Console.WriteLine();
        Console.WriteLine("| accounts | customers | requests (min) | refused | synced | wall | CPU | allocated | per account | peak heap (after GC) | naive: requests, wall, CPU, allocated, peak heap |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var perAccount = new Dictionary<int, double>();
        var results = new Dictionary<int, Measured>();
        foreach (var size in arguments.Sizes)
        {
            var library = await MeasureLibraryAsync(arguments, size, size, latencyMs: 0);
            var naive = size <= arguments.NaiveMax ? await MeasureNaiveAsync(arguments, size, size) : null;
            results[size] = library;
            perAccount[size] = library.Allocated / (double)size;
            Console.WriteLine($"| {size:N0} | {size:N0} | {library.Stats.Requests:N0} ({MinimumRequests(size, size):N0}) | {library.Stats.RefusedWrites} | {library.Synced:N0} | {library.Wall.TotalSeconds:N2} s | {library.Cpu.TotalSeconds:N2} s | {Mb(library.Allocated)} | {library.Allocated / 1024.0 / size:N1} KB | {Mb(library.PeakHeap)} ({Mb(library.PeakHeapAfterGc)} after GC) | "
                + (naive is null ? "(not run)" : $"{naive.Stats.Requests:N0}, {naive.Wall.TotalSeconds:N2} s, {naive.Cpu.TotalSeconds:N2} s, {Mb(naive.Allocated)}, {Mb(naive.PeakHeap)} ({Mb(naive.PeakHeapAfterGc)} after GC)") + " |");
        }

        Console.WriteLine();
        if (results.Count > 0)
        {
            var largest = results.Keys.Max();
            var big = results[largest];
            Goal($"{largest:N0} first sync: CPU", $"{big.Cpu.TotalSeconds:N2} s", "<= 3 s at 100,000", big.Cpu.TotalSeconds <= 3 || largest < 100_000);
            Goal($"{largest:N0} first sync: peak managed heap", $"{Mb(big.PeakHeap)} ({Mb(big.PeakHeapAfterGc)} after GC)", "<= 150 MB at 100,000", big.PeakHeap <= 150L * 1024 * 1024 || largest < 100_000);
            if (perAccount.TryGetValue(10_000, out var small) && perAccount.TryGetValue(largest, out var large) && largest > 10_000)
            {
                Goal($"allocation per account, {largest:N0} vs 10,000", $"{large / 1024:N1} vs {small / 1024:N1} KB ({large / small:N2}x)", "<= 1.2x", large / small <= 1.2);
            }

            Goal("QBO requests vs the minimum", $"{big.Stats.Requests:N0} vs {MinimumRequests(largest, largest):N0} ({big.Stats.Requests / (double)MinimumRequests(largest, largest):N3}x), {big.Stats.RefusedWrites} refused", "<= 1.02x, 0 refused",
                big.Stats.Requests <= MinimumRequests(largest, largest) * 1.02 && big.Stats.RefusedWrites == 0);
        }

        if (arguments.LatencyAccounts > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"## Pacing under {arguments.LatencyMs} ms latency per request: {arguments.LatencyAccounts:N0} accounts, as many customers");
            Console.WriteLine();
            var run = await MeasureLibraryAsync(arguments, arguments.LatencyAccounts, arguments.LatencyAccounts, arguments.LatencyMs);
            // With 10 requests in flight, n requests cannot take less than ceil(n / 10) latencies.
            var floor = TimeSpan.FromMilliseconds(Math.Ceiling(run.Stats.Requests / 10.0) * arguments.LatencyMs);
            Console.WriteLine($"Requests {run.Stats.Requests:N0}, peak in flight {run.Stats.PeakInFlight}, wall {run.Wall.TotalSeconds:N2} s, engine CPU {run.Cpu.TotalSeconds:N2} s, the fake's CPU (its whole life) {run.Stats.FakeCpuSeconds:N2} s; the 10-in-flight floor: ceil({run.Stats.Requests} / 10) x {arguments.LatencyMs} ms = {floor.TotalSeconds:N2} s");
            Goal("first sync vs the 10-in-flight latency floor", $"{run.Wall / floor:N2}x", "<= 1.5x", run.Wall / floor <= 1.5);
        }

        if (arguments.LimitsAccounts > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"## QBO's real limits (500 requests and 40 batches a minute, 10 in flight) in time scaled {arguments.TimeScale}x: {arguments.LimitsAccounts:N0} accounts, as many customers");
            Console.WriteLine();
            var run = await MeasureLibraryAsync(arguments, arguments.LimitsAccounts, arguments.LimitsAccounts, latencyMs: 0, scale: arguments.TimeScale);
            var creates = arguments.LimitsAccounts - (arguments.LimitsAccounts / 2);
            var minute = TimeSpan.FromMinutes(1) / arguments.TimeScale;
            // Only batches: ceil(creates / 30) batches at 40 a minute.
            var floor = minute * (Math.Ceiling(creates / 30.0) / 40.0);
            Console.WriteLine($"Requests {run.Stats.Requests:N0} ({run.Stats.Batches:N0} batches, {run.Stats.Creates:N0} single creates), throttled by the fake {run.Stats.Throttled}, refused {run.Stats.RefusedWrites}, synced {run.Synced:N0}; wall {run.Wall.TotalSeconds:N2} s = {run.Wall / minute:N2} QBO minutes; the batch-only floor {floor / minute:N2} QBO minutes");
            Goal("first sync at QBO's limits vs the batch-only floor", $"{run.Wall / floor:N2}x", "<= 0.8x", run.Wall / floor <= 0.8);
        }

        return 0;
    }

    /// <summary>The fewest requests a first sync can make: the name pages (customers, vendors, employees), the
    /// customer types, and one batch per 30 creates.</summary>
    public static int MinimumRequests(int accounts, int customers)
    {
        var creates = accounts - Math.Min(accounts / 2, customers);
        return (int)Math.Ceiling(customers / 1000.0) + 2 + 1 + (int)Math.Ceiling(creates / 30.0);
    }

    private static async Task<Measured> MeasureLibraryAsync(CostArguments arguments, int accounts, int customers, int latencyMs, int scale = 0)
    {
        using var fake = RemoteFake.Start(scale);
        await fake.SeedAsync(RealmId, customers);
        await using var provider = Build(arguments, fake, scale);
        await using var scope = provider.CreateAsyncScope();
        var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        var firm = "firm-cost";
        await sync.ConnectCompanyAsync(SyncActor.User(firm, "owner", FirmRole.Owner), RealmId, await fake.AuthorizationCodeAsync(RealmId));
        await WarmUpAsync(fake, sync);
        var matches = Math.Min(accounts / 2, customers);
        await sync.RegisterAccountsAsync(firm, Enumerable.Range(0, accounts).Select(i => new AccountInfo(
            $"acc-{i:000000}", i < matches ? RemoteFake.CustomerName(i).ToUpperInvariant().Replace(" ", "  ", StringComparison.Ordinal) : $"New Client {i:000000}", HasBillingActivity: true)).ToList());
        await fake.ClearAsync();
        await fake.SetLatencyAsync(latencyMs);
        var run = await MeasureAsync(() => sync.RunPendingAsync(firm));
        var stats = await fake.StatsAsync(RealmId);
        return run.Measured with { Stats = stats, Synced = run.Result.Synced };
    }

    private static async Task<Measured> MeasureNaiveAsync(CostArguments arguments, int accounts, int customers)
    {
        using var fake = RemoteFake.Start();
        await fake.SeedAsync(NaiveRealmId, customers);
        await using var provider = Build(arguments, fake, scale: 0);
        await using var scope = provider.CreateAsyncScope();
        var sync = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        var client = scope.ServiceProvider.GetRequiredService<QuickBooksClient>();
        await sync.ConnectCompanyAsync(SyncActor.User("firm-naive", "owner", FirmRole.Owner), NaiveRealmId, await fake.AuthorizationCodeAsync(NaiveRealmId));
        var matches = Math.Min(accounts / 2, customers);
        var names = Enumerable.Range(0, accounts).Select(i => i < matches ? RemoteFake.CustomerName(i) : $"New Client {i:000000}").ToList();
        await client.Customers.FindByDisplayNameAsync(NaiveRealmId, "warm up");
        await fake.ClearAsync();
        var links = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var run = await MeasureAsync(async () =>
        {
            await Parallel.ForEachAsync(names.Select((n, i) => (n, i)), new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (item, ct) =>
            {
                var found = await client.Customers.FindByDisplayNameAsync(NaiveRealmId, item.n, cancellationToken: ct);
                var id = found.Count > 0 ? found[0].Id! : (await client.Customers.CreateAsync(NaiveRealmId, new CustomerCreateRequest { DisplayName = item.n }, cancellationToken: ct)).Id!;
                links[$"acc-{item.i:000000}"] = id;
            });
            return links.Count;
        });
        return run.Measured with { Stats = await fake.StatsAsync(NaiveRealmId), Synced = run.Result };
    }

    private static async Task WarmUpAsync(RemoteFake fake, IAccountSyncService sync)
    {
        const string firm = "firm-warm-up";
        const string realm = "9130350000000909";
        await fake.SeedAsync(realm, 40);
        await sync.ConnectCompanyAsync(SyncActor.User(firm, "owner", FirmRole.Owner), realm, await fake.AuthorizationCodeAsync(realm));
        await sync.RegisterAccountsAsync(firm, Enumerable.Range(0, 80).Select(i => new AccountInfo($"w-{i:000}", i < 40 ? RemoteFake.CustomerName(i) : $"Warm New {i:000}", HasBillingActivity: true)).ToList());
        await sync.RunPendingAsync(firm);
    }

    private static ServiceProvider Build(CostArguments arguments, RemoteFake fake, int scale)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddQbSync(
            sync => sync.WorkerId = "benchmark-cost",
            client =>
            {
                client.BaseUrl = new Uri(fake.BaseUrl);
                if (scale > 0)
                {
                    // QBO's limits over the fake's scaled minute, with a margin for the sliding window's segments.
                    client.ThrottleWindow = TimeSpan.FromMinutes(1) / scale * 1.05;
                }
                else
                {
                    client.RequestsPerWindowPerRealm = 100_000;
                    client.BatchRequestsPerWindowPerRealm = 100_000;
                }
            },
            oauth =>
            {
                oauth.ClientId = fake.ClientId;
                oauth.ClientSecret = fake.ClientSecret;
                oauth.RedirectUri = new Uri("http://localhost/qbo/callback");
                oauth.TokenEndpoint = new Uri(fake.TokenEndpoint);
                oauth.RevocationEndpoint = new Uri(fake.RevocationEndpoint);
            });
        if (arguments.Store == "sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), $"qbsync-cost-{Guid.NewGuid():N}.db");
            builder.UseSqliteStore($"Data Source={file}");
        }
        else
        {
            builder.UseInMemoryStore();
        }

        return services.BuildServiceProvider();
    }

    private static async Task<(T Result, Measured Measured)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peak = GC.GetTotalMemory(forceFullCollection: false);
        long peakAfterGc = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                peakAfterGc = Math.Max(peakAfterGc, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
                Thread.Sleep(2);
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        sampler.Start();
        var watch = Stopwatch.StartNew();
        var result = await action();
        watch.Stop();
        await stop.CancelAsync();
        sampler.Join();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        process.Refresh();
        return (result, new Measured(watch.Elapsed, process.TotalProcessorTime - cpuBefore, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, peak, peakAfterGc, null!, 0));
    }

    private static void Goal(string figure, string now, string goal, bool met) =>
        Console.WriteLine($"- {figure}: {now} (goal {goal}): {(met ? "met" : "NOT met")}");

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MB";

    /// <param name="PeakHeap">The largest managed heap seen, garbage not yet collected included.</param>
    /// <param name="PeakHeapAfterGc">The largest heap a collection left (what the run kept alive, with fragmentation).</param>
    private sealed record Measured(TimeSpan Wall, TimeSpan Cpu, long Allocated, long PeakHeap, long PeakHeapAfterGc, FakeStats Stats, int Synced);
}

/// <summary><c>cost [--sizes 2000,10000,50000,100000] [--naive-max 10000] [--store memory|sqlite] [--latency-accounts 10000]
/// [--latency-ms 150] [--limits-accounts 50000] [--time-scale 20]</c>.</summary>
internal sealed record CostArguments(IReadOnlyList<int> Sizes, int NaiveMax, string Store, int LatencyAccounts, int LatencyMs, int LimitsAccounts, int TimeScale)
{
    public static CostArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"bad argument '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        return new CostArguments(
            (values.GetValueOrDefault("sizes") ?? "2000,10000,50000,100000").Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            Int("naive-max", 10_000),
            values.GetValueOrDefault("store") ?? "memory",
            Int("latency-accounts", 10_000),
            Int("latency-ms", 150),
            Int("limits-accounts", 50_000),
            Int("time-scale", 20));
    }
}
