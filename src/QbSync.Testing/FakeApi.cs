using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using QbSync.Testing.Query;

namespace QbSync.Testing;

/// <summary>The accounting API routes: <c>/v3/company/{realm}/{entity}[/{id}]</c>, <c>/query</c>, <c>/batch</c>, <c>/cdc</c>.</summary>
internal sealed class FakeApi(QuickBooksOnlineFake fake)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly Dictionary<string, string> WwwAuthenticate = new() { ["Www-Authenticate"] = "Bearer realm=\"Intuit\", error=\"invalid_token\"" };

    private QuickBooksOnlineFakeOptions Options => fake.Options;

    public (FakeResponse Response, string? RealmId, FakeRequestKind Kind, bool Replayed) Handle(FakeRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 4 || segments[0] != "v3" || !string.Equals(segments[1], "company", StringComparison.OrdinalIgnoreCase))
        {
            return (new FakeResponse(404, "text/html; charset=iso-8859-1", FakeFaults.NotFoundHtml(request.Path)), null, FakeRequestKind.Other, false);
        }

        var realmId = segments[2];
        var resource = segments[3].ToLowerInvariant();
        var operation = request.QueryValue("operation")?.ToLowerInvariant();
        if (operation == "update" && string.Equals(request.QueryValue("include"), "void", StringComparison.OrdinalIgnoreCase))
        {
            // A payment is voided with ?operation=update&include=void.
            operation = "void";
        }

        var kind = resource switch
        {
            "query" => FakeRequestKind.Query,
            "batch" => FakeRequestKind.Batch,
            "cdc" => FakeRequestKind.ChangeDataCapture,
            _ when request.Method == "GET" => FakeRequestKind.Read,
            _ when operation == "delete" => FakeRequestKind.Delete,
            _ when operation == "void" => FakeRequestKind.Void,
            _ when request.Method == "POST" && HasId(request.Body) => FakeRequestKind.Update,
            _ when request.Method == "POST" => FakeRequestKind.Create,
            _ => FakeRequestKind.Other,
        };

        var auth = Authenticate(request);
        if (auth is not null)
        {
            return (auth, realmId, kind, false);
        }

        var company = fake.FindCompany(realmId, Options.AutoCreateCompanies);
        if (company is null)
        {
            return (new FakeResponse(403, "application/json", FakeFaults.ApplicationAuthorizationFailed(EpochTime.Milliseconds(Options.TimeProvider))), realmId, kind, false);
        }

        var requestId = request.QueryValue("requestid");
        lock (company.Gate)
        {
            if (requestId is not null && Options.ReplayRequestIds && company.RequestIds.TryGetValue(requestId, out var replay))
            {
                return (replay, realmId, kind, true);
            }

            var response = Dispatch(company, request, segments, resource, operation);
            if (requestId is not null && Options.ReplayRequestIds)
            {
                company.RequestIds[requestId] = response;
            }

            return (response, realmId, kind, false);
        }
    }

    private static bool HasId(string body)
    {
        // Cheap check used only to classify the request for the journal.
        return body.Contains("\"Id\"", StringComparison.Ordinal);
    }

    private FakeResponse? Authenticate(FakeRequest request)
    {
        if (Options.Authentication == FakeAuthenticationMode.None)
        {
            return null;
        }

        var now = EpochTime.Milliseconds(Options.TimeProvider);
        var header = request.Header("Authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length < 9)
        {
            return new FakeResponse(401, "application/json", FakeFaults.TokenInvalid("Malformed bearer token: too short or too long", now), WwwAuthenticate);
        }

        if (Options.Authentication == FakeAuthenticationMode.AnyBearerToken)
        {
            return null;
        }

        var token = header[7..].Trim();
        return fake.OAuth.CheckAccessToken(token) switch
        {
            AccessTokenState.Valid => null,
            AccessTokenState.Expired => new FakeResponse(401, "application/json", FakeFaults.TokenExpired(token, now), WwwAuthenticate),
            _ => new FakeResponse(401, "application/json", FakeFaults.TokenInvalid("Token revoked or invalid: " + (token.Length > 20 ? token[..20] : token), now), WwwAuthenticate),
        };
    }

    private FakeResponse Dispatch(FakeCompany company, FakeRequest request, string[] segments, string resource, string? operation)
    {
        try
        {
            switch (resource)
            {
                case "query":
                    var text = request.Method == "GET" ? request.QueryValue("query") ?? "" : request.Body;
                    var parsed = ParseQuery(text);
                    return Ok(company, w =>
                    {
                        w.WritePropertyName("QueryResponse");
                        company.Query(parsed, w);
                    });
                case "batch" when request.Method == "POST":
                    return Batch(company, request);
                case "cdc" when request.Method == "GET":
                    return ChangeDataCapture(company, request);
                case "preferences" when request.Method == "GET":
                    return Ok(company, company.WritePreferences);
            }

            if (!FakeCompany.TryGetEntityName(resource, out var entity))
            {
                throw FakeFaults.UnsupportedOperation(request.Path);
            }

            if (request.Method == "GET" && segments.Length == 5)
            {
                var found = company.Read(entity, segments[4]);
                return Ok(company, w => WriteEntityProperty(company, w, entity, found));
            }

            if (request.Method != "POST" || segments.Length != 4)
            {
                throw FakeFaults.UnsupportedOperation(request.Path);
            }

            var body = ParseBody(request.Body);
            var allowDuplicate = string.Equals(request.QueryValue("include"), "allowduplicatedocnum", StringComparison.OrdinalIgnoreCase);
            var result = Write(company, entity, body, operation, allowDuplicate);
            return Ok(company, w => WriteEntityProperty(company, w, entity, result));
        }
        catch (FakeFaultException fault)
        {
            return FaultResponse(company, fault);
        }
    }

    private static JsonObject Write(FakeCompany company, string entity, JsonObject body, string? operation, bool allowDuplicateDocNumber) => operation switch
    {
        "update" => company.Update(entity, body),
        "delete" => company.Delete(entity, body),
        "void" => company.Void(entity, body),
        _ when body.ContainsKey("Id") => company.Update(entity, body),
        _ => company.Create(entity, body, allowDuplicateDocNumber),
    };

    private ParsedQuery ParseQuery(string text)
    {
        try
        {
            return QueryParser.Parse(text);
        }
        catch (QueryParseException ex)
        {
            throw FakeFaults.QueryParse(ex.Message, Options.QueryParseErrorHttpStatus);
        }
    }

    private static JsonObject ParseBody(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw FakeFaults.RequestParse("body");
        }
        catch (JsonException ex)
        {
            throw new FakeFaultException(400, "2010", "Request has invalid or unsupported property", "Request body could not be parsed: " + ex.Message, element: null);
        }
    }

    private FakeResponse Batch(FakeCompany company, FakeRequest request)
    {
        var body = ParseBody(request.Body);
        if (body["BatchItemRequest"] is not JsonArray items)
        {
            throw FakeFaults.Required("BatchItemRequest");
        }

        if (items.Count > Options.MaxBatchItems)
        {
            throw new FakeFaultException(400, "1000", "Batch Request limit exceeded", "The number of BatchItemRequest objects (" + items.Count.ToString(CultureInfo.InvariantCulture) + ") is more than the maximum allowed (" + Options.MaxBatchItems.ToString(CultureInfo.InvariantCulture) + ").", element: null);
        }

        var order = Enumerable.Range(0, items.Count).ToArray();
        if (Options.ShuffleBatchResponses)
        {
            Random.Shared.Shuffle(order);
        }

        var results = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            results[i] = Json(w => BatchItem(company, w, items[i] as JsonObject ?? []));
        }

        return Ok(company, w =>
        {
            w.WriteStartArray("BatchItemResponse");
            foreach (var i in order)
            {
                w.WriteRawValue(results[i], skipInputValidation: true);
            }

            w.WriteEndArray();
        });
    }

    private void BatchItem(FakeCompany company, Utf8JsonWriter w, JsonObject item)
    {
        var bId = item["bId"]?.ToString();
        w.WriteStartObject();
        try
        {
            if (item["Query"] is JsonValue q)
            {
                var parsed = ParseQuery(q.ToString());
                using var buffer = new BufferedJson();
                company.Query(parsed, buffer.Writer);
                w.WritePropertyName("QueryResponse");
                w.WriteRawValue(buffer.ToString(), skipInputValidation: true);
            }
            else
            {
                var operation = item["operation"]?.ToString().ToLowerInvariant();
                var optionsData = item["optionsData"]?.ToString();
                var pair = item.FirstOrDefault(p => p.Key is not ("bId" or "operation" or "optionsData") && p.Value is JsonObject);
                if (pair.Value is not JsonObject body || !FakeCompany.TryGetEntityName(pair.Key, out var entity))
                {
                    throw FakeFaults.RequestParse(pair.Key ?? "entity");
                }

                var op = operation switch
                {
                    "delete" => "delete",
                    "update" when string.Equals(optionsData, "void", StringComparison.OrdinalIgnoreCase) => "void",
                    "update" => null,
                    "create" => null,
                    _ => throw FakeFaults.Required("operation"),
                };
                if (operation == "create")
                {
                    body = (JsonObject)body.DeepClone();
                    body.Remove("Id");
                }
                else if (operation == "update" && !body.ContainsKey("Id"))
                {
                    throw FakeFaults.Required("Id");
                }

                var allowDuplicate = string.Equals(optionsData, "allowduplicatedocnum", StringComparison.OrdinalIgnoreCase);
                var result = Write(company, entity, body, op, allowDuplicate);
                WriteEntityProperty(company, w, entity, result);
            }
        }
        catch (FakeFaultException fault)
        {
            w.WritePropertyName("Fault");
            fault.ToFaultNode().WriteTo(w);
        }

        if (bId is not null)
        {
            w.WriteString("bId", bId);
        }

        w.WriteEndObject();
    }

    private static FakeResponse ChangeDataCapture(FakeCompany company, FakeRequest request)
    {
        var entitiesText = request.QueryValue("entities");
        if (string.IsNullOrWhiteSpace(entitiesText))
        {
            throw FakeFaults.Required("entities");
        }

        var changedSinceText = request.QueryValue("changedSince");
        if (string.IsNullOrWhiteSpace(changedSinceText))
        {
            throw FakeFaults.Required("changedSince");
        }

        if (!DateTimeOffset.TryParse(changedSinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var changedSince))
        {
            throw new FakeFaultException(400, "2030", "Invalid date", "changedSince is not a valid date: " + changedSinceText, "changedSince");
        }

        var entities = new List<string>();
        foreach (var name in entitiesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!FakeCompany.TryGetEntityName(name, out var canonical))
            {
                throw FakeFaults.QueryValidation("invalid context declaration: " + name);
            }

            entities.Add(canonical);
        }

        return Ok(company, w =>
        {
            w.WriteStartArray("CDCResponse");
            w.WriteStartObject();
            w.WritePropertyName("QueryResponse");
            company.ChangeDataCapture(entities, changedSince, w);
            w.WriteEndObject();
            w.WriteEndArray();
        });
    }

    private static void WriteEntityProperty(FakeCompany company, Utf8JsonWriter w, string entity, JsonObject e)
    {
        w.WritePropertyName(entity);
        company.WriteEntity(w, e);
    }

    private static FakeResponse Ok(FakeCompany company, Action<Utf8JsonWriter> content) =>
        FakeResponse.JsonBody(200, Json(w =>
        {
            w.WriteStartObject();
            content(w);
            w.WriteString("time", company.TimeStamp());
            w.WriteEndObject();
        }));

    private static FakeResponse FaultResponse(FakeCompany company, FakeFaultException fault) =>
        FakeResponse.JsonBody(fault.HttpStatus, Json(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("Fault");
            fault.ToFaultNode().WriteTo(w);
            w.WriteString("time", company.TimeStamp());
            w.WriteEndObject();
        }));

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new BufferedJson();
        write(buffer.Writer);
        return buffer.ToString();
    }

    private sealed class BufferedJson : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);

        public BufferedJson() => Writer = new Utf8JsonWriter(_buffer, WriterOptions);

        public Utf8JsonWriter Writer { get; }

        public override string ToString()
        {
            Writer.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        public void Dispose() => Writer.Dispose();
    }
}
