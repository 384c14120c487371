using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

public class ResilienceTests
{
    private static readonly string ThrottleBody = Payload.Read("faults/3001-throttle-statuscode429.xml");

    // The clock moves only by the waits the client arms (backoffs, Retry-After, an attempt timeout shorter than the
    // default 100 s when a test sets one): never while a real HTTP call is out, so no attempt times out by accident.
    private static bool ClientWait(TimeSpan due) => due > TimeSpan.Zero && due < TimeSpan.FromSeconds(100);

    private static (ClientHarness Harness, WatchedTime Time) Create(Action<QuickBooksClientOptions>? configure = null)
    {
        var time = new WatchedTime(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var harness = new ClientHarness(options =>
        {
            options.ThrottledRetryDelay = TimeSpan.FromSeconds(60);
            options.RetryBaseDelay = TimeSpan.FromSeconds(2);
            configure?.Invoke(options);
        }, time);
        return (harness, time);
    }

    private static void Sequence(ClientHarness harness, string path, params Func<IResponseBuilder>[] responses)
    {
        for (var i = 0; i < responses.Length; i++)
        {
            var request = Request.Create().WithPath(harness.CompanyPath(path)).UsingAnyMethod();
            var step = harness.Server.Given(request).InScenario("sequence");
            step = i == 0 ? step.WillSetStateTo("1") : step.WhenStateIs(i.ToString()).WillSetStateTo((i + 1).ToString());
            step.RespondWith(responses[i]());
        }
    }

    [Fact]
    public async Task A_429_without_retry_after_waits_60_seconds_then_retries_with_the_same_request_id()
    {
        var (harness, time) = Create();
        using var _ = harness;
        Sequence(harness, "customer",
            () => Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/xml").WithBody(ThrottleBody),
            () => Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/create-response.json")));

        var create = harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "Acme" }, "logical-write-1");
        await Clock.SettleAsync(() => harness.Server.LogEntries.Count == 1);
        time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(200);
        harness.Server.LogEntries.Should().HaveCount(1, "the retry must wait the full 60 seconds");

        var created = await time.DriveAsync(create, ClientWait);

        created.Id.Should().NotBeNull();
        var requestIds = harness.Server.LogEntries.Select(e => e.Request().QueryValue("requestid")).ToList();
        requestIds.Should().Equal("logical-write-1", "logical-write-1");
        harness.Server.LogEntries.Select(e => e.Request().Body).Distinct().Should().HaveCount(1, "the retry resends the same body");
    }

    [Fact]
    public async Task A_429_with_retry_after_waits_what_the_header_says()
    {
        var (harness, time) = Create();
        using var _ = harness;
        Sequence(harness, "customer/5",
            () => Response.Create().WithStatusCode(429).WithHeader("Retry-After", "5").WithBody(ThrottleBody),
            () => Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        var read = harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");
        await Clock.SettleAsync(() => harness.Server.LogEntries.Count == 1);
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(200);
        harness.Server.LogEntries.Should().HaveCount(1);

        (await time.DriveAsync(read, ClientWait)).Id.Should().Be("5");
        harness.Server.LogEntries.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(500, "faults/500-lowercase-fault-3100-internalservererror.json")]
    [InlineData(502, "faults/503-html-service-unavailable.txt")]
    [InlineData(503, "faults/503-html-avi-vantage.txt")]
    [InlineData(504, "faults/html-maintenance-abbreviated.txt")]
    public async Task Server_errors_are_retried_with_backoff(int status, string body)
    {
        var (harness, time) = Create();
        using var _ = harness;
        Sequence(harness, "customer/5",
            () => Response.Create().WithStatusCode(status).WithBody(Payload.Read(body)),
            () => Response.Create().WithStatusCode(status).WithBody(Payload.Read(body)),
            () => Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        var customer = await time.DriveAsync(harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"), ClientWait);

        customer.Id.Should().Be("5");
        harness.Server.LogEntries.Should().HaveCount(3);
    }

    [Fact]
    public async Task Validation_faults_are_never_retried()
    {
        var (harness, time) = Create();
        using var _ = harness;
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("intuit_tid", "tid-6240").WithBody(Payload.Read("faults/6240-duplicate-name-no-id.json")));

        var act = () => time.DriveAsync(harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "Taken" }, "rid-1"), ClientWait);

        var error = (await act.Should().ThrowAsync<QuickBooksDuplicateNameException>()).Which;
        error.IsTransient.Should().BeFalse();
        error.IntuitTid.Should().Be("tid-6240");
        error.RequestId.Should().Be("rid-1");
        harness.Server.LogEntries.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        var time = new WatchedTime(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var handler = new ScriptedHandler().ThenHang().ThenRespond(200, Payload.Read("customer/read-response.json"));
        using var harness = new ClientHarness(o => o.AttemptTimeout = TimeSpan.FromSeconds(30), time,
            http => http.ConfigurePrimaryHttpMessageHandler(() => handler));

        var read = harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");
        await Clock.SettleAsync(() => handler.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100);
        handler.Requests.Should().HaveCount(1, "the attempt has 30 seconds");

        var customer = await time.DriveAsync(read, ClientWait);

        customer.Id.Should().Be("5");
        handler.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Exhausted_retries_surface_a_transient_exception()
    {
        var (harness, time) = Create(o => o.MaxRetryAttempts = 2);
        using var _ = harness;
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(Payload.Read("faults/503-html-service-unavailable.txt")));

        var act = () => time.DriveAsync(harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"), ClientWait);

        var error = (await act.Should().ThrowAsync<QuickBooksException>()).Which;
        error.IsTransient.Should().BeTrue();
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        harness.Server.LogEntries.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_with_the_same_request_id_and_then_reported_as_a_connection_failure()
    {
        var time = new WatchedTime(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        var handler = new ScriptedHandler().ThenDrop().ThenDrop();
        using var harness = new ClientHarness(o => o.MaxRetryAttempts = 1, time, http => http.ConfigurePrimaryHttpMessageHandler(() => handler));

        var act = () => time.DriveAsync(harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "A" }, "rid-drop"), ClientWait);

        var error = (await act.Should().ThrowAsync<QuickBooksConnectionException>()).Which;
        error.IsTransient.Should().BeTrue();
        error.RequestId.Should().Be("rid-drop");
        handler.Requests.Select(r => r.Request.RequestUri!.Query).Should().AllSatisfy(q => q.Should().Contain("requestid=rid-drop"));
        handler.Requests.Should().HaveCount(2);
        handler.Requests.Select(r => r.Body).Distinct().Should().ContainSingle();
    }
}
