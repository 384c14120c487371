using QbSync.Stores;
using QbSync.Testing.Stores;

namespace QbSync.Tests.Stores;

public sealed class InMemoryAccountStoreConformanceTests : AccountStoreConformanceTests
{
    protected override Task<IAccountStore> CreateStoreAsync() => Task.FromResult<IAccountStore>(new InMemoryAccountStore());

    [Fact]
    public async Task Stored_records_do_not_follow_the_callers_lists()
    {
        var store = new InMemoryAccountStore();
        var firmId = NewFirmId();
        var candidates = new List<string> { "1", "2" };
        var record = NewRecord(firmId, "a1") with { Problem = new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = candidates } };

        var stored = await store.TryInsertAsync(record);
        candidates.Add("3");

        stored!.Problem!.CustomerIds.Should().Equal("1", "2");
        (await store.GetAsync(firmId, "a1"))!.Problem!.CustomerIds.Should().Equal("1", "2");
        stored.Problem.CustomerIds.Should().NotBeAssignableTo<List<string>>();
        ((ICollection<string>)stored.Problem.CustomerIds).IsReadOnly.Should().BeTrue();
    }

    [Fact]
    public async Task Returned_collections_are_snapshots()
    {
        var store = new InMemoryAccountStore();
        var firmId = NewFirmId();
        var record = NewRecord(firmId, "a1") with { CustomerId = "c1" };
        await store.TryInsertAsync(record, NewHistory(record, SyncStatus.NotSynced, SyncStatus.Synced, "one"));

        var history = await store.GetHistoryAsync(firmId, "a1");
        var page = await store.ListAsync(firmId, new AccountQuery());
        var linked = await store.GetLinkedCustomersAsync(firmId);
        await store.TryUpdateAsync(record with { CustomerId = "c2" }, 1, NewHistory(record, SyncStatus.Synced, SyncStatus.Synced, "two"));
        await store.TryInsertAsync(NewRecord(firmId, "a2"));

        history.Should().ContainSingle();
        page.Items.Should().ContainSingle().Which.CustomerId.Should().Be("c1");
        linked.Should().Equal(new Dictionary<string, string> { ["c1"] = "a1" });
        ((ICollection<SyncHistoryEntry>)history).IsReadOnly.Should().BeTrue();
    }

    [Fact]
    public async Task Tokens_survive_names_with_separators_and_unicode()
    {
        var store = new InMemoryAccountStore();
        var firmId = NewFirmId();
        string[] names = ["3:x", "v1:3:ab", "", "Ünïcødé 🙂", "a:b:c", "12345"];
        for (var i = 0; i < names.Length; i++)
        {
            await store.TryInsertAsync(NewRecord(firmId, "id:" + i, names[i]));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new AccountQuery { PageSize = 1, ContinuationToken = token });
            seen.AddRange(page.Items.Select(r => r.AccountName));
            token = page.ContinuationToken;
            seen.Count.Should().BeLessThanOrEqualTo(names.Length);
        }
        while (token is not null);

        seen.Should().Equal(names.Order(StringComparer.Ordinal));
    }
}

public class SyncProblemEqualityTests
{
    [Fact]
    public void Problems_with_the_same_customer_ids_in_other_lists_are_equal()
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var a = new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = new List<string> { "1", "2" }, OccurredAt = at };
        var b = new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = new[] { "1", "2" }, OccurredAt = at };

        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(b with { CustomerIds = ["2", "1"] });
        new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n", Problem = a }
            .Should().Be(new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n", Problem = b });
    }
}
