using QbSync.QuickBooks;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>What the client puts on the wire, as the fake recorded it.</summary>
public sealed class WireThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task Every_call_carries_minorversion_and_a_bearer_token_and_writes_carry_a_request_id()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MinorVersion = 75);
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Wire Co" });
        await h.Client.Customers.GetAsync(Realm, created.Id!);
        await h.Client.Customers.FindByDisplayNameAsync(Realm, "Wire Co's");
        await h.Client.Customers.CountAsync(Realm);

        var api = h.Fake.Journal.Requests.Where(r => r.Path.StartsWith("/v3/", StringComparison.Ordinal)).ToList();
        api.Should().HaveCount(4);
        api.Should().OnlyContain(r => r.Query.Contains("minorversion=75") && r.Headers["Authorization"].StartsWith("Bearer "));
        api.Single(r => r.Kind == FakeRequestKind.Create).RequestId.Should().MatchRegex("^[0-9a-f]{32}$");
        api.Single(r => r.Kind == FakeRequestKind.Read).RequestId.Should().BeNull();
    }

    [Fact]
    public async Task Queries_are_posted_as_application_text_with_escaped_literals()
    {
        using var h = await FakeClientHarness.StartAsync();
        await h.Client.Customers.FindByDisplayNameAsync(Realm, @"A'B\C");

        var query = h.Fake.Journal.Requests.Single(r => r.Kind == FakeRequestKind.Query);
        query.Method.Should().Be("POST");
        query.Headers["Content-Type"].Should().StartWith("application/text");
        query.Body.Should().Contain(@"'A\'B\\C'");
        query.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task A_create_sends_only_the_fields_that_are_set()
    {
        using var h = await FakeClientHarness.StartAsync();
        await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Lean", PrimaryEmailAddr = new QuickBooksEmailAddress { Address = "a@b.c" } });
        var body = h.RequestsTo("/customer").Single().Body;
        body.Should().Contain("\"DisplayName\":\"Lean\"").And.Contain("a@b.c").And.NotContain("null");
        (await h.Client.Customers.FindByDisplayNameAsync(Realm, "Lean")).Single().PrimaryEmailAddr!.Address.Should().Be("a@b.c");
    }
}
