using System.Globalization;
using System.Net;
using System.Text.Json;
using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>An entity QBO reports as deleted in a change-data-capture response (only its id and time).</summary>
/// <param name="EntityName">The entity, for example <c>Invoice</c>.</param>
/// <param name="Id">The deleted entity's id.</param>
/// <param name="DeletedAt">When it was deleted, if QBO said.</param>
public sealed record QuickBooksDeletedEntity(string EntityName, string Id, DateTimeOffset? DeletedAt);

/// <summary>The changes QBO reports since a point in time (at most 30 days back, at most 1000 objects).</summary>
public sealed class QuickBooksChanges
{
    /// <summary>Customers created or changed (a "deleted" customer is an inactive one and shows up here).</summary>
    public IReadOnlyList<Customer> Customers { get; init; } = [];

    /// <summary>Vendors created or changed.</summary>
    public IReadOnlyList<Vendor> Vendors { get; init; } = [];

    /// <summary>Employees created or changed.</summary>
    public IReadOnlyList<Employee> Employees { get; init; } = [];

    /// <summary>Items created or changed.</summary>
    public IReadOnlyList<Item> Items { get; init; } = [];

    /// <summary>Invoices created or changed.</summary>
    public IReadOnlyList<Invoice> Invoices { get; init; } = [];

    /// <summary>Payments created or changed.</summary>
    public IReadOnlyList<Payment> Payments { get; init; } = [];

    /// <summary>Entities reported with <c>status: Deleted</c>.</summary>
    public IReadOnlyList<QuickBooksDeletedEntity> Deleted { get; init; } = [];

    /// <summary>Rows of entities QbSync does not model, by entity name, as raw JSON.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Other { get; init; } = new Dictionary<string, IReadOnlyList<JsonElement>>();
}

/// <summary>Change data capture: what changed in a company since a point in time.</summary>
public class ChangeDataCaptureClient : QuickBooksSubClient
{
    /// <summary>For mocking.</summary>
    protected ChangeDataCaptureClient()
    {
    }

    internal ChangeDataCaptureClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Asks QBO which entities changed since <paramref name="changedSince"/>.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="entities">Entity names, for example <c>Customer</c>, <c>Invoice</c>, <c>Payment</c>.</param>
    /// <param name="changedSince">The start of the window (QBO keeps 30 days).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes.</returns>
    public virtual async Task<QuickBooksChanges> GetChangesAsync(string realmId, IEnumerable<string> entities, DateTimeOffset changedSince, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(entities);
        var names = entities.ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException("Name at least one entity.", nameof(entities));
        }

        foreach (var name in names)
        {
            _ = QuickBooksQuery.Select(name); // validates the identifier
        }

        var request = new QuickBooksApiRequest(realmId, HttpMethod.Get, "cdc", string.Join(',', names), "cdc")
        {
            Query =
            [
                new("entities", string.Join(',', names)),
                new("changedSince", changedSince.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
            ],
        };
        using var response = await Api.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(response.Root, response.IntuitTid);
    }

    internal static QuickBooksChanges Parse(JsonElement root, string? intuitTid = null)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("CDCResponse", out var cdc) || cdc.ValueKind != JsonValueKind.Array)
        {
            throw QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, intuitTid, null, new JsonException("The response holds no CDCResponse array."), root.GetRawText());
        }

        var context = QuickBooksJsonContext.Wire;
        var customers = new List<Customer>();
        var vendors = new List<Vendor>();
        var employees = new List<Employee>();
        var items = new List<Item>();
        var invoices = new List<Invoice>();
        var payments = new List<Payment>();
        var deleted = new List<QuickBooksDeletedEntity>();
        var other = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);

        foreach (var response in cdc.EnumerateArray())
        {
            if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("QueryResponse", out var queryResponses) || queryResponses.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var queryResponse in queryResponses.EnumerateArray())
            {
                if (queryResponse.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var property in queryResponse.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        continue; // startPosition, maxResults, totalCount
                    }

                    foreach (var row in property.Value.EnumerateArray())
                    {
                        if (row.ValueKind == JsonValueKind.Object && row.TryGetProperty("status", out var status) && status.ValueEquals("Deleted"))
                        {
                            deleted.Add(new QuickBooksDeletedEntity(
                                property.Name,
                                row.TryGetProperty("Id", out var id) ? id.ToString() : string.Empty,
                                QuickBooksEntityReader.Read(row, context.Customer, intuitTid, null).MetaData?.LastUpdatedTime));
                            continue;
                        }

                        switch (property.Name)
                        {
                            case "Customer": customers.Add(QuickBooksEntityReader.Read(row, context.Customer, intuitTid, null)); break;
                            case "Vendor": vendors.Add(QuickBooksEntityReader.Read(row, context.Vendor, intuitTid, null)); break;
                            case "Employee": employees.Add(QuickBooksEntityReader.Read(row, context.Employee, intuitTid, null)); break;
                            case "Item": items.Add(QuickBooksEntityReader.Read(row, context.Item, intuitTid, null)); break;
                            case "Invoice": invoices.Add(QuickBooksEntityReader.Read(row, context.Invoice, intuitTid, null)); break;
                            case "Payment": payments.Add(QuickBooksEntityReader.Read(row, context.Payment, intuitTid, null)); break;
                            default:
                                if (!other.TryGetValue(property.Name, out var rows))
                                {
                                    other[property.Name] = rows = [];
                                }

                                rows.Add(row.Clone());
                                break;
                        }
                    }
                }
            }
        }

        return new QuickBooksChanges
        {
            Customers = customers,
            Vendors = vendors,
            Employees = employees,
            Items = items,
            Invoices = invoices,
            Payments = payments,
            Deleted = deleted,
            Other = other.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<JsonElement>)pair.Value, StringComparer.Ordinal),
        };
    }
}
