using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace QbSync.QuickBooks;

/// <summary>What the fault parser needs to know about one HTTP response.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The <c>Content-Type</c> header, if any (the body is sniffed first: QBO sends XML faults to JSON clients).</param>
/// <param name="Body">The response body as text, or <see langword="null"/>.</param>
/// <param name="IntuitTid">The <c>intuit_tid</c> response header.</param>
/// <param name="RequestId">The <c>requestid</c> the request was sent with.</param>
/// <param name="RetryAfter">The <c>Retry-After</c> delay, if the response had one.</param>
internal readonly record struct QuickBooksResponseInfo(
    HttpStatusCode StatusCode,
    string? ContentType,
    string? Body,
    string? IntuitTid,
    string? RequestId,
    TimeSpan? RetryAfter);

/// <summary>
/// Turns QuickBooks Online error responses (JSON in either key casing, XML with or without namespace, HTML pages from
/// load balancers, bodies that are not well-formed) into the matching <see cref="QuickBooksException"/>.
/// </summary>
/// <remarks>
/// Classification, first match wins:
/// <list type="number">
/// <item>HTTP 429 or code 3001 (any status): <see cref="QuickBooksThrottledException"/>.</item>
/// <item>Fault type <c>Authorization</c>/<c>AuthorizationFault</c>, or code 3100/120 with a status below 500, or the
/// OAuth error <c>invalid_grant</c>: <see cref="QuickBooksAuthenticationException"/> with <c>ReconnectRequired</c>.</item>
/// <item>HTTP 401, fault type <c>Authentication</c>/<c>AuthenticationFault</c> (also inside an HTTP 500), or code
/// 100/3200/130 with a status below 500: <see cref="QuickBooksAuthenticationException"/> (refresh the token).</item>
/// <item>Any other 5xx (including 3100 <c>InternalServerError</c> and 10000 <c>SystemFault</c>): a transient
/// <see cref="QuickBooksException"/>.</item>
/// <item>Code 6240: <see cref="QuickBooksDuplicateNameException"/>; 5010: <see cref="QuickBooksStaleObjectException"/>;
/// 610 and 2500: <see cref="QuickBooksObjectNotFoundException"/>.</item>
/// <item>Fault type <c>Validation</c>/<c>ValidationFault</c>, or a 4xx other than 404/408 whose body held errors:
/// <see cref="QuickBooksValidationException"/> (this includes code <c>"500"</c> inside an HTTP 400, 2030, 4000, 4001).</item>
/// <item>Anything else (HTML pages, empty bodies, unknown fault types): <see cref="QuickBooksException"/>.</item>
/// </list>
/// </remarks>
internal static partial class QuickBooksFaultParser
{
    private const int MaxScannedChars = 64 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private enum BodyKind
    {
        Empty,
        Json,
        Xml,
        Html,
        Text,
    }

    /// <summary>
    /// For a non-success status, always the exception; for a 2xx, the exception when the body is a <c>Fault</c>
    /// (top-level JSON <c>Fault</c>/<c>fault</c>, an <c>AttachableResponse</c> whose every item is a fault, or XML
    /// <c>IntuitResponse/Fault</c>), else <see langword="null"/>. A 2xx JSON body without the text <c>"Fault"</c> or
    /// <c>"fault"</c> is not parsed.
    /// </summary>
    internal static QuickBooksException? Parse(in QuickBooksResponseInfo response)
    {
        var body = StripBom(response.Body);
        var kind = Sniff(body, response.ContentType);
        var success = (int)response.StatusCode is >= 200 and <= 299;

        if (success)
        {
            var info = kind switch
            {
                BodyKind.Json when body.Contains("\"Fault\"", StringComparison.Ordinal) || body.Contains("\"fault\"", StringComparison.Ordinal)
                    => ReadJson(body, response, faultRequired: true),
                BodyKind.Xml when body.Contains("Fault", StringComparison.Ordinal) => ReadXml(body, response, faultRequired: true),
                _ => null,
            };
            return info is null ? null : Create(info);
        }

        var failure = kind switch
        {
            BodyKind.Json => ReadJson(body, response, faultRequired: false),
            BodyKind.Xml => ReadXml(body, response, faultRequired: false),
            BodyKind.Html => ReadHtml(body, response),
            _ => null,
        };
        failure ??= Base(response) with { Summary = body };
        return Create(failure);
    }

    /// <summary>Builds the exception for one per-item <c>Fault</c> of a batch response (the value of its <c>"Fault"</c> key).</summary>
    internal static QuickBooksException FromFault(JsonElement fault, in QuickBooksResponseInfo context)
    {
        var info = Base(context);
        if (fault.ValueKind == JsonValueKind.Object)
        {
            info = ReadJsonFault(fault, info);
        }
        else
        {
            info = info with { Summary = fault.ValueKind == JsonValueKind.Undefined ? null : fault.GetRawText() };
        }

        return Create(info);
    }

    /// <summary>Chooses the exception type for what was read (see the class remarks).</summary>
    internal static QuickBooksException Create(QuickBooksFaultInfo info)
    {
        var status = info.StatusCode is { } s ? (int)s : 0;
        var serverError = status >= 500;
        var type = NormalizeType(info.FaultType);

        if (status == 429 || HasCode(info, "3001"))
        {
            return new QuickBooksThrottledException(info);
        }

        if (type == "AUTHORIZATION" || (!serverError && (HasCode(info, "3100") || HasCode(info, "120") || HasCode(info, "invalid_grant"))))
        {
            return new QuickBooksAuthenticationException(info, reconnectRequired: true);
        }

        if (status == 401 || type == "AUTHENTICATION" || (!serverError && (HasCode(info, "100") || HasCode(info, "3200") || HasCode(info, "130"))))
        {
            return new QuickBooksAuthenticationException(info, reconnectRequired: false);
        }

        if (serverError)
        {
            return new QuickBooksException(info);
        }

        if (HasCode(info, "6240"))
        {
            return new QuickBooksDuplicateNameException(info);
        }

        if (HasCode(info, "5010"))
        {
            return new QuickBooksStaleObjectException(info);
        }

        if (HasCode(info, "610") || HasCode(info, "2500"))
        {
            return new QuickBooksObjectNotFoundException(info);
        }

        if (type == "VALIDATION" || (status is >= 400 and <= 499 and not 404 and not 408 && info.Errors.Count > 0))
        {
            return new QuickBooksValidationException(info);
        }

        return new QuickBooksException(info);
    }

    private static QuickBooksFaultInfo Base(in QuickBooksResponseInfo response) => new()
    {
        StatusCode = response.StatusCode,
        IntuitTid = response.IntuitTid,
        RequestId = response.RequestId,
        RetryAfter = response.RetryAfter,
    };

    private static bool HasCode(QuickBooksFaultInfo info, string code)
    {
        foreach (var error in info.Errors)
        {
            var value = error.Code.AsSpan().Trim();
            while (value.Length > 1 && value[0] == '0')
            {
                value = value[1..];
            }

            if (value.Equals(code, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? NormalizeType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var upper = type.Trim().ToUpperInvariant();
        return upper.EndsWith("FAULT", StringComparison.Ordinal) && upper.Length > 5 ? upper[..^5] : upper;
    }

    private static string StripBom(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return string.Empty;
        }

        return body[0] == '\uFEFF' ? body[1..] : body;
    }

    private static BodyKind Sniff(string body, string? contentType)
    {
        var text = body.AsSpan().TrimStart();
        if (text.IsEmpty)
        {
            return BodyKind.Empty;
        }

        switch (text[0])
        {
            case '{' or '[':
                return BodyKind.Json;
            case '<':
                var head = text[..Math.Min(text.Length, 2048)];
                return head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
                    ? BodyKind.Html
                    : BodyKind.Xml;
        }

        return contentType is not null && contentType.Contains("html", StringComparison.OrdinalIgnoreCase) ? BodyKind.Html : BodyKind.Text;
    }

    // ----- JSON -----
    private static QuickBooksFaultInfo? ReadJson(string body, in QuickBooksResponseInfo response, bool faultRequired)
    {
        var info = Base(response);
        try
        {
            using var document = JsonDocument.Parse(body, JsonOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return faultRequired ? null : info with { Summary = body };
            }

            if (TryGetProperty(root, "Fault", out var fault) && fault.ValueKind == JsonValueKind.Object)
            {
                return ReadJsonFault(fault, info);
            }

            if (TryGetProperty(root, "AttachableResponse", out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0)
            {
                var errors = new List<QuickBooksError>();
                string? type = null;
                var allFaults = true;
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && TryGetProperty(item, "Fault", out var itemFault) && itemFault.ValueKind == JsonValueKind.Object)
                    {
                        var read = ReadJsonFault(itemFault, info);
                        type ??= read.FaultType;
                        errors.AddRange(read.Errors);
                    }
                    else
                    {
                        allFaults = false;
                    }
                }

                if (allFaults)
                {
                    return info with { FaultType = type, Errors = errors };
                }
            }

            if (faultRequired)
            {
                return null;
            }

            // An OAuth-style error body: {"error":"invalid_grant","error_description":"..."}.
            if (TryGetProperty(root, "error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                var description = TryGetProperty(root, "error_description", out var d) ? AsText(d) : null;
                return info with { Errors = [new QuickBooksError(error.GetString(), description, null, null)] };
            }

            return info with { Summary = body };
        }
        catch (JsonException)
        {
            return ReadLenient(body, info, isXml: false) ?? (faultRequired ? null : info with { Summary = body });
        }
    }

    private static QuickBooksFaultInfo ReadJsonFault(JsonElement fault, QuickBooksFaultInfo info)
    {
        var type = TryGetProperty(fault, "type", out var t) ? AsText(t) : null;
        var errors = new List<QuickBooksError>();
        if (TryGetProperty(fault, "Error", out var list))
        {
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    AddJsonError(item, errors);
                }
            }
            else
            {
                AddJsonError(list, errors);
            }
        }

        return info with { FaultType = type, Errors = errors };
    }

    private static void AddJsonError(JsonElement item, List<QuickBooksError> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        errors.Add(MakeError(
            TryGetProperty(item, "code", out var code) ? AsText(code) : null,
            TryGetProperty(item, "Message", out var message) ? AsText(message) : null,
            TryGetProperty(item, "Detail", out var detail) ? AsText(detail) : null,
            TryGetProperty(item, "element", out var element) ? AsText(element) : null));
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) || string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    // ----- XML -----
    private static QuickBooksFaultInfo? ReadXml(string body, in QuickBooksResponseInfo response, bool faultRequired)
    {
        var info = Base(response);
        XDocument document;
        try
        {
            using var text = new StringReader(body);
            using var reader = XmlReader.Create(text, XmlSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return ReadLenient(body, info, isXml: true) ?? (faultRequired ? null : info with { Summary = body });
        }

        var root = document.Root;
        var fault = root is null ? null
            : root.Name.LocalName == "Fault" ? root
            : root.Elements().FirstOrDefault(e => e.Name.LocalName == "Fault");
        if (fault is null)
        {
            return faultRequired ? null : info with { Summary = body };
        }

        var errors = fault.Elements()
            .Where(e => e.Name.LocalName == "Error")
            .Select(e => MakeError(
                (string?)e.Attribute("code"),
                (string?)e.Elements().FirstOrDefault(c => c.Name.LocalName == "Message"),
                (string?)e.Elements().FirstOrDefault(c => c.Name.LocalName == "Detail"),
                (string?)e.Attribute("element")))
            .ToList();
        return info with { FaultType = (string?)fault.Attribute("type"), Errors = errors };
    }

    // ----- Bodies that are not well-formed -----
    private static QuickBooksFaultInfo? ReadLenient(string body, QuickBooksFaultInfo info, bool isXml)
    {
        if (!body.Contains("fault", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var text = body.Length > MaxScannedChars ? body[..MaxScannedChars] : body;
        try
        {
            var errors = new List<QuickBooksError>();
            string? type;
            if (isXml)
            {
                type = XmlFaultType().Match(text) is { Success: true } t ? Decode(t.Groups[1].Value, isXml) : null;
                foreach (Match error in XmlError().Matches(text))
                {
                    var attributes = error.Groups[1].Value;
                    var inner = error.Groups[2].Value;
                    errors.Add(MakeError(
                        XmlCodeAttribute().Match(attributes) is { Success: true } c ? Decode(c.Groups[1].Value, isXml) : null,
                        XmlMessage().Match(inner) is { Success: true } m ? Decode(m.Groups[1].Value, isXml) : null,
                        XmlDetail().Match(inner) is { Success: true } d ? Decode(d.Groups[1].Value, isXml) : null,
                        XmlElementAttribute().Match(attributes) is { Success: true } e ? Decode(e.Groups[1].Value, isXml) : null));
                }
            }
            else
            {
                type = JsonString("type").Match(text) is { Success: true } t ? Decode(t.Groups[1].Value, isXml) : null;
                var code = JsonString("code").Match(text);
                var message = JsonString("Message").Match(text);
                var detail = JsonString("Detail").Match(text);
                if (code.Success || message.Success)
                {
                    errors.Add(MakeError(
                        code.Success ? Decode(code.Groups[1].Value, isXml) : null,
                        message.Success ? Decode(message.Groups[1].Value, isXml) : null,
                        detail.Success ? Decode(detail.Groups[1].Value, isXml) : null,
                        null));
                }
            }

            return errors.Count == 0 ? null : info with { FaultType = type, Errors = errors };
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static Regex JsonString(string key) => key switch
    {
        "type" => JsonType(),
        "code" => JsonCode(),
        "Message" => JsonMessage(),
        _ => JsonDetail(),
    };

    private static string Decode(string value, bool isXml)
    {
        if (isXml)
        {
            return WebUtility.HtmlDecode(value).Trim();
        }

        return value
            .Replace("\\n", "\n", StringComparison.Ordinal)
            .Replace("\\r", "\r", StringComparison.Ordinal)
            .Replace("\\t", "\t", StringComparison.Ordinal)
            .Replace("\\/", "/", StringComparison.Ordinal)
            .Replace("\\\"", "\"", StringComparison.Ordinal)
            .Replace("\\\\", "\\", StringComparison.Ordinal)
            .Trim();
    }

    // ----- HTML -----
    private static QuickBooksFaultInfo ReadHtml(string body, in QuickBooksResponseInfo response)
    {
        var info = Base(response);
        var text = body.Length > MaxScannedChars ? body[..MaxScannedChars] : body;
        try
        {
            var title = HtmlTitle().Match(text);
            var heading = title.Success && StripTags(title.Groups[1].Value).Length > 0 ? title : HtmlHeading().Match(text);
            if (heading.Success && StripTags(heading.Groups[1].Value) is { Length: > 0 } caption)
            {
                return info with { Summary = caption + " (HTML page)" };
            }
        }
        catch (RegexMatchTimeoutException)
        {
        }

        return info with { Summary = body };
    }

    private static string StripTags(string html) =>
        WebUtility.HtmlDecode(HtmlTag().Replace(html, " ")).Trim();

    private static QuickBooksError MakeError(string? code, string? message, string? detail, string? element) =>
        new(code?.Trim(), Clean(message), Clean(detail), element);

    private static string? Clean(string? text) => text is null ? null : QuickBooksFaultText.Redact(text.Trim());

    [GeneratedRegex(@"<(?:\w+:)?Fault\b[^>]*?\btype\s*=\s*""([^""]*)""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlFaultType();

    [GeneratedRegex(@"<(?:\w+:)?Error\b([^>]*)>(.*?)</(?:\w+:)?Error>", RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlError();

    [GeneratedRegex(@"\bcode\s*=\s*""([^""]*)""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlCodeAttribute();

    [GeneratedRegex(@"\belement\s*=\s*""([^""]*)""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlElementAttribute();

    [GeneratedRegex(@"<(?:\w+:)?Message>(.*?)</(?:\w+:)?Message>", RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlMessage();

    [GeneratedRegex(@"<(?:\w+:)?Detail>(.*?)</(?:\w+:)?Detail>", RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex XmlDetail();

    [GeneratedRegex(@"""type""\s*:\s*""((?:[^""\\]|\\.)*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonType();

    [GeneratedRegex(@"""code""\s*:\s*""?([^"",}\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonCode();

    [GeneratedRegex(@"""message""\s*:\s*""((?:[^""\\]|\\.)*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonMessage();

    [GeneratedRegex(@"""detail""\s*:\s*""((?:[^""\\]|\\.)*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonDetail();

    [GeneratedRegex(@"<title[^>]*>(.*?)</title>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HtmlTitle();

    [GeneratedRegex(@"<h[1-6][^>]*>(.*?)</h[1-6]>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HtmlHeading();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HtmlTag();
}
