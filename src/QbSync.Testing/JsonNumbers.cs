using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QbSync.Testing;

/// <summary>Reads numbers from JSON values whatever CLR type backs them.</summary>
internal static class JsonNumbers
{
    public static bool TryGetDecimal(JsonValue value, out decimal result)
    {
        if (value.TryGetValue(out result))
        {
            return true;
        }

        if (value.TryGetValue<long>(out var l))
        {
            result = l;
            return true;
        }

        if (value.TryGetValue<int>(out var i))
        {
            result = i;
            return true;
        }

        if (value.TryGetValue<double>(out var d))
        {
            result = (decimal)d;
            return true;
        }

        if (value.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number)
        {
            return e.TryGetDecimal(out result);
        }

        return decimal.TryParse(value.ToJsonString(), NumberStyles.Number, CultureInfo.InvariantCulture, out result);
    }

    public static decimal ToDecimal(JsonValue value) => TryGetDecimal(value, out var d) ? d : 0m;
}
