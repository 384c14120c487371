using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// Reads one entity out of a QBO response, tolerating QBO sending a field in another JSON shape than the model's (a
/// string where an object is expected, say): such a field is dropped and the rest is read. A field the sync relies on
/// (<see cref="EssentialFields"/>) of the wrong shape, or a row that is not an object, makes the response unreadable:
/// a <see cref="QuickBooksUnreadableResponseException"/>, never a raw parser exception.
/// </summary>
internal static class QuickBooksEntityReader
{
    /// <summary>Fields that cannot be dropped: identity, concurrency, names and amounts.</summary>
    private static readonly HashSet<string> EssentialFields = new(StringComparer.Ordinal)
    {
        "Id", "SyncToken", "DisplayName", "Active", "Name", "TotalAmt", "DocNumber", "CustomerRef", "Line", "Balance",
    };

    private const int MaxDroppedFields = 16;

    public static T Read<T>(JsonElement row, JsonTypeInfo<T> typeInfo, string? intuitTid, string? requestId)
        where T : class
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw Unreadable(row, intuitTid, requestId, new JsonException($"A {typeof(T).Name} row is a JSON {row.ValueKind}, not an object."));
        }

        try
        {
            return row.Deserialize(typeInfo) ?? throw new JsonException($"A {typeof(T).Name} row is empty.");
        }
        catch (Exception first) when (first is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return ReadDroppingOddFields(row, typeInfo, intuitTid, requestId, first);
        }
    }

    private static T ReadDroppingOddFields<T>(JsonElement row, JsonTypeInfo<T> typeInfo, string? intuitTid, string? requestId, Exception first)
        where T : class
    {
        var node = JsonNode.Parse(row.GetRawText())!.AsObject();
        var error = first;
        for (var dropped = 0; dropped < MaxDroppedFields; dropped++)
        {
            var field = TopLevelField(error as JsonException);
            if (field is null || EssentialFields.Contains(field) || !node.Remove(field))
            {
                throw Unreadable(row, intuitTid, requestId, error);
            }

            try
            {
                return node.Deserialize(typeInfo) ?? throw new JsonException($"A {typeof(T).Name} row is empty.");
            }
            catch (Exception next) when (next is JsonException or InvalidOperationException or FormatException or OverflowException)
            {
                error = next;
            }
        }

        throw Unreadable(row, intuitTid, requestId, error);
    }

    /// <summary>The top-level property a <see cref="JsonException.Path"/> points into (<c>$.PrimaryEmailAddr.Address</c>
    /// → <c>PrimaryEmailAddr</c>).</summary>
    private static string? TopLevelField(JsonException? error)
    {
        var path = error?.Path;
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal) || path.Length < 3)
        {
            return null;
        }

        var rest = path[2..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }

    private static QuickBooksUnreadableResponseException Unreadable(JsonElement row, string? intuitTid, string? requestId, Exception error) =>
        QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, intuitTid, requestId, error, row.GetRawText(), transient: false);
}
