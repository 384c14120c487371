using System.Text.Json;
using System.Text.Json.Serialization;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.AspNetCore;

/// <summary>Body of <c>POST accounts/{id}/link</c>: link the account to a customer picked in the picker.</summary>
/// <param name="CustomerId">The QBO customer.</param>
/// <param name="ReactivateIfInactive">Whether to reactivate the customer if it is inactive.</param>
public sealed record LinkAccountRequest(string CustomerId, bool ReactivateIfInactive = false);

/// <summary>Body of <c>POST accounts/{id}/create-customer</c>.</summary>
/// <param name="DisplayName">Another display name (for a name a vendor or employee holds); <see langword="null"/> for
/// the account's name.</param>
public sealed record CreateCustomerRequest(string? DisplayName = null);

/// <summary>Body of <c>PUT settings</c>.</summary>
/// <param name="Scope">Which accounts sync automatically.</param>
/// <param name="CreateMissingCustomers">Whether missing customers are created automatically.</param>
public sealed record UpdateSettingsRequest(SyncScope Scope, bool CreateMissingCustomers);

/// <summary>What the webhook endpoint recorded (its 200 answer).</summary>
/// <param name="Received">Events in the body.</param>
/// <param name="Recorded">Events new to the inbox (re-deliveries are not counted).</param>
/// <param name="Ignored">Events of realms no firm has connected.</param>
public sealed record WebhookReceipt(int Received, int Recorded, int Ignored);

/// <summary>A connect <c>state</c> kept server-side.</summary>
internal sealed record OAuthStateEntry(string FirmId, string UserId, string? ReturnUrl, DateTimeOffset ExpiresAt);

/// <summary>JSON of QbSync's endpoints: web defaults (camelCase), enums as strings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountSyncState))]
[JsonSerializable(typeof(AccountSyncPage))]
[JsonSerializable(typeof(IReadOnlyList<AccountSyncState>))]
[JsonSerializable(typeof(IReadOnlyList<SyncHistoryEntry>))]
[JsonSerializable(typeof(CustomerPickerPage))]
[JsonSerializable(typeof(IReadOnlyList<CustomerSuggestion>))]
[JsonSerializable(typeof(FirmSyncSettings))]
[JsonSerializable(typeof(LinkAccountRequest))]
[JsonSerializable(typeof(CreateCustomerRequest))]
[JsonSerializable(typeof(UpdateSettingsRequest))]
[JsonSerializable(typeof(WebhookReceipt))]
[JsonSerializable(typeof(OAuthStateEntry))]
internal sealed partial class QbSyncJsonContext : JsonSerializerContext;
