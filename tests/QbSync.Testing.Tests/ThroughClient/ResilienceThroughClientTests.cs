using System.Net;
using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>Retries, timeouts and request-id reuse end to end against the fake's fault injection.</summary>
public sealed class ResilienceThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Theory]
    [InlineData(InjectedFault.TooManyRequests, 429)]
    [InlineData(InjectedFault.ServiceUnavailable, 503)]
    [InlineData(InjectedFault.InternalServerError, 500)]
    [InlineData(InjectedFault.DroppedConnection, 0)]
    public async Task A_transient_failure_then_success_creates_one_customer_with_one_request_id(InjectedFault fault, int status)
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.Faults.Enqueue(fault);

        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Retried " + fault });

        created.DisplayName.Should().Be("Retried " + fault);
        h.CustomersNamed("Retried " + fault).Should().Be(1);
        var attempts = h.RequestsTo("/customer");
        attempts.Should().HaveCount(2);
        attempts[0].InjectedFault.Should().Be(fault);
        attempts[0].StatusCode.Should().Be(status);
        attempts[1].StatusCode.Should().Be(200);
        attempts.Select(a => a.RequestId).Distinct().Should().ContainSingle().Which.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Several_failures_in_a_row_are_retried_with_the_callers_request_id()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.Faults.Enqueue(InjectedFault.TooManyRequests, InjectedFault.ServiceUnavailable, InjectedFault.DroppedConnection, InjectedFault.InternalServerError);

        var customer = (string)h.Company.AddCustomer("Slow Network")["Id"]!;
        var invoice = await h.Client.Invoices.CreateAsync(Realm, TransactionsThroughClientTests.Invoice(customer, 9m), requestId: "mine-1");

        var attempts = h.RequestsTo("/invoice");
        attempts.Should().HaveCount(5).And.OnlyContain(a => a.RequestId == "mine-1");
        h.Company.Invoices.Should().ContainSingle().Which["Id"]!.GetValue<string>().Should().Be(invoice.Id);
    }

    [Fact]
    public async Task Reads_and_queries_are_retried_too()
    {
        using var h = await FakeClientHarness.StartAsync();
        var id = (string)h.Company.AddCustomer("Read Me")["Id"]!;
        h.Fake.Faults.Enqueue(InjectedFault.ServiceUnavailable);
        (await h.Client.Customers.GetAsync(Realm, id)).DisplayName.Should().Be("Read Me");
        h.Fake.Faults.Enqueue(InjectedFault.TooManyRequests);
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Read Me")).Should().ContainSingle();
        h.Fake.Faults.Enqueue(InjectedFault.DroppedConnection);
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(1);
    }

    [Fact]
    public async Task A_validation_fault_is_never_retried()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddEmployee("Held");

        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Held" });

        await act.Should().ThrowAsync<QuickBooksDuplicateNameException>();
        h.RequestsTo("/customer").Should().ContainSingle().Which.StatusCode.Should().Be(400);
    }

    [Fact]
    public async Task Exhausted_retries_surface_a_transient_exception_after_max_attempts()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 2);
        h.Fake.Faults.Enqueue(InjectedFault.ServiceUnavailable, InjectedFault.ServiceUnavailable, InjectedFault.ServiceUnavailable, InjectedFault.ServiceUnavailable);

        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Never" });

        var thrown = await act.Should().ThrowAsync<QuickBooksException>();
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        thrown.Which.IsTransient.Should().BeTrue();
        thrown.Which.RequestId.Should().NotBeNullOrEmpty();
        h.RequestsTo("/customer").Should().HaveCount(3);
        h.Fake.Faults.PendingScriptSteps.Should().Be(1);
        h.Company.Customers.Should().BeEmpty();
    }

    [Fact]
    public async Task Exhausted_429s_surface_a_throttled_exception()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 1);
        h.Fake.Faults.Enqueue(InjectedFault.TooManyRequests, InjectedFault.TooManyRequests);

        var act = () => h.Client.Customers.CountAsync(Realm);

        var thrown = await act.Should().ThrowAsync<QuickBooksThrottledException>();
        thrown.Which.ErrorCode.Should().Be("3001");
        thrown.Which.IsTransient.Should().BeTrue();
    }

    [Fact]
    public async Task Dropped_connections_to_the_end_surface_a_connection_exception_with_the_request_id()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 1);
        h.Fake.Faults.Enqueue(InjectedFault.DroppedConnection, InjectedFault.DroppedConnection);

        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Lost" }, requestId: "lost-1");

        var thrown = await act.Should().ThrowAsync<QuickBooksConnectionException>();
        thrown.Which.RequestId.Should().Be("lost-1");
        thrown.Which.IsTransient.Should().BeTrue();

        // The safe next step: send it again with the same request id.
        (await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Lost" }, requestId: "lost-1")).DisplayName.Should().Be("Lost");
        h.CustomersNamed("Lost").Should().Be(1);
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_is_not_written_twice_when_sent_again_with_its_request_id()
    {
        using var h = await FakeClientHarness.StartAsync();
        var first = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Answer Lost" }, requestId: "w-1");

        // The caller never saw the answer (say the process died) and sends it again, through a dropped connection.
        h.Fake.Faults.Enqueue(InjectedFault.DroppedConnection);
        var again = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Answer Lost" }, requestId: "w-1");

        again.Id.Should().Be(first.Id);
        h.CustomersNamed("Answer Lost").Should().Be(1);
        h.RequestsTo("/customer")[^1].Replayed.Should().BeTrue();
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        h.Fake.Faults.TimeoutDuration = TimeSpan.FromSeconds(20);
        h.Fake.Faults.Enqueue(InjectedFault.Timeout);

        var started = DateTime.UtcNow;
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "After Timeout" });

        created.DisplayName.Should().Be("After Timeout");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10));
        h.CustomersNamed("After Timeout").Should().Be(1);
    }

    [Fact]
    public async Task Injected_latency_is_tolerated()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20));
        var tasks = Enumerable.Range(0, 20).Select(i => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = $"Latent {i}" }));
        (await Task.WhenAll(tasks)).Select(c => c.Id).Should().OnlyHaveUniqueItems();
        h.Company.Customers.Should().HaveCount(20);
    }

    [Fact]
    public async Task A_random_fault_rate_with_request_ids_still_writes_each_customer_once()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 10);
        h.Fake.Faults.SetRate(0.3, [InjectedFault.TooManyRequests, InjectedFault.ServiceUnavailable, InjectedFault.InternalServerError, InjectedFault.DroppedConnection], seed: 7);

        var tasks = Enumerable.Range(0, 40).Select(i =>
            h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = $"Flaky {i}" }, requestId: $"flaky-{i}"));
        var created = await Task.WhenAll(tasks);

        created.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        h.Company.Customers.Should().HaveCount(40);
        h.Fake.Journal.Requests.Count(r => r.InjectedFault is not null).Should().BeGreaterThan(0);
    }
}
