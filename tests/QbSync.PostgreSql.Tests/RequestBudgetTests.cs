using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Testing;

namespace QbSync.PostgreSql.Tests;

/// <summary>The per-realm QBO budget shared through PostgreSQL. Windows are scaled down to seconds (both the client's
/// ThrottleWindow and the fake's Throttling.Window) so that several windows pass in a few seconds.</summary>
public sealed class RequestBudgetTests(TestSchema schema) : IClassFixture<TestSchema>
{
    private const string Realm = "9130350000000077";

    [Fact]
    public async Task Permits_from_two_machines_together_respect_the_in_flight_and_window_limits()
    {
        await using var machineA = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        await using var machineB = NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var limits = new RealmRequestLimits(MaxInFlight: 3, RequestsPerWindow: 15, BatchRequestsPerWindow: 40, Window: TimeSpan.FromSeconds(1.5), InFlightLease: TimeSpan.FromMinutes(1));
        var realm = "realm-" + Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();
        var granted = new ConcurrentQueue<TimeSpan>();
        var inFlight = 0;
        var peak = 0;
        var remaining = 40;

        async Task WorkAsync(PostgreSqlRequestBudgetStore store)
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var permit = new RealmRequestPermit(Guid.NewGuid(), realm, QuickBooksRequestKind.Standard);
                while (await store.TryAcquireAsync(permit, limits) is { } wait)
                {
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : wait > TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : wait);
                }

                granted.Enqueue(clock.Elapsed);
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref peak, now);
                await Task.Delay(15);
                Interlocked.Decrement(ref inFlight);
                await store.ReleaseAsync(permit, limits);
            }
        }

        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(() => WorkAsync(new PostgreSqlRequestBudgetStore(
            new PostgreSqlStoreOptions { DataSource = i % 2 == 0 ? machineA : machineB, Schema = schema.Name })))).ToArray();
        await Task.WhenAll(workers);

        granted.Should().HaveCount(40);
        peak.Should().BeLessThanOrEqualTo(3);
        var times = granted.Order().ToArray();
        for (var i = 0; i + limits.RequestsPerWindow < times.Length; i++)
        {
            // Any 16 grants span more than a window (a little slack for the local clock reading after the round trip).
            (times[i + limits.RequestsPerWindow] - times[i]).Should().BeGreaterThan(limits.Window - TimeSpan.FromMilliseconds(50));
        }
    }

    [Fact]
    public async Task Batch_permits_have_their_own_limit_and_a_full_window_says_how_long_to_wait()
    {
        var store = new PostgreSqlRequestBudgetStore(schema.Options);
        var limits = new RealmRequestLimits(10, 100, 2, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
        var realm = "realm-" + Guid.NewGuid().ToString("N");
        RealmRequestPermit Batch() => new(Guid.NewGuid(), realm, QuickBooksRequestKind.Batch);

        var first = Batch();
        (await store.TryAcquireAsync(first, limits)).Should().BeNull();
        (await store.TryAcquireAsync(Batch(), limits)).Should().BeNull();
        await store.ReleaseAsync(first, limits);

        var wait = await store.TryAcquireAsync(Batch(), limits);
        var standard = await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), realm, QuickBooksRequestKind.Standard), limits);

        wait.Should().NotBeNull();
        wait!.Value.Should().BeGreaterThan(TimeSpan.FromSeconds(20)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(30), "the released batch permit leaves the window 30 s after its release");
        standard.Should().BeNull("standard requests are not held by the batch limit");
        (await store.TryAcquireAsync(Batch(), limits with { BatchRequestsPerWindow = 4 })).Should().BeNull();
    }

    [Fact]
    public async Task A_permit_never_released_stops_counting_in_flight_when_its_lease_ends()
    {
        var store = new PostgreSqlRequestBudgetStore(schema.Options);
        var limits = new RealmRequestLimits(1, 100, 40, TimeSpan.FromSeconds(1), InFlightLease: TimeSpan.FromMilliseconds(300));
        var realm = "realm-" + Guid.NewGuid().ToString("N");

        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), realm, QuickBooksRequestKind.Standard), limits)).Should().BeNull();
        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), realm, QuickBooksRequestKind.Standard), limits)).Should().NotBeNull("the process that holds the only slot is still within its lease");
        await Task.Delay(400);

        (await store.TryAcquireAsync(new RealmRequestPermit(Guid.NewGuid(), realm, QuickBooksRequestKind.Standard), limits)).Should().BeNull();
    }

    [Fact]
    public async Task Two_processes_sharing_the_budget_never_push_the_fake_past_its_limits()
    {
        using var fake = StartThrottledFake();
        using var one = Process(fake, share: true);
        using var two = Process(fake, share: true);
        await ConnectAsync(one);

        await Task.WhenAll(Requests(fake, one, 45).Concat(Requests(fake, two, 45)));

        fake.Throttle.ThrottledCount.Should().Be(0);
        fake.Throttle.PeakInFlight.Should().BeLessThanOrEqualTo(4);
        fake.Throttle.PeakInWindow.Should().BeLessThanOrEqualTo(30);
        fake.Journal.Count(FakeRequestKind.Read, Realm).Should().Be(90);
    }

    [Fact]
    public async Task Without_the_shared_budget_two_processes_exceed_the_limits_the_test_checks()
    {
        using var fake = StartThrottledFake();
        using var one = Process(fake, share: false);
        using var two = Process(fake, share: false);
        await ConnectAsync(one);

        await Task.WhenAll(Requests(fake, one, 30).Concat(Requests(fake, two, 30)).Select(async request =>
        {
            try
            {
                await request;
            }
            catch (QuickBooksException)
            {
                // Throttled past its retries: expected here.
            }
        }));

        fake.Throttle.ThrottledCount.Should().BeGreaterThan(0);
    }

    private static QuickBooksOnlineFake StartThrottledFake()
    {
        var fake = QuickBooksOnlineFake.Start(o =>
        {
            o.Throttling.Enabled = true;
            o.Throttling.MaxConcurrentRequestsPerRealm = 4;
            o.Throttling.RequestsPerMinutePerRealm = 30;
            o.Throttling.Window = TimeSpan.FromSeconds(2);
        });
        fake.Company(Realm).AddCustomer("Budget Customer");
        fake.Faults.SetLatency(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25));
        return fake;
    }

    private ServiceProvider Process(QuickBooksOnlineFake fake, bool share)
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
            .UsePostgreSqlStore(PostgreSqlServer.DataSource, o =>
            {
                o.Schema = schema.Name;
                o.ShareRequestBudget = share;
            });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task ConnectAsync(IServiceProvider process) =>
        await process.GetRequiredService<ITokenStore>().SaveAsync(Realm, new QuickBooksTokenSet
        {
            AccessToken = "access-token",
            AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            RefreshToken = "refresh-token",
            RefreshTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(100),
        });

    private static IEnumerable<Task> Requests(QuickBooksOnlineFake fake, IServiceProvider process, int count)
    {
        var customerId = fake.Company(Realm).Customers.Single()["Id"]!.GetValue<string>();
        var client = process.GetRequiredService<QuickBooksClient>();
        return Enumerable.Range(0, count).Select(_ => Task.Run(() => client.Customers.GetAsync(Realm, customerId)));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Volatile.Read(ref target);
        }
    }
}
