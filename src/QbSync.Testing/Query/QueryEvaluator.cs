using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QbSync.Testing.Query;

/// <summary>Applies a <see cref="ParsedQuery"/> to a list of stored entities.</summary>
internal sealed class QueryEvaluator(StringComparison stringComparison)
{
    /// <summary>Reads a field (dotted path, case-insensitive) of an entity as the query sees it.</summary>
    public delegate JsonNode? FieldReader(JsonObject entity, string path);

    /// <summary>Filters and orders <paramref name="entities"/>; the implicit <c>Active = true</c> applies to name lists unless the filter mentions Active.</summary>
    public List<JsonObject> Filter(ParsedQuery query, IEnumerable<JsonObject> entities, bool isNameList, FieldReader reader)
    {
        var conditions = query.Where;
        var implicitActive = isNameList && !conditions.Any(c => string.Equals(c.Field, "Active", StringComparison.OrdinalIgnoreCase));
        var result = new List<JsonObject>();
        foreach (var entity in entities)
        {
            if (implicitActive && reader(entity, "Active") is JsonValue active && active.TryGetValue<bool>(out var isActive) && !isActive)
            {
                continue;
            }

            var match = true;
            foreach (var condition in conditions)
            {
                if (!Matches(condition, reader(entity, condition.Field)))
                {
                    match = false;
                    break;
                }
            }

            if (match)
            {
                result.Add(entity);
            }
        }

        // Candidates arrive in Id order, which is the default order.
        if (query.OrderBy.Count > 0)
        {
            result.Sort((a, b) =>
            {
                foreach (var order in query.OrderBy)
                {
                    var c = CompareNodes(reader(a, order.Field), reader(b, order.Field));
                    if (c != 0)
                    {
                        return order.Descending ? -c : c;
                    }
                }

                return CompareIds(reader(a, "Id"), reader(b, "Id"));
            });
        }

        return result;
    }

    /// <summary>Reads a dotted path from a JSON object, ignoring case; a reference (<c>{"value":...}</c>) reads as its value.</summary>
    public static JsonNode? ReadPath(JsonObject entity, string path)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            var direct = GetIgnoreCase(entity, path);
            return direct is JsonObject r && GetIgnoreCase(r, "value") is { } v ? v : direct;
        }

        JsonNode? node = entity;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject obj)
            {
                return null;
            }

            node = GetIgnoreCase(obj, part);
        }

        if (node is JsonObject reference && GetIgnoreCase(reference, "value") is { } value)
        {
            return value;
        }

        return node;
    }

    private static JsonNode? GetIgnoreCase(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var pair in obj)
        {
            if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return pair.Value;
            }
        }

        return null;
    }

    private bool Matches(QueryCondition condition, JsonNode? node)
    {
        switch (condition.Operator)
        {
            case "IN":
                foreach (var literal in condition.Values)
                {
                    if (node is null ? literal.Kind == QueryLiteralKind.String && string.IsNullOrWhiteSpace(literal.Text) : Compare(node, literal) == 0)
                    {
                        return true;
                    }
                }

                return false;
            case "LIKE":
                return node is JsonValue v && v.GetValueKind() == JsonValueKind.String && Like(v.GetValue<string>(), condition.Values[0].Text);
        }

        if (node is null)
        {
            return false;
        }

        var cmp = Compare(node, condition.Values[0]);
        return condition.Operator switch
        {
            "=" => cmp == 0,
            "<" => cmp < 0 && cmp != int.MinValue,
            ">" => cmp > 0,
            "<=" => cmp <= 0 && cmp != int.MinValue,
            ">=" => cmp >= 0,
            "!=" or "<>" => cmp != 0,
            _ => false,
        };
    }

    /// <summary>Compares a stored value to a literal; <see cref="int.MinValue"/> means not comparable.</summary>
    private int Compare(JsonNode node, QueryLiteral literal)
    {
        if (node is not JsonValue value)
        {
            return int.MinValue;
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.True:
            case JsonValueKind.False:
                return literal.Kind == QueryLiteralKind.Boolean || literal.Kind == QueryLiteralKind.String
                    ? (string.Equals(value.GetValueKind() == JsonValueKind.True ? "true" : "false", literal.Text.Trim(), StringComparison.OrdinalIgnoreCase) ? 0 : 1)
                    : int.MinValue;
            case JsonValueKind.Number:
                return decimal.TryParse(literal.Text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)
                    ? JsonNumbers.ToDecimal(value).CompareTo(d)
                    : int.MinValue;
            case JsonValueKind.String:
                return CompareStrings(value.GetValue<string>(), literal.Text);
            default:
                return int.MinValue;
        }
    }

    private int CompareStrings(string stored, string literal)
    {
        if (decimal.TryParse(stored, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(literal, NumberStyles.Number, CultureInfo.InvariantCulture, out var b))
        {
            return a.CompareTo(b);
        }

        if (LooksLikeDate(stored) && LooksLikeDate(literal)
            && DateTimeOffset.TryParse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var x)
            && DateTimeOffset.TryParse(literal, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var y))
        {
            return x.CompareTo(y);
        }

        return Math.Sign(string.Compare(stored, literal, stringComparison));
    }

    private static bool LooksLikeDate(string s) => s.Length >= 10 && char.IsAsciiDigit(s[0]) && s[4] == '-' && s[7] == '-';

    private int CompareNodes(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        if (a is JsonValue va && b is JsonValue vb)
        {
            if (va.GetValueKind() == JsonValueKind.Number && vb.GetValueKind() == JsonValueKind.Number)
            {
                return JsonNumbers.ToDecimal(va).CompareTo(JsonNumbers.ToDecimal(vb));
            }

            return CompareStrings(va.ToString(), vb.ToString());
        }

        return 0;
    }

    private static int CompareIds(JsonNode? a, JsonNode? b)
    {
        var x = a?.ToString() ?? "";
        var y = b?.ToString() ?? "";
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
    }

    private bool Like(string value, string pattern)
    {
        var parts = pattern.Split('%');
        if (parts.Length == 1)
        {
            return string.Equals(value, pattern, stringComparison);
        }

        if (!value.StartsWith(parts[0], stringComparison))
        {
            return false;
        }

        var position = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            if (parts[i].Length == 0)
            {
                continue;
            }

            var found = value.IndexOf(parts[i], position, stringComparison);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        var last = parts[^1];
        return value.Length - position >= last.Length && value.EndsWith(last, stringComparison);
    }
}
