using System.Text.Json.Nodes;

namespace QbSync.Testing;

/// <summary>A QBO fault raised by the fake's rules: rendered as <c>{"Fault":{"Error":[...],"type":...},"time":...}</c>.</summary>
internal sealed class FakeFaultException(int httpStatus, string code, string message, string? detail, string? element = "", string type = "ValidationFault")
    : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;

    public string Code { get; } = code;

    public string? Detail { get; } = detail;

    public string? Element { get; } = element;

    public string FaultType { get; } = type;

    public JsonObject ToFaultNode()
    {
        var error = new JsonObject { ["Message"] = Message };
        if (Detail is not null)
        {
            error[nameof(Detail)] = Detail;
        }

        error["code"] = Code;
        if (Element is not null)
        {
            error["element"] = Element;
        }

        return new JsonObject { ["Error"] = new JsonArray(error), ["type"] = FaultType };
    }
}

/// <summary>The fault bodies, shaped like recorded QBO traffic.</summary>
internal static class FakeFaults
{
    public const string InactiveDetailSuffix = "Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";

    public static FakeFaultException ObjectNotFound() =>
        new(400, "610", "Object Not Found", "Object Not Found : " + InactiveDetailSuffix);

    public static FakeFaultException InvalidReference(string element) =>
        new(400, "2500", "Invalid Reference Id", "Invalid Reference Id : " + InactiveDetailSuffix, element);

    public static FakeFaultException InvalidId(string supplied) =>
        new(400, "2030", "Invalid ID", "Id should be a valid number. Supplied value:" + supplied, "Id");

    public static FakeFaultException DuplicateName(string? existingId, bool includeId) =>
        new(400, "6240", "Duplicate Name Exists Error", "The name supplied already exists. : " + (includeId && existingId is not null ? "Id=" + existingId : "null"), element: null);

    public static FakeFaultException StaleObject(string entity) =>
        new(400, "5010", "Stale Object Error", "Stale Object Error : You and QbSync Fake were working on this at the same time. QbSync Fake finished before you did, so your work was not saved. Entity=" + entity);

    public static FakeFaultException DuplicateDocNumber() =>
        new(400, "6140", "Duplicate Document Number Error", "Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=");

    public static FakeFaultException NoTransactionAmount() =>
        new(400, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: You must set a transaction amount.");

    public static FakeFaultException NoName() =>
        new(400, "6080", "No Name Provided", "No Name Provided : You must provide a name (DisplayName, Title, GivenName, MiddleName, FamilyName or Suffix).");

    public static FakeFaultException InvalidCharacter(string element) =>
        new(400, "2050", "Invalid String Format", "String contains an invalid character: colon, tab and newline are not allowed in " + element + ".", element);

    public static FakeFaultException TooLong(string element, int max) =>
        new(400, "2040", "String length is either shorter or longer than supported by specification", "String length specified does not match the supported length. Min:0 Max:" + max + " supplied length:", element);

    public static FakeFaultException Required(string element) =>
        new(400, "2020", "Required param missing, need to supply the required value for the API", "Required parameter " + element + " is missing in the request", element);

    public static FakeFaultException RequestParse(string detail) =>
        new(400, "2010", "Request has invalid or unsupported property", "Property Name:" + detail + " specified is unsupported or invalid", element: null);

    public static FakeFaultException UnsupportedOperation(string path) =>
        new(400, "500", "Unsupported Operation", "Operation Could not find resource for relative : " + path + " of full path: https://fake.qbo.local/qbo50" + path + " is not supported.", element: null);

    public static FakeFaultException QueryParse(string detail, int status) =>
        new(status, "4000", "Error parsing query", detail, element: null);

    public static FakeFaultException QueryValidation(string detail) =>
        new(400, "4001", "Invalid query", "QueryValidationError: " + detail, element: null);

    /// <summary>The 3001 throttle body: XML even when JSON was asked for.</summary>
    public static string ThrottleXml(string time, int statusCodeInMessage) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        + "<IntuitResponse time=\"" + time + "\" xmlns=\"http://schema.intuit.com/finance/v3\">\n"
        + "    <Fault type=\"SERVICE\">\n"
        + "        <Error code=\"3001\">\n"
        + "            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=" + statusCodeInMessage + "</Message>\n"
        + "            <Detail>The request limit was reached.  Try again later</Detail>\n"
        + "        </Error>\n"
        + "    </Fault>\n"
        + "</IntuitResponse>";

    /// <summary>The lowercase gateway fault JSON (401 token expired, 403, 500 InternalServerError...).</summary>
    public static string LowercaseFault(string message, string? detail, string code, string type, long epochMs)
    {
        var error = new JsonObject { ["message"] = message, ["detail"] = detail, ["code"] = code, ["element"] = null };
        var root = new JsonObject
        {
            ["warnings"] = null,
            ["intuitObject"] = null,
            ["fault"] = new JsonObject { ["error"] = new JsonArray(error), ["type"] = type },
            ["report"] = null,
            ["queryResponse"] = null,
            ["batchItemResponse"] = new JsonArray(),
            ["attachableResponse"] = new JsonArray(),
            ["syncErrorResponse"] = null,
            ["requestId"] = null,
            ["time"] = epochMs,
            ["status"] = null,
            ["cdcresponse"] = new JsonArray(),
        };
        return root.ToJsonString();
    }

    public static string TokenExpired(string token, long epochMs) =>
        LowercaseFault("message=AuthenticationFailed; errorCode=003200; statusCode=401", "Token expired: " + Truncate(token, 50), "3200", "AUTHENTICATION", epochMs);

    public static string TokenInvalid(string detail, long epochMs) =>
        LowercaseFault("message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, "3200", "AUTHENTICATION", epochMs);

    public static string InternalServerError(long epochMs) =>
        LowercaseFault("message=InternalServerError; errorCode=003100; statusCode=500", null, "3100", "SERVICE", epochMs);

    public static string ApplicationAuthorizationFailed(long epochMs) =>
        LowercaseFault("message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", null, "3100", "SERVICE", epochMs);

    /// <summary>The load balancer's 503 page (as recorded from the accounting API).</summary>
    public const string ServiceUnavailableHtml =
        "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body bgcolor=\"white\">\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>Avi Vantage/</center>\n</body>\n</html>\n";

    public static string NotFoundHtml(string path) =>
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL " + System.Net.WebUtility.HtmlEncode(path) + " was not found on this server.</p>\n</body></html>\n";

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
