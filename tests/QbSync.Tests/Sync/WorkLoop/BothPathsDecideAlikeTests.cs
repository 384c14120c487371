using QbSync.Sync;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 7, item 8: the single-account path and the bulk path reach the same decision for every account,
/// whatever the spelling, over generated name sets.</summary>
public class BothPathsDecideAlikeTests
{
    private static readonly string[] Stems = ["John Smith", "O'Brien & Sons", "Acme - Tax", "Jane Doe LLC", "Café Müller", "Straße Bau", "Ana-Maria Pop", "İstanbul Trading"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Single_and_bulk_reach_the_same_decision_for_every_account(int seed)
    {
        var random = new Random(seed);
        var company = new List<(string Kind, string Name, bool Active)>();
        var accounts = new List<(string Id, string Name)>();
        var usedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stem in Stems)
        {
            // QBO holders: zero, one or two spellings of the name as customers (active or not), vendors or employees.
            var holders = random.Next(3);
            for (var i = 0; i < holders; i++)
            {
                var kind = random.Next(6) switch { 0 => "Vendor", 1 => "Employee", _ => "Customer" };
                company.Add((kind, Spell(stem, random) + (i == 1 ? new string(' ', random.Next(2)) : string.Empty), random.Next(4) > 0));
            }

            var account = Spell(stem, random);
            if (usedKeys.Add(account.ToUpperInvariant()))
            {
                accounts.Add(("acc-" + accounts.Count, account));
            }
        }

        var single = await DecideAsync(company, accounts, bulkThreshold: 10_000, viaActions: true);
        var bulk = await DecideAsync(company, accounts, bulkThreshold: 1, viaActions: false);

        bulk.Should().BeEquivalentTo(single, o => o.WithStrictOrdering(), $"seed {seed}: accounts {string.Join(" | ", accounts.Select(a => a.Name))}; company {string.Join(" | ", company)}");
    }

    /// <summary>A spelling NameKey treats as the same name: case, inner and outer spaces, typographic quotes and dashes.</summary>
    private static string Spell(string stem, Random random)
    {
        var chars = stem.Select(c => c switch
        {
            '\'' when random.Next(2) == 0 => "\u2019",
            '-' when random.Next(2) == 0 => "\u2013",
            ' ' => new string(' ', 1 + random.Next(3)),
            _ => random.Next(3) switch { 0 => char.ToUpperInvariant(c).ToString(), 1 => char.ToLowerInvariant(c).ToString(), _ => c.ToString() },
        });
        return (random.Next(3) == 0 ? " " : string.Empty) + string.Concat(chars) + (random.Next(3) == 0 ? "\t" : string.Empty);
    }

    private static async Task<List<(string Account, SyncStatus Status, SyncReason Reason, string? LinkedTo)>> DecideAsync(
        List<(string Kind, string Name, bool Active)> company, List<(string Id, string Name)> accounts, int bulkThreshold, bool viaActions)
    {
        using var h = new SyncHarness(sync: o => o.BulkThreshold = bulkThreshold);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, name, active) in company)
        {
            try
            {
                var record = kind switch
                {
                    "Vendor" => h.Company.AddVendor(name, active),
                    "Employee" => h.Company.AddEmployee(name, active),
                    _ => h.Company.AddCustomer(name, active),
                };
                var id = record["Id"]!.GetValue<string>();
                names[kind + ":" + id] = name;
            }
            catch (InvalidOperationException)
            {
                // QBO refused the seed (the name is held): it does not exist, for both paths alike.
            }
        }

        foreach (var (id, name) in accounts)
        {
            await h.Service.RegisterAccountAsync(SyncHarness.Firm, new AccountInfo(id, name, viaActions is false));
        }

        if (viaActions)
        {
            foreach (var (id, _) in accounts)
            {
                await h.Service.SyncAsync(h.Admin, id);
            }
        }
        else
        {
            await h.Service.RunPendingAsync(SyncHarness.Firm);
        }

        var decisions = new List<(string, SyncStatus, SyncReason, string?)>();
        foreach (var (id, _) in accounts)
        {
            var state = await h.Service.GetStateAsync(h.Admin, id);
            // A customer created by the sync has a new id in each company; a linked existing one is named by its seed.
            var linked = state.CustomerId is { } customerId && names.TryGetValue("Customer:" + customerId, out var seeded) ? "existing " + seeded : state.CustomerId is null ? null : "created";
            decisions.Add((id, state.Status, state.Reason, linked));
        }

        return decisions;
    }
}
