using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>Real batch bodies (tests/Payloads/batch) through <see cref="BatchClient.ExecuteAsync"/>.</summary>
public class BatchClientTests : IDisposable
{
    private const string Tid = "1-5f73524e-3bd4a1ee5a5c3f7a2e1b4d91";

    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void RespondToBatch(string body, int status = 200) =>
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath("batch")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status)
                .WithHeader("Content-Type", "application/json;charset=utf-8")
                .WithHeader("intuit_tid", Tid)
                .WithBody(body));

    private static QuickBooksBatch FourItems() => new QuickBooksBatch()
        .Create("bid1", new CustomerCreateRequest { DisplayName = "Boraski Family Store" })
        .Update("bid2", new CustomerUpdateRequest { Id = "129", SyncToken = "0", Active = false })
        .Update("bid3", new CustomerUpdateRequest { Id = "11", SyncToken = "0", Notes = "A private note." })
        .Query("bid4", QuickBooksQuery.Select("SalesReceipt").Where("TotalAmt", QueryOperator.GreaterThan, 300.00m));

    private static string Reversed(string batchResponse)
    {
        var root = JsonNode.Parse(batchResponse)!.AsObject();
        var items = root["BatchItemResponse"]!.AsArray().Select(item => item!.DeepClone()).Reverse().ToArray();
        root["BatchItemResponse"] = new JsonArray(items);
        return root.ToJsonString();
    }

    [Fact]
    public async Task Mixed_real_response_gives_the_vendor_entity_the_two_faults_and_the_query_item_by_bId()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems(), requestId: "batch-1");

        result.Items.Select(i => i.BatchId).Should().Equal("bid1", "bid2", "bid3", "bid4");

        result.TryGet("bid1", out var created).Should().BeTrue();
        created.IsSuccess.Should().BeTrue();
        created.Fault.Should().BeNull();
        created.EntityName.Should().Be("Vendor");
        var vendor = created.GetEntity<Vendor>();
        vendor.Id.Should().Be("71");
        vendor.SyncToken.Should().Be("0");
        vendor.DisplayName.Should().Be("Boraski Family Store");
        vendor.PrintOnCheckName.Should().Be("Boraski Family Store");
        vendor.Active.Should().BeTrue();
        vendor.MetaData!.CreateTime.Should().Be(new DateTimeOffset(2020, 9, 29, 8, 13, 18, TimeSpan.FromHours(-7)));
        vendor.MetaData.LastUpdatedTime.Should().Be(new DateTimeOffset(2020, 9, 29, 8, 13, 20, TimeSpan.FromHours(-7)));
        vendor.MetaData.LastUpdatedTime!.Value.Offset.Should().Be(TimeSpan.FromHours(-7));
        vendor.AdditionalProperties!["Vendor1099"].GetBoolean().Should().BeFalse();
        vendor.AdditionalProperties["Balance"].GetDecimal().Should().Be(0m);
        created.Invoking(c => c.GetEntity<Customer>()).Should().Throw<InvalidOperationException>().WithMessage("*Vendor*Customer*");
        created.Invoking(c => c.GetQueryRows<Customer>()).Should().Throw<InvalidOperationException>();

        result.TryGet("bid2", out var notFound).Should().BeTrue();
        notFound.IsSuccess.Should().BeFalse();
        notFound.EntityName.Should().BeNull();
        var notFoundFault = notFound.Fault.Should().BeOfType<QuickBooksObjectNotFoundException>().Subject;
        notFoundFault.ErrorCode.Should().Be("610");
        notFoundFault.FaultType.Should().Be("ValidationFault");
        notFoundFault.StatusCode.Should().Be(HttpStatusCode.OK, "the batch itself succeeded");
        notFoundFault.RequestId.Should().Be("batch-1");
        notFoundFault.IsTransient.Should().BeFalse();
        notFoundFault.Errors.Single().Message.Should().Be("Object Not Found");
        notFoundFault.Errors.Single().Detail.Should().StartWith("Object Not Found : Something you're trying to use has been made inactive.");
        notFoundFault.Errors.Single().Element.Should().BeEmpty();
        notFound.Invoking(n => n.GetEntity<Customer>()).Should().Throw<QuickBooksObjectNotFoundException>().Which.Should().BeSameAs(notFoundFault);
        notFound.Invoking(n => n.GetQueryRows<Customer>()).Should().Throw<QuickBooksObjectNotFoundException>();

        result.TryGet("bid3", out var stale).Should().BeTrue();
        var staleFault = stale.Fault.Should().BeOfType<QuickBooksStaleObjectException>().Subject;
        staleFault.ErrorCode.Should().Be("5010");
        staleFault.StatusCode.Should().Be(HttpStatusCode.OK);
        staleFault.RequestId.Should().Be("batch-1");
        staleFault.Errors.Single().Detail.Should().Contain("Christian Pelczarski finished before you did");
        staleFault.Message.Should().Contain("5010");

        result.TryGet("bid4", out var query).Should().BeTrue();
        query.IsSuccess.Should().BeTrue();
        query.EntityName.Should().Be("QueryResponse");
        query.GetQueryRows<Invoice>().Should().BeEmpty("the rows are SalesReceipts, which QbSync does not model");
        query.Invoking(q => q.GetEntity<Invoice>()).Should().Throw<InvalidOperationException>();

        result.TryGet("bid5", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Results_are_found_by_bId_when_qbo_answers_in_another_order()
    {
        RespondToBatch(Reversed(Payload.Read("batch/batch-response-mixed.json")));

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems());

        result.Items.Select(i => i.BatchId).Should().Equal("bid4", "bid3", "bid2", "bid1");
        result.TryGet("bid1", out var vendor).Should().BeTrue();
        vendor.GetEntity<Vendor>().Id.Should().Be("71");
        result.TryGet("bid2", out var notFound).Should().BeTrue();
        notFound.Fault.Should().BeOfType<QuickBooksObjectNotFoundException>();
        result.TryGet("bid3", out var stale).Should().BeTrue();
        stale.Fault.Should().BeOfType<QuickBooksStaleObjectException>();
        result.TryGet("bid4", out var query).Should().BeTrue();
        query.EntityName.Should().Be("QueryResponse");
    }

    [Fact]
    public async Task Intuit_doc_response_maps_6240_610_and_5010_item_faults_to_their_exceptions()
    {
        RespondToBatch(Payload.Read("batch/doc-batch-response.json"));

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems(), requestId: "doc-batch");

        result.TryGet("bid1", out var duplicate).Should().BeTrue();
        var duplicateFault = duplicate.Fault.Should().BeOfType<QuickBooksDuplicateNameException>().Subject;
        duplicateFault.ErrorCode.Should().Be("6240");
        duplicateFault.ExistingId.Should().BeNull("the detail names no Id=");
        duplicateFault.Errors.Single().Message.Should().Be("Duplicate Name Exists Error");
        duplicateFault.Errors.Single().Detail.Should().Contain("already using this").And.Contain("name. Please use a different name.");
        duplicateFault.RequestId.Should().Be("doc-batch");
        duplicate.Invoking(d => d.GetEntity<Vendor>()).Should().Throw<QuickBooksDuplicateNameException>();

        result.TryGet("bid2", out var notFound).Should().BeTrue();
        notFound.Fault.Should().BeOfType<QuickBooksObjectNotFoundException>().Which.ErrorCode.Should().Be("610");

        result.TryGet("bid3", out var stale).Should().BeTrue();
        stale.Fault.Should().BeOfType<QuickBooksStaleObjectException>().Which.Errors.Single().Detail
            .Should().Contain("You and root were working on this at the same time");

        result.TryGet("bid4", out var query).Should().BeTrue("bId comes first in this item, before QueryResponse");
        query.IsSuccess.Should().BeTrue();
        query.EntityName.Should().Be("QueryResponse");
        query.GetQueryRows<Customer>().Should().BeEmpty();
    }

    [Fact]
    public async Task Java_sdk_deposit_response_keeps_unmodelled_entities_as_their_names()
    {
        RespondToBatch(Payload.Read("batch/batch-response-deposit-java-sdk-test.json"));

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, new QuickBooksBatch()
            .Create("1", new CustomerCreateRequest { DisplayName = "x" })
            .Query("2", QuickBooksQuery.Select("Deposit")));

        result.TryGet("1", out var deposit).Should().BeTrue();
        deposit.IsSuccess.Should().BeTrue();
        deposit.EntityName.Should().Be("Deposit");
        deposit.Invoking(d => d.GetEntity<Customer>()).Should().Throw<InvalidOperationException>();
        result.TryGet("2", out var query).Should().BeTrue();
        query.EntityName.Should().Be("QueryResponse");
        query.GetQueryRows<Payment>().Should().BeEmpty();
    }

    [Fact]
    public async Task Query_item_rows_of_a_modelled_entity_are_read_with_GetQueryRows()
    {
        // No recorded batch holds a Customer query: the recorded customer QueryResponse is placed in a batch item.
        var queryResponse = JsonNode.Parse(Payload.Read("customer/query-page1-maxresults2.json"))!["QueryResponse"]!.ToJsonString();
        var vendorItem = JsonNode.Parse(Payload.Read("batch/batch-response-mixed.json"))!["BatchItemResponse"]![0]!.ToJsonString();
        RespondToBatch($$"""{"BatchItemResponse":[{"bId":"customers","QueryResponse":{{queryResponse}}},{{vendorItem}}],"time":"2020-09-29T08:13:18.783-07:00"}""");

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, new QuickBooksBatch()
            .Query("customers", QuickBooksQuery.Select("Customer").Page(1, 2))
            .Create("bid1", new CustomerCreateRequest { DisplayName = "Boraski Family Store" }));

        result.TryGet("customers", out var query).Should().BeTrue();
        var rows = query.GetQueryRows<Customer>();
        rows.Select(c => c.Id).Should().Equal("5", "6");
        rows[0].DisplayName.Should().Be("Dukes Basketball Camp");
        rows[0].SyncToken.Should().Be("1");
        rows[0].PrimaryEmailAddr!.Address.Should().Be("Dukes_bball@intuit.com");
        rows[1].DisplayName.Should().Be("Dylan Sollfrank");
        rows[1].AdditionalProperties!["Taxable"].GetBoolean().Should().BeFalse();
        query.GetQueryRows<Vendor>().Should().BeEmpty();
        result.TryGet("bid1", out var vendor).Should().BeTrue();
        vendor.GetEntity<Vendor>().DisplayName.Should().Be("Boraski Family Store");
    }

    [Fact]
    public async Task Request_body_is_a_BatchItemRequest_array_of_bId_operation_and_entity_like_the_recorded_one()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));
        var batch = new QuickBooksBatch()
            .Create("c1", new CustomerCreateRequest { DisplayName = "Boraski Family Store" })
            .Update("u1", new CustomerUpdateRequest { Id = "68", SyncToken = "0", DisplayName = "Jack Moe" })
            .Create("i1", new InvoiceCreateRequest
            {
                CustomerRef = new QuickBooksReference("1"),
                Line = [new QuickBooksLine { Amount = 100.0m, DetailType = "SalesItemLineDetail", SalesItemLineDetail = new QuickBooksSalesItemLineDetail { ItemRef = new QuickBooksReference("1", "Services") } }],
                TxnDate = new DateOnly(2020, 9, 29),
            })
            .Create("p1", new PaymentCreateRequest
            {
                CustomerRef = new QuickBooksReference("1"),
                TotalAmt = 100.00m,
                Line = [new QuickBooksLine { Amount = 100.00m, LinkedTxn = [new QuickBooksLinkedTransaction { TxnId = "266", TxnType = "Invoice" }] }],
            })
            .Query("q1", QuickBooksQuery.Select("SalesReceipt").Where("TotalAmt", QueryOperator.GreaterThan, 300.00m));
        batch.Count.Should().Be(5);
        batch.BatchIds.Should().Equal("c1", "u1", "i1", "p1", "q1");

        await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, batch, requestId: "batch-shape");

        var request = _harness.Server.LogEntries.Single().Request();
        request.QueryValue("requestid").Should().Be("batch-shape");
        request.QueryValue("minorversion").Should().Be("75");
        request.HeaderValue("Content-Type").Should().StartWith("application/json");
        // Compared as JSON: the text escapes ' and > (see the skipped apostrophe test below).
        var expected = JsonNode.Parse(
            """{"BatchItemRequest":[""" +
            """{"bId":"c1","operation":"create","Customer":{"DisplayName":"Boraski Family Store"}},""" +
            """{"bId":"u1","operation":"update","Customer":{"Id":"68","SyncToken":"0","sparse":true,"DisplayName":"Jack Moe"}},""" +
            """{"bId":"i1","operation":"create","Invoice":{"CustomerRef":{"value":"1"},"Line":[{"Amount":100.0,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"1","name":"Services"}}}],"TxnDate":"2020-09-29"}},""" +
            """{"bId":"p1","operation":"create","Payment":{"CustomerRef":{"value":"1"},"TotalAmt":100.00,"Line":[{"Amount":100.00,"LinkedTxn":[{"TxnId":"266","TxnType":"Invoice"}]}]}},""" +
            """{"bId":"q1","Query":"SELECT * FROM SalesReceipt WHERE TotalAmt > '300.00'"}""" +
            "]}")!;
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), expected).Should().BeTrue("the body was {0}", request.Body);

        // Same item shape as the recorded request: every item has bId; writes have operation and one entity key.
        using var recorded = JsonDocument.Parse(Payload.Read("batch/batch-request.json"));
        using var sent = JsonDocument.Parse(request.Body!);
        static string Shape(JsonElement item) => string.Join(',', item.EnumerateObject().Select(p => p.Name switch
        {
            "bId" or "operation" or "Query" => p.Name,
            _ => "entity",
        }).Order());
        var recordedShapes = recorded.RootElement.GetProperty("BatchItemRequest").EnumerateArray().Select(Shape).ToHashSet();
        sent.RootElement.GetProperty("BatchItemRequest").EnumerateArray().Select(Shape).Should().OnlyContain(s => recordedShapes.Contains(s));
    }

    [Fact]
    public async Task Batch_items_write_names_and_query_text_as_they_are_like_single_writes()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));
        var batch = new QuickBooksBatch()
            .Create("c1", new CustomerCreateRequest { DisplayName = "King's Groceries" })
            .Query("q1", QuickBooksQuery.Select("Customer").WhereEquals("DisplayName", "Amy's Bird Sanctuary"));

        await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, batch, requestId: "apostrophes");

        // Valid JSON either way, but QuickBooksJsonContext.Wire promises "King's", not "King\u0027s", and the single
        // create sends it so (CustomersWireTests.Create_sends_only_set_fields_and_a_generated_request_id).
        _harness.Server.LogEntries.Single().Request().Body.Should().Be(
            """{"BatchItemRequest":[{"bId":"c1","operation":"create","Customer":{"DisplayName":"King's Groceries"}},""" +
            """{"bId":"q1","Query":"SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'"}]}""");
    }

    [Fact]
    public void A_31st_item_is_refused()
    {
        var batch = new QuickBooksBatch();
        for (var i = 1; i <= QuickBooksBatch.MaxItems; i++)
        {
            batch.Query("q" + i, QuickBooksQuery.Select("Customer"));
        }

        batch.Count.Should().Be(30);
        batch.Invoking(b => b.Create("c31", new CustomerCreateRequest { DisplayName = "x" })).Should().Throw<InvalidOperationException>().WithMessage("*30*");
        batch.Invoking(b => b.Query("q31", QuickBooksQuery.Select("Customer"))).Should().Throw<InvalidOperationException>();
        batch.Count.Should().Be(30);
    }

    [Fact]
    public void A_duplicate_bId_is_refused()
    {
        var batch = new QuickBooksBatch().Create("same", new CustomerCreateRequest { DisplayName = "a" });

        batch.Invoking(b => b.Query("same", QuickBooksQuery.Select("Customer"))).Should().Throw<ArgumentException>().WithMessage("*same*");
        batch.Invoking(b => b.Create("", new CustomerCreateRequest { DisplayName = "b" })).Should().Throw<ArgumentException>();
        batch.Count.Should().Be(1);
    }

    [Fact]
    public async Task A_batch_request_id_longer_than_36_characters_is_refused_before_sending_and_36_is_sent()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));

        await FluentActions.Awaiting(() => _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems(), new string('r', 37)))
            .Should().ThrowAsync<ArgumentException>();
        _harness.Server.LogEntries.Should().BeEmpty();

        var id36 = Guid.NewGuid().ToString("D");
        id36.Should().HaveLength(36);
        await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems(), id36);
        _harness.Server.LogEntries.Single().Request().QueryValue("requestid").Should().Be(id36);
    }

    [Fact]
    public async Task A_generated_batch_request_id_fits_in_36_characters()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));

        await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems());

        _harness.Server.LogEntries.Single().Request().QueryValue("requestid").Length.Should().BeLessThanOrEqualTo(36);
    }

    [Fact]
    public async Task A_fault_of_the_whole_batch_request_is_thrown_with_the_batch_request_id()
    {
        RespondToBatch(Payload.Read("faults/2010-unsupported-property.json"), status: 400);

        var thrown = await FluentActions.Awaiting(() => _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems(), "whole-batch"))
            .Should().ThrowAsync<QuickBooksValidationException>();

        thrown.Which.ErrorCode.Should().Be("2010");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        thrown.Which.RequestId.Should().Be("whole-batch");
        thrown.Which.IntuitTid.Should().Be(Tid);
    }

    [Fact]
    public async Task Item_faults_carry_the_intuit_tid_of_the_batch_response()
    {
        RespondToBatch(Payload.Read("batch/batch-response-mixed.json"));

        var result = await _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, FourItems());

        result.TryGet("bid2", out var notFound).Should().BeTrue();
        notFound.Fault!.IntuitTid.Should().Be(Tid, "Intuit support asks for the tid of the response that carried the fault");
    }
}
