using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.QuickBooks;

public class ThrottleTests
{
    /// <summary>Answers every request after a pause, counting how many are in flight per realm.</summary>
    private sealed class InFlightCounter : HttpMessageHandler
    {
        private readonly Dictionary<string, int> _current = [];
        private readonly object _gate = new();

        public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(40);

        public Dictionary<string, int> Max { get; } = [];

        public List<(DateTime At, string Path)> Starts { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var realm = request.RequestUri!.Segments[3].TrimEnd('/');
            lock (_gate)
            {
                _current[realm] = _current.GetValueOrDefault(realm) + 1;
                Max[realm] = Math.Max(Max.GetValueOrDefault(realm), _current[realm]);
                Starts.Add((DateTime.UtcNow, request.RequestUri.AbsolutePath));
            }

            try
            {
                await Task.Delay(Pause, cancellationToken);
                var body = request.RequestUri.AbsolutePath.EndsWith("/batch", StringComparison.Ordinal)
                    ? """{"BatchItemResponse":[]}"""
                    : Payload.Read("customer/read-response.json");
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) };
            }
            finally
            {
                lock (_gate)
                {
                    _current[realm]--;
                }
            }
        }
    }

    [Fact]
    public async Task At_most_ten_requests_per_realm_are_in_flight_and_the_rest_queue()
    {
        var counter = new InFlightCounter();
        using var harness = new ClientHarness(configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => counter));
        harness.Connect("other-realm");

        var calls = Enumerable.Range(0, 60).Select(i =>
            harness.Client.Customers.GetAsync(i % 2 == 0 ? ClientHarness.Realm : "other-realm", "5")).ToList();
        var results = await Task.WhenAll(calls);

        results.Should().HaveCount(60).And.OnlyContain(c => c.Id == "5");
        counter.Max[ClientHarness.Realm].Should().Be(10);
        counter.Max["other-realm"].Should().Be(10, "each realm has its own limit");
    }

    [Fact]
    public async Task The_concurrency_limit_is_configurable()
    {
        var counter = new InFlightCounter();
        using var harness = new ClientHarness(o => o.MaxConcurrentRequestsPerRealm = 3, configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => counter));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")));

        counter.Max[ClientHarness.Realm].Should().Be(3);
    }

    [Fact]
    public async Task Requests_beyond_the_window_limit_wait_for_the_window_instead_of_failing()
    {
        var counter = new InFlightCounter { Pause = TimeSpan.Zero };
        using var harness = new ClientHarness(o =>
        {
            o.RequestsPerWindowPerRealm = 5;
            o.BatchRequestsPerWindowPerRealm = 2;
            o.ThrottleWindow = TimeSpan.FromSeconds(1);
        }, configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => counter));

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")));
        watch.Stop();

        results.Should().HaveCount(12);
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.5), "12 requests at 5 per second need at least two more windows");
        var starts = counter.Starts.Select(s => s.At).Order().ToList();
        for (var i = 5; i < starts.Count; i++)
        {
            (starts[i] - starts[i - 5]).Should().BeGreaterThan(TimeSpan.FromMilliseconds(700), "no 5 requests may start within one window");
        }
    }

    [Fact]
    public async Task Batch_requests_have_their_own_lower_limit()
    {
        var counter = new InFlightCounter { Pause = TimeSpan.Zero };
        using var harness = new ClientHarness(o =>
        {
            o.RequestsPerWindowPerRealm = 100;
            o.BatchRequestsPerWindowPerRealm = 2;
            o.ThrottleWindow = TimeSpan.FromSeconds(1);
        }, configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => counter));

        var batches = Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, new QuickBooksBatch().Query("q", QuickBooksQuery.Select("Customer")))));
        var reads = Task.WhenAll(Enumerable.Range(0, 10).Select(_ => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")));
        await Task.WhenAll(reads, batches);

        var batchStarts = counter.Starts.Where(s => s.Path.EndsWith("/batch", StringComparison.Ordinal)).Select(s => s.At).Order().ToList();
        var lastRead = counter.Starts.Where(s => !s.Path.EndsWith("/batch", StringComparison.Ordinal)).Max(s => s.At);
        batchStarts.Should().HaveCount(3);
        (batchStarts[2] - batchStarts[0]).Should().BeGreaterThan(TimeSpan.FromMilliseconds(700), "the third batch waits for the batch window");
        lastRead.Should().BeBefore(batchStarts[2], "plain requests are not held back behind the waiting batch");
    }

    [Fact]
    public async Task Throttling_can_be_switched_off()
    {
        var counter = new InFlightCounter();
        using var harness = new ClientHarness(o => o.EnableThrottling = false, configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => counter));

        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")));

        counter.Max[ClientHarness.Realm].Should().BeGreaterThan(10);
    }
}
