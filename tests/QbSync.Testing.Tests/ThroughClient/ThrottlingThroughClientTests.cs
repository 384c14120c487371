using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>The client's per-realm throttle against the fake's QBO-like throttling.</summary>
public sealed class ThrottlingThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task The_clients_throttle_keeps_a_hundred_concurrent_calls_from_ever_being_refused()
    {
        // The fake enforces QBO's limits (10 in flight, 500 a minute). The client stays a little below them: a
        // request's slot is freed when its answer arrives, a moment before the server has counted it out.
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true },
            client =>
            {
                client.MaxConcurrentRequestsPerRealm = 8;
                client.RequestsPerWindowPerRealm = 450;
                client.MaxRetryAttempts = 0;
            });
        h.Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(8));
        h.Company.AddCustomer("Only One");

        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => h.Client.Customers.CountAsync(Realm)));

        counts.Should().OnlyContain(c => c == 1);
        h.Fake.Throttle.ThrottledCount.Should().Be(0);
        h.Fake.Journal.Requests.Should().NotContain(r => r.StatusCode == 429);
    }

    [Fact]
    public async Task Without_the_clients_throttle_the_fake_refuses_and_the_client_retries_the_429s()
    {
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true, MaxConcurrentRequestsPerRealm = 2 },
            client =>
            {
                client.EnableThrottling = false;
                client.MaxRetryAttempts = 20;
            });
        h.Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(10));

        var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = $"Pushy {i}" }, requestId: $"pushy-{i}")));

        created.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        h.Company.Customers.Should().HaveCount(12);
        h.Fake.Throttle.ThrottledCount.Should().BeGreaterThan(0, "12 at once against a limit of 2 must be refused some of the time");
    }

    [Fact]
    public async Task A_per_minute_limit_reached_surfaces_a_throttled_exception_with_the_3001_code()
    {
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true, RequestsPerMinutePerRealm = 3 },
            client =>
            {
                client.EnableThrottling = false;
                client.MaxRetryAttempts = 1;
            });

        for (var i = 0; i < 3; i++)
        {
            await h.Client.Customers.CountAsync(Realm);
        }

        var act = () => h.Client.Customers.CountAsync(Realm);
        var thrown = await act.Should().ThrowAsync<QuickBooksThrottledException>();
        thrown.Which.ErrorCode.Should().Be("3001");
        h.Fake.Throttle.ThrottledCount.Should().Be(2, "the call and its one retry");
    }

    [Fact]
    public async Task The_clients_batch_limit_keeps_batches_under_the_fakes_batch_limit()
    {
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true, BatchRequestsPerMinutePerRealm = 40 },
            client => client.MaxRetryAttempts = 0);

        var batches = Enumerable.Range(0, 20).Select(i =>
            h.Client.Batch.ExecuteAsync(Realm, new QuickBooksBatch().Create("a", new CustomerCreateRequest { DisplayName = $"Batched {i}" })));
        var results = await Task.WhenAll(batches);

        results.Should().OnlyContain(r => r.Items.Count == 1 && r.Items[0].IsSuccess);
        h.Fake.Throttle.ThrottledCount.Should().Be(0);
    }
}
