using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Testing;

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

    /// <summary>
    /// End to end: two service providers (two processes' worth of QbSync: each its own client, in-process limiter and
    /// store instance) share one SQLite file with <c>ShareRequestBudget</c>, and together never push a throttled fake
    /// (4 in flight, 30 requests per 2-second window) past its limits. Each alone would allow 4 in flight and 30 per
    /// window, so without the shared budget the pair sends twice the limit (checked by hand with
    /// <c>ShareRequestBudget = false</c>: the fake refuses requests; PostgreSQL's RequestBudgetTests keeps that contrast
    /// as a test).
    /// </summary>
    [Fact]
    public async Task Two_processes_sharing_the_budget_through_one_file_never_push_the_fake_past_its_limits()
    {
        const string Realm = "9130350000000066";
        using var fake = QuickBooksOnlineFake.Start(o =>
        {
            o.Throttling.Enabled = true;
            o.Throttling.MaxConcurrentRequestsPerRealm = 4;
            o.Throttling.RequestsPerMinutePerRealm = 30;
            o.Throttling.Window = TimeSpan.FromSeconds(2);
        });
        var customerId = fake.Company(Realm).AddCustomer("Budget Customer")["Id"]!.GetValue<string>();
        fake.Faults.SetLatency(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25));
        using var one = Process(fake, _database.ConnectionString);
        using var two = Process(fake, _database.ConnectionString);
        await one.GetRequiredService<ITokenStore>().SaveAsync(Realm, new QuickBooksTokenSet
        {
            AccessToken = "access-token",
            AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            RefreshToken = "refresh-token",
            RefreshTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(100),
        });

        await Task.WhenAll(new[] { one, two }.SelectMany(process => Enumerable.Range(0, 45).Select(_ =>
            Task.Run(() => process.GetRequiredService<QuickBooksClient>().Customers.GetAsync(Realm, customerId)))));

        fake.Throttle.ThrottledCount.Should().Be(0);
        fake.Throttle.PeakInFlight.Should().BeLessThanOrEqualTo(4);
        fake.Throttle.PeakInWindow.Should().BeLessThanOrEqualTo(30);
        fake.Journal.Count(FakeRequestKind.Read, Realm).Should().Be(90);
    }

    private static ServiceProvider Process(QuickBooksOnlineFake fake, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddQbSync(
            _ => { },
            client =>
            {
                client.BaseUrl = new Uri(fake.BaseUrl);
                client.MaxConcurrentRequestsPerRealm = 4;
                client.RequestsPerWindowPerRealm = 30;
                client.BatchRequestsPerWindowPerRealm = 5;
                client.ThrottleWindow = TimeSpan.FromSeconds(2);
                client.ThrottledRetryDelay = TimeSpan.FromMilliseconds(10);
                client.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                client.MaxRetryAttempts = 1;
            },
            oauth =>
            {
                oauth.ClientId = "client";
                oauth.ClientSecret = "secret";
                oauth.TokenEndpoint = new Uri(fake.TokenEndpoint);
            })
            .UseSqliteStore(o =>
            {
                o.ConnectionString = connectionString;
                o.ShareRequestBudget = true;
            });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
