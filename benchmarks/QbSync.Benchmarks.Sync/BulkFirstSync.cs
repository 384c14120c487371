using System.Diagnostics;
using System.Text.RegularExpressions;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Benchmarks.Sync;

/// <summary>Issue 4: the first sync of a firm with many accounts against a company with many customers.</summary>
internal static partial class BulkFirstSync
{
    private const string FirmId = "firm-bulk";
    private const string RealmId = "9130350000000101";
    private const int Vendors = 1;
    private const int Employees = 1;

    /// <summary>Requests outside the formula's pages and batches: the customer-type list (read once per realm).</summary>
    private const int Constant = 1;

    /// <summary>A small bulk run on another firm and realm, so that the measured run does not pay for JIT.</summary>
    public static async Task WarmUpAsync(SyncEngine engine)
    {
        const string firm = "firm-warm-up";
        const string realm = "9130350000000909";
        var company = engine.Qbo.Company(realm);
        for (var i = 0; i < 30; i++)
        {
            company.AddCustomer($"Warm Client {i:000}");
        }

        await engine.ConnectAsync(firm, realm);
        for (var i = 0; i < 60; i++)
        {
            await engine.Service.RegisterAccountAsync(firm, new AccountInfo($"w-{i:000}", i < 30 ? $"warm client {i:000}" : $"Warm New {i:000}", HasBillingActivity: true));
        }

        await engine.Service.RunPendingAsync(firm);
    }

    public static async Task RunAsync(SyncEngine engine, int accounts, int customers)
    {
        var company = engine.Qbo.Company(RealmId);
        for (var i = 0; i < customers; i++)
        {
            company.AddCustomer($"Existing Client {i:00000}");
        }

        company.AddVendor("Some Vendor");
        company.AddEmployee("Some Employee");
        await engine.ConnectAsync(FirmId, RealmId);

        // Half the accounts (at most one per customer) match an existing customer, with other case and spacing.
        var matches = Math.Min(accounts / 2, customers);
        var register = Stopwatch.StartNew();
        for (var i = 0; i < accounts; i++)
        {
            var name = i < matches ? $"existing  client {i:00000}" : $"New Client {i:00000}";
            await engine.Service.RegisterAccountAsync(FirmId, new AccountInfo($"acc-{i:00000}", name, HasBillingActivity: true));
        }

        register.Stop();
        engine.Qbo.Journal.Clear();
        var customersBefore = company.Customers.Count;

        var watch = Stopwatch.StartNew();
        var run = await engine.Service.RunPendingAsync(FirmId);
        watch.Stop();

        var requests = engine.Qbo.Journal.Requests.Where(r => r.RealmId == RealmId && r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).ToList();
        var creates = accounts - matches;
        var customerPages = Pages(customers);
        var otherPages = Math.Max(1, Pages(Vendors)) + Math.Max(1, Pages(Employees));
        var batches = (int)Math.Ceiling(creates / 30.0);
        var budget = customerPages + otherPages + batches + Constant;
        var limit = (int)Math.Floor(budget * 1.1);

        Console.WriteLine($"## Bulk first sync: {accounts:N0} accounts, {customers:N0} customers, {matches:N0} matches, {creates:N0} to create");
        Console.WriteLine();
        Console.WriteLine($"Run: claimed {run.Claimed:N0}, synced {run.Synced:N0}, failed {run.Failed:N0}, retrying {run.Retrying:N0}; customers in QBO {customersBefore:N0} -> {company.Customers.Count:N0}");
        Console.WriteLine($"Refused writes (6240, duplicate name): {company.DuplicateNameRefusals:N0} (goal: 0 on a known directory)");
        Console.WriteLine();
        Console.WriteLine("| QBO requests | Count |");
        Console.WriteLine("|---|---:|");
        foreach (var group in requests.GroupBy(Describe).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"| {group.Key} | {group.Count():N0} |");
        }

        Console.WriteLine($"| **total** | **{requests.Count:N0}** |");
        Console.WriteLine();
        Console.WriteLine($"Budget: ceil({customers}/1000) + vendor/employee pages + ceil(({accounts}-{matches})/30) + constant = {customerPages} + {otherPages} + {batches} + {Constant} = {budget}; within 10%: {requests.Count} <= {limit}: {(requests.Count <= limit ? "yes" : "NO")}");
        if (requests.Count(r => r.Kind == FakeRequestKind.Batch) > 40)
        {
            Console.WriteLine("Note: QBO allows 40 batch requests per minute per realm; the client's throttle (BatchRequestsPerWindowPerRealm) waits for the next window beyond that, which dominates the wall time.");
        }

        Console.WriteLine($"Wall time (after a 60-account warm-up on another realm): register {register.Elapsed.TotalMilliseconds:N0} ms ({accounts / register.Elapsed.TotalSeconds:N0} accounts/s, no QBO requests); first sync {watch.Elapsed.TotalMilliseconds:N0} ms ({accounts / watch.Elapsed.TotalSeconds:N0} accounts/s)");
    }

    private static int Pages(int count) => (int)Math.Ceiling(count / 1000.0);

    private static string Describe(RecordedRequest request)
    {
        if (request.Kind == FakeRequestKind.Query)
        {
            var text = request.Body.Length > 0 ? request.Body : Uri.UnescapeDataString(request.Query.Replace('+', ' '));
            var entity = FromClause().Match(text);
            return entity.Success ? $"Query {entity.Groups[1].Value}" : "Query";
        }

        return request.Kind == FakeRequestKind.Batch ? "Batch" : $"{request.Kind} {EntityOf(request.Path)}".TrimEnd();
    }

    private static string EntityOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 4 ? parts[3] : string.Empty;
    }

    [GeneratedRegex(@"FROM\s+(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex FromClause();
}
