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

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Another process rotated the QuickBooks refresh token of realm {RealmId}; using the stored tokens.")]
    public static partial void AdoptedRotatedToken(ILogger logger, string realmId);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Another process stored newer QuickBooks tokens for realm {RealmId} first; using them.")]
    public static partial void LostSaveRace(ILogger logger, string realmId);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Error, Message = "Storing the rotated QuickBooks tokens of realm {RealmId} failed (attempt {Attempt}); retrying. They are kept in memory until stored.")]
    public static partial void TokenSaveFailed(ILogger logger, string realmId, int attempt, Exception exception);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Critical, Message = "The rotated QuickBooks tokens of realm {RealmId} could not be stored within {Timeout}. They are kept in this process's memory only and stored again at the next use of the realm; if this process stops first, the realm must be reconnected. Check the token store.")]
    public static partial void TokensNotStored(ILogger logger, string realmId, TimeSpan timeout);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Warning, Message = "The rotated QuickBooks tokens of realm {RealmId} that were kept in memory are now stored.")]
    public static partial void TokensStoredLate(ILogger logger, string realmId);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Warning, Message = "Waiting for the cross-process refresh lock of QuickBooks realm {RealmId} took longer than {Lease}; refreshing without it.")]
    public static partial void RefreshLockTimedOut(ILogger logger, string realmId, TimeSpan lease);

    [LoggerMessage(EventId = 2506, Level = LogLevel.Warning, Message = "Releasing the cross-process refresh lock of QuickBooks realm {RealmId} failed; its lease frees it.")]
    public static partial void RefreshLockReleaseFailed(ILogger logger, string realmId, Exception exception);
}
