using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>Batch and change data capture end to end against the fake.</summary>
public sealed class BatchAndCdcThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Thirty_creates_with_faults_mixed_in_come_back_by_bid(bool shuffle)
    {
        using var h = await FakeClientHarness.StartAsync(fake => fake.ShuffleBatchResponses = shuffle);
        h.Company.AddVendor("Held By Vendor");
        var inactive = (string)h.Company.AddCustomer("Inactive For Invoice", active: false)["Id"]!;

        var batch = new QuickBooksBatch();
        for (var i = 0; i < 30; i++)
        {
            var bId = $"row-{i}";
            _ = i switch
            {
                15 => batch.Create(bId, new CustomerCreateRequest { DisplayName = "Held By Vendor" }),
                20 => batch.Create(bId, new CustomerCreateRequest { DisplayName = "Bad: Colon" }),
                25 => batch.Create(bId, TransactionsThroughClientTests.Invoice(inactive, 10m)),
                _ => batch.Create(bId, new CustomerCreateRequest { DisplayName = $"Batch Customer {i}" }),
            };
        }

        var result = await h.Client.Batch.ExecuteAsync(Realm, batch);

        result.Items.Should().HaveCount(30);
        result.Items.Select(r => r.BatchId).Should().BeEquivalentTo(batch.BatchIds);
        for (var i = 0; i < 30; i++)
        {
            result.TryGet($"row-{i}", out var item).Should().BeTrue();
            switch (i)
            {
                case 15:
                    item.IsSuccess.Should().BeFalse();
                    item.Fault.Should().BeOfType<QuickBooksDuplicateNameException>();
                    item.Invoking(x => x.GetEntity<Customer>()).Should().Throw<QuickBooksDuplicateNameException>();
                    break;
                case 20:
                    item.Fault.Should().BeAssignableTo<QuickBooksValidationException>().And.NotBeOfType<QuickBooksDuplicateNameException>();
                    break;
                case 25:
                    item.Fault.Should().BeOfType<QuickBooksObjectNotFoundException>();
                    break;
                default:
                    item.IsSuccess.Should().BeTrue();
                    item.GetEntity<Customer>().DisplayName.Should().Be($"Batch Customer {i}");
                    break;
            }
        }

        h.Company.Customers.Should().HaveCount(28, "27 created plus the inactive one");
        h.Fake.Journal.Count(FakeRequestKind.Batch).Should().Be(1);
    }

    [Fact]
    public async Task A_batch_can_mix_queries_updates_and_payments()
    {
        using var h = await FakeClientHarness.StartAsync();
        var existing = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Batch Existing" });
        var invoice = await h.Client.Invoices.CreateAsync(Realm, TransactionsThroughClientTests.Invoice(existing.Id!, 50m));

        var batch = new QuickBooksBatch()
            .Query("q", QuickBooksQuery.Select("Customer").WhereEquals("DisplayName", "Batch Existing"))
            .Query("none", QuickBooksQuery.Select("Customer").WhereEquals("DisplayName", "Nobody"))
            .Update("u", new CustomerUpdateRequest { Id = existing.Id!, SyncToken = existing.SyncToken!, Notes = "batched" })
            .Update("stale", new CustomerUpdateRequest { Id = existing.Id!, SyncToken = "99", Notes = "stale" })
            .Create("p", new PaymentCreateRequest
            {
                CustomerRef = new QuickBooksReference(existing.Id!),
                TotalAmt = 50m,
                Line = [new QuickBooksLine { Amount = 50m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = invoice.Id, TxnType = "Invoice" }] }],
            });
        var result = await h.Client.Batch.ExecuteAsync(Realm, batch);

        result.TryGet("q", out var q).Should().BeTrue();
        q.GetQueryRows<Customer>().Should().ContainSingle().Which.Id.Should().Be(existing.Id);
        result.TryGet("none", out var none).Should().BeTrue();
        none.GetQueryRows<Customer>().Should().BeEmpty();
        result.TryGet("u", out var u).Should().BeTrue();
        u.GetEntity<Customer>().Notes.Should().Be("batched");
        result.TryGet("stale", out var stale).Should().BeTrue();
        stale.Fault.Should().BeOfType<QuickBooksStaleObjectException>();
        result.TryGet("p", out var p).Should().BeTrue();
        p.GetEntity<Payment>().TotalAmt.Should().Be(50m);
        (await h.Client.Invoices.GetAsync(Realm, invoice.Id!)).Balance.Should().Be(0m);
    }

    [Fact]
    public async Task A_thirty_first_item_is_refused_client_side_and_nothing_is_sent()
    {
        using var h = await FakeClientHarness.StartAsync();
        var batch = new QuickBooksBatch();
        for (var i = 0; i < QuickBooksBatch.MaxItems; i++)
        {
            batch.Create($"b{i}", new CustomerCreateRequest { DisplayName = $"N{i}" });
        }

        var add = () => batch.Create("b30", new CustomerCreateRequest { DisplayName = "N30" });
        add.Should().Throw<InvalidOperationException>();
        batch.Count.Should().Be(30);
        h.Fake.Journal.Count(FakeRequestKind.Batch).Should().Be(0);
    }

    [Fact]
    public async Task The_same_batch_request_id_twice_replays_without_a_second_write()
    {
        using var h = await FakeClientHarness.StartAsync();
        var batch = new QuickBooksBatch().Create("a", new CustomerCreateRequest { DisplayName = "Batch Replay" });
        var first = await h.Client.Batch.ExecuteAsync(Realm, batch, requestId: "batch-1");
        var second = await h.Client.Batch.ExecuteAsync(Realm, batch, requestId: "batch-1");
        first.TryGet("a", out var a1).Should().BeTrue();
        second.TryGet("a", out var a2).Should().BeTrue();
        a2.GetEntity<Customer>().Id.Should().Be(a1.GetEntity<Customer>().Id);
        h.CustomersNamed("Batch Replay").Should().Be(1);
    }

    [Fact]
    public async Task Changes_since_a_time_return_created_and_updated_customers_and_invoices()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var h = await FakeClientHarness.StartAsync(fake => fake.TimeProvider = clock);
        var old = h.Company.AddCustomer("Before The Window");
        var toUpdate = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Updated Later" });
        var toDeactivate = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Deactivated Later" });

        clock.Advance(TimeSpan.FromMinutes(10));
        var since = clock.GetUtcNow().AddMinutes(-1);
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Created In Window" });
        await h.Client.Customers.UpdateAsync(Realm, new CustomerUpdateRequest { Id = toUpdate.Id!, SyncToken = toUpdate.SyncToken!, Notes = "changed" });
        await h.Client.Customers.DeactivateAsync(Realm, toDeactivate.Id!, toDeactivate.SyncToken!);
        var invoice = await h.Client.Invoices.CreateAsync(Realm, TransactionsThroughClientTests.Invoice(created.Id!, 20m));

        var changes = await h.Client.ChangeDataCapture.GetChangesAsync(Realm, ["Customer", "Invoice", "Payment"], since);

        changes.Customers.Select(c => c.Id).Should().BeEquivalentTo(new[] { created.Id, toUpdate.Id, toDeactivate.Id });
        changes.Customers.Should().NotContain(c => c.Id == (string?)old["Id"]);
        changes.Customers.Single(c => c.Id == toUpdate.Id).Notes.Should().Be("changed");
        var deactivated = changes.Customers.Single(c => c.Id == toDeactivate.Id);
        deactivated.IsActive.Should().BeFalse();
        deactivated.BareDisplayName.Should().Be("Deactivated Later");
        changes.Invoices.Should().ContainSingle().Which.Id.Should().Be(invoice.Id);
        changes.Payments.Should().BeEmpty();
        changes.Deleted.Should().BeEmpty();

        var later = await h.Client.ChangeDataCapture.GetChangesAsync(Realm, ["Customer"], clock.GetUtcNow().AddMinutes(1));
        later.Customers.Should().BeEmpty();
    }
}
