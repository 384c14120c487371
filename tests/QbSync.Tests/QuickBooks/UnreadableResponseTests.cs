using System.Net;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>
/// Issue 7, item 2: whatever a 200 holds (an HTML page, nothing, JSON cut short, JSON of another shape), a create, a
/// query and a batch throw <see cref="QuickBooksUnreadableResponseException"/> with the status, <c>intuit_tid</c>, the
/// request id and a short excerpt of the body: never a raw parser exception.
/// </summary>
public sealed class UnreadableResponseTests : IDisposable
{
    private const string Tid = "1-unreadable-0000-aaaa-bbbb";

    private readonly ClientHarness _harness = new(o => o.MaxRetryAttempts = 0);

    public enum Operation
    {
        Create,
        Query,
        Batch,
    }

    public static TheoryData<Operation, string, string, bool> Cases()
    {
        var data = new TheoryData<Operation, string, string, bool>();
        foreach (var operation in Enum.GetValues<Operation>())
        {
            data.Add(operation, "text/html", "<html><head><title>Maintenance</title></head><body>Back soon</body></html>", true);
            data.Add(operation, "application/json", string.Empty, true);
            data.Add(operation, "application/json", """{"Customer":{"Id":"1","DisplayName":"Cut""", true);
            data.Add(operation, "application/json", """{"Unexpected":{"Shape":true},"time":"2026-12-02T00:00:00Z"}""", false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_200_the_client_cannot_read_is_a_typed_unreadable_response(Operation operation, string contentType, string body, bool transient)
    {
        var path = operation switch
        {
            Operation.Create => "customer",
            Operation.Query => "query",
            _ => "batch",
        };
        _harness.Server.Given(Request.Create().WithPath(_harness.CompanyPath(path)))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithHeader("intuit_tid", Tid).WithBody(body));

        var call = operation switch
        {
            Operation.Create => (Func<Task>)(() => _harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "Unreadable" }, "req-unreadable")),
            Operation.Query => () => _harness.Client.Customers.QueryAsync(ClientHarness.Realm, QuickBooksQuery.Select("Customer")),
            _ => () => _harness.Client.Batch.ExecuteAsync(ClientHarness.Realm, Batch(), "req-unreadable"),
        };

        var error = (await call.Should().ThrowAsync<QuickBooksUnreadableResponseException>()).Which;

        error.StatusCode.Should().Be(HttpStatusCode.OK);
        error.IntuitTid.Should().Be(Tid);
        error.IsTransient.Should().Be(transient);
        if (operation != Operation.Query)
        {
            error.RequestId.Should().Be("req-unreadable");
        }

        if (body.Length == 0)
        {
            error.BodyExcerpt.Should().BeNullOrEmpty();
        }
        else
        {
            error.BodyExcerpt.Should().StartWith(body[..Math.Min(10, body.Length)]);
            error.BodyExcerpt!.Length.Should().BeLessThanOrEqualTo(201);
        }
    }

    public void Dispose() => _harness.Dispose();

    private static QuickBooksBatch Batch()
    {
        var batch = new QuickBooksBatch();
        batch.Create("b0", new CustomerCreateRequest { DisplayName = "Unreadable" });
        return batch;
    }
}
