using System.Collections.Concurrent;
using System.Globalization;
using QbSync.Stores;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>
/// The behaviour every <see cref="IBillingDocumentStore"/> must have: insert-if-absent, compare-and-swap with history
/// appended in the same step, firm isolation, paged listing per firm and account, claims with leases, oldest first.
/// Derive a sealed test class from it and implement <see cref="CreateStoreAsync"/>.
/// </summary>
/// <remarks>Every test uses fresh firm ids (GUIDs), so a store backed by a shared database passes too.</remarks>
public abstract class BillingDocumentStoreConformanceTests
{
    /// <summary>A fixed point in time the tests count from.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates the store under test.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IBillingDocumentStore> CreateStoreAsync();

    /// <summary>A firm id no other test uses.</summary>
    /// <returns>The id.</returns>
    protected static string NewFirmId() => "firm-" + Guid.NewGuid().ToString("N");

    /// <summary>An invoice record.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="invoiceId">The host id.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="date">The issue date.</param>
    /// <returns>The record (version 0).</returns>
    protected static BillingDocumentRecord NewInvoice(string firmId, string invoiceId, string accountId = "a1", DateOnly? date = null)
    {
        var issued = date ?? new DateOnly(2030, 1, 10);
        return new BillingDocumentRecord
        {
            FirmId = firmId,
            DocumentKey = BillingDocumentRecord.KeyOf(BillingDocumentKind.Invoice, invoiceId),
            Kind = BillingDocumentKind.Invoice,
            AccountId = accountId,
            DocumentDate = issued,
            RecordedAt = T0,
            Invoice = new InvoiceInfo
            {
                InvoiceId = invoiceId,
                AccountId = accountId,
                Number = "INV-" + invoiceId,
                IssueDate = issued,
                DueDate = issued.AddDays(30),
                Currency = "USD",
                Lines = [new InvoiceLineInfo("Tax return", 1m, 150.10m, 150.10m, "Tax Return"), new InvoiceLineInfo("Advice", 3m, 0.1m, 0.3m, null)],
            },
        };
    }

    /// <summary>A payment record.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="paymentId">The host id.</param>
    /// <param name="accountId">The account.</param>
    /// <returns>The record (version 0).</returns>
    protected static BillingDocumentRecord NewPayment(string firmId, string paymentId, string accountId = "a1") => new()
    {
        FirmId = firmId,
        DocumentKey = BillingDocumentRecord.KeyOf(BillingDocumentKind.Payment, paymentId),
        Kind = BillingDocumentKind.Payment,
        AccountId = accountId,
        DocumentDate = new DateOnly(2030, 1, 12),
        RecordedAt = T0,
        Payment = new PaymentInfo
        {
            PaymentId = paymentId,
            AccountId = accountId,
            Date = new DateOnly(2030, 1, 12),
            Amount = 200.01m,
            Currency = "USD",
            Method = "card",
            Reference = "ch_123",
            Applications = [new PaymentApplication("i1", 150.40m)],
        },
    };

    private static BillingHistoryEntry History(BillingDocumentRecord record, SyncStatus from, SyncStatus to, string? note = null) => new()
    {
        FirmId = record.FirmId,
        DocumentKey = record.DocumentKey,
        From = from,
        To = to,
        Trigger = BillingTrigger.Started,
        Reason = BillingReason.None,
        ActorId = SyncActor.SystemUserId,
        At = T0,
        Note = note,
    };

    /// <summary>Reading a document never inserted gives null.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetReturnsNullForMissingDocument()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(NewFirmId(), "invoice:1"));
    }

    /// <summary>An insert stores version 1, and every field reads back equal (content, intent, problem, times).</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task InsertStoresVersionOneAndReadsBackEqual()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var record = NewInvoice(firm, "i1") with
        {
            Version = 42,
            Status = SyncStatus.Failed,
            Reason = BillingReason.TotalMismatch,
            Problem = new BillingProblem { Reason = BillingReason.TotalMismatch, Subject = "10.00 / 10.01", QuickBooksErrorCode = "6000", QuickBooksMessage = "m", IntuitTid = "tid", OccurredAt = T0 },
            Intent = new BillingIntent { Operation = BillingOperation.Update, RequestId = "r1", Revision = 2, BatchRequestId = "b", BatchItemId = "b7", CustomerId = "58" },
            QuickBooksId = "130",
            QuickBooksSyncToken = "3",
            QuickBooksFingerprint = "abc",
            HostState = BillingHostState.Voided,
            Revision = 3,
            SyncedRevision = 2,
            Attempts = 2,
            NextAttemptAt = T0.AddMinutes(1),
            LeaseOwner = "w1",
            LeaseUntil = T0.AddMinutes(5),
            StatusChangedAt = T0,
        };

        var inserted = await store.TryInsertAsync(record);

        Assert.Equal(record with { Version = 1 }, inserted);
        Assert.Equal(record with { Version = 1 }, await store.GetAsync(firm, "invoice:i1"));
        var payment = NewPayment(firm, "p1");
        await store.TryInsertAsync(payment);
        Assert.Equal(payment with { Version = 1 }, await store.GetAsync(firm, "payment:p1"));
    }

    /// <summary>A second insert of the same key changes nothing and returns null.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task InsertIsIfAbsent()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var first = await store.TryInsertAsync(NewInvoice(firm, "i1"));

        Assert.Null(await store.TryInsertAsync(NewInvoice(firm, "i1", accountId: "other")));
        Assert.Equal(first, await store.GetAsync(firm, "invoice:i1"));
    }

    /// <summary>Documents of one firm are invisible to another.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FirmsAreIsolated()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var other = NewFirmId();
        await store.TryInsertAsync(NewInvoice(firm, "i1"));

        Assert.Null(await store.GetAsync(other, "invoice:i1"));
        Assert.Empty((await store.ListAsync(other, new BillingDocumentQuery())).Items);
        Assert.NotNull(await store.TryInsertAsync(NewInvoice(other, "i1")));
    }

    /// <summary>Purging a firm deletes its documents and their history, and nothing of another firm.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task PurgeFirmDeletesTheFirmsDocumentsAndHistoryOnly()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var other = NewFirmId();
        await store.TryInsertAsync(NewInvoice(firm, "i1"), History(NewInvoice(firm, "i1"), SyncStatus.NotSynced, SyncStatus.Syncing, "recorded"));
        await store.TryInsertAsync(NewPayment(firm, "p1"));
        await store.TryInsertAsync(NewInvoice(other, "i1"), History(NewInvoice(other, "i1"), SyncStatus.NotSynced, SyncStatus.Syncing, "kept"));

        Assert.Equal(2, await store.PurgeFirmAsync(firm));

        Assert.Null(await store.GetAsync(firm, "invoice:i1"));
        Assert.Empty((await store.ListAsync(firm, new BillingDocumentQuery())).Items);
        Assert.Empty(await store.GetHistoryAsync(firm, "invoice:i1"));
        Assert.NotNull(await store.GetAsync(other, "invoice:i1"));
        Assert.Single(await store.GetHistoryAsync(other, "invoice:i1"));
        Assert.Equal(0, await store.PurgeFirmAsync(firm));
    }

    /// <summary>An update with the version read wins once; a stale one returns null and writes nothing, history
    /// included.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task UpdateIsCompareAndSwapWithHistoryInTheSameStep()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var v1 = (await store.TryInsertAsync(NewInvoice(firm, "i1"), History(NewInvoice(firm, "i1"), SyncStatus.NotSynced, SyncStatus.Syncing, "recorded")))!;

        var v2 = await store.TryUpdateAsync(v1 with { Status = SyncStatus.Synced, QuickBooksId = "9" }, 1, History(v1, SyncStatus.Syncing, SyncStatus.Synced, "synced"));
        var stale = await store.TryUpdateAsync(v1 with { Status = SyncStatus.Failed }, 1, History(v1, SyncStatus.Syncing, SyncStatus.Failed, "lost"));

        Assert.NotNull(v2);
        Assert.Equal(2, v2.Version);
        Assert.Null(stale);
        var stored = await store.GetAsync(firm, "invoice:i1");
        Assert.Equal(SyncStatus.Synced, stored!.Status);
        Assert.Equal("9", stored.QuickBooksId);
        var history = await store.GetHistoryAsync(firm, "invoice:i1");
        Assert.Equal(["recorded", "synced"], history.Select(h => h.Note));
        Assert.Equal(SyncStatus.Synced, history[1].To);
        Assert.Equal(BillingTrigger.Started, history[1].Trigger);
        Assert.Equal(T0, history[1].At);
        Assert.Empty(await store.GetHistoryAsync(NewFirmId(), "invoice:i1"));
    }

    /// <summary>Updating a document that does not exist returns null.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task UpdateOfMissingDocumentReturnsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.TryUpdateAsync(NewInvoice(NewFirmId(), "i1"), 1));
    }

    /// <summary>Records whose content does not match their kind, or history of another document, are refused.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task InvalidArgumentsAreRefused()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        var invoice = NewInvoice(firm, "i1");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryInsertAsync(invoice with { Invoice = null }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryInsertAsync(invoice with { AccountId = "" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryInsertAsync(invoice, History(NewInvoice(firm, "i2"), SyncStatus.NotSynced, SyncStatus.Syncing)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firm, new BillingDocumentQuery { PageSize = 0 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(firm, new BillingDocumentQuery { ContinuationToken = "not-a-token" }));
        Assert.Null(await store.GetAsync(firm, "invoice:i1"));
    }

    /// <summary>Listing filters by account and status and pages through every match once, in key order.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ListFiltersAndPagesInKeyOrder()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        for (var i = 0; i < 7; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            await store.TryInsertAsync(NewInvoice(firm, id, accountId: i % 2 == 0 ? "even" : "odd") with { Status = i < 3 ? SyncStatus.Synced : SyncStatus.Failed });
        }

        await store.TryInsertAsync(NewPayment(firm, "p1", "even"));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(firm, new BillingDocumentQuery { PageSize = 3, ContinuationToken = token });
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(r => r.DocumentKey));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(["invoice:0", "invoice:1", "invoice:2", "invoice:3", "invoice:4", "invoice:5", "invoice:6", "payment:p1"], seen);
        var evenFailed = await store.ListAsync(firm, new BillingDocumentQuery { AccountId = "even", Statuses = [SyncStatus.Failed] });
        Assert.Equal(["invoice:4", "invoice:6"], evenFailed.Items.Select(r => r.DocumentKey));
        Assert.Null(evenFailed.ContinuationToken);
    }

    /// <summary>A claim takes only due documents with a free or expired lease, oldest first (document date, then
    /// recorded time, then key), sets the lease and the new version.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimTakesDueDocumentsOldestFirstWithALease()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        await store.TryInsertAsync(NewInvoice(firm, "late", date: new DateOnly(2030, 1, 20)) with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewInvoice(firm, "early-b", date: new DateOnly(2030, 1, 1)) with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewInvoice(firm, "early-a", date: new DateOnly(2030, 1, 1)) with { NextAttemptAt = T0, RecordedAt = T0.AddSeconds(1) });
        await store.TryInsertAsync(NewInvoice(firm, "future") with { NextAttemptAt = T0.AddHours(1) });
        await store.TryInsertAsync(NewInvoice(firm, "not-due"));
        await store.TryInsertAsync(NewInvoice(firm, "leased") with { NextAttemptAt = T0, LeaseOwner = "w0", LeaseUntil = T0.AddMinutes(1) });
        await store.TryInsertAsync(NewInvoice(firm, "expired", date: new DateOnly(2030, 1, 25)) with { NextAttemptAt = T0, LeaseOwner = "w0", LeaseUntil = T0 });

        var claimed = await store.ClaimDueAsync(firm, "w1", T0, TimeSpan.FromMinutes(5), 10);

        Assert.Equal(["invoice:early-b", "invoice:early-a", "invoice:late", "invoice:expired"], claimed.Select(r => r.DocumentKey));
        Assert.All(claimed, r =>
        {
            Assert.Equal("w1", r.LeaseOwner);
            Assert.Equal(T0.AddMinutes(5), r.LeaseUntil);
        });
        Assert.Equal(claimed[0], await store.GetAsync(firm, "invoice:early-b"));
        Assert.Empty(await store.ClaimDueAsync(firm, "w2", T0, TimeSpan.FromMinutes(5), 10));
        Assert.Null(await store.TryUpdateAsync(claimed[0] with { Status = SyncStatus.Synced }, claimed[0].Version - 1));
        var limited = await store.ClaimDueAsync(firm, "w3", T0.AddMinutes(6), TimeSpan.FromMinutes(5), 2);
        Assert.Equal(2, limited.Count);
    }

    /// <summary>Concurrent claimers never get the same document.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentClaimersNeverShareADocument()
    {
        var store = await CreateStoreAsync();
        var firm = NewFirmId();
        for (var i = 0; i < 60; i++)
        {
            await store.TryInsertAsync(NewInvoice(firm, i.ToString("D3", CultureInfo.InvariantCulture)) with { NextAttemptAt = T0 });
        }

        var all = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var claimed = await store.ClaimDueAsync(firm, "w" + w.ToString(CultureInfo.InvariantCulture), T0, TimeSpan.FromMinutes(5), 7);
                if (claimed.Count == 0)
                {
                    return;
                }

                foreach (var record in claimed)
                {
                    all.Add(record.DocumentKey);
                }
            }
        })));

        Assert.Equal(60, all.Count);
        Assert.Equal(60, all.Distinct().Count());
    }

    /// <summary>The firms with due documents are those with a claimable document.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task FirmsWithDueDocumentsAreThoseWithAClaimableOne()
    {
        var store = await CreateStoreAsync();
        var due = NewFirmId();
        var leased = NewFirmId();
        var idle = NewFirmId();
        await store.TryInsertAsync(NewInvoice(due, "i1") with { NextAttemptAt = T0 });
        await store.TryInsertAsync(NewInvoice(leased, "i1") with { NextAttemptAt = T0, LeaseOwner = "w", LeaseUntil = T0.AddMinutes(1) });
        await store.TryInsertAsync(NewInvoice(idle, "i1"));

        var firms = await store.ListFirmsWithDueDocumentsAsync(T0);

        Assert.Contains(due, firms);
        Assert.DoesNotContain(leased, firms);
        Assert.DoesNotContain(idle, firms);
        Assert.Contains(leased, await store.ListFirmsWithDueDocumentsAsync(T0.AddMinutes(1)));
    }
}
