using Microsoft.Extensions.DependencyInjection;
using QbSync.Billing;
using QbSync.Sqlite;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Billing;

public sealed class BillingExactlyOnceTests
{
    [Fact]
    public async Task A_crash_between_the_create_and_the_save_never_makes_a_second_invoice()
    {
        var store = new CrashingBillingStore(new InMemoryBillingDocumentStore());
        var accounts = new InMemoryAccountStore();
        using var first = new BillingHarness(billingStore: store, accountStore: accounts);
        await first.SyncedAccountAsync("a1", "Acme Ltd");
        await first.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        store.CrashOnNextSuccess = true;

        await FluentActions.Awaiting(() => first.RunAsync()).Should().ThrowAsync<SimulatedCrashException>();
        first.Company.Invoices.Should().ContainSingle("QBO got the create before the process stopped");
        var left = await store.Inner.GetAsync(BillingHarness.Firm, "invoice:i1");
        left!.Status.Should().Be(SyncStatus.Syncing);
        left.Intent!.RequestId.Should().NotBeNullOrEmpty("the requestid was stored before the call");

        using var restarted = new BillingHarness(billingStore: store.Inner, accountStore: accounts, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2");
        (await restarted.RunAsync()).Claimed.Should().Be(0, "the first worker's lease still holds");
        first.Time.Advance(TimeSpan.FromMinutes(6));
        first.Qbo.Journal.Clear();
        await restarted.RunAsync();

        var state = await restarted.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Status.Should().Be(SyncStatus.Synced);
        restarted.Company.Invoices.Should().ContainSingle();
        state.QuickBooksId.Should().Be(restarted.Company.Invoices[0]["Id"]!.GetValue<string>());
        restarted.QboRequests.Should().Contain(r => r.Kind == FakeRequestKind.Query, "the resume looks for the invoice first")
            .And.NotContain(r => r.Kind == FakeRequestKind.Create);
    }

    [Fact]
    public async Task A_document_left_behind_by_a_crash_is_found_under_the_customer_it_was_sent_for_after_a_relink()
    {
        var store = new CrashingBillingStore(new InMemoryBillingDocumentStore());
        var accounts = new InMemoryAccountStore();
        // QBO's requestid replay is not relied on (it is unreliable in practice): only the look-up prevents a duplicate.
        using var first = new BillingHarness(billingStore: store, accountStore: accounts, fake: o => o.ReplayRequestIds = false);
        await first.SyncedAccountAsync("a1", "Acme Ltd");
        var other = first.Company.AddCustomer("Acme Holdings")["Id"]!.GetValue<string>();
        // No number: the look-up goes by customer and date, then by the tag.
        await first.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1") with { Number = null });
        store.CrashOnNextSuccess = true;
        await FluentActions.Awaiting(() => first.RunAsync()).Should().ThrowAsync<SimulatedCrashException>();
        first.Company.Invoices.Should().ContainSingle();

        // Before the document is resumed, a person links the account to another customer.
        (await first.Sync.Service.LinkAsync(first.Admin, "a1", other)).CustomerId.Should().Be(other);
        using var restarted = new BillingHarness(billingStore: store.Inner, accountStore: accounts, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2");
        first.Time.Advance(TimeSpan.FromMinutes(6));
        await restarted.RunAsync();

        var state = await restarted.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Status.Should().Be(SyncStatus.Synced);
        restarted.Company.Invoices.Should().ContainSingle("the invoice sent before the crash was found, not created again");
        state.QuickBooksId.Should().Be(restarted.Company.Invoices[0]["Id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_crash_while_saving_a_batch_never_makes_a_second_document_on_restart()
    {
        var store = new CrashingBillingStore(new InMemoryBillingDocumentStore());
        var accounts = new InMemoryAccountStore();
        using var first = new BillingHarness(billingStore: store, accountStore: accounts);
        await first.SyncedAccountAsync("a1", "Acme Ltd");
        await first.SyncedAccountAsync("a2", "Beta LLC");
        for (var i = 0; i < 6; i++)
        {
            await first.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i" + i, i % 2 == 0 ? "a1" : "a2") with { Number = null });
        }

        store.CrashOnNextSuccess = true;
        await FluentActions.Awaiting(() => first.RunAsync()).Should().ThrowAsync<SimulatedCrashException>();
        first.QboRequests.Count(r => r.Kind == FakeRequestKind.Batch).Should().Be(1);
        first.Company.Invoices.Should().HaveCount(6);
        var intents = new List<BillingIntent>();
        for (var i = 0; i < 6; i++)
        {
            intents.Add((await store.Inner.GetAsync(BillingHarness.Firm, "invoice:i" + i))!.Intent!);
        }

        intents.Select(x => x.BatchRequestId).Distinct().Should().ContainSingle().Which.Should().NotBeNull("the batch requestid was stored with every item");
        intents.Select(x => x.BatchItemId).Should().OnlyHaveUniqueItems().And.OnlyContain(id => id!.Length <= 10);

        using var restarted = new BillingHarness(billingStore: store.Inner, accountStore: accounts, sharedFake: first.Qbo, sharedTime: first.Time, workerId: "worker-2");
        first.Time.Advance(TimeSpan.FromMinutes(6));
        first.Qbo.Journal.Clear();
        var run = await restarted.RunAsync();

        run.Synced.Should().Be(6);
        restarted.Company.Invoices.Should().HaveCount(6, "every item was found by its tag, none created again");
        restarted.QboRequests.Should().NotContain(r => r.Kind == FakeRequestKind.Create || r.Kind == FakeRequestKind.Batch);
    }

    [Fact]
    public async Task Two_workers_on_one_sqlite_file_never_send_a_document_twice()
    {
        var path = Path.Combine(Path.GetTempPath(), "qbsync-billing-" + Guid.NewGuid().ToString("N") + ".db");
        var connection = "Data Source=" + path;
        try
        {
            using var one = new BillingHarness(billingStore: new SqliteBillingDocumentStore(connection), accountStore: new SqliteAccountStore(connection), workerId: "worker-1");
            using var two = new BillingHarness(billingStore: new SqliteBillingDocumentStore(connection), accountStore: new SqliteAccountStore(connection),
                sharedFake: one.Qbo, sharedTime: one.Time, workerId: "worker-2");
            for (var a = 0; a < 4; a++)
            {
                await one.SyncedAccountAsync("a" + a, "Client " + a);
            }

            for (var i = 0; i < 80; i++)
            {
                var recorder = i % 2 == 0 ? one : two;
                await recorder.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i" + i, "a" + (i % 4)) with { Number = null });
            }

            for (var i = 0; i < 20; i++)
            {
                await one.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p" + i, "a" + (i % 4), 300m, new PaymentApplication("i" + i, 300m)));
            }

            var results = await Task.WhenAll(Task.Run(() => one.RunAsync()), Task.Run(() => two.RunAsync()), Task.Run(() => one.RunAsync()), Task.Run(() => two.RunAsync()));
            // A document the racing runs left to retry (a payment whose invoice the other worker held) is due once its
            // backoff has passed: the clock is fake, so move it on before the last runs.
            one.Time.Advance(TimeSpan.FromHours(1));
            await one.RunAsync();
            await two.RunAsync();

            results.Sum(r => r.Synced).Should().BeGreaterThan(0);
            one.Company.Invoices.Should().HaveCount(80);
            one.Company.Invoices.Select(i => i["PrivateNote"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
            one.Company.Payments.Should().HaveCount(20);
            var page = await one.Billing.ListDocumentsAsync(one.Admin, new BillingDocumentQuery { PageSize = 1000 });
            page.Items.Should().HaveCount(100).And.OnlyContain(s => s.Status == SyncStatus.Synced);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }

    [Fact]
    public async Task The_background_worker_runs_firms_with_due_documents()
    {
        using var h = new BillingHarness(services: s => s.AddQbSync().AddBackgroundWorker());
        await h.SyncedAccountAsync("a1", "Acme Ltd");
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));

        var firms = await h.Sync.Services.GetRequiredService<SyncWorker>().RunOnceAsync();

        firms.Should().Be(1);
        (await h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
    }
}

internal sealed class SimulatedCrashException : Exception;

/// <summary>Stops saving (as a stopped process would) from the first successful outcome on: that save and every write
/// after it throw.</summary>
internal sealed class CrashingBillingStore(IBillingDocumentStore inner) : IBillingDocumentStore
{
    private volatile bool _dead;

    public IBillingDocumentStore Inner => inner;

    public bool CrashOnNextSuccess { get; set; }

    public Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        if (_dead || (CrashOnNextSuccess && history?.Trigger == BillingTrigger.Succeeded))
        {
            _dead = true;
            throw new SimulatedCrashException();
        }

        return inner.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
    }

    public Task<IReadOnlyList<BillingDocumentRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default) =>
        _dead ? throw new SimulatedCrashException() : inner.ClaimDueAsync(firmId, ownerId, now, leaseDuration, maxCount, cancellationToken);

    public Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default) => inner.GetAsync(firmId, documentKey, cancellationToken);

    public Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default) => inner.TryInsertAsync(record, history, cancellationToken);

    public Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(firmId, query, cancellationToken);

    public Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.ListFirmsWithDueDocumentsAsync(now, cancellationToken);

    public Task<IReadOnlyList<BillingHistoryEntry>> GetHistoryAsync(string firmId, string documentKey, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(firmId, documentKey, cancellationToken);

    public Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default) => inner.PurgeFirmAsync(firmId, cancellationToken);
}

public sealed class BillingLeaseTests
{
    [Fact]
    public async Task The_lease_is_renewed_while_a_send_is_in_flight()
    {
        // A 90-second lease is renewed every 30 seconds, well inside the client's 100-second attempt timeout (which
        // runs on the same fake clock). The create is held at the HTTP handler until the test lets it go, so the
        // send is in flight for as long as the test needs, whatever the machine's load.
        var gate = new InvoiceCreateGate();
        using var h = new BillingHarness(sync: o => o.LeaseDuration = TimeSpan.FromSeconds(90),
            services: s => s.AddHttpClient(QbSyncServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(gate.NewHandler));
        await h.SyncedAccountAsync("a1", "Acme Ltd");
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("warm", "a1"));
        await h.RunAsync();
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("slow", "a1"));
        gate.Armed = true;

        var run = h.RunAsync();
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60)); // hang guard only
        var started = await h.BillingStore.GetAsync(BillingHarness.Firm, "invoice:slow");
        started!.Intent.Should().NotBeNull("the intent is stored before the send");
        h.Time.Advance(TimeSpan.FromSeconds(31));
        var renewed = started;
        for (var i = 0; i < 3000 && !(renewed?.LeaseUntil > started.LeaseUntil); i++)
        {
            await Task.Delay(10); // the renewal runs on its own task; the send stays held meanwhile (bounded: a hang guard)
            renewed = await h.BillingStore.GetAsync(BillingHarness.Firm, "invoice:slow");
        }

        renewed!.LeaseUntil.Should().Be(started.LeaseUntil!.Value.AddSeconds(31), "a third of the lease passed while the call was in flight");
        renewed.Status.Should().Be(SyncStatus.Syncing);
        renewed.Intent!.RequestId.Should().Be(started.Intent!.RequestId, "renewing the lease keeps the intent");
        gate.Release.SetResult();
        await run;
        (await h.StateAsync(BillingDocumentKind.Invoice, "slow")).Status.Should().Be(SyncStatus.Synced);
        h.Company.Invoices.Should().HaveCount(2);
    }

    /// <summary>Holds the first invoice create after <see cref="Armed"/> until <see cref="Release"/> is set. The
    /// handler factory makes a new handler per chain, all sharing this state.</summary>
    private sealed class InvoiceCreateGate
    {
        private int _held;

        public volatile bool Armed;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DelegatingHandler NewHandler() => new Handler(this);

        private sealed class Handler(InvoiceCreateGate gate) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (gate.Armed && request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/invoice", StringComparison.Ordinal)
                    && Interlocked.Exchange(ref gate._held, 1) == 0)
                {
                    gate.Entered.SetResult();
                    await gate.Release.Task.WaitAsync(cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}
