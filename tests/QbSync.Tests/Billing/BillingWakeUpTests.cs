using Microsoft.Extensions.DependencyInjection;
using QbSync.Billing;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Tests.Billing;

/// <summary>
/// A document that waits (for its account, or for the invoices it pays) is released by whoever makes it ready. Two
/// workers race on that: one decides a document must wait while the other, at the same moment, makes it ready and
/// releases the waiting documents. These tests force the unlucky order (the hold is saved right after the release
/// swept) with a store that runs the other side's work just before the hold is saved.
/// </summary>
public sealed class BillingWakeUpTests
{
    [Fact]
    public async Task A_payment_held_while_another_worker_sends_its_invoice_is_still_sent()
    {
        var store = new BeforeHoldStore(new InMemoryBillingDocumentStore());
        var accounts = new InMemoryAccountStore();
        // Worker 1 takes one document at a time, so that it claims the payment while the invoice stays free.
        using var one = new BillingHarness(billingStore: store, accountStore: accounts, sync: o => o.ClaimBatchSize = 1);
        using var two = new BillingHarness(billingStore: store.Inner, accountStore: accounts, sharedFake: one.Qbo, sharedTime: one.Time, workerId: "worker-2");
        await one.SyncedAccountAsync("a1", "Acme Ltd");
        // The payment is the oldest document (claims go oldest first): worker 1 claims it before the invoice.
        await one.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1") with { IssueDate = BillingHarness.Day.AddDays(10) });
        await one.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("i1", 300m)));
        // Worker 1 found the invoice not in QBO yet; before its hold is saved, worker 2 sends the invoice (and releases
        // the payments waiting for it: none yet, the payment is still worker 1's).
        store.BeforeHold("payment:p1", async () => (await two.RunAsync()).Synced.Should().Be(1));

        await one.RunAsync();
        await one.RunAsync();
        await two.RunAsync();

        store.HookRan.Should().BeTrue("the race was forced");
        (await one.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
        var payment = await one.StateAsync(BillingDocumentKind.Payment, "p1");
        payment.Status.Should().Be(SyncStatus.Synced, "the invoice it waited for reached QBO");
        one.Company.Payments.Should().ContainSingle();
    }

    [Fact]
    public async Task A_document_held_while_its_account_turns_synced_is_sent_by_the_background_worker()
    {
        var store = new BeforeHoldStore(new InMemoryBillingDocumentStore());
        using var h = new BillingHarness(billingStore: store, services: s => s.AddQbSync().AddBackgroundWorker());
        await h.Sync.AddAccountAsync("a1", "Acme Ltd", hasBillingActivity: false);
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        // The runner read the account (not synced yet); before the hold is saved, a person syncs the account (which
        // releases the documents waiting for it: none yet, the invoice is still being worked on).
        store.BeforeHold("invoice:i1", async () => (await h.Sync.Service.SyncAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced));
        var worker = h.Sync.Services.GetRequiredService<SyncWorker>();

        await worker.RunOnceAsync();
        await worker.RunOnceAsync();

        store.HookRan.Should().BeTrue("the race was forced");
        var invoice = await h.StateAsync(BillingDocumentKind.Invoice, "i1");
        invoice.Status.Should().Be(SyncStatus.Synced, "its account is synced, so nothing holds it any more");
        h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task Documents_whose_release_was_lost_when_their_account_synced_are_sent_by_the_next_worker_pass()
    {
        var store = new BeforeHoldStore(new InMemoryBillingDocumentStore());
        using var h = new BillingHarness(billingStore: store, services: s => s.AddQbSync().AddBackgroundWorker());
        await h.Sync.AddAccountAsync("a1", "Acme Ltd"); // due for its automatic sync
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await h.RunAsync();
        (await h.StateAsync(BillingDocumentKind.Invoice, "i1")).Reason.Should().Be(BillingReason.AccountNotSynced);
        // The release of its documents after the account's sync fails (as if the process had stopped between the
        // account's save and the release).
        store.FailNextList = true;
        var worker = h.Sync.Services.GetRequiredService<SyncWorker>();

        await worker.RunOnceAsync();

        store.ListFailed.Should().BeTrue("the release was lost");
        (await h.Sync.Service.GetStateAsync(h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        (await h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced, "the pass that synced the account also ran its documents");
        h.Company.Invoices.Should().ContainSingle();
    }
}

/// <summary>Runs a piece of work once, just before the hold of one document is saved.</summary>
internal sealed class BeforeHoldStore(IBillingDocumentStore inner) : IBillingDocumentStore
{
    private string? _documentKey;
    private Func<Task>? _hook;

    public IBillingDocumentStore Inner => inner;

    public bool HookRan { get; private set; }

    public void BeforeHold(string documentKey, Func<Task> hook) => (_documentKey, _hook) = (documentKey, hook);

    public async Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        if (_hook is { } hook && record.DocumentKey == _documentKey && history?.Trigger is BillingTrigger.Held or BillingTrigger.HeldBySkippedAccount)
        {
            _hook = null;
            await hook();
            HookRan = true;
        }

        return await inner.TryUpdateAsync(record, expectedVersion, history, cancellationToken);
    }

    public Task<IReadOnlyList<BillingDocumentRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ClaimDueAsync(firmId, ownerId, now, leaseDuration, maxCount, cancellationToken);

    public Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default) => inner.GetAsync(firmId, documentKey, cancellationToken);

    public Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default) => inner.TryInsertAsync(record, history, cancellationToken);

    /// <summary>The next list fails once (a store hiccup).</summary>
    public bool FailNextList { get; set; }

    public bool ListFailed { get; private set; }

    public Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default)
    {
        if (FailNextList)
        {
            FailNextList = false;
            ListFailed = true;
            throw new InvalidOperationException("The store is unavailable.");
        }

        return inner.ListAsync(firmId, query, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.ListFirmsWithDueDocumentsAsync(now, cancellationToken);

    public Task<IReadOnlyList<BillingHistoryEntry>> GetHistoryAsync(string firmId, string documentKey, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(firmId, documentKey, cancellationToken);

    public Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default) => inner.PurgeFirmAsync(firmId, cancellationToken);
}
