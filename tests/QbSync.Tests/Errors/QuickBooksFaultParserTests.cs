using System.Net;
using System.Reflection;
using System.Text.Json;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.Errors;

public class QuickBooksFaultParserTests
{
    private static QuickBooksException? ParseFile(string file, int status, string? tid = "tid-1", string? requestId = null, TimeSpan? retryAfter = null)
    {
        var contentType = Path.GetExtension(file) switch
        {
            ".json" => "application/json",
            ".xml" => "application/xml",
            _ => "text/html",
        };
        var response = new QuickBooksResponseInfo((HttpStatusCode)status, contentType, Payload.Read("faults/" + file), tid, requestId, retryAfter);
        return QuickBooksFaultParser.Parse(response);
    }

    private static QuickBooksException? ParseBody(int status, string? body, string? contentType = "application/json", string? tid = null, string? requestId = null) =>
        QuickBooksFaultParser.Parse(new QuickBooksResponseInfo((HttpStatusCode)status, contentType, body, tid, requestId, null));

    [Theory]
    [InlineData("10000-systemfault.xml", 500, typeof(QuickBooksException), "10000", "SystemFault 10000 An application error has occurred", true)]
    [InlineData("2010-unsupported-property.json", 400, typeof(QuickBooksValidationException), "2010", "Request has invalid or unsupported property", false)]
    [InlineData("2030-invalid-id.json", 400, typeof(QuickBooksValidationException), "2030", "Invalid ID: Id should be a valid number. Supplied value:1.5 (element: Id)", false)]
    [InlineData("2500-invalid-reference-inactive.json", 400, typeof(QuickBooksObjectNotFoundException), "2500", "2500 Invalid Reference Id", false)]
    [InlineData("2500-invalid-reference-inactive.xml", 400, typeof(QuickBooksObjectNotFoundException), "2500", "has been made inactive", false)]
    [InlineData("2500-invalid-reference-itemref.xml", 400, typeof(QuickBooksObjectNotFoundException), "2500", "(element: Line.SalesItemLineDetail.ItemRef)", false)]
    [InlineData("3001-throttle-statuscode403-ruby-fixture.xml", 403, typeof(QuickBooksThrottledException), "3001", "403 SERVICE 3001 message=ThrottleExceeded", true)]
    [InlineData("3001-throttle-statuscode403-xml-to-json-client.xml", 403, typeof(QuickBooksThrottledException), "3001", "The request limit was reached. Try again later", true)]
    [InlineData("3001-throttle-statuscode429-ruby-fixture.xml", 429, typeof(QuickBooksThrottledException), "3001", "statusCode=429", true)]
    [InlineData("3001-throttle-statuscode429.xml", 429, typeof(QuickBooksThrottledException), "3001", "429 SERVICE 3001", true)]
    [InlineData("3202-emptyfield-oauth1-era.xml", 400, typeof(QuickBooksValidationException), "3202", "message=EmptyField; errorCode=003202; statusCode=400: oauth_consumer_key", false)]
    [InlineData("4000-lexical-error-ampersand.json", 400, typeof(QuickBooksValidationException), "4000", "Lexical error at line 1, column 9", false)]
    [InlineData("4000-parse-error-in-http200.json", 200, typeof(QuickBooksValidationException), "4000", "200 ValidationFault 4000 Error parsing query", false)]
    [InlineData("4000-parse-error-unescaped-apostrophe-http400.json", 400, typeof(QuickBooksValidationException), "4000", "Was expecting one of: <EOF>", false)]
    [InlineData("4000-parse-error-was-expecting-in-http200.json", 200, typeof(QuickBooksValidationException), "4000", "column 51. Was expecting one of", false)]
    [InlineData("4000-query-empty-raw-linebreak.json", 400, typeof(QuickBooksValidationException), "4000", "Error parsing query: QueryParserError: The query provided was empty", false)]
    [InlineData("4001-invalid-context-declaration.json", 400, typeof(QuickBooksValidationException), "4001", "Invalid query: QueryValidationError: invalid context declaration: Custmoer", false)]
    [InlineData("4001-query-validation-min-value.xml", 400, typeof(QuickBooksValidationException), "4001", "Min allowed value is 1", false)]
    [InlineData("401-authentication-3200-oauth1-era.xml", 401, typeof(QuickBooksAuthenticationException), "3200", "401 AUTHENTICATION 3200 message=ApplicationAuthenticationFailed", false)]
    [InlineData("401-authenticationfault-100-pretty.xml", 401, typeof(QuickBooksAuthenticationException), "100", "AuthenticationFault 100 General Authentication Error", false)]
    [InlineData("401-authenticationfault-100-singleline.xml", 401, typeof(QuickBooksAuthenticationException), "100", "SRV-110-Authentication Failure", false)]
    [InlineData("401-authenticationfault-130-wrong-cluster.xml", 401, typeof(QuickBooksAuthenticationException), "130", "Accessing Wrong Cluster: WrongClusterError", false)]
    [InlineData("401-lowercase-fault-malformed-bearer.json", 401, typeof(QuickBooksAuthenticationException), "3200", "Malformed bearer token: too short or too long", false)]
    [InlineData("401-lowercase-fault-token-expired.json", 401, typeof(QuickBooksAuthenticationException), "3200", "Token expired: [redacted]", false)]
    [InlineData("403-3100-insufficient-scope.xml", 403, typeof(QuickBooksAuthenticationException), "3100", "does not have sufficient scope", false)]
    [InlineData("403-lowercase-fault-3100-applicationauthorizationfailed.json", 403, typeof(QuickBooksAuthenticationException), "3100", "message=ApplicationAuthorizationFailed", false)]
    [InlineData("403-lowercase-fault-3100-authorizationfailed.json", 403, typeof(QuickBooksAuthenticationException), "3100", "403 SERVICE 3100 message=AuthorizationFailed", false)]
    [InlineData("404-html-apache.txt", 404, typeof(QuickBooksException), null, "returned 404: 404 Not Found (HTML page)", false)]
    [InlineData("500-code-unsupported-operation-http400.json", 400, typeof(QuickBooksValidationException), "500", "400 ValidationFault 500 Unsupported Operation", false)]
    [InlineData("500-http500-authenticationfault-100.xml", 500, typeof(QuickBooksAuthenticationException), "100", "Internal Server Error , statusCode: 500", true)]
    [InlineData("500-lowercase-fault-3100-internalservererror.json", 500, typeof(QuickBooksException), "3100", "message=InternalServerError", true)]
    [InlineData("503-html-avi-vantage.txt", 503, typeof(QuickBooksException), null, "returned 503: 503 Service Temporarily Unavailable (HTML page)", true)]
    [InlineData("503-html-service-unavailable.txt", 503, typeof(QuickBooksException), null, "returned 503: Service Unavailable (HTML page)", true)]
    [InlineData("6000-attachable-fault-in-http200.json", 200, typeof(QuickBooksValidationException), "6000", "The entity Estimate 75 that you are trying to link does not exist", false)]
    [InlineData("6240-duplicate-name-no-id.json", 400, typeof(QuickBooksDuplicateNameException), "6240", "400 ValidationFault 6240 Duplicate Name Exists Error: The name supplied already exists. : null", false)]
    [InlineData("6240-duplicate-name-placeholder.xml", 400, typeof(QuickBooksDuplicateNameException), "6240", "Another $$customer$$ is already using this name", false)]
    [InlineData("6240-duplicate-name-taxrate-pretty.json", 400, typeof(QuickBooksDuplicateNameException), "6240", "Another tax rate is already using this name.", false)]
    [InlineData("fault-bare-two-errors.xml", 400, typeof(QuickBooksValidationException), "2050", "2050 Length exceeds limit: Length of the field exceeds 21 chars (element: firstname); 2080 Illegal number format", false)]
    [InlineData("html-maintenance-abbreviated.txt", 503, typeof(QuickBooksException), null, "returned 503: We'll be back soon (HTML page)", true)]
    public void Fault_file_maps_to_the_expected_exception(string file, int status, Type expectedType, string? expectedCode, string messageFragment, bool transient)
    {
        var exception = ParseFile(file, status);

        exception.Should().NotBeNull().And.BeOfType(expectedType);
        exception!.StatusCode.Should().Be((HttpStatusCode)status);
        exception.ErrorCode.Should().Be(expectedCode);
        exception.Message.Should().Contain(messageFragment).And.StartWith("QuickBooks Online returned ").And.EndWith("(intuit_tid: tid-1)");
        exception.IsTransient.Should().Be(transient);
        exception.IntuitTid.Should().Be("tid-1");
        exception.Message.Length.Should().BeLessThan(1500);
    }

    [Fact]
    public void Every_fault_payload_file_has_a_theory_row()
    {
        var rows = typeof(QuickBooksFaultParserTests)
            .GetMethod(nameof(Fault_file_maps_to_the_expected_exception))!
            .GetCustomAttributes<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).First()[0])
            .ToHashSet();
        var files = Directory.GetFiles(Payload.PathOf("faults"))
            .Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".request.json", StringComparison.Ordinal))
            .ToList();

        files.Should().NotBeEmpty().And.OnlyContain(f => rows.Contains(f!));
    }

    [Fact]
    public void Duplicate_name_message_reads_like_the_documented_example()
    {
        var exception = ParseFile("6240-duplicate-name-no-id.json", 400, tid: "abc");

        exception!.Message.Should().Be(
            "QuickBooks Online returned 400 ValidationFault 6240 Duplicate Name Exists Error: The name supplied already exists. : null (intuit_tid: abc)");
        exception.FaultType.Should().Be("ValidationFault");
        exception.Errors.Should().ContainSingle().Which.Should().Be(
            new QuickBooksError("6240", "Duplicate Name Exists Error", "The name supplied already exists. : null", null));
    }

    [Fact]
    public void Duplicate_name_without_id_has_no_existing_id()
    {
        ParseFile("6240-duplicate-name-no-id.json", 400).Should().BeOfType<QuickBooksDuplicateNameException>()
            .Which.ExistingId.Should().BeNull();
        ParseFile("6240-duplicate-name-placeholder.xml", 400).Should().BeOfType<QuickBooksDuplicateNameException>()
            .Which.ExistingId.Should().BeNull();
    }

    [Fact]
    public void Duplicate_name_with_id_in_detail_gives_existing_id()
    {
        const string body = """{"Fault":{"Error":[{"Message":"Duplicate Name Exists Error","Detail":"The name supplied already exists. : Id=58","code":"6240"}],"type":"ValidationFault"}}""";

        ParseBody(400, body).Should().BeOfType<QuickBooksDuplicateNameException>()
            .Which.ExistingId.Should().Be("58");
    }

    [Fact]
    public void Two_errors_of_a_bare_fault_are_both_kept()
    {
        var exception = ParseFile("fault-bare-two-errors.xml", 400)!;

        exception.Errors.Should().Equal(
            new QuickBooksError("2050", "Length exceeds limit", "Length of the field exceeds 21 chars", "firstname"),
            new QuickBooksError("2080", "Illegal number format", "ZipCode should be a number with at least 5 digits", "postalcode"));
    }

    [Fact]
    public void Lowercase_json_fault_keys_are_read()
    {
        var exception = ParseFile("401-lowercase-fault-malformed-bearer.json", 401)!;

        exception.FaultType.Should().Be("AUTHENTICATION");
        exception.Errors.Should().ContainSingle().Which.Should().Be(new QuickBooksError(
            "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", "Malformed bearer token: too short or too long", null));
    }

    [Fact]
    public void Malformed_oauth1_xml_is_still_read_leniently_without_leaking_the_token()
    {
        var exception = ParseFile("401-authentication-3200-oauth1-era.xml", 401)!;

        exception.FaultType.Should().Be("AUTHENTICATION");
        exception.Errors.Should().ContainSingle().Which.Detail.Should().Contain("oauth_token%3D[redacted]");
        exception.Message.Should().NotContain("<ACCESS_TOKEN>").And.NotContain("<CONSUMER_KEY>");
        exception.Message.Length.Should().BeLessThan(800);
    }

    [Theory]
    [InlineData("401-lowercase-fault-token-expired.json", 401, false)]
    [InlineData("401-authenticationfault-100-pretty.xml", 401, false)]
    [InlineData("401-authenticationfault-130-wrong-cluster.xml", 401, false)]
    [InlineData("500-http500-authenticationfault-100.xml", 500, false)]
    [InlineData("403-3100-insufficient-scope.xml", 403, true)]
    [InlineData("403-lowercase-fault-3100-applicationauthorizationfailed.json", 403, true)]
    [InlineData("403-lowercase-fault-3100-authorizationfailed.json", 403, true)]
    public void Authorization_faults_require_reconnect_and_authentication_faults_only_a_refresh(string file, int status, bool reconnect)
    {
        ParseFile(file, status).Should().BeOfType<QuickBooksAuthenticationException>()
            .Which.ReconnectRequired.Should().Be(reconnect);
    }

    [Fact]
    public void Code_120_authorization_failure_requires_reconnect()
    {
        const string body = """{"Fault":{"Error":[{"Message":"Authorization Failure","Detail":"AuthorizationFailure: -11014-You do not have access to use QuickBooks Online Plus","code":"120"}],"type":"AuthorizationFault"}}""";

        ParseBody(401, body).Should().BeOfType<QuickBooksAuthenticationException>()
            .Which.ReconnectRequired.Should().BeTrue();
    }

    [Fact]
    public void Http500_with_code_3100_internal_server_error_is_transient_not_authorization()
    {
        var exception = ParseFile("500-lowercase-fault-3100-internalservererror.json", 500)!;

        exception.GetType().Should().Be<QuickBooksException>();
        exception.IsTransient.Should().BeTrue();
    }

    [Fact]
    public void Error_code_500_inside_http400_is_validation_and_not_transient()
    {
        var exception = ParseFile("500-code-unsupported-operation-http400.json", 400)!;

        exception.Should().BeOfType<QuickBooksValidationException>();
        exception.IsTransient.Should().BeFalse();
    }

    [Theory]
    [InlineData("3001-throttle-statuscode403-ruby-fixture.xml", 403)]
    [InlineData("3001-throttle-statuscode429.xml", 429)]
    public void Throttle_without_retry_after_waits_60_seconds(string file, int status)
    {
        var exception = ParseFile(file, status)!;

        exception.IsTransient.Should().BeTrue();
        exception.RetryAfter.Should().Be(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Throttle_uses_retry_after_header_when_given()
    {
        ParseFile("3001-throttle-statuscode429.xml", 429, retryAfter: TimeSpan.FromSeconds(7))!
            .RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void Http429_with_empty_body_is_throttled()
    {
        ParseBody(429, null).Should().BeOfType<QuickBooksThrottledException>()
            .Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Html_503_page_maps_to_transient_exception()
    {
        var exception = ParseFile("503-html-avi-vantage.txt", 503, retryAfter: TimeSpan.FromSeconds(3))!;

        exception.GetType().Should().Be<QuickBooksException>();
        exception.IsTransient.Should().BeTrue();
        exception.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
        exception.Errors.Should().BeEmpty();
        exception.Message.Should().NotContain("<");
    }

    [Fact]
    public void Stale_object_and_object_not_found_in_a_batch_response_come_from_FromFault()
    {
        using var document = JsonDocument.Parse(Payload.Read("batch/batch-response-mixed.json"));
        var context = new QuickBooksResponseInfo(HttpStatusCode.OK, "application/json", null, "tid-b", "req-b", null);
        var faults = document.RootElement.GetProperty("BatchItemResponse").EnumerateArray()
            .Where(item => item.TryGetProperty("Fault", out _))
            .Select(item => QuickBooksFaultParser.FromFault(item.GetProperty("Fault"), context))
            .ToList();

        faults.Should().HaveCount(2);
        faults[0].Should().BeOfType<QuickBooksObjectNotFoundException>().Which.ErrorCode.Should().Be("610");
        faults[1].Should().BeOfType<QuickBooksStaleObjectException>().Which.ErrorCode.Should().Be("5010");
        faults[1].IsTransient.Should().BeFalse();
        faults[1].RequestId.Should().Be("req-b");
        faults[1].Message.Should().Contain("Stale Object Error").And.EndWith("(intuit_tid: tid-b, requestid: req-b)");
    }

    [Fact]
    public void Batch_response_with_item_faults_is_not_a_whole_response_fault()
    {
        ParseBody(200, Payload.Read("batch/batch-response-mixed.json")).Should().BeNull();
    }

    [Theory]
    [InlineData("customer/read-response.json", "application/json;charset=utf-8")]
    [InlineData("customer/query-all-maxresults1000.json", "application/json")]
    [InlineData("customer/query-response.xml", "application/xml")]
    [InlineData("oauth/token-success-placeholders.json", "application/json")]
    public void Parser_returns_null_for_a_normal_200_body(string file, string contentType)
    {
        ParseBody(200, Payload.Read(file), contentType).Should().BeNull();
    }

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    public void Parser_returns_null_for_an_empty_2xx_body(int status)
    {
        ParseBody(status, null).Should().BeNull();
        ParseBody(status, "").Should().BeNull();
    }

    public static TheoryData<int, string?> NonSuccessCases()
    {
        var data = new TheoryData<int, string?>();
        string?[] bodies = [null, "", "   ", "{}", "[]", "<x/>", "not json at all", "{\"Fault\":", "<IntuitResponse><Fault", "\uFEFF{\"fault\":{\"error\":[]}}", "{\"error\":\"invalid_grant\",\"error_description\":\"Token invalid\"}"];
        foreach (var status in new[] { 300, 302, 400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504 })
        {
            foreach (var body in bodies)
            {
                data.Add(status, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonSuccessCases))]
    public void Parser_never_returns_null_for_non_success(int status, string? body)
    {
        var exception = ParseBody(status, body);

        exception.Should().NotBeNull();
        exception!.StatusCode.Should().Be((HttpStatusCode)status);
        exception.Message.Should().StartWith($"QuickBooks Online returned {status}");
        if (QuickBooksTransientPredicates.IsTransient((HttpStatusCode)status))
        {
            exception.IsTransient.Should().BeTrue();
        }
    }

    [Fact]
    public void Invalid_grant_body_requires_reconnect()
    {
        ParseBody(400, Payload.Read("oauth/invalid-grant-token-invalid.json")).Should().BeOfType<QuickBooksAuthenticationException>()
            .Which.ReconnectRequired.Should().BeTrue();
    }

    [Fact]
    public void Message_never_contains_a_bearer_token_even_with_tid_and_request_id()
    {
        const string token = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..Qk9HVVNfVE9LRU5fUEFSVA.c2VjcmV0LXN0dWZm.bWFj";
        const string refresh = "AB11570127472xkc2VzvdNNgrSbWMmbyPMhY3QzEVp6n3Di1RV";
        var body = "{\"Fault\":{\"Error\":[{\"Message\":\"Echo Authorization: Bearer " + token + "\",\"Detail\":\"access_token=" + token
            + "&refresh_token=" + refresh + " raw " + token + "\",\"code\":\"3200\"}],\"type\":\"AUTHENTICATION\"}}";

        var exception = ParseBody(401, body, tid: "1-5f7e3c2a-2b0c", requestId: "6f1c7e0e-4a9b")!;

        exception.Message.Should().NotContain(token).And.NotContain("Qk9HVVNfVE9LRU5fUEFSVA").And.NotContain(refresh)
            .And.NotContain("Bearer eyJ").And.Contain("[redacted]")
            .And.EndWith("(intuit_tid: 1-5f7e3c2a-2b0c, requestid: 6f1c7e0e-4a9b)");
        exception.Errors.Should().OnlyContain(e => !(e.Detail ?? "").Contains(token) && !(e.Message ?? "").Contains(token));
    }

    [Fact]
    public void Bearer_token_in_an_unparseable_body_is_redacted()
    {
        const string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl";
        var exception = ParseBody(502, "upstream said: Authorization: Bearer " + token, "text/plain", tid: "t")!;

        exception.Message.Should().NotContain(token).And.NotContain("c2lnbmF0dXJl");
    }

    [Fact]
    public void Token_fragment_of_an_expired_token_is_not_in_the_message()
    {
        var exception = ParseFile("401-lowercase-fault-token-expired.json", 401)!;

        exception.Message.Should().NotContain("AB01601390262kxzxOlnHYdhtEVRXISU7piPqQrCmmbDN35Yjd");
    }

    [Fact]
    public void Long_raw_body_is_cut_to_a_safe_length()
    {
        var exception = ParseBody(502, new string('x', 20_000), "text/plain")!;

        exception.Message.Length.Should().BeLessThan(600);
    }

    [Fact]
    public void Unparseable_body_keeps_status_and_trimmed_text()
    {
        var exception = ParseBody(500, "  \r\n upstream connect error or disconnect/reset before headers \r\n", "text/plain")!;

        exception.Message.Should().Be("QuickBooks Online returned 500: upstream connect error or disconnect/reset before headers");
        exception.IsTransient.Should().BeTrue();
    }

    [Fact]
    public void Bom_before_a_json_fault_is_ignored()
    {
        var exception = ParseBody(400, "\uFEFF" + Payload.Read("faults/4001-invalid-context-declaration.json"));

        exception.Should().BeOfType<QuickBooksValidationException>().Which.ErrorCode.Should().Be("4001");
    }

    [Fact]
    public void Xml_fault_without_namespace_is_read()
    {
        const string body = "<IntuitResponse><Fault type=\"ValidationFault\"><Error code=\"6000\"><Message>m</Message><Detail>d</Detail></Error></Fault></IntuitResponse>";

        ParseBody(200, body, "text/xml").Should().BeOfType<QuickBooksValidationException>().Which.ErrorCode.Should().Be("6000");
    }
}
