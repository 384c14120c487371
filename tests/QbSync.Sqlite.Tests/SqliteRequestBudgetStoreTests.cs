using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks.Http;

namespace QbSync.Sqlite.Tests;

/// <summary>The per-realm QBO budget shared through the SQLite file (windows scaled down to a second or two).</summary>
public sealed class SqliteRequestBudgetStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Permits_from_several_store_instances_together_respect_the_in_flight_and_window_limits()
    {
        var limits = new RealmRequestLimits(MaxInFlight: 3, RequestsPerWindow: 15, BatchRequestsPerWindow: 40, Window: TimeSpan.FromSeconds(1.5), InFlightLease: TimeSpan.FromMinutes(1));
        var stores = Enumerable.Range(0, 3).Select(_ => new SqliteRequestBudgetStore(new SqliteStoreOptions { ConnectionString = _database.ConnectionString })).ToArray();
        var clock = Stopwatch.StartNew();
        var granted = new ConcurrentQueue<TimeSpan>();
        var inFlight = 0;
        var peak = 0;
        var remaining = 40;

        async Task WorkAsync(SqliteRequestBudgetStore store)
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var permit = new RealmRequestPermit(Guid.NewGuid(), "realm", QuickBooksRequestKind.Standard);
                while (await store.TryAcquireAsync(permit, limits) is { } wait)
                {
                    await Task.Delay(wait > TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : wait);
                }

                granted.Enqueue(clock.Elapsed);
                var now = Interlocked.Increment(ref inFlight);
                var seen = Volatile.Read(ref peak);
                while (now > seen && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                {
                    seen = Volatile.Read(ref peak);
                }

                await Task.Delay(15);
                Interlocked.Decrement(ref inFlight);
                await store.ReleaseAsync(permit, limits);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => WorkAsync(stores[i % stores.Length]))));

        granted.Should().HaveCount(40);
        peak.Should().BeLessThanOrEqualTo(3);
        var times = granted.Order().ToArray();
        for (var i = 0; i + limits.RequestsPerWindow < times.Length; i++)
        {
            (times[i + limits.RequestsPerWindow] - times[i]).Should().BeGreaterThan(limits.Window - TimeSpan.FromMilliseconds(50));
        }
    }

    [Fact]
    public async Task Batch_permits_have_their_own_limit_and_realms_are_independent()
    {
        var store = new SqliteRequestBudgetStore(new SqliteStoreOptions { ConnectionString = _database.ConnectionString });
        var limits = new RealmRequestLimits(10, 100, 1, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));

        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), "r1", QuickBooksRequestKind.Batch), limits)).Should().BeNull();
        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), "r1", QuickBooksRequestKind.Batch), limits)).Should().NotBeNull();
        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), "r1", QuickBooksRequestKind.Standard), limits)).Should().BeNull();
        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), "r2", QuickBooksRequestKind.Batch), limits)).Should().BeNull();
    }

    [Fact]
    public void The_shared_budget_is_registered_only_when_asked_for()
    {
        static ServiceProvider Build(string connectionString, bool share)
        {
            var services = new ServiceCollection();
            services.AddQbSync().UseSqliteStore(o =>
            {
                o.ConnectionString = connectionString;
                o.ShareRequestBudget = share;
            });
            return services.BuildServiceProvider();
        }

        using var shared = Build(_database.ConnectionString, share: true);
        using var local = Build(_database.ConnectionString, share: false);

        shared.GetService<IRealmRequestBudgetStore>().Should().BeOfType<SqliteRequestBudgetStore>();
        local.GetService<IRealmRequestBudgetStore>().Should().BeNull();
        new SqliteStoreOptions().ShareRequestBudget.Should().BeFalse();
    }
}
