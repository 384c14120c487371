using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using QbSync.Diagnostics;
using QbSync.Tests.Sync.Scenarios;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Diagnostics;

/// <summary>The spans of the sync steps, as an OpenTelemetry listener on the source "QbSync" sees them. Each test runs
/// under its own parent span and keeps only the spans of its own trace (tests run in parallel).</summary>
public sealed class ActivityTests : IDisposable
{
    private const string ClientName = "Zyxwvut Qwertyuiop";
    private readonly ActivityListener _listener;
    private readonly Activity _root;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public ActivityTests()
    {
        _root = new Activity("test").Start();
        var trace = _root.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == QbSyncTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _root.Stop();
    }

    private static bool IsUnder(Activity span, Activity ancestor)
    {
        for (var parent = span.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task An_action_on_an_account_is_a_span_with_firm_account_and_realm_and_its_outcome()
    {
        using var h = new SyncHarness();
        h.Company.AddCustomer(ClientName);
        await h.AddAccountAsync("a1", ClientName);

        await h.Service.SyncAsync(h.Owner, "a1");
        await h.Service.UnsyncAsync(h.Owner, "a1");

        var sync = _spans.Should().ContainSingle(s => s.OperationName == "QbSync Sync").Subject;
        sync.GetTagItem("qbsync.firm_id").Should().Be(SyncHarness.Firm);
        sync.GetTagItem("qbsync.account_id").Should().Be("a1");
        sync.GetTagItem("qbsync.realm_id").Should().Be(h.RealmId);
        sync.GetTagItem("qbsync.status").Should().Be("Synced");
        _spans.Should().Contain(s => s.OperationName.StartsWith("QuickBooks ", StringComparison.Ordinal) && IsUnder(s, sync),
            "the QBO requests of the action are under its span");
        var unsync = _spans.Should().ContainSingle(s => s.OperationName == "QbSync Unsync").Subject;
        unsync.GetTagItem("qbsync.status").Should().Be("Skipped");
        _spans.SelectMany(s => s.Tags).Should().NotContain(t => t.Value != null && t.Value.Contains("Zyxwvut"),
            "names of the firm's clients stay out of telemetry unless the host opts in");
    }

    [Fact]
    public async Task Link_and_create_are_spans_of_their_own_and_a_failure_is_an_error_span()
    {
        using var h = new SyncHarness();
        var customer = h.Company.AddCustomer("Acme Ltd")["Id"]!.GetValue<string>();
        await h.AddAccountAsync("a1", "Acme Ltd");
        await h.AddAccountAsync("a2", "Bolt Ltd");
        await h.AddAccountAsync("a3", "Cobalt Ltd");

        await h.Service.LinkAsync(h.Owner, "a1", customer);
        await h.Service.CreateCustomerAsync(h.Owner, "a2");
        await h.Service.LinkAsync(h.Owner, "a3", customer);

        _spans.Where(s => s.OperationName == "QbSync Link").Select(s => s.GetTagItem("qbsync.account_id")).Should().BeEquivalentTo(["a1", "a3"]);
        _spans.Should().ContainSingle(s => s.OperationName == "QbSync CreateCustomer").Which.GetTagItem("qbsync.status").Should().Be("Synced");
        var failed = _spans.Single(s => s.OperationName == "QbSync Link" && (string?)s.GetTagItem("qbsync.account_id") == "a3");
        failed.Status.Should().Be(ActivityStatusCode.Error);
        failed.GetTagItem("qbsync.reason").Should().Be("CustomerLinkedToAnotherAccount");
    }

    [Fact]
    public async Task A_run_of_pending_work_its_directory_read_and_its_batches_are_spans()
    {
        using var h = new SyncHarness(sync: o => o.BulkThreshold = 2);
        await h.AddAccountAsync("a1", "Acme Ltd");
        await h.AddAccountAsync("a2", "Bolt Ltd");
        await h.AddAccountAsync("a3", "Cobalt Ltd");

        (await h.Service.RunPendingAsync(SyncHarness.Firm)).Synced.Should().Be(3);

        var run = _spans.Should().ContainSingle(s => s.OperationName == "QbSync RunPending").Subject;
        run.GetTagItem("qbsync.firm_id").Should().Be(SyncHarness.Firm);
        run.GetTagItem("qbsync.realm_id").Should().Be(h.RealmId);
        run.GetTagItem("qbsync.claimed").Should().Be(3);
        var read = _spans.Should().ContainSingle(s => s.OperationName == "QbSync ReadDirectory").Subject;
        read.GetTagItem("qbsync.realm_id").Should().Be(h.RealmId);
        read.ParentSpanId.Should().Be(run.SpanId);
        var batch = _spans.Should().ContainSingle(s => s.OperationName == "QbSync Batch").Subject;
        batch.ParentSpanId.Should().Be(run.SpanId);
        _spans.Should().Contain(s => s.OperationName == "QuickBooks batch Batch" && s.ParentSpanId == batch.SpanId);
    }

    [Fact]
    public async Task A_host_that_opts_in_gets_the_account_name_on_the_account_spans()
    {
        using var h = new SyncHarness(sync: o => o.IncludeNamesInTelemetry = true);
        h.Company.AddCustomer(ClientName);
        await h.AddAccountAsync("a1", ClientName);

        await h.Service.SyncAsync(h.Owner, "a1");

        _spans.Single(s => s.OperationName == "QbSync Sync").GetTagItem("qbsync.account_name").Should().Be(ClientName);
    }
}

/// <summary>Where QbSync's logs go and what they carry.</summary>
public class LoggingTests
{
    [Fact]
    public async Task Http_logs_are_under_a_QbSync_category_and_a_successful_attempt_logs_nothing_at_Information()
    {
        using var harness = new ClientHarness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payload.Read("customer/read-response.json")));

        await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        var lines = harness.Logs.Lines.ToList();
        lines.Should().NotContain(l => l.Contains(" System.Net.Http.HttpClient", StringComparison.Ordinal),
            "the HTTP logs of QbSync's clients are under QbSync.QuickBooks.Http, which a QbSync filter catches");
        lines.Should().Contain(l => l.StartsWith("Debug QbSync.QuickBooks.Http: HTTP GET /v3/company/" + ClientHarness.Realm + "/customer/5 answered 200", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.StartsWith("Information Polly", StringComparison.Ordinal),
            "Polly reports a successful attempt at Debug");
        lines.Where(l => l.StartsWith("Information", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal))
            .Should().BeEmpty("a successful request is quiet above Debug");
    }

    [Fact]
    public async Task A_retried_attempt_is_still_reported_by_Polly_above_Debug()
    {
        using var harness = new ClientHarness(o => o.MaxRetryAttempts = 1);
        var path = harness.CompanyPath("customer/5");
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WillSetStateTo("1")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody(Payload.Read("faults/503-html-service-unavailable.txt")));
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WhenStateIs("1")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payload.Read("customer/read-response.json")));

        await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        harness.Logs.Lines.Should().Contain(l => l.StartsWith("Warning Polly", StringComparison.Ordinal), "a failed attempt and its retry stay visible");
    }

    [Fact]
    public async Task Names_of_the_firms_clients_never_reach_the_logs()
    {
        const string name = "Zyxwvut Qwertyuiop";
        using var h = new SyncHarness(sync: o => o.BulkThreshold = 2);
        h.Company.AddVendor("Zyxwvut Vendorname");
        await h.AddAccountAsync("a1", name);
        await h.AddAccountAsync("a2", name + " Second");
        await h.AddAccountAsync("a3", "Zyxwvut Vendorname");
        await h.AddAccountAsync("a4", name + " Third");

        await h.Service.RunPendingAsync(SyncHarness.Firm);
        await h.Service.UnsyncAsync(h.Owner, "a1");
        await h.Service.SyncAsync(h.Owner, "a3");
        await h.Service.CreateCustomerAsync(h.Owner, "a3", "Zyxwvut Other");

        h.Company.Customers.Should().Contain(c => c["DisplayName"]!.GetValue<string>().StartsWith("Zyxwvut", StringComparison.Ordinal), "the run did create customers");
        h.Logs.Lines.Should().NotBeEmpty();
        h.Logs.AllText.Should().NotContain("Zyxwvut");
    }
}
