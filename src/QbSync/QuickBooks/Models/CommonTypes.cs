using System.Text.Json;
using System.Text.Json.Serialization;

namespace QbSync.QuickBooks;

/// <summary>A reference to another QBO entity (<c>{"value": "58", "name": "Acme"}</c>).</summary>
public sealed class QuickBooksReference
{
    /// <summary>Creates an empty reference (for deserialization).</summary>
    public QuickBooksReference()
    {
    }

    /// <summary>Creates a reference to the entity with the given id.</summary>
    /// <param name="value">The referenced entity's id.</param>
    /// <param name="name">The referenced entity's display name, optional.</param>
    public QuickBooksReference(string value, string? name = null)
    {
        Value = value;
        Name = name;
    }

    /// <summary>The referenced entity's id.</summary>
    [JsonPropertyName("value")]
    public string? Value { get; init; }

    /// <summary>The referenced entity's name, as QBO returns it (informational).</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

/// <summary>Creation and last-update times QBO keeps for every entity.</summary>
public sealed class QuickBooksMetaData
{
    /// <summary>When the entity was created, in the company's time zone offset.</summary>
    [JsonPropertyName("CreateTime")]
    public DateTimeOffset? CreateTime { get; init; }

    /// <summary>When the entity was last changed.</summary>
    [JsonPropertyName("LastUpdatedTime")]
    public DateTimeOffset? LastUpdatedTime { get; init; }
}

/// <summary>An e-mail address.</summary>
public sealed class QuickBooksEmailAddress
{
    /// <summary>The address.</summary>
    [JsonPropertyName("Address")]
    public string? Address { get; init; }
}

/// <summary>A phone number as free text.</summary>
public sealed class QuickBooksPhoneNumber
{
    /// <summary>The number, as typed.</summary>
    [JsonPropertyName("FreeFormNumber")]
    public string? FreeFormNumber { get; init; }
}

/// <summary>A postal address.</summary>
public sealed class QuickBooksPhysicalAddress
{
    /// <summary>QBO's id of the address record.</summary>
    [JsonPropertyName("Id")]
    public string? Id { get; init; }

    /// <summary>First address line.</summary>
    [JsonPropertyName("Line1")]
    public string? Line1 { get; init; }

    /// <summary>Second address line.</summary>
    [JsonPropertyName("Line2")]
    public string? Line2 { get; init; }

    /// <summary>Third address line.</summary>
    [JsonPropertyName("Line3")]
    public string? Line3 { get; init; }

    /// <summary>City.</summary>
    [JsonPropertyName("City")]
    public string? City { get; init; }

    /// <summary>State or region code.</summary>
    [JsonPropertyName("CountrySubDivisionCode")]
    public string? CountrySubDivisionCode { get; init; }

    /// <summary>Postal code.</summary>
    [JsonPropertyName("PostalCode")]
    public string? PostalCode { get; init; }

    /// <summary>Country.</summary>
    [JsonPropertyName("Country")]
    public string? Country { get; init; }
}

/// <summary>A transaction linked to another one (an invoice paid by a payment, say).</summary>
public sealed class QuickBooksLinkedTransaction
{
    /// <summary>The linked transaction's id.</summary>
    [JsonPropertyName("TxnId")]
    public string? TxnId { get; init; }

    /// <summary>The linked transaction's type, for example <c>Invoice</c>.</summary>
    [JsonPropertyName("TxnType")]
    public string? TxnType { get; init; }
}

/// <summary>
/// Base of every entity QbSync reads: the id, the optimistic-concurrency token, the metadata, and every property
/// QbSync does not model, kept so that nothing QBO sends is lost.
/// </summary>
public abstract class QuickBooksEntity
{
    /// <summary>QBO's id of the entity; an opaque string.</summary>
    [JsonPropertyName("Id")]
    public string? Id { get; init; }

    /// <summary>The version QBO requires on every update; a stale value is refused with fault 5010.</summary>
    [JsonPropertyName("SyncToken")]
    public string? SyncToken { get; init; }

    /// <summary>Creation and last-update times.</summary>
    [JsonPropertyName("MetaData")]
    public QuickBooksMetaData? MetaData { get; init; }

    /// <summary>Properties QBO sent that this model does not name.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>
/// Base of the name-list entities whose <c>DisplayName</c> QBO keeps unique across customers, vendors and employees.
/// </summary>
public abstract class QuickBooksNamedEntity : QuickBooksEntity
{
    /// <summary>The suffix QBO appends to the display name of an inactive ("deleted") name-list record.</summary>
    public const string DeletedSuffix = " (deleted)";

    /// <summary>The display name exactly as QBO returned it; inactive records carry a <c>" (deleted)"</c> suffix.</summary>
    [JsonPropertyName("DisplayName")]
    public string? DisplayName { get; init; }

    /// <summary>Whether the record is active; QBO "deletes" name-list records by making them inactive.</summary>
    [JsonPropertyName("Active")]
    public bool? Active { get; init; }

    /// <summary>The name printed on checks (QBO never appends the deleted suffix here).</summary>
    [JsonPropertyName("PrintOnCheckName")]
    public string? PrintOnCheckName { get; init; }

    /// <summary>Given name.</summary>
    [JsonPropertyName("GivenName")]
    public string? GivenName { get; init; }

    /// <summary>Family name.</summary>
    [JsonPropertyName("FamilyName")]
    public string? FamilyName { get; init; }

    /// <summary>Whether the record is active (an absent flag counts as active, as QBO omits defaults).</summary>
    [JsonIgnore]
    public bool IsActive => Active ?? true;

    /// <summary>
    /// The display name without the <c>" (deleted)"</c> suffix QBO appends to inactive records: the name that the
    /// record still holds in QBO's uniqueness rule.
    /// </summary>
    [JsonIgnore]
    public string? BareDisplayName => StripDeletedSuffix(DisplayName, IsActive);

    /// <summary>Removes the <c>" (deleted)"</c> suffix from a name returned for an inactive record.</summary>
    /// <param name="name">The name as returned by QBO.</param>
    /// <param name="isActive">Whether the record is active; active records keep their name untouched.</param>
    /// <returns>The bare name.</returns>
    public static string? StripDeletedSuffix(string? name, bool isActive) =>
        !isActive && name is not null && name.EndsWith(DeletedSuffix, StringComparison.Ordinal)
            ? name[..^DeletedSuffix.Length]
            : name;
}
