using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Sync.WorkLoop;

/// <summary>Issue 7, items 1–3: every exception in one account's work becomes that account's outcome.</summary>
public class OneAccountNeverTakesTheFirmDownTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    [InlineData("\0")]
    [InlineData("\u200B")]
    public async Task A_blank_name_fails_as_InvalidName_and_fifty_good_accounts_sync_in_one_pass(string blank)
    {
        using var h = new SyncHarness();
        await h.AddAccountAsync("poison", blank);
        for (var i = 0; i < 50; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Good Client {i:00}");
        }

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        run.Synced.Should().Be(50);
        var poison = await h.Service.GetStateAsync(h.Admin, "poison");
        poison.Status.Should().Be(SyncStatus.Failed);
        poison.Reason.Should().Be(SyncReason.InvalidName);
        h.Company.Customers.Should().HaveCount(50);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task A_blank_name_fails_the_same_way_on_the_single_account_path(int bulkThreshold)
    {
        using var h = new SyncHarness(sync: o => o.BulkThreshold = bulkThreshold);
        await h.AddAccountAsync("poison", " \t ");
        for (var i = 0; i < 10; i++)
        {
            await h.AddAccountAsync($"a{i}", $"Client {i}");
        }

        (await h.Service.RunPendingAsync(SyncHarness.Firm)).Synced.Should().Be(10);
        var manual = await h.Service.SyncAsync(h.Admin, "poison");

        manual.Status.Should().Be(SyncStatus.Failed);
        manual.Reason.Should().Be(SyncReason.InvalidName);
    }

    [Fact]
    public async Task A_store_error_on_one_account_is_retried_with_attempts_counted_and_never_stops_the_others()
    {
        var store = new FlakyStore(new InMemoryAccountStore()) { FailFinishOf = "bad" };
        using var h = new SyncHarness(store: store, sync: o => o.MaxAttempts = 3);
        await h.AddAccountAsync("bad", "Bad Luck Client");
        for (var i = 0; i < 10; i++)
        {
            await h.AddAccountAsync($"a{i}", $"Client {i}");
        }

        var first = await h.Service.RunPendingAsync(SyncHarness.Firm);
        first.Synced.Should().Be(10);
        (await store.GetAsync(SyncHarness.Firm, "bad"))!.Status.Should().Be(SyncStatus.Syncing);

        // Each resume (after the lease ends) is an attempt; the third ends in Failed, never Syncing forever.
        for (var pass = 0; pass < 5; pass++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(6));
            await h.Service.RunPendingAsync(SyncHarness.Firm);
        }

        var bad = await h.Service.GetStateAsync(h.Admin, "bad");
        bad.Status.Should().Be(SyncStatus.Failed);
        bad.Reason.Should().Be(SyncReason.RetriesExhausted);
        store.FinishFailures.Should().Be(3, "three attempts, then no more");
        h.Company.Customers.Should().HaveCount(11, "the customer the first attempt created is found again, never created twice");
    }

    [Fact]
    public async Task An_unsync_between_the_match_and_the_create_intent_wins_and_creates_nothing()
    {
        var store = new FlakyStore(new InMemoryAccountStore()) { UnsyncBeforeCreateIntentOf = "a1" };
        using var h = new SyncHarness(store: store);
        await h.AddAccountAsync("a1", "Changing Mind LLC");
        await h.AddAccountAsync("a2", "Steady Client");

        await h.Service.RunPendingAsync(SyncHarness.Firm);

        (await h.Service.GetStateAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Skipped);
        (await h.Service.GetStateAsync(h.Admin, "a2")).Status.Should().Be(SyncStatus.Synced);
        h.Company.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).Should().Equal("Steady Client");
    }

    [Theory]
    [InlineData(InjectedFault.HtmlOk)]
    [InlineData(InjectedFault.TruncatedAfterWrite)]
    public async Task An_unreadable_directory_read_is_recorded_on_the_accounts_it_blocks_and_retried(InjectedFault fault)
    {
        using var h = new SyncHarness();
        for (var i = 0; i < 30; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Blocked Client {i:00}");
        }

        h.Qbo.Faults.Enqueue(fault);
        var first = await h.Service.RunPendingAsync(SyncHarness.Firm);

        first.Retrying.Should().Be(30);
        first.NextAttemptAt.Should().Be(h.Time.GetUtcNow() + TimeSpan.FromSeconds(30));
        var state = await h.Service.GetStateAsync(h.Admin, "a00");
        state.Status.Should().Be(SyncStatus.Syncing);
        state.Reason.Should().Be(SyncReason.WaitingToRetry);
        state.Attempts.Should().Be(1);
        state.NextAttemptAt.Should().Be(first.NextAttemptAt);
        state.Problem!.Detail.Should().Be(nameof(QbSync.QuickBooks.QuickBooksUnreadableResponseException));
        state.Tooltip.Should().Contain("tries again");
        (await h.Service.ListProblemsAsync(h.Admin)).Should().HaveCount(30, "accounts waiting after a failure are problems too");

        h.Time.Advance(TimeSpan.FromSeconds(31));
        (await h.Service.RunPendingAsync(SyncHarness.Firm)).Synced.Should().Be(30);
        (await h.Service.ListProblemsAsync(h.Admin)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_customer_row_with_a_field_in_another_shape_is_read_and_matched()
    {
        using var h = new SyncHarness();
        var id = h.Company.AddCustomer("Odd Shape Ltd", configure: c => c["PrimaryEmailAddr"] = "billing@odd.example")["Id"]!.GetValue<string>();
        await h.AddAccountAsync("a1", "Odd Shape Ltd");

        var state = await h.Service.SyncAsync(h.Admin, "a1");

        state.Status.Should().Be(SyncStatus.Synced);
        state.CustomerId.Should().Be(id);
    }

    [Fact]
    public async Task A_name_with_a_lone_surrogate_is_refused_at_registration()
    {
        using var h = new SyncHarness();

        var register = () => h.Service.RegisterAccountAsync(SyncHarness.Firm, new AccountInfo("a1", "Broken \uD800 Name", true));

        (await register.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("surrogate");
        (await h.Store.GetAsync(SyncHarness.Firm, "a1")).Should().BeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failure_before_a_batch_is_sent_becomes_the_outcome_of_its_accounts_and_the_run_goes_on(bool disconnected)
    {
        // The token store breaks (or the company is disconnected) just as the first batch is about to go out: the
        // batch's accounts get that outcome, the run returns, and nothing is left Syncing without a reason.
        var tokens = new ArmedTokenStore { Disconnected = disconnected };
        var store = new BatchIntentHookStore(new InMemoryAccountStore()) { OnBatchIntentSaved = tokens.Arm };
        using var h = new SyncHarness(store: store, sync: o => o.BulkThreshold = 5, services: s => s.AddSingleton<ITokenStore>(tokens));
        tokens.Inner = h.Tokens;
        for (var i = 0; i < 40; i++)
        {
            await h.AddAccountAsync($"a{i:00}", $"Batch Guard Client {i:00}");
        }

        var run = await h.Service.RunPendingAsync(SyncHarness.Firm);

        tokens.Failures.Should().BeGreaterThan(0, "the failure was injected");
        (run.Synced + run.Failed + run.Retrying).Should().Be(40, "every claimed account is accounted for");
        var states = (await h.Service.ListAccountsAsync(h.Admin, new AccountQuery { PageSize = 100 })).Items;
        states.Should().HaveCount(40);
        states.Where(s => s.Status != SyncStatus.Synced).Should().NotBeEmpty()
            .And.OnlyContain(s => s.Reason != SyncReason.None && s.Problem != null, "a failure is recorded on the accounts it blocks");
        if (disconnected)
        {
            states.Should().Contain(s => s.Status == SyncStatus.Failed && s.Reason == SyncReason.ReconnectRequired);
            return;
        }

        states.Where(s => s.Status == SyncStatus.Syncing).Should().OnlyContain(s => s.Reason == SyncReason.WaitingToRetry && s.Attempts == 1);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Service.RunPendingAsync(SyncHarness.Firm);
        states = (await h.Service.ListAccountsAsync(h.Admin, new AccountQuery { PageSize = 100 })).Items;
        states.Should().OnlyContain(s => s.Status == SyncStatus.Synced);
        h.Company.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).Should().HaveCount(40).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_failed_customer_type_look_up_is_the_outcome_of_its_own_account_only()
    {
        using var h = new SyncHarness();
        h.Company.AddCustomer("Warm Existing");
        await h.AddAccountAsync("warm", "Warm Existing", hasBillingActivity: false);
        (await h.Service.SyncAsync(h.Admin, "warm")).Status.Should().Be(SyncStatus.Synced, "the directory is read in full once");
        await h.AddAccountAsync("b", "First New Client", hasBillingActivity: false);
        await h.AddAccountAsync("c", "Second New Client", hasBillingActivity: false);
        h.Qbo.Journal.Clear();

        // b's create: one change-data-capture request, then the customer type look-up, answered 503.
        h.Qbo.Faults.Enqueue(null, InjectedFault.ServiceUnavailable);
        var b = await h.Service.SyncAsync(h.Admin, "b");
        var c = await h.Service.SyncAsync(h.Admin, "c");

        h.Qbo.Journal.Requests.Single(r => r.InjectedFault is not null).Path.Should().EndWith("/query");
        b.Reason.Should().Be(SyncReason.WaitingToRetry);
        c.Status.Should().Be(SyncStatus.Synced, "a failed look-up is not served again to the next account: it looks the type up anew");
        h.Company.Customers.Should().HaveCount(2);
    }

    /// <summary>A token store that, once armed, fails once (<see cref="IOException"/>) or, disconnected, holds no
    /// tokens any more.</summary>
    private sealed class ArmedTokenStore : ITokenStore
    {
        private int _armed;
        private int _failures;

        public ITokenStore Inner { get; set; } = null!;

        public bool Disconnected { get; init; }

        public int Failures => Volatile.Read(ref _failures);

        public Task Arm(SyncAccountRecord record)
        {
            Interlocked.CompareExchange(ref _armed, 1, 0); // armed once: it fails once (or stays disconnected)
            return Task.CompletedTask;
        }

        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default)
        {
            if (Disconnected && Volatile.Read(ref _armed) == 1)
            {
                Interlocked.Increment(ref _failures);
                return ValueTask.FromResult<QuickBooksTokenSet?>(null);
            }

            if (Interlocked.CompareExchange(ref _armed, 2, 1) == 1)
            {
                Interlocked.Increment(ref _failures);
                throw new IOException("the token database is unreachable");
            }

            return Inner.GetAsync(realmId, cancellationToken);
        }

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => Inner.SaveAsync(realmId, tokens, cancellationToken);

        public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default) =>
            Inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => Inner.DeleteAsync(realmId, cancellationToken);
    }

    /// <summary>Calls a hook when a batch item's intent is saved.</summary>
    private sealed class BatchIntentHookStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public Func<SyncAccountRecord, Task>? OnBatchIntentSaved { get; set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            var saved = await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
            if (saved?.Intent?.BatchRequestId is not null && history is null && OnBatchIntentSaved is { } hook)
            {
                await hook(saved);
            }

            return saved;
        }
    }

    /// <summary>Breaks chosen writes of chosen accounts.</summary>
    private sealed class FlakyStore(IAccountStore inner) : DelegatingStore(inner)
    {
        public string? FailFinishOf { get; init; }

        public string? UnsyncBeforeCreateIntentOf { get; set; }

        public int FinishFailures { get; private set; }

        public override async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
        {
            if (record.AccountId == FailFinishOf && history?.Trigger == SyncTrigger.Succeeded)
            {
                FinishFailures++;
                throw new IOException("disk full");
            }

            if (record.AccountId == UnsyncBeforeCreateIntentOf && history is null && record.Intent?.Kind == SyncIntentKind.CreateCustomer)
            {
                UnsyncBeforeCreateIntentOf = null;
                var current = (await base.GetAsync(record.FirmId, record.AccountId, cancellationToken))!;
                await base.TryUpdateAsync(current with
                {
                    Status = SyncStatus.Skipped,
                    Reason = SyncReason.SkippedByUser,
                    WasSkipped = true,
                    Intent = null,
                    LeaseOwner = null,
                    LeaseUntil = null,
                    NextAttemptAt = null,
                }, current.Version, null, cancellationToken);
            }

            return await base.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
        }
    }
}
