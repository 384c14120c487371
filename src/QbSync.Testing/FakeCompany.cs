using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QbSync.Testing.Query;

namespace QbSync.Testing;

/// <summary>A change made to a fake company's data, as a webhook would report it.</summary>
/// <param name="RealmId">The company.</param>
/// <param name="Entity">Entity name, e.g. <c>Customer</c>.</param>
/// <param name="Id">Entity id.</param>
/// <param name="Operation"><c>Create</c>, <c>Update</c>, <c>Delete</c> or <c>Void</c>.</param>
/// <param name="Time">When it happened (the fake's clock).</param>
public sealed record FakeChange(string RealmId, string Entity, string Id, string Operation, DateTimeOffset Time)
{
    /// <summary>For a <c>Merge</c>: the id of the record merged away into <see cref="Id"/>.</summary>
    public string? DeletedId { get; init; }
}

/// <summary>
/// One QBO company (realm) in the fake: customers, vendors, employees, customer types, items, invoices and payments,
/// stored as <see cref="JsonObject"/> in the shape QBO returns them, and the rules QBO applies to them.
/// Seeding helpers apply the same rules as the API; inspection helpers return copies.
/// </summary>
public sealed class FakeCompany
{
    private int _duplicateNameRefusals;

    internal static readonly string[] EntityNames = ["Customer", "Vendor", "Employee", "CustomerType", "Item", "Invoice", "Payment"];

    private static readonly string[] NameFields = ["DisplayName", "Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "PrintOnCheckName"];
    private static readonly string[] NameParts = ["Title", "GivenName", "MiddleName", "FamilyName", "Suffix"];
    private static readonly (string Field, int Max)[] Lengths =
        [("DisplayName", 500), ("GivenName", 100), ("MiddleName", 100), ("FamilyName", 100), ("Title", 16), ("Suffix", 16), ("CompanyName", 100), ("PrintOnCheckName", 110), ("Notes", 2000)];

    private static readonly HashSet<string> SystemFields = new(StringComparer.Ordinal)
    {
        "Id", "SyncToken", "MetaData", "domain", "sparse", "Balance", "BalanceWithJobs", "FullyQualifiedName", "CurrencyRef", "TotalAmt", "UnappliedAmt", "LinkedTxn",
    };

    private readonly QuickBooksOnlineFakeOptions _options;
    private readonly Dictionary<string, SortedDictionary<long, JsonObject>> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(string Id, DateTimeOffset Time)>> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _nextId = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FakeChange> _changes = [];
    private readonly Dictionary<string, FakeResponse> _requestIds = new(StringComparer.Ordinal);
    private readonly QueryEvaluator _evaluator;
    private readonly Dictionary<string, List<(string Entity, JsonObject Record)>> _names;
    private long _nextDocNumber = 1001;

    internal FakeCompany(string realmId, QuickBooksOnlineFakeOptions options)
    {
        RealmId = realmId;
        _options = options;
        _evaluator = new QueryEvaluator(options.QueryStringComparison);
        _names = new Dictionary<string, List<(string Entity, JsonObject Record)>>(StringComparer.FromComparison(options.DisplayNameComparison));
        RejectDuplicateDocNumbers = options.RejectDuplicateDocNumbers;
        foreach (var name in EntityNames)
        {
            _tables[name] = [];
            _deleted[name] = [];
            _nextId[name] = 1;
        }

        if (options.SeedReferenceLists)
        {
            SeedReferenceLists(options.SeedIndividualCustomerType);
        }
    }

    /// <summary>The realm id.</summary>
    public string RealmId { get; }

    /// <summary>The company preference behind 6140 (custom transaction numbers with "warn if duplicate").</summary>
    public bool RejectDuplicateDocNumbers { get; set; }

    /// <summary>The company's home currency (ISO code), reported in its preferences.</summary>
    public string HomeCurrency { get; set; } = "USD";

    /// <summary>Whether the company uses multicurrency: then a transaction keeps the <c>CurrencyRef</c> it is sent
    /// with; otherwise one in another currency than <see cref="HomeCurrency"/> is refused (6000, UNCONFIRMED code).</summary>
    public bool MultiCurrencyEnabled { get; set; }

    private readonly HashSet<string> _depositedPayments = new(StringComparer.Ordinal);

    /// <summary>Marks a payment as deposited: QBO then refuses to void or delete it (6540).</summary>
    /// <param name="paymentId">The payment's id.</param>
    public void MarkPaymentDeposited(string paymentId)
    {
        lock (Gate)
        {
            _depositedPayments.Add(paymentId);
        }
    }

    private void ThrowIfDeposited(string entity, JsonObject body)
    {
        if (entity == "Payment" && GetString(body, "Id") is { } id && _depositedPayments.Contains(id))
        {
            throw new FakeFaultException(400, "6540", "Deposited Transaction cannot be changed", "This transaction has been deposited. If you want to change or delete it, you must edit the deposit it appears on and remove it first.");
        }
    }

    /// <summary>Writes the <c>Preferences</c> entity (currency settings only).</summary>
    internal void WritePreferences(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteStartObject("Preferences");
        writer.WriteStartObject("CurrencyPrefs");
        writer.WriteBoolean(nameof(MultiCurrencyEnabled), MultiCurrencyEnabled);
        writer.WriteStartObject(nameof(HomeCurrency));
        writer.WriteString("value", HomeCurrency);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteString("domain", "QBO");
        writer.WriteString("Id", "1");
        writer.WriteString("SyncToken", "0");
        writer.WriteEndObject();
    }

    private JsonObject Currency(JsonObject e)
    {
        var sent = RefValue(e, "CurrencyRef");
        if (sent is not null && !string.Equals(sent, HomeCurrency, StringComparison.OrdinalIgnoreCase))
        {
            if (!MultiCurrencyEnabled)
            {
                throw new FakeFaultException(400, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: Multicurrency is not enabled for this company.");
            }

            return new JsonObject { ["value"] = sent.ToUpperInvariant() };
        }

        return HomeCurrency == "USD" ? UsDollars() : new JsonObject { ["value"] = HomeCurrency };
    }

    internal object Gate { get; } = new();

    internal Dictionary<string, FakeResponse> RequestIds => _requestIds;

    /// <summary>Customers, as stored (no " (deleted)" suffix), copies.</summary>
    public IReadOnlyList<JsonObject> Customers => GetAll("Customer");

    /// <summary>Vendors, copies.</summary>
    public IReadOnlyList<JsonObject> Vendors => GetAll("Vendor");

    /// <summary>Employees, copies.</summary>
    public IReadOnlyList<JsonObject> Employees => GetAll("Employee");

    /// <summary>Customer types, copies.</summary>
    public IReadOnlyList<JsonObject> CustomerTypes => GetAll("CustomerType");

    /// <summary>Items, copies.</summary>
    public IReadOnlyList<JsonObject> Items => GetAll("Item");

    /// <summary>Invoices, copies.</summary>
    public IReadOnlyList<JsonObject> Invoices => GetAll("Invoice");

    /// <summary>Payments, copies.</summary>
    public IReadOnlyList<JsonObject> Payments => GetAll("Payment");

    /// <summary>Every change made so far (creates, updates, deletes), oldest first.</summary>
    public IReadOnlyList<FakeChange> Changes
    {
        get
        {
            lock (Gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>All records of <paramref name="entity"/> (e.g. "Customer"), active and inactive, as stored; copies.</summary>
    public IReadOnlyList<JsonObject> GetAll(string entity)
    {
        lock (Gate)
        {
            return [.. Table(entity).Values.Select(e => (JsonObject)e.DeepClone())];
        }
    }

    /// <summary>Writes this company refused because the name was taken (6240), counted since it was created: what a
    /// sync that decides names well should keep at zero.</summary>
    public int DuplicateNameRefusals => Volatile.Read(ref _duplicateNameRefusals);

    /// <summary>Renames a customer, vendor or employee as a person would in QBO (a sparse update of its DisplayName).</summary>
    /// <param name="entity">"Customer", "Vendor" or "Employee".</param>
    /// <param name="id">The record's id.</param>
    /// <param name="displayName">The new DisplayName.</param>
    /// <returns>A copy of the stored record.</returns>
    /// <exception cref="InvalidOperationException">No such record, or QBO's rules refuse the name (the message
    /// carries the fault's code, as for seeding).</exception>
    public JsonObject Rename(string entity, string id, string displayName)
    {
        lock (Gate)
        {
            var current = Find(entity, id) ?? throw new InvalidOperationException($"No {entity} {id}.");
            try
            {
                return (JsonObject)Update(entity, new JsonObject
                {
                    ["Id"] = id,
                    ["SyncToken"] = GetString(current, "SyncToken"),
                    ["sparse"] = true,
                    ["DisplayName"] = displayName,
                }).DeepClone();
            }
            catch (FakeFaultException ex)
            {
                throw new InvalidOperationException($"QBO fault {ex.Code} {ex.Message}: {ex.Detail}", ex);
            }
        }
    }

    /// <summary>One record by id, as stored, or null; a copy.</summary>
    public JsonObject? Get(string entity, string id)
    {
        lock (Gate)
        {
            return Find(entity, id)?.DeepClone() as JsonObject;
        }
    }

    /// <summary>Adds a customer through the same rules as the API (throws <see cref="InvalidOperationException"/> on a fault).</summary>
    /// <param name="displayName">The DisplayName.</param>
    /// <param name="active">False to store it inactive (it still holds its name).</param>
    /// <param name="configure">Optional extra fields to set on the request body (e.g. GivenName, PrimaryEmailAddr).</param>
    /// <returns>A copy of the stored customer.</returns>
    public JsonObject AddCustomer(string displayName, bool active = true, Action<JsonObject>? configure = null) =>
        Seed("Customer", new JsonObject { ["DisplayName"] = displayName }, active, configure);

    /// <summary>Adds a vendor (it holds its DisplayName against customers and employees).</summary>
    /// <param name="displayName">The DisplayName.</param>
    /// <param name="active">False to store it inactive.</param>
    /// <returns>A copy of the stored vendor.</returns>
    public JsonObject AddVendor(string displayName, bool active = true) =>
        Seed("Vendor", new JsonObject { ["DisplayName"] = displayName }, active, null);

    /// <summary>Adds an employee (it holds its DisplayName against customers and vendors).</summary>
    /// <param name="displayName">The DisplayName.</param>
    /// <param name="active">False to store it inactive.</param>
    /// <returns>A copy of the stored employee.</returns>
    public JsonObject AddEmployee(string displayName, bool active = true) =>
        Seed("Employee", new JsonObject { ["DisplayName"] = displayName }, active, null);

    /// <summary>Adds a customer type (read-only through the API).</summary>
    /// <param name="name">The Name.</param>
    /// <param name="active">False to store it inactive.</param>
    /// <returns>A copy of the stored customer type.</returns>
    public JsonObject AddCustomerType(string name, bool active = true) =>
        Seed("CustomerType", new JsonObject { ["Name"] = name }, active, null);

    /// <summary>Adds a service item.</summary>
    /// <param name="name">The Name.</param>
    /// <param name="unitPrice">The UnitPrice.</param>
    /// <param name="active">False to store it inactive.</param>
    /// <returns>A copy of the stored item.</returns>
    public JsonObject AddItem(string name, decimal unitPrice = 0m, bool active = true) =>
        Seed("Item", new JsonObject { ["Name"] = name, ["UnitPrice"] = unitPrice, ["Type"] = "Service" }, active, null);

    /// <summary>Adds an invoice of one line for <paramref name="amount"/> on item <paramref name="itemId"/>.</summary>
    /// <param name="customerId">An active customer's id.</param>
    /// <param name="amount">The line amount.</param>
    /// <param name="docNumber">The DocNumber, or null to number it automatically.</param>
    /// <param name="itemId">An existing item id (the seeded "Services" item is 1).</param>
    /// <returns>A copy of the stored invoice.</returns>
    public JsonObject AddInvoice(string customerId, decimal amount, string? docNumber = null, string itemId = "1")
    {
        var body = new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["Line"] = new JsonArray(new JsonObject
            {
                ["DetailType"] = "SalesItemLineDetail",
                ["Amount"] = amount,
                ["SalesItemLineDetail"] = new JsonObject { ["ItemRef"] = new JsonObject { ["value"] = itemId } },
            }),
        };
        if (docNumber is not null)
        {
            body["DocNumber"] = docNumber;
        }

        return Seed("Invoice", body, true, null);
    }

    /// <summary>Makes a customer inactive, as a user deleting it in QBO would (QBO keeps it, inactive, with
    /// <c>" (deleted)"</c> after its name in reads); recorded as an <c>Update</c> change.</summary>
    /// <param name="customerId">The customer.</param>
    /// <returns>A copy of the stored customer.</returns>
    /// <exception cref="InvalidOperationException">No such customer.</exception>
    public JsonObject DeactivateCustomer(string customerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        lock (Gate)
        {
            var current = Find("Customer", customerId) ?? throw new InvalidOperationException("No customer " + customerId + ".");
            var updated = Update("Customer", new JsonObject { ["Id"] = customerId, ["SyncToken"] = GetString(current, "SyncToken"), ["sparse"] = true, ["Active"] = false });
            return (JsonObject)updated.DeepClone();
        }
    }

    /// <summary>Merges one customer into another, as QBO does when a user renames a customer to another's name and
    /// confirms the merge: <paramref name="fromId"/> no longer exists (reads answer "object not found"), and a
    /// <c>Merge</c> change on <paramref name="intoId"/> is recorded with <see cref="FakeChange.DeletedId"/>.</summary>
    /// <param name="fromId">The customer merged away.</param>
    /// <param name="intoId">The surviving customer.</param>
    /// <exception cref="InvalidOperationException">Either customer does not exist, or they are the same.</exception>
    public void MergeCustomer(string fromId, string intoId)
    {
        ArgumentException.ThrowIfNullOrEmpty(fromId);
        ArgumentException.ThrowIfNullOrEmpty(intoId);
        lock (Gate)
        {
            var from = Find("Customer", fromId) ?? throw new InvalidOperationException("No customer " + fromId + ".");
            _ = Find("Customer", intoId) ?? throw new InvalidOperationException("No customer " + intoId + ".");
            if (fromId == intoId)
            {
                throw new InvalidOperationException("A customer cannot be merged into itself.");
            }

            RemoveCustomer(fromId, from);
            _changes.Add(new FakeChange(RealmId, "Customer", intoId, "Merge", Now) { DeletedId = fromId });
        }
    }

    /// <summary>Renames a customer as a person would in QBO (a sparse update of its DisplayName); recorded as an
    /// <c>Update</c> change. The same as <see cref="Rename"/> with <c>"Customer"</c>.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="displayName">The new DisplayName; the API's name rules apply (unique across customers, vendors
    /// and employees; no colon, tab or newline).</param>
    /// <returns>A copy of the stored customer.</returns>
    /// <exception cref="InvalidOperationException">No such customer, or QBO's rules refuse the name.</exception>
    public JsonObject RenameCustomer(string customerId, string displayName)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentNullException.ThrowIfNull(displayName);
        return Rename("Customer", customerId, displayName);
    }

    /// <summary>Removes a customer altogether: reads answer 610 "Object Not Found", queries no longer list it, change
    /// data capture reports it deleted, and a <c>Delete</c> change is recorded (so a webhook can be sent for it). Its
    /// name becomes free.</summary>
    /// <remarks>QBO itself never removes a customer: its "delete" makes the customer inactive, which is
    /// <see cref="DeactivateCustomer"/>. Use this for a linked customer that is simply gone (a company restored
    /// from a backup, a record purged by support): the "customer no longer exists" path your code must survive too.</remarks>
    /// <param name="customerId">The customer.</param>
    /// <exception cref="InvalidOperationException">No such customer.</exception>
    public void DeleteCustomer(string customerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        lock (Gate)
        {
            var current = Find("Customer", customerId) ?? throw new InvalidOperationException("No customer " + customerId + ".");
            RemoveCustomer(customerId, current);
            _changes.Add(new FakeChange(RealmId, "Customer", customerId, "Delete", Now));
        }
    }

    /// <summary>Takes a customer out of the table and the name index; remembered as deleted for change data capture.
    /// The caller holds <see cref="Gate"/> and records the change.</summary>
    private void RemoveCustomer(string customerId, JsonObject record)
    {
        Table("Customer").Remove(long.Parse(customerId, CultureInfo.InvariantCulture));
        if (GetString(record, "DisplayName") is { } name && _names.TryGetValue(name, out var holders))
        {
            holders.RemoveAll(h => ReferenceEquals(h.Record, record));
            if (holders.Count == 0)
            {
                _names.Remove(name);
            }
        }

        _deleted["Customer"].Add((customerId, Now));
    }

    /// <summary>Seeds the usual demo set: 3 active customers, 1 inactive customer, a vendor and an employee that hold names.</summary>
    public void SeedDemoData()
    {
        AddCustomer("Amy's Bird Sanctuary");
        AddCustomer("Bill's Windsurf Shop");
        AddCustomer("Cool Cars");
        AddCustomer("Old Client", active: false);
        AddVendor("Books by Bessie");
        AddEmployee("Emily Platt");
    }

    private JsonObject Seed(string entity, JsonObject body, bool active, Action<JsonObject>? configure)
    {
        configure?.Invoke(body);
        lock (Gate)
        {
            try
            {
                var created = Create(entity, body, allowDuplicateDocNumber: false, allowReadOnly: true);
                if (!active)
                {
                    // Seeding may deactivate read-only lists (customer types) that the API itself cannot change.
                    created = Update(entity, new JsonObject { ["Id"] = created["Id"]!.GetValue<string>(), ["SyncToken"] = created["SyncToken"]!.GetValue<string>(), ["sparse"] = true, ["Active"] = false }, allowReadOnly: true);
                }

                return (JsonObject)created.DeepClone();
            }
            catch (FakeFaultException ex)
            {
                throw new InvalidOperationException($"QBO fault {ex.Code} {ex.Message}: {ex.Detail}", ex);
            }
        }
    }

    private void SeedReferenceLists(bool individual)
    {
        lock (Gate)
        {
            if (individual)
            {
                Create("CustomerType", new JsonObject { ["Name"] = "Individual" }, false, true);
            }

            foreach (var name in new[] { "Retail", "Wholesale", "Business" })
            {
                Create("CustomerType", new JsonObject { ["Name"] = name }, false, true);
            }

            Create("Item", new JsonObject { ["Name"] = "Services", ["Type"] = "Service", ["UnitPrice"] = 0 }, false, true);
            Create("Item", new JsonObject { ["Name"] = "Bookkeeping", ["Type"] = "Service", ["UnitPrice"] = 150 }, false, true);
            Create("Item", new JsonObject { ["Name"] = "Tax Return", ["Type"] = "Service", ["UnitPrice"] = 300 }, false, true);
            _changes.Clear();
        }
    }

    internal static bool TryGetEntityName(string name, out string canonical)
    {
        foreach (var e in EntityNames)
        {
            if (string.Equals(e, name, StringComparison.OrdinalIgnoreCase))
            {
                canonical = e;
                return true;
            }
        }

        canonical = name;
        return false;
    }

    /// <summary>Stores a record and keeps the DisplayName index in step.</summary>
    private void Store(string entity, JsonObject record, JsonObject? previous)
    {
        Table(entity)[long.Parse(GetString(record, "Id")!, CultureInfo.InvariantCulture)] = record;
        if (!HoldsDisplayName(entity))
        {
            return;
        }

        if (previous is not null && GetString(previous, "DisplayName") is { } oldName && _names.TryGetValue(oldName, out var oldList))
        {
            oldList.RemoveAll(h => ReferenceEquals(h.Record, previous));
            if (oldList.Count == 0)
            {
                _names.Remove(oldName);
            }
        }

        var name = GetString(record, "DisplayName")!;
        if (!_names.TryGetValue(name, out var list))
        {
            _names[name] = list = [];
        }

        list.Add((entity, record));
    }

    private static bool IsSystemField(string entity, string field) =>
        SystemFields.Contains(field) && !(entity == "Payment" && field == "TotalAmt") && !(entity is "Invoice" or "Payment" && field == "CurrencyRef");

    internal static bool IsNameList(string entity) => entity is "Customer" or "Vendor" or "Employee" or "CustomerType" or "Item";

    private static bool HoldsDisplayName(string entity) => entity is "Customer" or "Vendor" or "Employee";

    private SortedDictionary<long, JsonObject> Table(string entity) =>
        TryGetEntityName(entity, out var canonical) ? _tables[canonical] : throw new ArgumentException("Unknown entity " + entity, nameof(entity));

    internal JsonObject? Find(string entity, string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && Table(entity).TryGetValue(key, out var e) ? e : null;

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow().ToOffset(_options.UtcOffset);

    internal string TimeStamp() => Now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private string MetaTime() => Now.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string? GetString(JsonObject obj, string name) =>
        obj.TryGetPropertyValue(name, out var node) && node is JsonValue v ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()) : null;

    private static string? RefValue(JsonObject obj, string name) =>
        obj.TryGetPropertyValue(name, out var node) && node is JsonObject r ? GetString(r, "value") : null;

    private static decimal? GetDecimal(JsonObject obj, string name)
    {
        if (!obj.TryGetPropertyValue(name, out var node) || node is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.Number => JsonNumbers.ToDecimal(v),
            JsonValueKind.String when decimal.TryParse(v.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }

    private static bool IsActive(JsonObject obj) => obj["Active"] is not JsonValue v || v.GetValueKind() != JsonValueKind.False;

    // ---------------------------------------------------------------- operations (callers hold Gate)

    internal JsonObject Create(string entity, JsonObject body, bool allowDuplicateDocNumber, bool allowReadOnly = false)
    {
        if (entity == "CustomerType" && !allowReadOnly)
        {
            throw FakeFaults.UnsupportedOperation("/v3/company/" + RealmId + "/customertype");
        }

        var e = (JsonObject)body.DeepClone();
        foreach (var field in SystemFields)
        {
            if (IsSystemField(entity, field))
            {
                e.Remove(field);
            }
        }

        var id = _nextId[entity];
        e["Id"] = id.ToString(CultureInfo.InvariantCulture);
        e["SyncToken"] = "0";
        switch (entity)
        {
            case "Customer":
            case "Vendor":
            case "Employee":
                PrepareNamed(entity, e, null);
                break;
            case "CustomerType":
            case "Item":
                PrepareList(entity, e, null);
                break;
            case "Invoice":
                PrepareInvoice(e, null, allowDuplicateDocNumber);
                break;
            case "Payment":
                PreparePayment(e, null);
                break;
        }

        var now = MetaTime();
        e["MetaData"] = new JsonObject { ["CreateTime"] = now, ["LastUpdatedTime"] = now };
        e["domain"] = "QBO";
        e["sparse"] = false;
        _nextId[entity] = id + 1;
        Store(entity, e, null);
        if (entity == "Payment")
        {
            RefreshInvoices(GetString(e, "Id")!, PaymentLinks(e).Select(l => l.InvoiceId), RefValue(e, "CustomerRef"));
        }

        if (entity == "Invoice")
        {
            RecomputeCustomerBalance(RefValue(e, "CustomerRef"));
        }

        RecordChange(entity, e, "Create");
        return e;
    }

    internal JsonObject Update(string entity, JsonObject body, bool allowReadOnly = false)
    {
        if (entity == "CustomerType" && !allowReadOnly)
        {
            throw FakeFaults.UnsupportedOperation("/v3/company/" + RealmId + "/customertype");
        }

        var current = FindForWrite(entity, body);
        var sparse = body["sparse"] is JsonValue sv && sv.GetValueKind() == JsonValueKind.True;
        JsonObject next;
        if (sparse)
        {
            next = (JsonObject)current.DeepClone();
            foreach (var pair in body)
            {
                if (!IsSystemField(entity, pair.Key))
                {
                    next[pair.Key] = pair.Value?.DeepClone();
                }
            }
        }
        else
        {
            next = new JsonObject();
            foreach (var pair in current)
            {
                if (IsSystemField(entity, pair.Key) || pair.Key is "Taxable" or "Job" or "BillWithParent" or "PreferredDeliveryMethod" or "DefaultTaxCodeRef" or "Type")
                {
                    next[pair.Key] = pair.Value?.DeepClone();
                }
            }

            foreach (var pair in body)
            {
                if (!IsSystemField(entity, pair.Key))
                {
                    next[pair.Key] = pair.Value?.DeepClone();
                }
            }

            if (!next.ContainsKey("Active"))
            {
                next["Active"] = true;
            }
        }

        if (entity is "Customer" or "Vendor" or "Employee" && next["DisplayName"] is null && current["DisplayName"] is { } oldName)
        {
            // DisplayName cannot be removed with an update.
            next["DisplayName"] = oldName.DeepClone();
        }

        switch (entity)
        {
            case "Customer":
            case "Vendor":
            case "Employee":
                PrepareNamed(entity, next, current);
                break;
            case "Item":
                PrepareList(entity, next, current);
                break;
            case "Invoice":
                PrepareInvoice(next, current, allowDuplicateDocNumber: true);
                break;
            case "Payment":
                PreparePayment(next, current);
                break;
        }

        if (Unchanged(current, next))
        {
            return current;
        }

        Touch(next, current);
        Store(entity, next, current);
        if (entity == "Payment")
        {
            RefreshInvoices(GetString(next, "Id")!, PaymentLinks(current).Concat(PaymentLinks(next)).Select(l => l.InvoiceId), RefValue(next, "CustomerRef"));
            RecomputeCustomerBalance(RefValue(current, "CustomerRef"));
        }
        else if (entity == "Invoice")
        {
            RecomputeCustomerBalance(RefValue(next, "CustomerRef"));
        }

        RecordChange(entity, next, "Update");
        return next;
    }

    internal JsonObject Delete(string entity, JsonObject body)
    {
        ThrowIfDeposited(entity, body);
        if (entity is not ("Invoice" or "Payment"))
        {
            throw FakeFaults.UnsupportedOperation("/v3/company/" + RealmId + "/" + entity.ToLowerInvariant() + "?operation=delete");
        }

        var current = FindForWrite(entity, body);
        var id = GetString(current, "Id")!;
        Table(entity).Remove(long.Parse(id, CultureInfo.InvariantCulture));
        _deleted[entity].Add((id, Now));
        if (entity == "Payment")
        {
            RefreshInvoices(id, PaymentLinks(current).Select(l => l.InvoiceId), RefValue(current, "CustomerRef"));
        }
        else
        {
            RecomputeCustomerBalance(RefValue(current, "CustomerRef"));
        }

        _changes.Add(new FakeChange(RealmId, entity, id, "Delete", Now));
        return new JsonObject { ["domain"] = "QBO", ["status"] = "Deleted", ["Id"] = id };
    }

    internal JsonObject Void(string entity, JsonObject body)
    {
        ThrowIfDeposited(entity, body);
        if (entity == "Payment")
        {
            var payment = FindForWrite(entity, body);
            var voided = (JsonObject)payment.DeepClone();
            voided["TotalAmt"] = 0m;
            voided["UnappliedAmt"] = 0m;
            voided["Line"] = new JsonArray();
            voided["PrivateNote"] = "Voided";
            Touch(voided, payment);
            var paymentId = GetString(payment, "Id")!;
            Table(entity)[long.Parse(paymentId, CultureInfo.InvariantCulture)] = voided;
            RefreshInvoices(paymentId, PaymentLinks(payment).Select(l => l.InvoiceId), RefValue(payment, "CustomerRef"));
            RecordChange(entity, voided, "Void");
            return voided;
        }

        if (entity != "Invoice")
        {
            throw FakeFaults.UnsupportedOperation("/v3/company/" + RealmId + "/" + entity.ToLowerInvariant() + "?operation=void");
        }

        var current = FindForWrite(entity, body);
        var next = (JsonObject)current.DeepClone();
        if (next["Line"] is JsonArray lines)
        {
            foreach (var line in lines.OfType<JsonObject>())
            {
                line["Amount"] = 0m;
            }
        }

        next["TotalAmt"] = 0m;
        next["Balance"] = 0m;
        next["PrivateNote"] = "Voided";
        Touch(next, current);
        Table(entity)[long.Parse(GetString(current, "Id")!, CultureInfo.InvariantCulture)] = next;
        RecomputeCustomerBalance(RefValue(next, "CustomerRef"));
        RecordChange(entity, next, "Void");
        return next;
    }

    internal JsonObject Read(string entity, string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw FakeFaults.InvalidId(id);
        }

        return Find(entity, id) ?? throw FakeFaults.ObjectNotFound();
    }

    private JsonObject FindForWrite(string entity, JsonObject body)
    {
        var id = GetString(body, "Id") ?? throw FakeFaults.Required("Id");
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw FakeFaults.InvalidId(id);
        }

        var current = Find(entity, id) ?? throw FakeFaults.ObjectNotFound();
        var syncToken = GetString(body, "SyncToken") ?? throw FakeFaults.Required("SyncToken");
        if (syncToken != GetString(current, "SyncToken"))
        {
            throw FakeFaults.StaleObject(entity);
        }

        return current;
    }

    private static bool Unchanged(JsonObject current, JsonObject next)
    {
        foreach (var pair in next)
        {
            if (pair.Key is "MetaData" or "SyncToken" or "sparse")
            {
                continue;
            }

            if (!current.TryGetPropertyValue(pair.Key, out var old) || !JsonNode.DeepEquals(old, pair.Value))
            {
                return false;
            }
        }

        foreach (var pair in current)
        {
            if (pair.Key is not ("MetaData" or "SyncToken" or "sparse") && !next.ContainsKey(pair.Key))
            {
                return false;
            }
        }

        return true;
    }

    private void Touch(JsonObject next, JsonObject current)
    {
        var token = long.Parse(GetString(current, "SyncToken")!, CultureInfo.InvariantCulture) + 1;
        next["SyncToken"] = token.ToString(CultureInfo.InvariantCulture);
        next["MetaData"] = new JsonObject
        {
            ["CreateTime"] = current["MetaData"]?["CreateTime"]?.DeepClone(),
            ["LastUpdatedTime"] = MetaTime(),
        };
        next["sparse"] = false;
    }

    private void RecordChange(string entity, JsonObject e, string operation) =>
        _changes.Add(new FakeChange(RealmId, entity, GetString(e, "Id")!, operation, Now));

    // ---------------------------------------------------------------- name lists

    private void PrepareNamed(string entity, JsonObject e, JsonObject? current)
    {
        foreach (var field in NameFields)
        {
            if (GetString(e, field) is { } value && value.AsSpan().IndexOfAny(":\t\n") >= 0)
            {
                throw FakeFaults.InvalidCharacter(field);
            }
        }

        foreach (var (field, max) in Lengths)
        {
            if (GetString(e, field) is { } value && value.Length > max)
            {
                throw FakeFaults.TooLong(field, max);
            }
        }

        var displayName = GetString(e, "DisplayName");
        if (string.IsNullOrEmpty(displayName))
        {
            var parts = NameParts.Select(f => GetString(e, f)).Where(s => !string.IsNullOrWhiteSpace(s));
            displayName = string.Join(' ', parts);
            if (displayName.Length == 0)
            {
                throw FakeFaults.NoName();
            }

            e["DisplayName"] = displayName;
        }

        var selfId = current is null ? null : GetString(current, "Id");
        if (_names.TryGetValue(displayName, out var holders))
        {
            foreach (var (holder, other) in holders)
            {
                if (!(holder == entity && GetString(other, "Id") == selfId))
                {
                    Interlocked.Increment(ref _duplicateNameRefusals);
                    throw FakeFaults.DuplicateName(GetString(other, "Id"), _options.DuplicateNameDetailIncludesId);
                }
            }
        }

        if (entity == "Customer" && RefValue(e, "CustomerTypeRef") is { } typeId && (Find("CustomerType", typeId) is not { } type || !IsActive(type)))
        {
            throw FakeFaults.InvalidReference("CustomerTypeRef");
        }

        e["Active"] ??= true;
        if (GetString(e, "PrintOnCheckName") is null)
        {
            e["PrintOnCheckName"] = displayName;
        }

        switch (entity)
        {
            case "Customer":
                e["FullyQualifiedName"] = displayName;
                e["Taxable"] ??= false;
                e["Job"] ??= false;
                e["BillWithParent"] ??= false;
                e["Balance"] ??= 0;
                e["BalanceWithJobs"] ??= 0;
                e["CurrencyRef"] ??= UsDollars();
                e["PreferredDeliveryMethod"] ??= "Print";
                break;
            case "Vendor":
                e["Balance"] ??= 0;
                e["Vendor1099"] ??= false;
                e["CurrencyRef"] ??= UsDollars();
                break;
            case "Employee":
                e["BillableTime"] ??= false;
                break;
        }
    }

    private void PrepareList(string entity, JsonObject e, JsonObject? current)
    {
        var name = GetString(e, "Name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw FakeFaults.Required("Name");
        }

        if (name.AsSpan().IndexOfAny(":\t\n") >= 0)
        {
            throw FakeFaults.InvalidCharacter("Name");
        }

        var selfId = current is null ? null : GetString(current, "Id");
        foreach (var other in _tables[entity].Values)
        {
            if (GetString(other, "Id") != selfId && string.Equals(GetString(other, "Name"), name, _options.DisplayNameComparison))
            {
                throw FakeFaults.DuplicateName(GetString(other, "Id"), _options.DuplicateNameDetailIncludesId);
            }
        }

        e["Active"] ??= true;
        e["FullyQualifiedName"] = name;
        if (entity == "Item")
        {
            e["Type"] ??= "Service";
            e["UnitPrice"] ??= 0;
            e["Taxable"] ??= false;
            e["IncomeAccountRef"] ??= new JsonObject { ["value"] = "1", ["name"] = "Services" };
        }
    }

    private static JsonObject UsDollars() => new() { ["value"] = "USD", ["name"] = "United States Dollar" };

    // ---------------------------------------------------------------- transactions

    private JsonObject ActiveCustomer(JsonObject e)
    {
        var customerId = RefValue(e, "CustomerRef") ?? throw FakeFaults.Required("CustomerRef");
        var customer = Find("Customer", customerId) ?? throw FakeFaults.InvalidReference("CustomerRef");
        if (!IsActive(customer))
        {
            throw FakeFaults.ObjectNotFound();
        }

        e["CustomerRef"] = new JsonObject { ["value"] = customerId, ["name"] = GetString(customer, "DisplayName") };
        return customer;
    }

    private void PrepareInvoice(JsonObject e, JsonObject? current, bool allowDuplicateDocNumber)
    {
        ActiveCustomer(e);
        if (e["Line"] is not JsonArray lines || lines.Count == 0)
        {
            throw FakeFaults.Required("Line");
        }

        var total = 0m;
        var salesLines = new JsonArray();
        var lineNumber = 0;
        foreach (var node in lines)
        {
            if (node is not JsonObject line || GetString(line, "DetailType") is "SubTotalLineDetail")
            {
                continue;
            }

            var copy = (JsonObject)line.DeepClone();
            if (copy["SalesItemLineDetail"] is JsonObject detail)
            {
                var itemId = RefValue(detail, "ItemRef") ?? throw FakeFaults.InvalidReference("Line.SalesItemLineDetail.ItemRef");
                if (Find("Item", itemId) is not { } item || !IsActive(item))
                {
                    throw FakeFaults.InvalidReference("Line.SalesItemLineDetail.ItemRef");
                }

                detail["ItemRef"] = new JsonObject { ["value"] = itemId, ["name"] = GetString(item, "Name") };
                if (GetDecimal(copy, "Amount") is null && GetDecimal(detail, "Qty") is { } qty && GetDecimal(detail, "UnitPrice") is { } price)
                {
                    copy["Amount"] = qty * price;
                }
            }

            var amount = GetDecimal(copy, "Amount") ?? throw FakeFaults.Required("Line.Amount");
            if (_options.RoundAmountsToCents)
            {
                amount = decimal.Round(amount, 2, MidpointRounding.AwayFromZero);
                copy["Amount"] = amount;
            }

            lineNumber++;
            copy["Id"] ??= lineNumber.ToString(CultureInfo.InvariantCulture);
            copy["LineNum"] = lineNumber;
            total += amount;
            salesLines.Add(copy);
        }

        if (lineNumber == 0)
        {
            throw FakeFaults.Required("Line");
        }

        salesLines.Add(new JsonObject { ["Amount"] = total, ["DetailType"] = "SubTotalLineDetail", ["SubTotalLineDetail"] = new JsonObject() });
        e["Line"] = salesLines;

        var docNumber = GetString(e, "DocNumber");
        if (docNumber is null)
        {
            docNumber = current is not null && GetString(current, "DocNumber") is { } old ? old : (_nextDocNumber++).ToString(CultureInfo.InvariantCulture);
            e["DocNumber"] = docNumber;
        }
        else if (docNumber.Length > 21)
        {
            throw FakeFaults.TooLong("DocNumber", 21);
        }
        else if (RejectDuplicateDocNumbers && !allowDuplicateDocNumber)
        {
            var selfId = current is null ? null : GetString(current, "Id");
            if (_tables["Invoice"].Values.Any(i => GetString(i, "Id") != selfId && GetString(i, "DocNumber") == docNumber))
            {
                throw FakeFaults.DuplicateDocNumber();
            }
        }

        e["TxnDate"] ??= Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        e["CurrencyRef"] = Currency(e);
        e["TotalAmt"] = total;
        var paid = current is null ? 0m : PaidAgainst(GetString(current, "Id")!);
        e["Balance"] = total - paid;
        e["LinkedTxn"] = current?["LinkedTxn"]?.DeepClone() ?? new JsonArray();
    }

    private decimal PaidAgainst(string invoiceId)
    {
        var paid = 0m;
        foreach (var payment in _tables["Payment"].Values)
        {
            foreach (var (txnId, amount) in PaymentLinks(payment))
            {
                if (txnId == invoiceId)
                {
                    paid += amount;
                }
            }
        }

        return paid;
    }

    private static IEnumerable<(string InvoiceId, decimal Amount)> PaymentLinks(JsonObject payment)
    {
        if (payment["Line"] is not JsonArray lines)
        {
            yield break;
        }

        foreach (var line in lines.OfType<JsonObject>())
        {
            var amount = GetDecimal(line, "Amount") ?? 0m;
            if (line["LinkedTxn"] is JsonArray linked)
            {
                foreach (var link in linked.OfType<JsonObject>())
                {
                    if (string.Equals(GetString(link, "TxnType"), "Invoice", StringComparison.OrdinalIgnoreCase) && GetString(link, "TxnId") is { } id)
                    {
                        yield return (id, amount);
                    }
                }
            }
        }
    }

    private void PreparePayment(JsonObject e, JsonObject? current)
    {
        var customer = ActiveCustomer(e);
        var total = GetDecimal(e, "TotalAmt") ?? throw FakeFaults.NoTransactionAmount();
        var applied = 0m;
        foreach (var (invoiceId, amount) in PaymentLinks(e))
        {
            var invoice = Find("Invoice", invoiceId) ?? throw FakeFaults.ObjectNotFound();
            if (RefValue(invoice, "CustomerRef") != GetString(customer, "Id"))
            {
                throw FakeFaults.InvalidReference("Line.LinkedTxn.TxnId");
            }

            applied += amount;
        }

        if (applied > total)
        {
            throw new FakeFaultException(400, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: The amount applied to transactions is more than the payment amount.");
        }

        e["TotalAmt"] = total;
        e["UnappliedAmt"] = total - applied;
        e["TxnDate"] ??= current?["TxnDate"]?.DeepClone() ?? Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        e["CurrencyRef"] = Currency(e);
        e["ProcessPayment"] ??= false;
        e["Line"] ??= new JsonArray();
    }

    /// <summary>Brings the Balance and LinkedTxn of the invoices a payment links to in line with the stored payments.</summary>
    private void RefreshInvoices(string paymentId, IEnumerable<string> invoiceIds, string? customerId)
    {
        var payment = Find("Payment", paymentId);
        foreach (var invoiceId in invoiceIds.Distinct())
        {
            if (Find("Invoice", invoiceId) is not { } invoice)
            {
                continue;
            }

            var next = (JsonObject)invoice.DeepClone();
            var links = next["LinkedTxn"] as JsonArray ?? [];
            next["LinkedTxn"] = links;
            var existing = links.OfType<JsonObject>().FirstOrDefault(l => GetString(l, "TxnId") == paymentId);
            var linked = payment is not null && PaymentLinks(payment).Any(l => l.InvoiceId == invoiceId);
            if (linked && existing is null)
            {
                links.Add(new JsonObject { ["TxnId"] = paymentId, ["TxnType"] = "Payment" });
            }
            else if (!linked && existing is not null)
            {
                links.Remove(existing);
            }

            next["Balance"] = (GetDecimal(next, "TotalAmt") ?? 0m) - PaidAgainst(invoiceId);
            if (Unchanged(invoice, next))
            {
                continue;
            }

            Touch(next, invoice);
            Table("Invoice")[long.Parse(invoiceId, CultureInfo.InvariantCulture)] = next;
            RecordChange("Invoice", next, "Update");
        }

        RecomputeCustomerBalance(customerId);
    }

    private void RecomputeCustomerBalance(string? customerId)
    {
        if (customerId is null || Find("Customer", customerId) is not { } customer)
        {
            return;
        }

        var balance = _tables["Invoice"].Values.Where(i => RefValue(i, "CustomerRef") == customerId).Sum(i => GetDecimal(i, "Balance") ?? 0m);
        customer["Balance"] = balance;
        customer["BalanceWithJobs"] = balance;
    }

    // ---------------------------------------------------------------- reading: queries, CDC, rendering

    internal JsonNode? ReadField(JsonObject entity, string path)
    {
        var node = QueryEvaluator.ReadPath(entity, path);
        if (_options.AppendDeletedSuffixToInactiveNames && node is JsonValue v && v.GetValueKind() == JsonValueKind.String && !IsActive(entity)
            && (string.Equals(path, "DisplayName", StringComparison.OrdinalIgnoreCase) || string.Equals(path, "FullyQualifiedName", StringComparison.OrdinalIgnoreCase)))
        {
            return JsonValue.Create(v.GetValue<string>() + " (deleted)");
        }

        return node;
    }

    /// <summary>Runs a query; writes the <c>QueryResponse</c> object.</summary>
    internal void Query(ParsedQuery query, Utf8JsonWriter writer)
    {
        if (!TryGetEntityName(query.Entity, out var entity))
        {
            throw FakeFaults.QueryValidation("invalid context declaration: " + query.Entity);
        }

        if (query.MaxResults is { } max && max > _options.MaxPageSize)
        {
            throw FakeFaults.QueryValidation("value " + max.ToString(CultureInfo.InvariantCulture) + " is too large. Max allowed value is " + _options.MaxPageSize.ToString(CultureInfo.InvariantCulture));
        }

        if (query.MaxResults is < 1 || query.StartPosition is < 1)
        {
            throw FakeFaults.QueryValidation("value " + (query.MaxResults is < 1 ? query.MaxResults : query.StartPosition)!.Value.ToString(CultureInfo.InvariantCulture) + " is too small. Min allowed value is 1");
        }

        var rows = _evaluator.Filter(query, Candidates(entity, query), IsNameList(entity), ReadField);
        writer.WriteStartObject();
        if (query.IsCount)
        {
            writer.WriteNumber("totalCount", rows.Count);
            writer.WriteEndObject();
            return;
        }

        var start = (int)Math.Min(query.StartPosition ?? 1, int.MaxValue);
        var take = (int)(query.MaxResults ?? _options.DefaultPageSize);
        var page = rows.Skip(start - 1).Take(take).ToList();
        if (page.Count > 0)
        {
            writer.WriteStartArray(entity);
            foreach (var row in page)
            {
                WriteEntity(writer, row);
            }

            writer.WriteEndArray();
            writer.WriteNumber("startPosition", start);
            writer.WriteNumber("maxResults", page.Count);
        }

        writer.WriteEndObject();
    }

    /// <summary>Narrows the scan with the DisplayName index or the Id when the filter allows it; the evaluator still applies every condition.</summary>
    private IEnumerable<JsonObject> Candidates(string entity, ParsedQuery query)
    {
        foreach (var condition in query.Where)
        {
            if (condition.Operator != "=" || condition.Values[0].Kind != QueryLiteralKind.String)
            {
                continue;
            }

            var value = condition.Values[0].Text;
            if (string.Equals(condition.Field, "Id", StringComparison.OrdinalIgnoreCase))
            {
                return Find(entity, value) is { } found ? [found] : [];
            }

            var indexIsLenientEnough = _options.DisplayNameComparison == _options.QueryStringComparison || _options.DisplayNameComparison == StringComparison.OrdinalIgnoreCase;
            if (HoldsDisplayName(entity) && indexIsLenientEnough && string.Equals(condition.Field, "DisplayName", StringComparison.OrdinalIgnoreCase))
            {
                var result = new List<JsonObject>();
                AddHolders(entity, value, result);
                if (value.EndsWith(" (deleted)", StringComparison.Ordinal))
                {
                    AddHolders(entity, value[..^" (deleted)".Length], result);
                }

                result.Sort((a, b) => long.Parse(GetString(a, "Id")!, CultureInfo.InvariantCulture).CompareTo(long.Parse(GetString(b, "Id")!, CultureInfo.InvariantCulture)));
                return result;
            }
        }

        return _tables[entity].Values;
    }

    private void AddHolders(string entity, string name, List<JsonObject> result)
    {
        if (_names.TryGetValue(name, out var holders))
        {
            result.AddRange(holders.Where(h => h.Entity == entity).Select(h => h.Record));
        }
    }

    /// <summary>Writes the CDC <c>QueryResponse</c> array for the given entities.</summary>
    internal void ChangeDataCapture(IReadOnlyList<string> entities, DateTimeOffset changedSince, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var entity in entities)
        {
            var changed = _tables[entity].Values
                .Where(e => DateTimeOffset.TryParse(GetString((JsonObject)e["MetaData"]!, "LastUpdatedTime"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && t >= changedSince)
                .ToList();
            var deleted = _deleted[entity].Where(d => d.Time >= changedSince).ToList();
            writer.WriteStartObject();
            if (changed.Count + deleted.Count > 0)
            {
                writer.WriteStartArray(entity);
                foreach (var e in changed)
                {
                    WriteEntity(writer, e);
                }

                foreach (var (id, time) in deleted)
                {
                    writer.WriteStartObject();
                    writer.WriteString("domain", "QBO");
                    writer.WriteString("status", "Deleted");
                    writer.WriteString("Id", id);
                    writer.WriteStartObject("MetaData");
                    writer.WriteString("LastUpdatedTime", time.ToOffset(_options.UtcOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("startPosition", 1);
                writer.WriteNumber("maxResults", changed.Count + deleted.Count);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes an entity as QBO returns it (" (deleted)" on inactive names when enabled).</summary>
    internal void WriteEntity(Utf8JsonWriter writer, JsonObject e)
    {
        if (!_options.AppendDeletedSuffixToInactiveNames || IsActive(e) || (e["DisplayName"] is null && e["FullyQualifiedName"] is null))
        {
            e.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var pair in e)
        {
            writer.WritePropertyName(pair.Key);
            if (pair.Key is "DisplayName" or "FullyQualifiedName" && pair.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                writer.WriteStringValue(v.GetValue<string>() + " (deleted)");
            }
            else if (pair.Value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                pair.Value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }
}
