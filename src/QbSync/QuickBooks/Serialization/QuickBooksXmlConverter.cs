using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace QbSync.QuickBooks.Serialization;

/// <summary>
/// Turns an XML body from QBO (<c>IntuitResponse</c> in <c>http://schema.intuit.com/finance/v3</c>, sent now and then
/// although the client asked for JSON) into the JSON QBO would have sent, so that every JSON code path (entity reads,
/// queries and paging, batch, change data capture) reads it unchanged.
/// </summary>
/// <remarks>
/// Rules (no schema is consulted, so they follow the shapes of QBO's JSON):
/// <list type="bullet">
/// <item>Namespaces are ignored (local names only); namespaced attributes (<c>xmlns</c>, <c>xsi:*</c>) are dropped.</item>
/// <item><c>IntuitResponse</c> becomes the top-level object: its children, then its attributes (<c>time</c>). Any other
/// root (a bare <c>&lt;Payment&gt;</c>) is wrapped as <c>{"Payment": {…}}</c>.</item>
/// <item>An element with children becomes an object: its attributes (<c>domain</c>, <c>sparse</c>, <c>status</c>,
/// <c>bId</c>, a fault's <c>type</c>, an error's <c>code</c>/<c>element</c>), then its children.</item>
/// <item>An element with text and attributes becomes <c>{"value": text, attributes…}</c>
/// (<c>&lt;CustomerRef name="Amy"&gt;1&lt;/CustomerRef&gt;</c> → <c>{"value":"1","name":"Amy"}</c>); an element whose
/// name ends in <c>Ref</c> (and <c>CustomerMemo</c>) with text only becomes <c>{"value": text}</c>.</item>
/// <item>Repeated siblings become an array; so do, even when single, the names QBO's JSON always sends as arrays
/// (<c>Line</c>, <c>LinkedTxn</c>, <c>CustomField</c>, <c>TaxLine</c>, <c>Error</c>, …), every child of a
/// <c>QueryResponse</c> (the entity rows), <c>CDCResponse</c>, the <c>QueryResponse</c>s inside it and
/// <c>BatchItemResponse</c>.</item>
/// <item>The text <c>true</c>/<c>false</c> becomes a JSON boolean (<c>sparse="false"</c> too), except in free-text
/// elements (names, notes, addresses) and <c>name</c> attributes; all other text stays a string (the models read numbers from strings; ids stay strings). The
/// <c>startPosition</c>, <c>maxResults</c> and <c>totalCount</c> attributes of a <c>QueryResponse</c> become numbers.</item>
/// <item>An empty element (no attribute, no child, no text) is omitted, as QBO's JSON omits unset values; an empty
/// <c>QueryResponse</c>, <c>CDCResponse</c> or <c>BatchItemResponse</c> becomes <c>{}</c> so the structure stays.</item>
/// <item>Unknown shapes (a payment line's <c>LineEx</c>) follow the same rules and never throw; text mixed with child
/// elements is kept under <c>"value"</c>.</item>
/// </list>
/// DTDs are refused and no external resource is resolved; a leading BOM and whitespace are tolerated.
/// </remarks>
internal static class QuickBooksXmlConverter
{
    private const int MaxDepth = 64;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private static readonly HashSet<string> AlwaysArrays = new(StringComparer.Ordinal)
    {
        "Line", "LinkedTxn", "CustomField", "TaxLine", "Error", "NameValue", "BatchItemResponse", "CDCResponse",
        "AttachableResponse", "OtherContactInfo", "TaxRateDetail",
    };

    private static readonly HashSet<string> Containers = new(StringComparer.Ordinal)
    {
        "QueryResponse", "CDCResponse", "BatchItemResponse",
    };

    private static readonly HashSet<string> ValueWrapped = new(StringComparer.Ordinal) { "CustomerMemo" };

    private static readonly HashSet<string> QueryNumbers = new(StringComparer.Ordinal) { "startPosition", "maxResults", "totalCount" };

    // Elements holding text a user typed: "true" there is a name, not a flag.
    private static readonly HashSet<string> FreeText = new(StringComparer.Ordinal)
    {
        "Id", "SyncToken", "Name", "DisplayName", "FullyQualifiedName", "CompanyName", "GivenName", "MiddleName",
        "FamilyName", "Title", "Suffix", "PrintOnCheckName", "Notes", "Description", "PrivateNote", "CustomerMemo",
        "Memo", "DocNumber", "PaymentRefNum", "Line1", "Line2", "Line3", "Line4", "Line5", "City", "Country",
        "CountrySubDivisionCode", "PostalCode", "FreeFormNumber", "Address", "URI", "StringValue", "Value",
        "ResaleNum", "Sku", "Message", "Detail", "AcctNum", "BusinessNumber", "PrimaryTaxIdentifier",
    };

    /// <summary>
    /// Whether <paramref name="body"/> (after a BOM and whitespace) starts with <c>&lt;</c> and is not an HTML page.
    /// </summary>
    public static bool LooksLikeXml(string? body)
    {
        var text = Trim(body);
        if (text.IsEmpty || text[0] != '<')
        {
            return false;
        }

        var head = text[..Math.Min(text.Length, 2048)];
        return !head.Contains("<html", StringComparison.OrdinalIgnoreCase)
               && !head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Converts the XML body into the equivalent JSON document (the caller disposes it).</summary>
    /// <exception cref="XmlException">The body is not well-formed XML, holds a DTD, or nests too deep.</exception>
    public static JsonDocument ToJsonDocument(string body) => JsonDocument.Parse(ToJsonUtf8(body));

    /// <summary>Converts the XML body into the equivalent JSON, as UTF-8 bytes.</summary>
    /// <exception cref="XmlException">The body is not well-formed XML, holds a DTD, or nests too deep.</exception>
    public static byte[] ToJsonUtf8(string body)
    {
        XDocument document;
        using (var reader = XmlReader.Create(new StringReader(Trim(body).ToString()), Settings))
        {
            document = XDocument.Load(reader);
        }

        var root = document.Root ?? throw new XmlException("The XML body has no root element.");
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (root.Name.LocalName == "IntuitResponse")
            {
                writer.WriteStartObject();
                WriteChildren(writer, root, 1);
                WriteAttributes(writer, root, skip: (HashSet<string>?)null);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartObject();
                writer.WritePropertyName(root.Name.LocalName);
                WriteValue(writer, root, 1);
                writer.WriteEndObject();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ReadOnlySpan<char> Trim(string? body) => body.AsSpan().TrimStart("\uFEFF \t\r\n").TrimEnd();

    private static IEnumerable<XAttribute> AttributesOf(XElement element) =>
        element.Attributes().Where(a => !a.IsNamespaceDeclaration && a.Name.Namespace == XNamespace.None);

    private static bool IsOmitted(XElement element) =>
        !element.HasElements && element.Value.Length == 0 && !AttributesOf(element).Any() && !Containers.Contains(element.Name.LocalName);

    private static void WriteValue(Utf8JsonWriter writer, XElement element, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new XmlException($"The XML body nests deeper than {MaxDepth} elements.");
        }

        var name = element.Name.LocalName;
        if (!element.HasElements)
        {
            var text = element.Value;
            var hasAttributes = AttributesOf(element).Any();
            if (!hasAttributes && !Containers.Contains(name))
            {
                if (name.EndsWith("Ref", StringComparison.Ordinal) || ValueWrapped.Contains(name))
                {
                    writer.WriteStartObject();
                    writer.WriteString("value", text);
                    writer.WriteEndObject();
                }
                else if (!FreeText.Contains(name) && text is "true" or "false")
                {
                    writer.WriteBooleanValue(text == "true");
                }
                else
                {
                    writer.WriteStringValue(text);
                }

                return;
            }

            writer.WriteStartObject();
            if (text.Length > 0)
            {
                writer.WriteString("value", text);
            }

            WriteAttributes(writer, element, skip: text.Length > 0 ? "value" : null);
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartObject();
        var childNames = new HashSet<string>(element.Elements().Select(e => e.Name.LocalName), StringComparer.Ordinal);
        WriteAttributes(writer, element, skip: childNames);
        WriteChildren(writer, element, depth);
        var mixedText = string.Concat(element.Nodes().OfType<XText>().Select(t => t.Value)).Trim();
        if (mixedText.Length > 0 && !childNames.Contains("value") && !AttributesOf(element).Any(a => a.Name.LocalName == "value"))
        {
            writer.WriteString("value", mixedText);
        }

        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, XElement element, string? skip) =>
        WriteAttributes(writer, element, skip is null ? null : new HashSet<string>(StringComparer.Ordinal) { skip });

    private static void WriteAttributes(Utf8JsonWriter writer, XElement element, HashSet<string>? skip)
    {
        var queryResponse = element.Name.LocalName == "QueryResponse";
        foreach (var attribute in AttributesOf(element))
        {
            var name = attribute.Name.LocalName;
            if (skip?.Contains(name) == true)
            {
                continue;
            }

            if (queryResponse && QueryNumbers.Contains(name)
                && long.TryParse(attribute.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                writer.WriteNumber(name, number);
            }
            else if (name != "name" && attribute.Value is "true" or "false")
            {
                writer.WriteBoolean(name, attribute.Value == "true");
            }
            else
            {
                writer.WriteString(name, attribute.Value);
            }
        }
    }

    private static void WriteChildren(Utf8JsonWriter writer, XElement parent, int depth)
    {
        var parentName = parent.Name.LocalName;
        foreach (var group in parent.Elements().GroupBy(e => e.Name.LocalName, StringComparer.Ordinal))
        {
            var kept = group.Where(e => !IsOmitted(e)).ToList();
            if (kept.Count == 0)
            {
                continue;
            }

            writer.WritePropertyName(group.Key);
            if (kept.Count > 1 || IsAlwaysArray(parentName, group.Key))
            {
                writer.WriteStartArray();
                foreach (var child in kept)
                {
                    WriteValue(writer, child, depth + 1);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteValue(writer, kept[0], depth + 1);
            }
        }
    }

    private static bool IsAlwaysArray(string parentName, string childName) =>
        parentName == "QueryResponse"
        || (parentName == "CDCResponse" && childName == "QueryResponse")
        || AlwaysArrays.Contains(childName);
}
