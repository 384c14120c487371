using System.Globalization;
using System.Text.Json.Nodes;
using QbSync.Billing;
using QbSync.Sync;

namespace QbSync.Tests.Billing;

/// <summary>The host's later changes of the other kind than <see cref="BillingScenarioTests"/> covers: an invoice
/// deleted, a payment voided or edited (and edited in QBO meanwhile), and a linked customer gone from QBO.</summary>
public sealed class BillingChangesTests : IDisposable
{
    private readonly BillingHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static decimal Dec(JsonNode? node) => decimal.Parse(node!.ToJsonString(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task After_a_switch_of_company_edits_are_written_to_the_new_company_and_never_through_the_old_companys_ids()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var invoice = BillingHarness.Invoice("i1", "a1");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice);
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));
        await _h.RunAsync();
        var oldInvoice = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;
        var oldCompany = _h.Company;

        // The firm switches company; the account is synced there again.
        var newCompany = _h.Qbo.Company("9130350000000077");
        await _h.Sync.Service.ConnectCompanyAsync(_h.Sync.Owner, newCompany.RealmId, _h.Qbo.OAuth.CreateAuthorizationCode(newCompany.RealmId));
        (await _h.Sync.Service.SyncAsync(_h.Admin, "a1")).Status.Should().Be(SyncStatus.Synced);
        // The host edits one invoice, voids the other and records a payment of the edited one.
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, invoice with { Lines = [new InvoiceLineInfo("Tax return 2025, amended", 1m, 320m, 320m, "Tax Return")] });
        await _h.Billing.VoidAsync(BillingHarness.Firm, BillingDocumentKind.Invoice, "i2");
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 320m, new PaymentApplication("i1", 320m)));
        await _h.RunAsync();
        await _h.RunAsync();

        // The old company's ids name nothing (or another document) in the new one: the documents are written anew there.
        var edited = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        edited.Status.Should().Be(SyncStatus.Synced, edited.Tooltip);
        var created = newCompany.Get("Invoice", edited.QuickBooksId!)!;
        created["PrivateNote"]!.GetValue<string>().Should().Be("QbSync invoice:i1");
        Dec(created["TotalAmt"]).Should().Be(320m);
        newCompany.Invoices.Where(i => i["PrivateNote"]?.GetValue<string>() == "QbSync invoice:i1").Should().ContainSingle();
        var payment = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        payment.Status.Should().Be(SyncStatus.Synced, payment.Tooltip);
        newCompany.Get("Payment", payment.QuickBooksId!)!["Line"]![0]!["LinkedTxn"]![0]!["TxnId"]!.GetValue<string>().Should().Be(edited.QuickBooksId);
        Dec(oldCompany.Get("Invoice", oldInvoice)!["TotalAmt"]).Should().Be(300m, "the old company is left as it was");
        oldCompany.Payments.Should().BeEmpty();
    }

    [Fact]
    public async Task An_invoice_deleted_and_a_payment_voided_in_the_host_are_deleted_and_voided_in_qbo()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));
        await _h.RunAsync();
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, BillingHarness.Payment("p1", "a1", 300m, new PaymentApplication("i2", 300m)));
        await _h.RunAsync();
        var invoice1 = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;
        var invoice2 = (await _h.StateAsync(BillingDocumentKind.Invoice, "i2")).QuickBooksId!;
        var payment = (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).QuickBooksId!;
        Dec(_h.QboInvoice(invoice2)["Balance"]).Should().Be(0m);

        await _h.Billing.DeleteAsync(BillingHarness.Firm, BillingDocumentKind.Invoice, "i1");
        await _h.Billing.VoidAsync(BillingHarness.Firm, BillingDocumentKind.Payment, "p1");
        var run = await _h.RunAsync();

        run.Synced.Should().Be(2);
        _h.Company.Get("Invoice", invoice1).Should().BeNull("the invoice was deleted in QBO");
        var deleted = await _h.StateAsync(BillingDocumentKind.Invoice, "i1");
        deleted.Status.Should().Be(SyncStatus.Synced);
        deleted.HostState.Should().Be(BillingHostState.Deleted);
        var voided = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        voided.Status.Should().Be(SyncStatus.Synced);
        voided.HostState.Should().Be(BillingHostState.Voided);
        Dec(_h.QboPayment(payment)["TotalAmt"]).Should().Be(0m, "a voided payment keeps its record with zero amounts");
        Dec(_h.QboInvoice(invoice2)["Balance"]).Should().Be(300m, "voiding the payment reopens the invoice it paid");
        _h.Company.Payments.Should().ContainSingle("nothing was created again");
    }

    [Fact]
    public async Task A_payment_edited_in_the_host_is_updated_and_one_changed_in_qbo_is_not_overwritten()
    {
        await _h.SyncedAccountAsync("a1", "Acme Ltd");
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        var payment = BillingHarness.Payment("p1", "a1", 100m, new PaymentApplication("i1", 100m));
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, payment);
        await _h.RunAsync();
        var id = (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).QuickBooksId!;
        var invoiceId = (await _h.StateAsync(BillingDocumentKind.Invoice, "i1")).QuickBooksId!;

        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, payment with { Amount = 150m, Reference = "ch_corrected", Applications = [new PaymentApplication("i1", 150m)] });
        await _h.RunAsync();

        (await _h.StateAsync(BillingDocumentKind.Payment, "p1")).Status.Should().Be(SyncStatus.Synced);
        Dec(_h.QboPayment(id)["TotalAmt"]).Should().Be(150m);
        _h.QboPayment(id)["PaymentRefNum"]!.GetValue<string>().Should().Be("ch_corrected");
        Dec(_h.QboInvoice(invoiceId)["Balance"]).Should().Be(150m);

        await _h.SparseUpdateAsync("Payment", id, "\"PaymentRefNum\":\"fixed-in-qbo\"");
        await _h.Billing.RecordPaymentAsync(BillingHarness.Firm, payment with { Amount = 200m, Applications = [new PaymentApplication("i1", 200m)] });
        await _h.RunAsync();

        var stale = await _h.StateAsync(BillingDocumentKind.Payment, "p1");
        stale.Status.Should().Be(SyncStatus.Failed);
        stale.Reason.Should().Be(BillingReason.EditedInQuickBooks);
        stale.Problem!.QuickBooksErrorCode.Should().Be("5010");
        _h.QboPayment(id)["PaymentRefNum"]!.GetValue<string>().Should().Be("fixed-in-qbo", "nothing was overwritten");
        Dec(_h.QboPayment(id)["TotalAmt"]).Should().Be(150m);
        _h.Company.Payments.Should().ContainSingle();
    }

    [Fact]
    public async Task A_customer_gone_from_qbo_turns_the_account_not_synced_and_its_documents_wait()
    {
        var customerId = await _h.SyncedAccountAsync("a1", "Acme Ltd");
        var other = _h.Company.AddCustomer("Acme Holdings")["Id"]!.GetValue<string>();
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i1", "a1"));
        await _h.RunAsync();
        _h.Company.MergeCustomer(customerId, other);
        await _h.Billing.RecordInvoiceAsync(BillingHarness.Firm, BillingHarness.Invoice("i2", "a1"));

        await _h.RunAsync();

        var account = await _h.Sync.Service.GetStateAsync(_h.Admin, "a1");
        account.Status.Should().Be(SyncStatus.NotSynced);
        account.Reason.Should().Be(SyncReason.CustomerNotFound);
        var waiting = await _h.StateAsync(BillingDocumentKind.Invoice, "i2");
        waiting.Status.Should().Be(SyncStatus.NotSynced);
        waiting.Reason.Should().Be(BillingReason.AccountNotSynced);
        _h.Company.Invoices.Should().ContainSingle("only the first invoice reached QBO");
    }
}
