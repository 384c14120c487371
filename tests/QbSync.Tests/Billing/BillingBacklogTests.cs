using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QbSync.Billing;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Testing;

namespace QbSync.Tests.Billing;

public sealed class BillingBacklogTests
{
    /// <summary>
    /// 3,000 documents (2,000 invoices, 1,000 payments of 50 accounts) against the fake's throttle (500 requests and 40
    /// batches a minute per realm) in scaled time: one fake minute is two real seconds, and the client's own throttle
    /// keeps to the same limits over a longer window (3.2 s: its sliding window of 6 segments can give a permit back
    /// one segment early, 2.67 s after it was taken, which leaves two thirds of a second for requests that arrive late
    /// at the fake on a loaded machine). Every document is sent once, QBO never throttles, and the run takes at most
    /// 1.1 requests per 30 documents.
    /// </summary>
    [Fact]
    public async Task A_backlog_of_3000_documents_goes_through_batches_within_the_request_budget()
    {
        const double scale = 30;
        using var h = new BillingHarness(
            fake: o =>
            {
                o.TimeProvider = new ScaledTimeProvider(scale);
                o.Throttling.Enabled = true;
            },
            services: s => s.Configure<QuickBooksClientOptions>(o =>
            {
                o.ThrottleWindow = TimeSpan.FromSeconds(3.2);
                o.BatchRequestsPerWindowPerRealm = 40;
                o.RequestsPerWindowPerRealm = 500;
            }));
        for (var a = 0; a < 50; a++)
        {
            var customer = h.Company.AddCustomer($"Backlog Client {a:00}");
            await h.Sync.Store.TryInsertAsync(new SyncAccountRecord
            {
                FirmId = BillingHarness.Firm,
                AccountId = $"a{a:00}",
                AccountName = $"Backlog Client {a:00}",
                Status = SyncStatus.Synced,
                CustomerId = customer["Id"]!.GetValue<string>(),
                WasSyncedBefore = true,
            });
        }

        for (var i = 0; i < 2000; i++)
        {
            await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice($"i{i:0000}", $"a{i % 50:00}") with { Number = $"B-{i:0000}" });
        }

        for (var p = 0; p < 1000; p++)
        {
            await h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment($"p{p:0000}", $"a{p % 50:00}", 300m, new PaymentApplication($"i{p:0000}", 300m)));
        }

        h.Qbo.Journal.Clear();
        var clock = Stopwatch.StartNew();
        var run = await h.RunAsync();
        clock.Stop();

        run.Synced.Should().Be(3000);
        h.Company.Invoices.Should().HaveCount(2000);
        h.Company.Payments.Should().HaveCount(1000);
        h.Qbo.Throttle.ThrottledCount.Should().Be(0, "the client keeps to QBO's limits by itself");
        var requests = h.QboRequests;
        requests.Count.Should().BeLessThanOrEqualTo(110, "at most 1.1 requests per 30 documents");
        requests.Count(r => r.Kind == FakeRequestKind.Batch).Should().BeLessThanOrEqualTo(102);
        var synced = 0;
        string? token = null;
        do
        {
            var page = await h.Billing.ListDocumentsAsync(h.Admin, new BillingDocumentQuery { Statuses = [SyncStatus.Synced], PageSize = 1000, ContinuationToken = token });
            synced += page.Items.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);

        synced.Should().Be(3000);
    }
}

/// <summary>A clock that runs <paramref name="factor"/> times faster than real time (the fake's throttle minutes).</summary>
internal sealed class ScaledTimeProvider(double factor) : TimeProvider
{
    private readonly DateTimeOffset _start = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly long _started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _start + Stopwatch.GetElapsedTime(_started) * factor;
}
