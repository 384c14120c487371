using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.QuickBooks;

/// <summary>The client's throttle with a registered <see cref="IRealmRequestBudgetStore"/> (the SQL stores' shared
/// per-realm budget), against a scripted budget store.</summary>
public class SharedRequestBudgetTests
{
    private sealed class ScriptedBudget : IRealmRequestBudgetStore
    {
        public int RefusalsLeft { get; set; }

        public bool FailReleases { get; init; }

        public ConcurrentQueue<RealmRequestPermit> Granted { get; } = new();

        public ConcurrentQueue<RealmRequestPermit> Released { get; } = new();

        public RealmRequestLimits? Limits { get; private set; }

        public ValueTask<TimeSpan?> TryAcquireAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
        {
            Limits = limits;
            lock (this)
            {
                if (RefusalsLeft > 0)
                {
                    RefusalsLeft--;
                    return ValueTask.FromResult<TimeSpan?>(TimeSpan.FromMilliseconds(1));
                }
            }

            Granted.Enqueue(permit);
            return ValueTask.FromResult<TimeSpan?>(null);
        }

        public ValueTask ReleaseAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
        {
            Released.Enqueue(permit);
            return FailReleases ? ValueTask.FromException(new InvalidOperationException("store down")) : ValueTask.CompletedTask;
        }
    }

    private sealed class OkHandler : HttpMessageHandler
    {
        public int Sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Payload.Read("customer/read-response.json")) });
        }
    }

    [Fact]
    public async Task Each_request_waits_for_a_shared_permit_and_gives_it_back_once()
    {
        var budget = new ScriptedBudget { RefusalsLeft = 3 };
        var handler = new OkHandler();
        using var harness = new ClientHarness(
            configure: o =>
            {
                o.MaxConcurrentRequestsPerRealm = 7;
                o.RequestsPerWindowPerRealm = 123;
                o.BatchRequestsPerWindowPerRealm = 12;
                o.ThrottleWindow = TimeSpan.FromSeconds(9);
            },
            configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => handler),
            configureServices: services => services.AddSingleton<IRealmRequestBudgetStore>(budget));

        var customers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5")));

        customers.Should().HaveCount(5);
        handler.Sent.Should().Be(5);
        budget.RefusalsLeft.Should().Be(0, "refused requests waited and asked again");
        budget.Granted.Should().HaveCount(5).And.OnlyContain(p => p.RealmId == ClientHarness.Realm && p.Kind == QuickBooksRequestKind.Standard);
        budget.Released.Select(p => p.Id).Should().BeEquivalentTo(budget.Granted.Select(p => p.Id));
        budget.Limits.Should().Be(new RealmRequestLimits(7, 123, 12, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(100) + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_release_that_fails_does_not_fail_the_request()
    {
        var budget = new ScriptedBudget { FailReleases = true };
        var handler = new OkHandler();
        using var harness = new ClientHarness(
            configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => handler),
            configureServices: services => services.AddSingleton<IRealmRequestBudgetStore>(budget));

        var customer = await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        customer.Id.Should().Be("5");
        budget.Released.Should().ContainSingle();
        harness.Logs.AllText.Should().Contain("Could not release a shared QuickBooks request permit");
    }

    [Fact]
    public void Without_a_budget_store_the_per_process_throttle_is_used()
    {
        using var harness = new ClientHarness();

        harness.Services.GetService<IRealmRequestBudgetStore>().Should().BeNull();
        harness.Services.GetRequiredService<IRealmRequestThrottle>().GetType().Name.Should().Be("RealmThrottle");
    }
}
