using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QbSync.QuickBooks.Serialization;

/// <summary>
/// Source-generated System.Text.Json metadata for every QBO model: no reflection at run time, unknown properties
/// tolerated (kept in <see cref="QuickBooksEntity.AdditionalProperties"/>), nulls never written.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(Vendor))]
[JsonSerializable(typeof(Employee))]
[JsonSerializable(typeof(CustomerType))]
[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(Invoice))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(CustomerCreateRequest))]
[JsonSerializable(typeof(CustomerUpdateRequest))]
[JsonSerializable(typeof(InvoiceCreateRequest))]
[JsonSerializable(typeof(PaymentCreateRequest))]
[JsonSerializable(typeof(InvoiceUpdateRequest))]
[JsonSerializable(typeof(PaymentUpdateRequest))]
[JsonSerializable(typeof(QuickBooksTransactionReference))]
[JsonSerializable(typeof(CompanyPreferences))]
internal sealed partial class QuickBooksJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context used on the wire: as <see cref="Default"/>, but writing names as they are (<c>King's</c>, not
    /// <c>King\u0027s</c>); the bodies are JSON sent to an API, never embedded in HTML.
    /// </summary>
    public static QuickBooksJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
