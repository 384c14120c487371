using System.Net;
using QbSync.QuickBooks;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.QuickBooks;

/// <summary>
/// Real QBO fault bodies (tests/Payloads/faults) returned by WireMock to real client calls: the exception type, code,
/// status, intuit_tid and request id the caller sees, and what the pipeline did (retries, token refresh).
/// </summary>
public class FaultsThroughClientTests : IDisposable
{
    private const string Tid = "1-5f7330d2-4a8e4a0b6d0f9c3e2b1a7d55";
    private const string TokenPath = "/oauth2/v1/tokens/bearer";

    private readonly List<ClientHarness> _harnesses = [];

    public void Dispose()
    {
        foreach (var harness in _harnesses)
        {
            harness.Dispose();
        }
    }

    private ClientHarness Harness(int? maxRetryAttempts = null)
    {
        var harness = new ClientHarness(o =>
        {
            if (maxRetryAttempts is { } max)
            {
                o.MaxRetryAttempts = max;
            }
        });
        _harnesses.Add(harness);
        return harness;
    }

    private static IResponseBuilder Fault(int status, string payload, string contentType) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithHeader("intuit_tid", Tid).WithBody(Payload.Read(payload));

    private static IEnumerable<string> ApiCalls(ClientHarness harness) =>
        harness.Server.LogEntries.Where(e => e.Request().Path.StartsWith("/v3/", StringComparison.Ordinal)).Select(e => e.Request().Path);

    // ----- validation faults -----
    [Fact]
    public async Task Duplicate_name_6240_without_id_on_create_is_a_duplicate_name_exception_with_request_id_and_tid()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Fault(400, "faults/6240-duplicate-name-no-id.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "Weiskopf Consulting" }, requestId: "create-weiskopf"))
            .Should().ThrowAsync<QuickBooksDuplicateNameException>();

        var ex = thrown.Which;
        ex.ErrorCode.Should().Be("6240");
        ex.ExistingId.Should().BeNull("the recorded detail ends in ': null', not 'Id=…'");
        ex.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ex.FaultType.Should().Be("ValidationFault");
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().Be("create-weiskopf");
        ex.IsTransient.Should().BeFalse();
        ex.Errors.Single().Message.Should().Be("Duplicate Name Exists Error");
        ex.Errors.Single().Detail.Should().Be("The name supplied already exists. : null");
        ex.Message.Should().Contain("6240").And.Contain(Tid).And.Contain("create-weiskopf");
        var request = harness.Server.LogEntries.Should().ContainSingle("a validation fault is never retried").Subject.Request();
        request.Body.Should().Be(Payload.Read("faults/6240-duplicate-name-no-id.request.json").Trim());
    }

    [Fact]
    public async Task Parse_error_4000_inside_http_200_is_a_validation_exception_with_status_200()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("query")).UsingPost())
            .RespondWith(Fault(200, "faults/4000-parse-error-in-http200.json", "application/json;charset=UTF-8"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.FindByDisplayNameAsync(ClientHarness.Realm, "Amy's Bird Sanctuary"))
            .Should().ThrowAsync<QuickBooksValidationException>();

        var ex = thrown.Which;
        ex.Should().NotBeOfType<QuickBooksDuplicateNameException>();
        ex.ErrorCode.Should().Be("4000");
        ex.StatusCode.Should().Be(HttpStatusCode.OK);
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().BeNull("queries carry no request id");
        ex.Errors.Single().Message.Should().Be("Error parsing query");
        ex.Errors.Single().Detail.Should().StartWith("QueryParserError: Invalid content. Lexical error at line 1, column 44.");
        ApiCalls(harness).Should().ContainSingle();
    }

    [Fact]
    public async Task Parse_error_4000_as_http_400_is_the_same_validation_exception()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("query")).UsingPost())
            .RespondWith(Fault(400, "faults/4000-parse-error-unescaped-apostrophe-http400.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Vendors.CountAsync(ClientHarness.Realm))
            .Should().ThrowAsync<QuickBooksValidationException>();

        thrown.Which.ErrorCode.Should().Be("4000");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        thrown.Which.IntuitTid.Should().Be(Tid);
    }

    // ----- 401: one refresh, one resend -----
    private static void StubTokenEndpoint(ClientHarness harness) =>
        harness.Server.Given(Request.Create().WithPath(TokenPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Payload.Read("oauth/token-success-sample-values.json")));

    private static IResponseBuilder TokenExpired() =>
        Fault(401, "faults/401-lowercase-fault-token-expired.json", "application/json")
            .WithHeader("Www-Authenticate", "Bearer realm=\"Intuit\", error=\"invalid_token\"");

    [Fact]
    public async Task Token_expired_401_on_a_write_refreshes_once_and_resends_the_same_request_once()
    {
        var harness = Harness();
        StubTokenEndpoint(harness);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost()
                .WithHeader("Authorization", "Bearer sample_access_token"))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/create-response.json")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .AtPriority(2)
            .RespondWith(TokenExpired());

        var created = await harness.Client.Customers.CreateAsync(ClientHarness.Realm,
            new CustomerCreateRequest { DisplayName = "Doe5, Jane" }, requestId: "create-after-401");

        created.Id.Should().Be("70");
        var tokenCalls = harness.Server.LogEntries.Where(e => e.Request().Path == TokenPath).ToList();
        tokenCalls.Should().ContainSingle("exactly one refresh");
        tokenCalls[0].Request().Body.Should().Contain("grant_type=refresh_token").And.Contain("refresh_token=" + ClientHarness.RefreshToken);
        var calls = harness.Server.LogEntries.Where(e => e.Request().Path == harness.CompanyPath("customer")).Select(e => e.Request()).ToList();
        calls.Should().HaveCount(2, "the request is sent, refused, and resent once");
        calls[0].HeaderValue("Authorization").Should().Be("Bearer " + ClientHarness.AccessToken);
        calls[1].HeaderValue("Authorization").Should().Be("Bearer sample_access_token");
        calls.Select(c => c.Body).Should().AllBe("""{"DisplayName":"Doe5, Jane"}""");
        calls.Select(c => c.QueryValue("requestid")).Should().AllBe("create-after-401");
        (await harness.Tokens.GetAsync(ClientHarness.Realm))!.AccessToken.Should().Be("sample_access_token");
        (await harness.Tokens.GetAsync(ClientHarness.Realm))!.RefreshToken.Should().Be("sample_refresh_token");
    }

    [Fact]
    public async Task Token_expired_401_twice_is_an_authentication_exception_after_one_refresh_and_one_resend()
    {
        var harness = Harness();
        StubTokenEndpoint(harness);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost()).RespondWith(TokenExpired());

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "Doe5, Jane" }, requestId: "still-401"))
            .Should().ThrowAsync<QuickBooksAuthenticationException>();

        var ex = thrown.Which;
        ex.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        ex.ErrorCode.Should().Be("3200");
        ex.FaultType.Should().Be("AUTHENTICATION");
        ex.ReconnectRequired.Should().BeFalse();
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().Be("still-401");
        ex.Errors.Single().Message.Should().Be("message=AuthenticationFailed; errorCode=003200; statusCode=401");
        ex.Message.Should().NotContain("sample_access_token").And.NotContain(ClientHarness.AccessToken).And.NotContain(ClientHarness.RefreshToken);
        harness.Server.LogEntries.Count(e => e.Request().Path == TokenPath).Should().Be(1);
        ApiCalls(harness).Should().HaveCount(2);
    }

    [Fact]
    public async Task Token_expired_401_on_a_read_refreshes_once_and_returns_the_entity()
    {
        var harness = Harness();
        StubTokenEndpoint(harness);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet()
                .WithHeader("Authorization", "Bearer sample_access_token"))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet()).AtPriority(2).RespondWith(TokenExpired());

        var customer = await harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");

        customer.DisplayName.Should().Be("Dukes Basketball Camp");
        harness.Server.LogEntries.Count(e => e.Request().Path == TokenPath).Should().Be(1);
        ApiCalls(harness).Should().HaveCount(2);
    }

    // ----- throttling -----
    [Fact]
    public async Task Throttle_3001_xml_with_429_is_a_throttled_exception_when_retries_are_off()
    {
        var harness = Harness(maxRetryAttempts: 0);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Fault(429, "faults/3001-throttle-statuscode429.xml", "application/xml"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "x" }, requestId: "throttled-write"))
            .Should().ThrowAsync<QuickBooksThrottledException>();

        var ex = thrown.Which;
        ex.ErrorCode.Should().Be("3001");
        ex.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        ex.FaultType.Should().Be("SERVICE");
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().Be("throttled-write");
        ex.IsTransient.Should().BeTrue();
        ex.RetryAfter.Should().Be(TimeSpan.FromSeconds(60), "no Retry-After header: Intuit's documented 60 seconds");
        ex.Errors.Single().Message.Should().Be("message=ThrottleExceeded; errorCode=003001; statusCode=429");
        ex.Errors.Single().Detail.Should().Be("The request limit was reached.  Try again later");
        ApiCalls(harness).Should().ContainSingle();
    }

    [Fact]
    public async Task Throttle_429_with_a_retry_after_header_reports_that_delay()
    {
        var harness = Harness(maxRetryAttempts: 0);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("query")).UsingPost())
            .RespondWith(Fault(429, "faults/3001-throttle-statuscode429.xml", "application/xml").WithHeader("Retry-After", "7"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CountAsync(ClientHarness.Realm))
            .Should().ThrowAsync<QuickBooksThrottledException>();

        thrown.Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        thrown.Which.RequestId.Should().BeNull();
    }

    [Fact]
    public async Task Throttle_3001_xml_sent_with_status_403_is_still_a_throttled_exception()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Fault(403, "faults/3001-throttle-statuscode403-xml-to-json-client.xml", "text/xml"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"))
            .Should().ThrowAsync<QuickBooksThrottledException>();

        thrown.Which.ErrorCode.Should().Be("3001");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        thrown.Which.IsTransient.Should().BeTrue();
        thrown.Which.IntuitTid.Should().Be(Tid);
    }

    [Fact]
    public async Task Throttle_429_is_retried_with_the_same_request_id_and_the_write_then_succeeds()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .InScenario("throttle").WillSetStateTo("open")
            .RespondWith(Fault(429, "faults/3001-throttle-statuscode429.xml", "application/xml"));
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .InScenario("throttle").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/create-response.json")));

        var created = await harness.Client.Customers.CreateAsync(ClientHarness.Realm, new CustomerCreateRequest { DisplayName = "Doe5, Jane" });

        created.Id.Should().Be("70");
        var calls = harness.Server.LogEntries.Select(e => e.Request()).ToList();
        calls.Should().HaveCount(2);
        calls.Select(c => c.QueryValue("requestid")).Distinct().Should().ContainSingle("every retry of a write carries the same requestid");
        calls.Select(c => c.Body).Should().AllBe("""{"DisplayName":"Doe5, Jane"}""");
    }

    // ----- 5xx -----
    [Fact]
    public async Task Html_503_page_is_a_plain_transient_exception_named_after_the_page_title()
    {
        var harness = Harness(maxRetryAttempts: 0);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Fault(503, "faults/503-html-avi-vantage.txt", "text/html"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "x" }, requestId: "write-503"))
            .Should().ThrowAsync<QuickBooksException>();

        var ex = thrown.Which;
        ex.Should().BeOfType<QuickBooksException>("a 5xx is neither a validation nor an authentication failure");
        ex.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        ex.ErrorCode.Should().BeNull();
        ex.Errors.Should().BeEmpty();
        ex.IsTransient.Should().BeTrue();
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().Be("write-503");
        ex.Message.Should().Contain("503 Service Temporarily Unavailable").And.NotContain("<html");
        ApiCalls(harness).Should().ContainSingle();
    }

    [Fact]
    public async Task Html_503_page_is_retried_up_to_the_limit_with_the_same_request_id_then_thrown()
    {
        var harness = Harness(maxRetryAttempts: 2);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer")).UsingPost())
            .RespondWith(Fault(503, "faults/503-html-service-unavailable.txt", "text/html; charset=us-ascii"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.CreateAsync(ClientHarness.Realm,
                new CustomerCreateRequest { DisplayName = "x" }, requestId: "retried-503"))
            .Should().ThrowAsync<QuickBooksException>();

        thrown.Which.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        thrown.Which.RequestId.Should().Be("retried-503");
        thrown.Which.Message.Should().Contain("Service Unavailable");
        var calls = harness.Server.LogEntries.Select(e => e.Request()).ToList();
        calls.Should().HaveCount(3, "one attempt and two retries");
        calls.Should().OnlyContain(c => c.QueryValue("requestid") == "retried-503");
    }

    [Fact]
    public async Task Lowercase_500_fault_with_code_3100_is_a_transient_server_fault_not_an_authorization_failure()
    {
        var harness = Harness(maxRetryAttempts: 0);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("invoice")).UsingPost())
            .RespondWith(Fault(500, "faults/500-lowercase-fault-3100-internalservererror.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Invoices.CreateAsync(ClientHarness.Realm, new InvoiceCreateRequest
            {
                CustomerRef = new QuickBooksReference("1"),
                Line = [new QuickBooksLine { Amount = 1m, DetailType = "SalesItemLineDetail" }],
            }, requestId: "invoice-500"))
            .Should().ThrowAsync<QuickBooksException>();

        var ex = thrown.Which;
        ex.Should().BeOfType<QuickBooksException>("a 5xx is neither a validation nor an authentication failure");
        ex.ErrorCode.Should().Be("3100");
        ex.FaultType.Should().Be("SERVICE");
        ex.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        ex.IsTransient.Should().BeTrue();
        ex.IntuitTid.Should().Be(Tid);
        ex.RequestId.Should().Be("invoice-500");
        ex.Errors.Single().Message.Should().Be("message=InternalServerError; errorCode=003100; statusCode=500");
        ex.Errors.Single().Detail.Should().BeNull();
    }

    [Fact]
    public async Task Lowercase_403_fault_with_code_3100_requires_a_reconnect_and_is_not_retried()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("payment/1")).UsingGet())
            .RespondWith(Fault(403, "faults/403-lowercase-fault-3100-authorizationfailed.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Payments.GetAsync(ClientHarness.Realm, "1"))
            .Should().ThrowAsync<QuickBooksAuthenticationException>();

        thrown.Which.ReconnectRequired.Should().BeTrue();
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        thrown.Which.IntuitTid.Should().Be(Tid);
        ApiCalls(harness).Should().ContainSingle();
        harness.Server.LogEntries.Should().NotContain(e => e.Request().Path == TokenPath, "a 403 is not a token refresh case");
    }

    [Fact]
    public async Task Invalid_id_2030_on_a_read_is_a_validation_exception_naming_the_element()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/1.5")).UsingGet())
            .RespondWith(Fault(400, "faults/2030-invalid-id.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "1.5"))
            .Should().ThrowAsync<QuickBooksValidationException>();

        thrown.Which.ErrorCode.Should().Be("2030");
        thrown.Which.Errors.Single().Element.Should().Be("Id");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        thrown.Which.IntuitTid.Should().Be(Tid);
        thrown.Which.RequestId.Should().BeNull();
        ApiCalls(harness).Should().ContainSingle();
    }

    [Fact]
    public async Task Error_code_500_inside_http_400_is_a_validation_exception_and_is_not_retried()
    {
        var harness = Harness();
        harness.Server.Given(Request.Create().UsingGet())
            .RespondWith(Fault(400, "faults/500-code-unsupported-operation-http400.json", "application/json"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Payments.GetAsync(ClientHarness.Realm, "1/5"))
            .Should().ThrowAsync<QuickBooksValidationException>();

        thrown.Which.ErrorCode.Should().Be("500", "Error.code is not the HTTP status");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        thrown.Which.IsTransient.Should().BeFalse();
        harness.Server.LogEntries.Should().ContainSingle().Which.Request().Url.Should().Contain("/payment/1%2F5?");
    }

    [Fact]
    public async Task Authentication_fault_xml_inside_http_500_is_an_authentication_exception_after_the_retries()
    {
        var harness = Harness(maxRetryAttempts: 1);
        harness.Server.Given(Request.Create().WithPath(harness.CompanyPath("customer/5")).UsingGet())
            .RespondWith(Fault(500, "faults/500-http500-authenticationfault-100.xml", "application/xml;charset=UTF-8"));

        var thrown = await FluentActions.Awaiting(() => harness.Client.Customers.GetAsync(ClientHarness.Realm, "5"))
            .Should().ThrowAsync<QuickBooksAuthenticationException>();

        thrown.Which.ErrorCode.Should().Be("100");
        thrown.Which.FaultType.Should().Be("AuthenticationFault");
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        thrown.Which.ReconnectRequired.Should().BeFalse();
        thrown.Which.IntuitTid.Should().Be(Tid);
        ApiCalls(harness).Should().HaveCount(2, "a 500 is retried by status before its body is read");
        harness.Server.LogEntries.Should().NotContain(e => e.Request().Path == TokenPath, "only a 401 triggers a refresh");
    }
}
