using System.Text.Json.Serialization;

namespace QbSync.QuickBooks.Authentication;

/// <summary>A success body of Intuit's token endpoint. Keys may come in any order; optional ones may be missing.</summary>
internal sealed class OAuthTokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    [JsonPropertyName("expires_in")]
    public double? ExpiresIn { get; set; }

    [JsonPropertyName("x_refresh_token_expires_in")]
    public double? RefreshTokenExpiresIn { get; set; }

    [JsonPropertyName("x_refresh_token_hard_expires_in")]
    public double? RefreshTokenHardExpiresIn { get; set; }
}

/// <summary>An OAuth error body: <c>{"error":"invalid_grant","error_description":"..."}</c>.</summary>
internal sealed class OAuthErrorResponse
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }
}

/// <summary>The body of a revocation request.</summary>
internal sealed class OAuthRevokeRequest
{
    [JsonPropertyName("token")]
    public required string Token { get; init; }
}

/// <summary>Source-generated serialization of the OAuth bodies (no reflection).</summary>
[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthTokenResponse))]
[JsonSerializable(typeof(OAuthErrorResponse))]
[JsonSerializable(typeof(OAuthRevokeRequest))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext
{
}
