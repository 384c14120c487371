using System.Globalization;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Tests.Sync.Scenarios;

/// <summary>
/// <see cref="IAccountSyncService.RegisterAccountsAsync"/> ends in the same state as <see cref="IAccountSyncService.RegisterAccountAsync"/>
/// called once per account, whatever the accounts' earlier state and the firm's settings; and bad input refuses the
/// whole call before anything is written.
/// </summary>
public sealed class BulkRegistrationTests
{
    private static readonly string[] Names = ["Acme LLC", "acme llc", "Ａｃｍｅ", "O’Brien & Co", "Smith,  John", "Zoë Ltd", "", " ", "名前", "Same"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Bulk_and_one_by_one_registration_end_in_the_same_state(int seed)
    {
        using var h = new SyncHarness(connect: false);
        var random = new Random(seed);
        var (single, bulk) = ("single-" + seed, "bulk-" + seed);

        // The same firm settings and the same earlier state for both firms: some accounts known, some of them synced,
        // skipped or failed since, under a scope and connection chosen at random.
        var settings = new FirmSyncSettings
        {
            FirmId = single,
            Scope = random.Next(2) == 0 ? SyncScope.AccountsWithBillingActivity : SyncScope.AllAccounts,
        };
        var connected = random.Next(4) != 0;
        foreach (var firm in new[] { single, bulk })
        {
            (await h.Store.TrySaveFirmSettingsAsync(settings with { FirmId = firm, RealmId = connected ? "realm-" + firm : null }, 0)).Should().NotBeNull();
        }

        var ids = Enumerable.Range(0, 700).Select(i => "acct-" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();
        foreach (var id in ids.Where(_ => random.Next(3) == 0))
        {
            var known = new AccountInfo(id, RandomName(random), random.Next(2) == 0);
            var change = random.Next(4);
            foreach (var firm in new[] { single, bulk })
            {
                await h.Service.RegisterAccountAsync(firm, known);
                var record = (await h.Store.GetAsync(firm, id))!;
                var changed = change switch
                {
                    0 => record with { Status = SyncStatus.Synced, CustomerId = "c-" + id, WasSyncedBefore = true, NextAttemptAt = null },
                    1 => record with { Status = SyncStatus.Skipped, WasSkipped = true, NextAttemptAt = null },
                    2 => record with { Status = SyncStatus.Failed, Reason = SyncReason.NameHeldByVendor, NextAttemptAt = null },
                    _ => record,
                };
                (await h.Store.TryUpdateAsync(changed, record.Version)).Should().NotBeNull();
            }
        }

        var accounts = ids.Where(_ => random.Next(4) != 0)
            .Select(id => new AccountInfo(id, RandomName(random), random.Next(2) == 0))
            .OrderBy(_ => random.Next())
            .ToList();
        var before = (await h.Store.GetManyAsync(single, accounts.Select(a => a.AccountId).ToList())).ToDictionary(r => r.AccountId);
        foreach (var account in accounts)
        {
            await h.Service.RegisterAccountAsync(single, account);
        }

        var result = await h.Service.RegisterAccountsAsync(bulk, accounts);

        var afterSingle = await AllAsync(h.Store, single);
        var afterBulk = await AllAsync(h.Store, bulk);
        afterBulk.Select(r => r with { FirmId = single }).Should().Equal(afterSingle);
        var updated = afterSingle.Count(r => before.TryGetValue(r.AccountId, out var old) && old.Version != r.Version);
        result.Should().Be(new AccountRegistrationResult(accounts.Count - before.Count, updated, before.Count - updated));
        result.Updated.Should().BePositive("the random input renames some known accounts");
    }

    [Fact]
    public async Task Registering_the_same_list_again_changes_nothing()
    {
        using var h = new SyncHarness();
        var accounts = Enumerable.Range(0, 4500).Select(i => new AccountInfo("a" + i.ToString(CultureInfo.InvariantCulture), "Client " + i.ToString(CultureInfo.InvariantCulture), i % 2 == 0)).ToList();

        var first = await h.Service.RegisterAccountsAsync(SyncHarness.Firm, accounts);
        var again = await h.Service.RegisterAccountsAsync(SyncHarness.Firm, accounts);

        first.Should().Be(new AccountRegistrationResult(4500, 0, 0));
        again.Should().Be(new AccountRegistrationResult(0, 0, 4500));
        (await AllAsync(h.Store, SyncHarness.Firm)).Count(r => r.NextAttemptAt is not null).Should().Be(2250, "only accounts with billing activity are due under the default scope");
    }

    public static TheoryData<string, int, string> BadInputs => new()
    {
        { "lone surrogate", 3, "Item 3 (account id 'a3'): The account's name is not valid UTF-16 text" },
        { "missing id", 2, "Item 2: The account id is required." },
        { "null name", 4, "Item 4 (account id 'a4'): The account's name is required." },
        { "repeated id", 5, "Item 5 repeats account id 'a1' of item 1." },
        { "null item", 1, "Item 1 is null." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_in_one_item_refuses_the_whole_call_and_says_which_item(string problem, int position, string message)
    {
        using var h = new SyncHarness();
        var accounts = Enumerable.Range(0, 700).Select(i => new AccountInfo("a" + i.ToString(CultureInfo.InvariantCulture), "Client " + i.ToString(CultureInfo.InvariantCulture), true)).ToList();
        accounts[position] = problem switch
        {
            "lone surrogate" => accounts[position] with { Name = "Bad \uD800 name" },
            "missing id" => accounts[position] with { AccountId = "" },
            "null name" => accounts[position] with { Name = null! },
            "repeated id" => accounts[position] with { AccountId = "a1" },
            _ => null!,
        };

        var call = () => h.Service.RegisterAccountsAsync(SyncHarness.Firm, accounts);

        (await call.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(message).And.Contain("Nothing was registered.");
        (await h.Store.ListAsync(SyncHarness.Firm, new AccountQuery())).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task An_account_registered_meanwhile_one_by_one_is_counted_once()
    {
        using var h = new SyncHarness();
        var accounts = Enumerable.Range(0, 1200).Select(i => new AccountInfo("a" + i.ToString("D4", CultureInfo.InvariantCulture), "Client " + i.ToString(CultureInfo.InvariantCulture), true)).ToList();

        var bulk = Task.Run(() => h.Service.RegisterAccountsAsync(SyncHarness.Firm, accounts));
        var singles = Task.Run(async () =>
        {
            for (var i = accounts.Count - 1; i >= 0; i -= 7)
            {
                await h.Service.RegisterAccountAsync(SyncHarness.Firm, accounts[i]);
            }
        });
        await Task.WhenAll(bulk, singles);

        var result = await bulk;
        (result.Added + result.Updated + result.Unchanged).Should().Be(accounts.Count);
        result.Updated.Should().Be(0);
        (await AllAsync(h.Store, SyncHarness.Firm)).Should().HaveCount(accounts.Count).And.OnlyContain(r => r.Version == 1 && r.NextAttemptAt != null);
    }

    private static string RandomName(Random random) =>
        random.Next(3) == 0 ? Names[random.Next(Names.Length)] : "Client " + random.Next(50).ToString(CultureInfo.InvariantCulture);

    private static async Task<List<SyncAccountRecord>> AllAsync(IAccountStore store, string firmId)
    {
        var all = new List<SyncAccountRecord>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 1000, ContinuationToken = token });
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }
}
