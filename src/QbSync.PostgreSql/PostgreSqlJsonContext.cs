using System.Text.Json.Serialization;

namespace QbSync.PostgreSql;

/// <summary>The JSON of the <c>problem</c> and <c>intent</c> columns (enums as numbers, like the other columns).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SyncProblem))]
[JsonSerializable(typeof(SyncIntent))]
[JsonSerializable(typeof(BillingDocumentRecord))]
internal sealed partial class PostgreSqlJsonContext : JsonSerializerContext;
