using QbSync.Sync;

namespace QbSync.Benchmarks.Sync;

/// <summary>
/// Issue 7, item 7: a bulk first sync whose names QBO is known to refuse (6240), decided without sending them. The bulk
/// scenario has no such name, so its "refused writes: 0" says little; this one has every kind: names held by a vendor or
/// an employee (in other spellings), two accounts of one name, and names that are cleaned into a customer's name.
/// </summary>
internal static class KnownRefusals
{
    private const string FirmId = "firm-refusals";
    private const string RealmId = "9130350000000707";
    private const int Each = 10;
    private const int Fresh = 60;

    public static async Task RunAsync(SyncEngine engine)
    {
        var company = engine.Qbo.Company(RealmId);
        var accounts = new List<(string Id, string Name)>();
        for (var i = 0; i < Each; i++)
        {
            company.AddVendor($"Held Vendor {i:00}");
            company.AddEmployee($"Held Employee {i:00}");
            company.AddCustomer($"Cleaned Client {i:00} - Tax");
            accounts.Add(($"vendor-{i:00}", $"held  VENDOR {i:00}"));
            accounts.Add(($"employee-{i:00}", $"Held Employee {i:00} "));
            accounts.Add(($"cleaned-{i:00}", $"Cleaned Client {i:00}: Tax"));
            accounts.Add(($"twin-a-{i:00}", $"Twin Client {i:00}"));
            accounts.Add(($"twin-b-{i:00}", $"twin  client {i:00}"));
        }

        for (var i = 0; i < Fresh; i++)
        {
            accounts.Add(($"fresh-{i:00}", $"Fresh Client {i:00}"));
        }

        var owner = await engine.ConnectAsync(FirmId, RealmId);
        foreach (var (id, name) in accounts)
        {
            await engine.Service.RegisterAccountAsync(FirmId, new AccountInfo(id, name, HasBillingActivity: true));
        }

        var refusedBefore = company.DuplicateNameRefusals;
        var run = await engine.Service.RunPendingAsync(FirmId);
        var states = (await engine.Service.ListAccountsAsync(owner, new AccountQuery { PageSize = 500 })).Items;
        var refused = company.DuplicateNameRefusals - refusedBefore;
        var outcomes = states.GroupBy(s => s.Status == SyncStatus.Synced ? "Synced" : $"{s.Status} {s.Reason}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");

        Console.WriteLine($"## Writes known to be refused: {accounts.Count} accounts ({Each} vendor-held, {Each} employee-held, {Each} cleaned into a customer's name, {Each} pairs of twins, {Fresh} new)");
        Console.WriteLine();
        Console.WriteLine($"Run: claimed {run.Claimed}, synced {run.Synced}, failed {run.Failed}; outcomes: {string.Join(", ", outcomes)}");
        Console.WriteLine($"Refused writes (6240, duplicate name): {refused} (goal: 0 on a known directory)");
        Console.WriteLine($"Customers created: {company.Customers.Count - Each} (expected {Fresh + Each}: the new ones and one of each pair of twins)");
    }
}
