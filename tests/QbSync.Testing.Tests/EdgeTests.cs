using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Tests;

public class ThrottleTests() : FakeTestBase(o =>
{
    o.Throttling.Enabled = true;
    o.Throttling.RequestsPerMinutePerRealm = 5;
    o.Throttling.BatchRequestsPerMinutePerRealm = 2;
})
{
    [Fact]
    public async Task Requests_over_the_per_minute_limit_answer_429_with_the_xml_3001_body()
    {
        for (var i = 0; i < 5; i++)
        {
            (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
        }

        using var response = await Http.GetAsync(Api("customertype/1"));
        response.StatusCode.Should().Be((HttpStatusCode)429);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("<Error code=\"3001\">").And.Contain("message=ThrottleExceeded; errorCode=003001; statusCode=429");
        Fake.Throttle.ThrottledCount.Should().Be(1);

        Clock.Advance(TimeSpan.FromMinutes(1));
        (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Limits_are_per_realm()
    {
        for (var i = 0; i < 5; i++)
        {
            await Get("customertype/1");
        }

        using var other = await Http.GetAsync("/v3/company/other/customertype/1");
        other.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Batch_requests_have_their_own_per_minute_limit()
    {
        var batch = new JsonObject { ["BatchItemRequest"] = new JsonArray(new JsonObject { ["bId"] = "1", ["Query"] = "select * from Item" }) };
        (await PostJson("batch", batch.DeepClone())).Status.Should().Be(HttpStatusCode.OK);
        (await PostJson("batch", batch.DeepClone())).Status.Should().Be(HttpStatusCode.OK);
        using var third = await Http.PostAsync(Api("batch"), new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
        third.StatusCode.Should().Be((HttpStatusCode)429);
    }

    [Fact]
    public async Task Throttling_can_be_switched_off_at_run_time()
    {
        Fake.Throttle.Enabled = false;
        for (var i = 0; i < 8; i++)
        {
            (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
        }
    }
}

public class ConcurrencyThrottleTests() : FakeTestBase(o =>
{
    o.Throttling.Enabled = true;
    o.Throttling.MaxConcurrentRequestsPerRealm = 2;
})
{
    [Fact]
    public async Task More_than_the_concurrent_limit_in_flight_answers_429()
    {
        Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(300));
        var tasks = Enumerable.Range(0, 4).Select(_ => Http.GetAsync(Api("customertype/1"))).ToArray();
        var responses = await Task.WhenAll(tasks);
        responses.Count(r => r.StatusCode == (HttpStatusCode)429).Should().BeGreaterThan(0);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().BeGreaterThan(0);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}

public class FaultInjectionTests : FakeTestBase
{
    [Fact]
    public async Task Scripted_faults_answer_the_next_requests_in_order_then_normal_service_resumes()
    {
        Fake.Faults.Enqueue(InjectedFault.TooManyRequests, InjectedFault.InternalServerError, InjectedFault.ServiceUnavailable, InjectedFault.Unauthorized, null);

        using (var r = await Http.GetAsync(Api("customertype/1")))
        {
            r.StatusCode.Should().Be((HttpStatusCode)429);
            (await r.Content.ReadAsStringAsync()).Should().Contain("ThrottleExceeded");
        }

        using (var r = await Http.GetAsync(Api("customertype/1")))
        {
            r.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            var body = await ReadJson(r);
            body["fault"]!["error"]![0]!["message"]!.GetValue<string>().Should().Be("message=InternalServerError; errorCode=003100; statusCode=500");
        }

        using (var r = await Http.GetAsync(Api("customertype/1")))
        {
            r.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            r.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
            (await r.Content.ReadAsStringAsync()).Should().Contain("503 Service Temporarily Unavailable");
        }

        using (var r = await Http.GetAsync(Api("customertype/1")))
        {
            r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
        (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
        Fake.Journal.Requests.Count(r => r.InjectedFault != null).Should().Be(4);
    }

    [Fact]
    public async Task Dropped_connection_fails_the_http_call()
    {
        Fake.Faults.Enqueue(InjectedFault.DroppedConnection);
        var act = () => Http.GetAsync(Api("customertype/1"));
        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task Timeout_holds_the_request_until_the_client_gives_up()
    {
        Fake.Faults.TimeoutDuration = TimeSpan.FromSeconds(30);
        Fake.Faults.Enqueue(InjectedFault.Timeout);
        using var client = new HttpClient { BaseAddress = new Uri(Fake.BaseUrl), Timeout = TimeSpan.FromMilliseconds(300) };
        var act = () => client.GetAsync(Api("customertype/1"));
        await act.Should().ThrowAsync<TaskCanceledException>();
    }

    [Fact]
    public async Task A_rate_of_one_fails_every_request_and_a_rate_of_zero_none()
    {
        Fake.Faults.SetRate(1.0, [InjectedFault.InternalServerError]);
        (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.InternalServerError);
        Fake.Faults.SetRate(0, [InjectedFault.InternalServerError]);
        (await Get("customertype/1")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_partial_rate_fails_about_that_share()
    {
        Fake.Faults.SetRate(0.5, [InjectedFault.TooManyRequests], seed: 7);
        var failures = 0;
        for (var i = 0; i < 40; i++)
        {
            using var r = await Http.GetAsync(Api("customertype/1"));
            failures += r.StatusCode == (HttpStatusCode)429 ? 1 : 0;
        }

        failures.Should().BeInRange(8, 32);
    }

    [Fact]
    public async Task Fixed_latency_delays_responses()
    {
        Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Get("customertype/1");
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(180));
        Fake.Faults.Reset();
    }

    [Fact]
    public async Task Random_latency_stays_within_bounds()
    {
        Fake.Faults.SetLatency(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(150));
        var watch = Stopwatch.StartNew();
        await Get("customertype/1");
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(45));
    }
}

public class JournalTests : FakeTestBase
{
    [Fact]
    public async Task Every_request_is_recorded_with_method_path_query_body_and_requestid()
    {
        await PostJson("customer?minorversion=75&requestid=r-1", new JsonObject { ["DisplayName"] = "Logged" });
        await Query("SELECT * FROM Customer");
        await Get("customer/1");

        var requests = Fake.Journal.Requests;
        requests.Should().HaveCount(3);
        requests[0].Method.Should().Be("POST");
        requests[0].Path.Should().Be(Api("customer"));
        requests[0].Query.Should().Be("minorversion=75&requestid=r-1");
        requests[0].Body.Should().Contain("Logged");
        requests[0].RequestId.Should().Be("r-1");
        requests[0].RealmId.Should().Be(Realm);
        requests[0].Kind.Should().Be(FakeRequestKind.Create);
        requests[1].Kind.Should().Be(FakeRequestKind.Query);
        requests[1].Body.Should().Be("SELECT * FROM Customer");
        requests[2].Kind.Should().Be(FakeRequestKind.Read);
        Fake.Journal.Count(FakeRequestKind.Query).Should().Be(1);
        Fake.Journal.CountsByKind()[FakeRequestKind.Create].Should().Be(1);
    }

    [Fact]
    public async Task Company_state_and_changes_can_be_inspected()
    {
        Company.SeedDemoData();
        Company.Customers.Should().HaveCount(4);
        Company.Vendors.Should().ContainSingle();
        Company.Employees.Should().ContainSingle();
        Company.Customers.Single(c => c["DisplayName"]!.GetValue<string>() == "Old Client")["Active"]!.GetValue<bool>().Should().BeFalse();
        Company.Changes.Should().Contain(c => c.Entity == "Customer" && c.Operation == "Create");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Unknown_paths_answer_an_html_404()
    {
        using var response = await Http.GetAsync("/nothing/here");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

public class StartupTests
{
    // How fast it starts is measured by benchmarks/QbSync.Benchmarks.Fake (docs/testing.md), not by a timed test.
    [Fact]
    public async Task Two_fakes_start_side_by_side_on_their_own_ports_and_answer()
    {
        using var first = QuickBooksOnlineFake.Start();
        using var second = QuickBooksOnlineFake.Start();
        first.BaseUrl.Should().StartWith("http://").And.NotBe(second.BaseUrl);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "any");
        var response = await http.GetAsync(first.CompanyUrl("123") + "/query?query=" + Uri.EscapeDataString("SELECT COUNT(*) FROM Customer"));
        response.IsSuccessStatusCode.Should().BeTrue();
    }
}
