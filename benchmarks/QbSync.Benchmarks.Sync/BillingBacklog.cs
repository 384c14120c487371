using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QbSync.Billing;
using QbSync.QuickBooks;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Benchmarks.Sync;

/// <summary>
/// Issue 9: a firm's backlog of invoices and payments (two invoices for each payment, 50 accounts) pushed to the fake
/// with QBO's limits on (500 requests and 40 batch requests a minute per realm, 10 in flight) in scaled time: the
/// fake's clock runs <c>--time-scale</c> times faster than real time, and the client's throttle keeps the same limits
/// over the matching real window (plus a margin for its sliding-window segments).
/// </summary>
internal static class BillingBacklog
{
    private const string FirmId = "firm-billing";
    private const string RealmId = "9130350000000202";
    private const int Accounts = 50;

    public static async Task RunAsync(BenchmarkArguments arguments)
    {
        var scale = arguments.TimeScale;
        var fakeMinute = TimeSpan.FromMinutes(1) / scale;
        using var qbo = QuickBooksOnlineFake.Start(o =>
        {
            o.TimeProvider = new ScaledClock(scale);
            o.Throttling.Enabled = true;
        });
        if (arguments.LatencyMs > 0)
        {
            qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(arguments.LatencyMs));
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbSync(
                sync => sync.WorkerId = "benchmark-billing",
                client =>
                {
                    client.BaseUrl = new Uri(qbo.BaseUrl);
                    client.ThrottleWindow = fakeMinute * 1.25;
                },
                oauth =>
                {
                    oauth.ClientId = qbo.OAuth.ClientId;
                    oauth.ClientSecret = qbo.OAuth.ClientSecret;
                    oauth.RedirectUri = new Uri("http://localhost/qbo/callback");
                    oauth.TokenEndpoint = new Uri(qbo.TokenEndpoint);
                    oauth.RevocationEndpoint = new Uri(qbo.RevocationEndpoint);
                })
            .UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IAccountSyncService>();
        var billing = scope.ServiceProvider.GetRequiredService<IBillingSyncService>();
        var store = scope.ServiceProvider.GetRequiredService<IAccountStore>();
        await accounts.ConnectCompanyAsync(SyncActor.User(FirmId, "owner", FirmRole.Owner), RealmId, qbo.OAuth.CreateAuthorizationCode(RealmId));

        var company = qbo.Company(RealmId);
        for (var a = 0; a < Accounts; a++)
        {
            var customer = company.AddCustomer($"Billing Client {a:00}");
            await store.TryInsertAsync(new SyncAccountRecord
            {
                FirmId = FirmId,
                AccountId = $"a{a:00}",
                AccountName = $"Billing Client {a:00}",
                Status = SyncStatus.Synced,
                CustomerId = customer["Id"]!.GetValue<string>(),
                WasSyncedBefore = true,
            });
        }

        var invoices = arguments.Documents * 2 / 3;
        var payments = arguments.Documents - invoices;
        var day = new DateOnly(2026, 11, 2);
        for (var i = 0; i < invoices; i++)
        {
            await billing.RecordInvoiceAsync(FirmId, new InvoiceInfo
            {
                InvoiceId = $"i{i:00000}",
                AccountId = $"a{i % Accounts:00}",
                Number = $"BB-{i:00000}",
                IssueDate = day,
                Currency = "USD",
                Lines = [new InvoiceLineInfo("Bookkeeping", 2m, 75.25m, 150.50m, "Bookkeeping"), new InvoiceLineInfo("Tax return", 1m, 300m, 300m, "Tax Return")],
            });
        }

        for (var p = 0; p < payments; p++)
        {
            await billing.RecordPaymentAsync(FirmId, new PaymentInfo
            {
                PaymentId = $"p{p:00000}",
                AccountId = $"a{p % Accounts:00}",
                Date = day.AddDays(5),
                Amount = 450.50m,
                Currency = "USD",
                Applications = [new PaymentApplication($"i{p:00000}", 450.50m)],
            });
        }

        qbo.Journal.Clear();
        var clock = Stopwatch.StartNew();
        var run = await billing.RunPendingDocumentsAsync(FirmId);
        clock.Stop();

        var requests = qbo.Journal.Requests.Where(r => r.RealmId == RealmId && r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).ToList();
        var byKind = requests.GroupBy(r => r.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        var fakeMinutes = clock.Elapsed / fakeMinute;
        Console.WriteLine($"Billing backlog: {arguments.Documents} documents ({invoices} invoices, {payments} payments, {Accounts} accounts), QBO limits on, 1 QBO minute = {fakeMinute.TotalSeconds:0.##} s");
        Console.WriteLine($"  synced {run.Synced}, failed {run.Failed}, waiting {run.Waiting}, retrying {run.Retrying}; QBO 429s {qbo.Throttle.ThrottledCount}");
        Console.WriteLine($"  QBO requests {requests.Count} ({string.Join(", ", byKind)})");
        Console.WriteLine($"  requests per 30 documents {requests.Count * 30.0 / arguments.Documents:0.000} (goal <= 1.1); requests per document {requests.Count / (double)arguments.Documents:0.0000}");
        Console.WriteLine($"  wall {clock.Elapsed.TotalSeconds:0.0} s = {fakeMinutes:0.00} QBO minutes; {arguments.Documents / fakeMinutes:0} documents per QBO minute (QBO's batch limit allows at most {40 * 30}); {arguments.Documents / clock.Elapsed.TotalSeconds:0} documents per real second");
    }

    /// <summary>A clock running <paramref name="factor"/> times faster than real time.</summary>
    private sealed class ScaledClock(double factor) : TimeProvider
    {
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
        private readonly long _started = Stopwatch.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _start + Stopwatch.GetElapsedTime(_started) * factor;
    }
}
