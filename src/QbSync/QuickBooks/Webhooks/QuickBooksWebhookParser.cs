using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QbSync.QuickBooks.Webhooks;

/// <summary>
/// Reads QuickBooks Online webhook bodies, in the legacy <c>eventNotifications</c> format and in the CloudEvents
/// format (a JSON array), into <see cref="QuickBooksWebhookEvent"/>s.
/// </summary>
/// <remarks>Verify the signature with <see cref="QuickBooksWebhookVerifier"/> first.</remarks>
public static partial class QuickBooksWebhookParser
{
    private static readonly Dictionary<string, string> EntityNames = new[]
    {
        "Account", "Attachable", "Bill", "BillPayment", "Budget", "Class", "CompanyInfo", "CreditCardPayment",
        "CreditMemo", "Currency", "Customer", "CustomerType", "Department", "Deposit", "Employee", "Estimate",
        "Invoice", "Item", "JournalCode", "JournalEntry", "Payment", "PaymentMethod", "Preferences", "Purchase",
        "PurchaseOrder", "RefundReceipt", "SalesReceipt", "TaxAgency", "TaxCode", "TaxRate", "Term", "TimeActivity",
        "Transfer", "Vendor", "VendorCredit",
    }.ToDictionary(name => name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads every event of a webhook body.</summary>
    /// <param name="body">The raw request body (UTF-8, a leading BOM is ignored).</param>
    /// <returns>
    /// The events in the order sent. Entries without an entity id, entity name or realm id are skipped; an unknown
    /// operation gives <see cref="QuickBooksWebhookOperation.Unknown"/>; an unreadable time gives a
    /// <see langword="null"/> <see cref="QuickBooksWebhookEvent.OccurredAt"/>.
    /// </returns>
    /// <exception cref="FormatException">The body is not JSON, or is neither of the two formats.</exception>
    public static IReadOnlyList<QuickBooksWebhookEvent> Parse(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (body.StartsWith(bom))
        {
            body = body[bom.Length..];
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            using var document = JsonDocument.ParseValue(ref reader);
            return Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The webhook body is not valid JSON.", ex);
        }
    }

    /// <summary>Reads every event of a webhook body given as text.</summary>
    /// <param name="body">The request body.</param>
    /// <returns>The events in the order sent (see <see cref="Parse(ReadOnlySpan{byte})"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The body is not JSON, or is neither of the two formats.</exception>
    public static IReadOnlyList<QuickBooksWebhookEvent> Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Parse(System.Text.Encoding.UTF8.GetBytes(body));
    }

    private static List<QuickBooksWebhookEvent> Read(JsonElement root)
    {
        var events = new List<QuickBooksWebhookEvent>();
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && ReadCloudEvent(item) is { } cloudEvent)
                {
                    events.Add(cloudEvent);
                }
            }

            return events;
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("eventNotifications", out var notifications))
        {
            if (notifications.ValueKind == JsonValueKind.Array)
            {
                foreach (var notification in notifications.EnumerateArray())
                {
                    ReadNotification(notification, events);
                }
            }

            return events;
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("specversion", out _))
        {
            if (ReadCloudEvent(root) is { } single)
            {
                events.Add(single);
            }

            return events;
        }

        throw new FormatException("The webhook body is neither an eventNotifications object nor a CloudEvents array.");
    }

    private static void ReadNotification(JsonElement notification, List<QuickBooksWebhookEvent> events)
    {
        if (notification.ValueKind != JsonValueKind.Object
            || Text(notification, "realmId") is not { Length: > 0 } realmId
            || !notification.TryGetProperty("dataChangeEvent", out var change)
            || change.ValueKind != JsonValueKind.Object
            || !change.TryGetProperty("entities", out var entities)
            || entities.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var entity in entities.EnumerateArray())
        {
            if (entity.ValueKind != JsonValueKind.Object
                || Text(entity, "name") is not { Length: > 0 } name
                || Text(entity, "id") is not { Length: > 0 } id)
            {
                continue;
            }

            var operation = Text(entity, "operation");
            events.Add(new QuickBooksWebhookEvent
            {
                RealmId = realmId,
                EntityName = EntityName(name),
                EntityId = id,
                Operation = ParseOperation(operation),
                EventType = operation,
                DeletedId = Text(entity, "deletedId"),
                OccurredAt = ParseTime(Text(entity, "lastUpdated")),
            });
        }
    }

    private static QuickBooksWebhookEvent? ReadCloudEvent(JsonElement item)
    {
        var type = Text(item, "type");
        if (Text(item, "intuitaccountid") is not { Length: > 0 } realmId
            || Text(item, "intuitentityid") is not { Length: > 0 } id
            || type is null)
        {
            return null;
        }

        // type: qbo.<entity>.<verb>.v<n>
        var parts = type.Split('.');
        if (parts.Length < 3 || parts[1].Length == 0)
        {
            return null;
        }

        string? deletedId = null;
        if (item.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            deletedId = Text(data, "deletedid") ?? Text(data, "deletedId");
        }

        return new QuickBooksWebhookEvent
        {
            RealmId = realmId,
            EntityName = EntityName(parts[1]),
            EntityId = id,
            Operation = ParseOperation(parts[2]),
            EventType = type,
            DeletedId = deletedId,
            OccurredAt = ParseTime(Text(item, "time")),
            EventId = Text(item, "id"),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static string EntityName(string name)
    {
        if (EntityNames.TryGetValue(name, out var known))
        {
            return known;
        }

        return char.IsLower(name[0]) ? string.Concat(char.ToUpperInvariant(name[0]).ToString(), name.AsSpan(1)) : name;
    }

    private static QuickBooksWebhookOperation ParseOperation(string? operation) => operation?.Trim().ToUpperInvariant() switch
    {
        "CREATE" or "CREATED" => QuickBooksWebhookOperation.Create,
        "UPDATE" or "UPDATED" => QuickBooksWebhookOperation.Update,
        "DELETE" or "DELETED" => QuickBooksWebhookOperation.Delete,
        "MERGE" or "MERGED" => QuickBooksWebhookOperation.Merge,
        "VOID" or "VOIDED" => QuickBooksWebhookOperation.Void,
        "EMAILED" or "EMAIL" => QuickBooksWebhookOperation.Emailed,
        _ => QuickBooksWebhookOperation.Unknown,
    };

    /// <summary>
    /// Reads ISO 8601 times as QBO sends them: offsets without a colon (<c>-0700</c>) and more than seven fractional
    /// digits (CloudEvents sends nine; the extra digits are dropped).
    /// </summary>
    internal static DateTimeOffset? ParseTime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var match = TimePattern().Match(value.Trim());
        if (!match.Success)
        {
            return null;
        }

        var fraction = match.Groups["fraction"].Value;
        if (fraction.Length > 8)
        {
            fraction = fraction[..8];
        }

        var offset = match.Groups["offset"].Value;
        if (offset.Length == 0)
        {
            offset = "Z";
        }
        else if (offset.Length == 5)
        {
            offset = string.Concat(offset.AsSpan(0, 3), ":", offset.AsSpan(3));
        }

        var normalized = match.Groups["main"].Value + fraction + offset;
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var result)
            ? result
            : null;
    }

    [GeneratedRegex(@"^(?<main>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?<fraction>\.\d+)?(?<offset>Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TimePattern();
}
