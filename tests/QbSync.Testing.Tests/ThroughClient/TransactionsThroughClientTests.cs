using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>Invoices and payments end to end against the fake.</summary>
public sealed class TransactionsThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    internal static InvoiceCreateRequest Invoice(string customerId, decimal amount, string? docNumber = null, string itemId = "1") => new()
    {
        CustomerRef = new QuickBooksReference(customerId),
        DocNumber = docNumber,
        Line =
        [
            new QuickBooksLine
            {
                DetailType = "SalesItemLineDetail",
                Amount = amount,
                SalesItemLineDetail = new QuickBooksSalesItemLineDetail { ItemRef = new QuickBooksReference(itemId) },
            },
        ],
    };

    [Fact]
    public async Task Create_get_and_find_by_doc_number()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Invoiced Ltd")["Id"]!;

        var created = await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 125.50m, "INV-'7\\"));
        created.Id.Should().NotBeNullOrEmpty();
        created.TotalAmt.Should().Be(125.50m);
        created.Balance.Should().Be(125.50m);
        created.CustomerRef!.Value.Should().Be(customer);

        var read = await h.Client.Invoices.GetAsync(Realm, created.Id!);
        read.DocNumber.Should().Be("INV-'7\\");
        read.Line.Should().Contain(l => l.Amount == 125.50m);

        (await h.Client.Invoices.FindByDocNumberAsync(Realm, "INV-'7\\")).Should().ContainSingle().Which.Id.Should().Be(created.Id);
        (await h.Client.Invoices.FindByDocNumberAsync(Realm, "INV-8")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_request_id_twice_yields_the_same_invoice_and_one_write()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Replay Ltd")["Id"]!;

        var first = await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 10m), requestId: "sync-invoice-42");
        var second = await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 10m), requestId: "sync-invoice-42");

        second.Id.Should().Be(first.Id);
        h.Company.Invoices.Should().ContainSingle();
        var requests = h.RequestsTo("/invoice");
        requests.Should().HaveCount(2).And.OnlyContain(r => r.RequestId == "sync-invoice-42");
        requests[1].Replayed.Should().BeTrue();

        var third = await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 10m));
        third.Id.Should().NotBe(first.Id, "without a request id every call is a new write");
        h.Company.Invoices.Should().HaveCount(2);
    }

    [Fact]
    public async Task The_same_request_id_twice_yields_the_same_customer()
    {
        using var h = await FakeClientHarness.StartAsync();
        var first = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Once" }, requestId: "c-1");
        var second = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Once" }, requestId: "c-1");
        second.Id.Should().Be(first.Id, "a replay is not a duplicate name");
        h.CustomersNamed("Once").Should().Be(1);
    }

    [Fact]
    public async Task A_duplicate_doc_number_raises_validation_6140()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Dup Doc")["Id"]!;
        await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 5m, "D-1"));

        var act = () => h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 6m, "D-1"));
        var thrown = await act.Should().ThrowAsync<QuickBooksValidationException>();
        thrown.Which.ErrorCode.Should().Be("6140");
        thrown.Which.Should().NotBeOfType<QuickBooksDuplicateNameException>();
        h.Company.Invoices.Should().ContainSingle();
    }

    [Fact]
    public async Task Duplicate_doc_numbers_are_accepted_when_the_company_allows_them()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.RejectDuplicateDocNumbers = false;
        var customer = (string)h.Company.AddCustomer("Dup Allowed")["Id"]!;
        await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 5m, "D-2"));
        await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 6m, "D-2"));
        (await h.Client.Invoices.FindByDocNumberAsync(Realm, "D-2")).Should().HaveCount(2);
    }

    [Fact]
    public async Task An_invoice_for_an_inactive_customer_raises_object_not_found()
    {
        using var h = await FakeClientHarness.StartAsync();
        var inactive = (string)h.Company.AddCustomer("Sleeping", active: false)["Id"]!;
        var act = () => h.Client.Invoices.CreateAsync(Realm, Invoice(inactive, 5m));
        var thrown = await act.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
        thrown.Which.ErrorCode.Should().BeOneOf("610", "2500");
        h.Company.Invoices.Should().BeEmpty();
    }

    [Fact]
    public async Task An_invoice_for_a_missing_customer_or_item_raises_object_not_found()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Real")["Id"]!;
        var noCustomer = () => h.Client.Invoices.CreateAsync(Realm, Invoice("4242", 5m));
        await noCustomer.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
        var noItem = () => h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 5m, itemId: "4242"));
        await noItem.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
    }

    [Fact]
    public async Task A_payment_linked_to_an_invoice_updates_its_balance()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Payer")["Id"]!;
        var invoice = await h.Client.Invoices.CreateAsync(Realm, Invoice(customer, 100m));

        var payment = await h.Client.Payments.CreateAsync(Realm, new PaymentCreateRequest
        {
            CustomerRef = new QuickBooksReference(customer),
            TotalAmt = 40m,
            Line = [new QuickBooksLine { Amount = 40m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = invoice.Id, TxnType = "Invoice" }] }],
        }, requestId: "pay-1");

        payment.TotalAmt.Should().Be(40m);
        (await h.Client.Payments.GetAsync(Realm, payment.Id!)).TotalAmt.Should().Be(40m);
        var after = await h.Client.Invoices.GetAsync(Realm, invoice.Id!);
        after.Balance.Should().Be(60m);
        after.LinkedTxn.Should().Contain(l => l.TxnId == payment.Id && l.TxnType == "Payment");
        (await h.Client.Customers.GetAsync(Realm, customer)).Balance.Should().Be(60m);

        var replay = await h.Client.Payments.CreateAsync(Realm, new PaymentCreateRequest { CustomerRef = new QuickBooksReference(customer), TotalAmt = 40m }, requestId: "pay-1");
        replay.Id.Should().Be(payment.Id);
        h.Company.Payments.Should().ContainSingle();
        (await h.Client.Invoices.GetAsync(Realm, invoice.Id!)).Balance.Should().Be(60m);
    }

    [Fact]
    public async Task A_payment_linked_to_a_missing_invoice_raises_object_not_found()
    {
        using var h = await FakeClientHarness.StartAsync();
        var customer = (string)h.Company.AddCustomer("Payer Two")["Id"]!;
        var act = () => h.Client.Payments.CreateAsync(Realm, new PaymentCreateRequest
        {
            CustomerRef = new QuickBooksReference(customer),
            TotalAmt = 1m,
            Line = [new QuickBooksLine { Amount = 1m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = "987", TxnType = "Invoice" }] }],
        });
        await act.Should().ThrowAsync<QuickBooksObjectNotFoundException>();
    }
}
