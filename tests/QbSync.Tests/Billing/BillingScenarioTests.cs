using System.Globalization;
using System.Text.Json.Nodes;
using QbSync.Billing;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Tests.Billing;

public sealed class BillingScenarioTests : IDisposable
{
    private readonly BillingHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static decimal Dec(JsonNode? node) => decimal.Parse(node!.ToJsonString(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_invoice_and_its_payment_reach_qbo_linked_to_the_account_customer()
    {
        var customerId = await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1",
            new InvoiceLineInfo("Tax return 2025", 1m, 300m, 300m, "Tax Return"),
            new InvoiceLineInfo("Monthly bookkeeping", 2m, 75.50m, 151m, "bookkeeping")));

        var run = await _h.RunAsync();
        var invoice = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");

        run.Synced.Should().Be(1);
        invoice.Status.Should().Be(SyncStatus.Synced);
        invoice.Label.Should().Be("Synced");
        var qbo = _h.QboInvoice(invoice.QuickBooksId!);
        qbo["CustomerRef"]!["value"]!.GetValue<string>().Should().Be(customerId);
        qbo["DocNumber"]!.GetValue<string>().Should().Be("INV-i1");
        qbo["PrivateNote"]!.GetValue<string>().Should().Be("QbSync invoice:i1", "the host id tags the QBO document");
        Dec(qbo["TotalAmt"]).Should().Be(451m);
        var items = qbo["Line"]!.AsArray().Select(l => l!["SalesItemLineDetail"]?["ItemRef"]?["name"]?.GetValue<string>()).Where(n => n is not null);
        items.Should().Equal("Tax Return", "Bookkeeping");

        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 451m, new PaymentApplication("i1", 451m)));
        await _h.RunAsync();

        var payment = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        payment.Status.Should().Be(SyncStatus.Synced);
        var qboPayment = _h.QboPayment(payment.QuickBooksId!);
        qboPayment["Line"]![0]!["LinkedTxn"]![0]!["TxnId"]!.GetValue<string>().Should().Be(invoice.QuickBooksId);
        qboPayment["PaymentRefNum"]!.GetValue<string>().Should().Be("ch_p1");
        qboPayment["PrivateNote"]!.GetValue<string>().Should().StartWith("QbSync payment:p1\nMethod: card");
        Dec(_h.QboInvoice(invoice.QuickBooksId!)["Balance"]).Should().Be(0m);
        _h.QboRequests.Where(r => r.Kind == FakeRequestKind.Create).Should().OnlyContain(r => r.RequestId != null, "every create carries a requestid");
        (await _h.Billing.GetDocumentHistoryAsync(_h.Employee, BillingDocumentKind.Invoice, "i1")).Select(e => e.To)
            .Should().Equal(SyncStatus.Syncing, SyncStatus.Syncing, SyncStatus.Synced);
    }

    [Fact]
    public async Task Recording_the_same_document_twice_changes_nothing()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var invoice = BillingHarness.Invoice("i1", "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice);
        await _h.RunAsync();
        var before = (await _h.Billing.GetDocumentHistoryAsync(_h.Admin, BillingDocumentKind.Invoice, "i1")).Count;

        var again = await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice with { Lines = [.. invoice.Lines] });
        var run = await _h.RunAsync();

        again.Status.Should().Be(SyncStatus.Synced);
        run.Claimed.Should().Be(0);
        (await _h.Billing.GetDocumentHistoryAsync(_h.Admin, BillingDocumentKind.Invoice, "i1")).Should().HaveCount(before);
        _h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task Awkward_amounts_reach_qbo_to_the_cent()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("tenths", "a1",
            new InvoiceLineInfo("a", 1m, 0.1m, 0.1m, "Services"), new InvoiceLineInfo("b", 1m, 0.2m, 0.2m, "Services")));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("many", "a1",
            [.. Enumerable.Range(1, 200).Select(i => new InvoiceLineInfo("line " + i, 3m, 0.37m, 1.11m, "Services"))]));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("thirds", "a1",
            new InvoiceLineInfo("a third", 3m, 33.333m, 100m, "Services")));

        await _h.RunAsync();

        var tenths = await _h.StateAsync(BillingDocumentKind.Invoice, "tenths");
        var many = await _h.StateAsync(BillingDocumentKind.Invoice, "many");
        var thirds = await _h.StateAsync(BillingDocumentKind.Invoice, "thirds");
        new[] { tenths, many, thirds }.Should().OnlyContain(s => s.Status == SyncStatus.Synced);
        Dec(_h.QboInvoice(tenths.QuickBooksId!)["TotalAmt"]).Should().Be(0.3m);
        Dec(_h.QboInvoice(many.QuickBooksId!)["TotalAmt"]).Should().Be(222m);
        Dec(_h.QboInvoice(thirds.QuickBooksId!)["TotalAmt"]).Should().Be(100m, "quantity times price (99.999) disagrees with the amount, so the amount alone is sent");
    }

    [Fact]
    public async Task A_total_qbo_rounds_differently_fails_with_both_figures_and_is_never_sent_twice()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("half", "a1",
            new InvoiceLineInfo("half a cent", 1m, 0.005m, 0.005m, "Services"), new InvoiceLineInfo("half a cent", 1m, 0.005m, 0.005m, "Services")));

        await _h.RunAsync();
        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Invoice, "half");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(BillingReason.TotalMismatch);
        state.Problem!.Subject.Should().Be("0.01 / 0.02");
        state.Tooltip.Should().Contain("0.01 / 0.02");
        state.QuickBooksId.Should().NotBeNull("the invoice exists in QBO; it is kept, not created again");
        _h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task A_skipped_account_holds_its_documents_and_releases_them_on_resync()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Sync.Service.UnsyncAsync(_h.Admin, "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));

        await _h.RunAsync();
        var held = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");

        held.Status.Should().Be(SyncStatus.Skipped);
        held.Reason.Should().Be(BillingReason.AccountSkipped);
        held.Tooltip.Should().Contain("resync the account");
        _h.Company.Invoices.Should().BeEmpty();
        (await _h.RunAsync()).Claimed.Should().Be(0, "a held document is not due");
        var ro = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("ro-RO");
            (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Tooltip.Should().Contain("resincronizați contul");
        }
        finally
        {
            CultureInfo.CurrentUICulture = ro;
        }

        await _h.Sync.Service.SyncAsync(_h.Admin, "a1");
        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Syncing, "resyncing the account releases it");
        await _h.RunAsync();

        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
        _h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task Documents_of_an_account_never_synced_wait_and_go_once_automatic_sync_links_it()
    {
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        var waiting = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        waiting.Status.Should().Be(SyncStatus.NotSynced);
        waiting.Reason.Should().Be(BillingReason.AccountNotSynced);

        await _h.Sync.AddAccountAsync("a1", "Acme Ltd");
        await _h.Sync.Service.RunPendingAsync(BillingHarness.Firm);
        await _h.RunAsync();

        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
    }

    [Fact]
    public async Task A_payment_waits_for_its_invoice()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("i1", 300m)));

        await _h.RunAsync();
        var waiting = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        waiting.Status.Should().Be(SyncStatus.NotSynced);
        waiting.Reason.Should().Be(BillingReason.WaitingForInvoice);
        waiting.Tooltip.Should().Contain("invoice i1");
        _h.Company.Payments.Should().BeEmpty();

        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();

        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
        (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).Status.Should().Be(SyncStatus.Synced, "the invoice's sync releases it in the same run");
        _h.Company.Payments.Should().ContainSingle();
    }

    [Fact]
    public async Task A_partial_payment_leaves_a_balance_and_an_overpayment_stays_unapplied()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("partial", "a1", 100m, new PaymentApplication("i1", 100m)));
        await _h.RunAsync();
        var invoiceId = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;
        Dec(_h.QboInvoice(invoiceId)["Balance"]).Should().Be(200m);

        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("over", "a1", 450m, new PaymentApplication("i1", 200m)));
        await _h.RunAsync();

        var over = await _h.StateAsync(BillingDocumentKind.Payment, "over");
        over.Status.Should().Be(SyncStatus.Synced);
        Dec(_h.QboPayment(over.QuickBooksId!)["UnappliedAmt"]).Should().Be(250m);
        Dec(_h.QboInvoice(invoiceId)["Balance"]).Should().Be(0m);
    }

    [Fact]
    public async Task An_unmapped_service_fails_naming_it_until_a_default_item_is_set()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1", new InvoiceLineInfo("Audit", 1m, 900m, 900m, "Audit Services")));

        await _h.RunAsync();
        var failed = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");

        failed.Status.Should().Be(SyncStatus.Failed);
        failed.Reason.Should().Be(BillingReason.ItemNotMapped);
        failed.Tooltip.Should().Contain("\"Audit Services\"");
        _h.QboRequests.Should().NotContain(r => r.Kind == FakeRequestKind.Create && r.Path.EndsWith("/invoice", StringComparison.Ordinal));
        await FluentActions.Awaiting(() => _h.Billing.SetDefaultItemAsync(_h.Employee, "Services")).Should().ThrowAsync<SyncAuthorizationException>();

        (await _h.Billing.SetDefaultItemAsync(_h.Admin, "Services")).DefaultItemName.Should().Be("Services");
        (await _h.Billing.RetryAsync(_h.Admin, BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Syncing);
        await _h.RunAsync();

        var synced = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        synced.Status.Should().Be(SyncStatus.Synced);
        _h.QboInvoice(synced.QuickBooksId!)["Line"]![0]!["SalesItemLineDetail"]!["ItemRef"]!["name"]!.GetValue<string>().Should().Be("Services");
    }

    [Fact]
    public async Task A_default_item_missing_in_qbo_is_its_own_reason()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.SetDefaultItemAsync(_h.Owner(), "No Such Item");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1", new InvoiceLineInfo("x", 1m, 1m, 1m, null)));

        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Reason.Should().Be(BillingReason.DefaultItemNotFound);
        state.Problem!.Subject.Should().Be("No Such Item");
    }

    [Fact]
    public async Task A_duplicate_number_a_too_long_number_and_a_foreign_currency_are_failed_reasons()
    {
        var customerId = await _h.SyncedAccountAsync("a1", "Acme Ltd");
        _h.Company.AddInvoice(customerId, 10m, docNumber: "INV-dup");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("dup", "a1"));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("long", "a1") with { Number = new string('9', 22) });
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("eur", "a1") with { Currency = "EUR" });

        await _h.RunAsync();

        var dup = await _h.StateAsync(BillingDocumentKind.Invoice, "dup");
        dup.Reason.Should().Be(BillingReason.DuplicateDocNumber);
        dup.Problem!.QuickBooksErrorCode.Should().Be("6140");
        dup.Tooltip.Should().Contain("6140");
        (await _h.StateAsync(BillingDocumentKind.Invoice, "long")).Reason.Should().Be(BillingReason.DocNumberTooLong);
        var eur = await _h.StateAsync(BillingDocumentKind.Invoice, "eur");
        eur.Reason.Should().Be(BillingReason.CurrencyNotSupported);
        eur.Problem!.Subject.Should().Be("EUR / USD");
        _h.Company.Invoices.Should().ContainSingle("only the seeded invoice exists");
    }

    [Fact]
    public async Task A_foreign_currency_goes_through_in_a_multicurrency_company()
    {
        _h.Company.MultiCurrencyEnabled = true;
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("eur", "a1") with { Currency = "EUR" });

        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Invoice, "eur");
        state.Status.Should().Be(SyncStatus.Synced);
        _h.QboInvoice(state.QuickBooksId!)["CurrencyRef"]!["value"]!.GetValue<string>().Should().Be("EUR");
    }

    [Fact]
    public async Task Edits_voids_and_deletes_reach_qbo()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var invoice = BillingHarness.Invoice("i1", "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice);
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 50m, new PaymentApplication("i2", 50m)));
        await _h.RunAsync();
        var id1 = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;
        var paymentId = (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).QuickBooksId!;

        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice with { Lines = [new InvoiceLineInfo("Tax return 2025, amended", 1m, 320m, 320m, "Tax Return")] });
        await _h.RunAsync();
        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
        Dec(_h.QboInvoice(id1)["TotalAmt"]).Should().Be(320m);
        _h.QboInvoice(id1)["Line"]![0]!["Description"]!.GetValue<string>().Should().Be("Tax return 2025, amended");

        await _h.Billing.VoidAsync(BillingHarness.Firm, BillingDocumentKind.Invoice, "i1");
        await _h.Billing.DeleteAsync(BillingHarness.Firm, BillingDocumentKind.Payment, "p1");
        await _h.RunAsync();

        var voided = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        voided.Status.Should().Be(SyncStatus.Synced);
        voided.HostState.Should().Be(BillingHostState.Voided);
        Dec(_h.QboInvoice(id1)["TotalAmt"]).Should().Be(0m);
        (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).Status.Should().Be(SyncStatus.Synced);
        _h.Company.Get("Payment", paymentId).Should().BeNull("the payment was deleted in QBO");
        _h.Company.Invoices.Should().HaveCount(2, "nothing was created twice");
    }

    [Fact]
    public async Task A_document_deleted_before_it_was_sent_sends_nothing_and_a_voided_one_is_created_then_voided()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("gone", "a1"));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("void", "a1"));
        await _h.Billing.DeleteAsync(BillingHarness.Firm, BillingDocumentKind.Invoice, "gone");
        await _h.Billing.VoidAsync(BillingHarness.Firm, BillingDocumentKind.Invoice, "void");

        await _h.RunAsync();

        var gone = await _h.StateAsync(BillingDocumentKind.Invoice, "gone");
        gone.Status.Should().Be(SyncStatus.Synced);
        gone.Reason.Should().Be(BillingReason.DeletedBeforeSync);
        var voided = await _h.StateAsync(BillingDocumentKind.Invoice, "void");
        voided.Status.Should().Be(SyncStatus.Synced);
        Dec(_h.QboInvoice(voided.QuickBooksId!)["TotalAmt"]).Should().Be(0m);
        _h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task An_invoice_changed_in_qbo_is_not_overwritten_by_a_host_edit()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var invoice = BillingHarness.Invoice("i1", "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice);
        await _h.RunAsync();
        var id = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;
        await _h.SparseUpdateAsync("Invoice", id, "\"DueDate\":\"2027-01-31\"");

        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice with { Lines = [new InvoiceLineInfo("changed", 1m, 1m, 1m, "Services")] });
        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(BillingReason.EditedInQuickBooks);
        state.Problem!.QuickBooksErrorCode.Should().Be("5010");
        _h.QboInvoice(id)["DueDate"]!.GetValue<string>().Should().Be("2027-01-31");
        Dec(_h.QboInvoice(id)["TotalAmt"]).Should().Be(300m, "nothing was overwritten");
    }

    [Fact]
    public async Task A_payment_linked_in_qbo_does_not_count_as_an_edit_of_the_invoice()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var invoice = BillingHarness.Invoice("i1", "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice);
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 100m, new PaymentApplication("i1", 100m)));
        await _h.RunAsync();

        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice with { DueDate = BillingHarness.Day.AddDays(60) });
        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Status.Should().Be(SyncStatus.Synced, "the payment changed the invoice's sync token, not its fields");
        _h.QboInvoice(state.QuickBooksId!)["DueDate"]!.GetValue<string>().Should().Be("2027-01-19");
    }

    [Fact]
    public async Task Transient_faults_retry_with_backoff_then_succeed_once()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i0", "a1") with { IssueDate = BillingHarness.Day.AddDays(-1) });
        // Warm the item and currency caches, so the injected faults hit the writes.
        await _h.RunAsync();
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));
        _h.Qbo.Faults.Enqueue(InjectedFault.ServiceUnavailable, InjectedFault.TooManyRequests);

        await _h.RunAsync();
        var retrying = await _h.StateAsync(BillingDocumentKind.Invoice, "i2");
        retrying.Status.Should().Be(SyncStatus.Syncing);
        (await _h.RunAsync()).Claimed.Should().Be(0, "the retry waits for its backoff");
        _h.Time.Advance(TimeSpan.FromSeconds(31));
        await _h.RunAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(61));
        await _h.RunAsync();

        (await _h.StateAsync(BillingDocumentKind.Invoice, "i2")).Status.Should().Be(SyncStatus.Synced);
        _h.Company.Invoices.Where(i => i["PrivateNote"]?.GetValue<string>() == "QbSync invoice:i2").Should().ContainSingle();
    }

    [Fact]
    public async Task Retries_run_out_into_failed()
    {
        using var h = new BillingHarness(sync: o => o.MaxAttempts = 2);
        await h.SyncedAccountAsync("a1", "Acme Ltd");
        await h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        h.Qbo.Faults.SetRate(1.0, [InjectedFault.ServiceUnavailable]);

        await h.RunAsync();
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunAsync();

        var state = await h.StateAsync(BillingDocumentKind.Invoice, "i1");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(BillingReason.RetriesExhausted);
    }

    [Fact]
    public async Task A_customer_made_inactive_in_qbo_turns_the_account_not_synced_and_its_documents_wait()
    {
        var customerId = await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        await _h.SparseUpdateAsync("Customer", customerId, "\"Active\":false");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));

        await _h.RunAsync();

        var account = await _h.Sync.Service.GetStateAsync(_h.Admin, "a1");
        account.Status.Should().Be(SyncStatus.NotSynced);
        account.Reason.Should().Be(SyncReason.CustomerInactive);
        var waiting = await _h.StateAsync(BillingDocumentKind.Invoice, "i2");
        waiting.Status.Should().Be(SyncStatus.NotSynced);
        waiting.Reason.Should().Be(BillingReason.AccountNotSynced);
        (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).Status.Should().Be(SyncStatus.Synced);
    }

    [Fact]
    public async Task People_see_only_their_firm_and_lists_filter_by_account_and_status()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a2"));
        await _h.RunAsync();

        var synced = await _h.Billing.ListDocumentsAsync(_h.Employee, new QbSync.BillingDocumentQuery { Statuses = [SyncStatus.Synced] });
        var ofA2 = await _h.Billing.ListDocumentsAsync(_h.Employee, new QbSync.BillingDocumentQuery { AccountId = "a2" });

        synced.Items.Select(s => s.DocumentId).Should().Equal("i1");
        ofA2.Items.Select(s => (s.DocumentId, s.Status)).Should().Equal(("i2", SyncStatus.NotSynced));
        await FluentActions.Awaiting(() => _h.Billing.GetDocumentAsync(SyncActor.User("firm-2", "u", FirmRole.Owner), BillingDocumentKind.Invoice, "i1"))
            .Should().ThrowAsync<BillingDocumentNotFoundException>();
        await FluentActions.Awaiting(() => _h.Billing.RetryAsync(_h.Employee, BillingDocumentKind.Invoice, "i1")).Should().ThrowAsync<SyncAuthorizationException>();
    }

    [Fact]
    public async Task Invalid_documents_are_refused_when_recorded()
    {
        await FluentActions.Awaiting(() => _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1") with { Lines = [] })).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1") with { Currency = "dollars" })).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 10m, new PaymentApplication("i1", 11m)))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 0m))).Should().ThrowAsync<ArgumentException>();
    }
}

internal static class HarnessActors
{
    public static SyncActor Owner(this BillingHarness h) => h.Sync.Owner;
}

public sealed class BillingRefusalsAndLostAnswersTests : IDisposable
{
    private readonly BillingHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_deposited_payment_qbo_refuses_to_delete_fails_with_qbos_reason()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("i1", 300m)));
        await _h.RunAsync();
        var paymentId = (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).QuickBooksId!;
        _h.Company.MarkPaymentDeposited(paymentId);

        await _h.Billing.DeleteAsync(BillingHarness.Firm, BillingDocumentKind.Payment, "p1");
        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        state.Status.Should().Be(SyncStatus.Failed);
        state.Reason.Should().Be(BillingReason.RemovalRefused);
        state.Problem!.QuickBooksErrorCode.Should().Be("6540");
        state.Tooltip.Should().Contain("refused to void or delete").And.Contain("deposited");
        _h.Company.Get("Payment", paymentId).Should().NotBeNull();
        await FluentActions.Awaiting(() => _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m)))
            .Should().ThrowAsync<InvalidOperationException>("a deleted document is never recorded again");
    }

    [Fact]
    public async Task A_lost_answer_after_a_create_is_found_by_its_tag_and_never_created_again()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("warm", "a1"));
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("warm", 300m)));
        _h.Qbo.Faults.Enqueue(InjectedFault.TruncatedAfterWrite);

        await _h.RunAsync();
        (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).Status.Should().Be(SyncStatus.Syncing, "the answer was lost: outcome unknown, retried later");
        _h.Company.Payments.Should().ContainSingle("the write took effect");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.RunAsync();

        var state = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        state.Status.Should().Be(SyncStatus.Synced);
        _h.Company.Payments.Should().ContainSingle();
        state.QuickBooksId.Should().Be(_h.Company.Payments[0]["Id"]!.GetValue<string>());
    }

}
