using System.Diagnostics;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Benchmarks.Sync;

/// <summary>Round trips of one "Sync account with QuickBooks": an exact match, and a create.</summary>
internal static class SingleAccountActions
{
    private const string FirmId = "firm-single";
    private const string RealmId = "9130350000000202";

    public static async Task RunAsync(SyncEngine engine)
    {
        var company = engine.Qbo.Company(RealmId);
        for (var i = 0; i < 100; i++)
        {
            company.AddCustomer($"Client {i:000}");
        }

        var owner = await engine.ConnectAsync(FirmId, RealmId);
        Console.WriteLine("## Single-account actions (SyncAsync by an owner)");
        Console.WriteLine();
        Console.WriteLine("| Action | QBO round trips | Requests | Time |");
        Console.WriteLine("|---|---:|---|---:|");
        await MeasureAsync(engine, owner, "a-create-cold", "First Newcomer", "create, first of the realm (reads the name space and the customer types)");
        await MeasureAsync(engine, owner, "a-match", "client  042", "match an existing customer (names brought up to date by change data capture)");
        await MeasureAsync(engine, owner, "a-create", "Second Newcomer", "create (customer types cached)");
    }

    private static async Task MeasureAsync(SyncEngine engine, SyncActor owner, string accountId, string name, string label)
    {
        // Not billing-active, so no automatic work picks it up: the owner syncs it by hand.
        await engine.Service.RegisterAccountAsync(FirmId, new AccountInfo(accountId, name, HasBillingActivity: false));
        engine.Qbo.Journal.Clear();
        var watch = Stopwatch.StartNew();
        var state = await engine.Service.SyncAsync(owner, accountId);
        watch.Stop();
        var requests = engine.Qbo.Journal.Requests.Where(r => r.RealmId == RealmId && r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).ToList();
        Console.WriteLine($"| {label} -> {state.Label} | {requests.Count} | {string.Join(", ", requests.Select(r => r.Kind))} | {watch.Elapsed.TotalMilliseconds:N1} ms |");
    }
}
