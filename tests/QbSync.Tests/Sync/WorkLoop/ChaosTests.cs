using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;
using Xunit.Abstractions;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 7's proof: 2,000 accounts against a fake that answers 20% of requests with a fault.</summary>
public class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_account_settles_with_no_duplicate_when_a_fifth_of_the_requests_fail()
    {
        const int accounts = 2000;
        using var h = new SyncHarness(sync: o =>
        {
            o.MaxAttempts = 8;
            o.RetryBackoff = TimeSpan.FromSeconds(10);
        }, client: c => c.ThrottleWindow = TimeSpan.FromSeconds(1)); // QBO's limits in scaled time: 40 batches a second
        for (var i = 0; i < 300; i++)
        {
            h.Company.AddCustomer($"Chaos Client {i:0000}");
        }

        h.Company.AddVendor("Chaos Client 0500");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < accounts; i++)
        {
            await h.AddAccountAsync($"a{i:0000}", $"Chaos Client {i:0000}");
        }

        output.WriteLine($"registered in {watch.Elapsed}");
        h.Qbo.Faults.SetRate(0.2, [InjectedFault.TooManyRequests, InjectedFault.ServiceUnavailable, InjectedFault.InternalServerError,
            InjectedFault.DroppedConnection, InjectedFault.HtmlOk, InjectedFault.TruncatedAfterWrite]);

        var passes = 0;
        var runs = new List<SyncRunResult>();
        while (passes < 60)
        {
            passes++;
            runs.Add(await h.Service.RunPendingAsync(SyncHarness.Firm));
            output.WriteLine($"pass {passes} at {watch.Elapsed}: {runs[^1]}");
            var syncing = (await h.Service.ListAccountsAsync(h.Admin, new QbSync.AccountQuery { Statuses = [SyncStatus.Syncing], PageSize = 1 })).Items.Count;
            if (syncing == 0)
            {
                break;
            }

            h.Time.Advance(TimeSpan.FromMinutes(6));
        }

        h.Qbo.Faults.SetRate(0, []);
        var states = new List<AccountSyncState>();
        string? token = null;
        do
        {
            var page = await h.Service.ListAccountsAsync(h.Admin, new QbSync.AccountQuery { PageSize = 500, ContinuationToken = token });
            states.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var names = h.Company.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).ToList();
        var faults = h.Qbo.Journal.Requests.Count(r => r.InjectedFault is not null);
        output.WriteLine($"passes {passes}, requests {h.Qbo.Journal.TotalCount}, injected faults {faults}, synced {states.Count(s => s.Status == SyncStatus.Synced)}, failed {states.Count(s => s.Status == SyncStatus.Failed)} ({string.Join(", ", states.Where(s => s.Status == SyncStatus.Failed).GroupBy(s => s.Reason).Select(g => g.Key + " " + g.Count()))}), customers {names.Count}, refused writes {h.Company.DuplicateNameRefusals}");

        states.Should().HaveCount(accounts);
        states.Should().NotContain(s => s.Status == SyncStatus.Syncing, "every account settles");
        names.Should().OnlyHaveUniqueItems("no customer is created twice");
        states.Where(s => s.Status == SyncStatus.Failed).Should().OnlyContain(s => s.Reason != SyncReason.None && s.Problem != null);
        states.Single(s => s.AccountId == "a0500").Reason.Should().Be(SyncReason.NameHeldByVendor);
        states.Count(s => s.Status == SyncStatus.Synced).Should().BeGreaterThan(accounts - 50);
        states.Where(s => s.Status == SyncStatus.Synced).Select(s => s.CustomerId).Should().OnlyHaveUniqueItems();
    }
}
