using System.Text.Json.Serialization;

namespace QbSync.QuickBooks;

/// <summary>A QBO customer, as read.</summary>
public sealed class Customer : QuickBooksNamedEntity
{
    /// <summary>Title (Mr, Ms, …).</summary>
    [JsonPropertyName("Title")]
    public string? Title { get; init; }

    /// <summary>Middle name.</summary>
    [JsonPropertyName("MiddleName")]
    public string? MiddleName { get; init; }

    /// <summary>Suffix (Jr, …).</summary>
    [JsonPropertyName("Suffix")]
    public string? Suffix { get; init; }

    /// <summary>Company name.</summary>
    [JsonPropertyName("CompanyName")]
    public string? CompanyName { get; init; }

    /// <summary>Fully qualified name (parent:child for sub-customers); inactive records carry the deleted suffix.</summary>
    [JsonPropertyName("FullyQualifiedName")]
    public string? FullyQualifiedName { get; init; }

    /// <summary>Primary e-mail address.</summary>
    [JsonPropertyName("PrimaryEmailAddr")]
    public QuickBooksEmailAddress? PrimaryEmailAddr { get; init; }

    /// <summary>Primary phone.</summary>
    [JsonPropertyName("PrimaryPhone")]
    public QuickBooksPhoneNumber? PrimaryPhone { get; init; }

    /// <summary>Billing address.</summary>
    [JsonPropertyName("BillAddr")]
    public QuickBooksPhysicalAddress? BillAddr { get; init; }

    /// <summary>Free-form notes.</summary>
    [JsonPropertyName("Notes")]
    public string? Notes { get; init; }

    /// <summary>The customer type, present only when one is assigned.</summary>
    [JsonPropertyName("CustomerTypeRef")]
    public QuickBooksReference? CustomerTypeRef { get; init; }

    /// <summary>Open balance.</summary>
    [JsonPropertyName("Balance")]
    public decimal? Balance { get; init; }

    /// <summary>Whether this is a sub-customer (job).</summary>
    [JsonPropertyName("Job")]
    public bool? Job { get; init; }

    /// <summary>The parent customer of a sub-customer.</summary>
    [JsonPropertyName("ParentRef")]
    public QuickBooksReference? ParentRef { get; init; }

    /// <summary>Currency of the customer.</summary>
    [JsonPropertyName("CurrencyRef")]
    public QuickBooksReference? CurrencyRef { get; init; }
}

/// <summary>A QBO vendor, read for its name: vendors share the customers' display-name space.</summary>
public sealed class Vendor : QuickBooksNamedEntity
{
    /// <summary>Company name.</summary>
    [JsonPropertyName("CompanyName")]
    public string? CompanyName { get; init; }
}

/// <summary>A QBO employee, read for its name: employees share the customers' display-name space.</summary>
public sealed class Employee : QuickBooksNamedEntity
{
}

/// <summary>A customer type (a read-only list in the API), such as <c>Individual</c>.</summary>
public sealed class CustomerType : QuickBooksEntity
{
    /// <summary>The type's name.</summary>
    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    /// <summary>Whether the type is active.</summary>
    [JsonPropertyName("Active")]
    public bool? Active { get; init; }

    /// <summary>Whether the type is active (an absent flag counts as active).</summary>
    [JsonIgnore]
    public bool IsActive => Active ?? true;
}

/// <summary>A product or service sold on invoice lines.</summary>
public sealed class Item : QuickBooksEntity
{
    /// <summary>The item's name.</summary>
    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    /// <summary>Fully qualified name (with category path).</summary>
    [JsonPropertyName("FullyQualifiedName")]
    public string? FullyQualifiedName { get; init; }

    /// <summary>Item type: <c>Service</c>, <c>NonInventory</c>, <c>Inventory</c>, <c>Category</c>, …</summary>
    [JsonPropertyName("Type")]
    public string? Type { get; init; }

    /// <summary>Description printed on sales forms.</summary>
    [JsonPropertyName("Description")]
    public string? Description { get; init; }

    /// <summary>Default unit price.</summary>
    [JsonPropertyName("UnitPrice")]
    public decimal? UnitPrice { get; init; }

    /// <summary>Whether the item is active.</summary>
    [JsonPropertyName("Active")]
    public bool? Active { get; init; }

    /// <summary>Income account.</summary>
    [JsonPropertyName("IncomeAccountRef")]
    public QuickBooksReference? IncomeAccountRef { get; init; }

    /// <summary>Whether the item is active (an absent flag counts as active).</summary>
    [JsonIgnore]
    public bool IsActive => Active ?? true;
}
