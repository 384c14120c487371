using Microsoft.Extensions.Logging;

namespace QbSync.QuickBooks.Authentication;

/// <summary>Source-generated log messages of the authentication code. None of them takes a token or secret.</summary>
internal static partial class AuthenticationLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "QuickBooks realm {RealmId} connected (intuit_tid {IntuitTid}).")]
    public static partial void Connected(ILogger logger, string realmId, string? intuitTid);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Refreshing the QuickBooks access token of realm {RealmId}.")]
    public static partial void RefreshStarted(ILogger logger, string realmId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Refreshed the QuickBooks access token of realm {RealmId} (intuit_tid {IntuitTid}); it expires at {AccessTokenExpiresAt}.")]
    public static partial void RefreshSucceeded(ILogger logger, string realmId, string? intuitTid, DateTimeOffset accessTokenExpiresAt);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Refreshing the QuickBooks access token of realm {RealmId} failed transiently (HTTP {StatusCode}, intuit_tid {IntuitTid}); retry {Attempt} in {Delay}.")]
    public static partial void RefreshRetrying(ILogger logger, string realmId, int? statusCode, string? intuitTid, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Refreshing the QuickBooks access token of realm {RealmId} failed (HTTP {StatusCode}, error {Error}, intuit_tid {IntuitTid}).")]
    public static partial void RefreshFailed(ILogger logger, string realmId, int? statusCode, string? error, string? intuitTid, Exception exception);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "QuickBooks realm {RealmId} must be reconnected: Intuit rejected its refresh token ({Reason}, intuit_tid {IntuitTid}). No further refresh will be attempted until it is connected again.")]
    public static partial void ReconnectRequired(ILogger logger, string realmId, string reason, string? intuitTid);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "The QuickBooks access token of realm {RealmId} was already refreshed by another caller.")]
    public static partial void AlreadyRefreshed(ILogger logger, string realmId);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Revoking the QuickBooks refresh token of realm {RealmId} failed (HTTP {StatusCode}, intuit_tid {IntuitTid}); its tokens are deleted anyway.")]
    public static partial void RevokeFailed(ILogger logger, string realmId, int? statusCode, string? intuitTid, Exception exception);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "QuickBooks realm {RealmId} disconnected.")]
    public static partial void Disconnected(ILogger logger, string realmId);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Debug, Message = "QuickBooks rejected the access token of realm {RealmId} with HTTP 401; refreshing and sending the request again.")]
    public static partial void RetryingAfterUnauthorized(ILogger logger, string realmId);
}
