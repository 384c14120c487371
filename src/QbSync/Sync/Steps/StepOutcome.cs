using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Sync.Steps;

/// <summary>How one account's QBO work ended.</summary>
internal abstract record StepOutcome
{
    /// <summary>Linked to a customer.</summary>
    public sealed record Linked(string CustomerId, string DisplayName, SyncReason Reason, string? Note) : StepOutcome;

    /// <summary>Failed for good, or needs a person.</summary>
    public sealed record Failed(SyncProblem Problem) : StepOutcome;

    /// <summary>Failed transiently; retry later (attempts counted).</summary>
    public sealed record Transient(Exception Error) : StepOutcome;

    /// <summary>The linked customer is gone: NotSynced, previously synced.</summary>
    public sealed record CustomerLost(SyncReason Reason, string? Note) : StepOutcome;

    /// <summary>Someone else changed the record while the work ran (an unsync, another worker): their state stands and
    /// nothing is written.</summary>
    public sealed record Superseded : StepOutcome;

    public static Failed Fail(SyncReason reason, TimeProvider time) =>
        new(new SyncProblem { Reason = reason, OccurredAt = time.GetUtcNow() });

    /// <summary>
    /// Turns anything one account's work threw into that account's outcome: a QBO refusal or a revoked connection fails
    /// it; a race with another writer supersedes it; everything else (QBO unavailable, an unreadable answer, a token
    /// store or database error, a bug) is transient, so it is retried with backoff and ends in Failed when the attempts
    /// run out. Only the caller's own cancellation is not an outcome (<see langword="null"/>): it propagates.
    /// </summary>
    public static StepOutcome? FromException(Exception error, TimeProvider time, CancellationToken callerToken)
    {
        var now = time.GetUtcNow();
        switch (error)
        {
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return null;
            case SyncConcurrencyException:
                return new Superseded();

            // Only a rejected grant (invalid_grant, or a realm not connected) needs a person; every other token
            // endpoint failure (5xx, timeouts, a garbled 200, invalid_client while the app's keys are fixed) is retried.
            case QuickBooksOAuthException { ReconnectRequired: false }:
                return new Transient(error);
            case QuickBooksOAuthException oauth:
                return new Failed(new SyncProblem
                {
                    Reason = SyncReason.ReconnectRequired,
                    QuickBooksErrorCode = oauth.Error,
                    IntuitTid = oauth.IntuitTid,
                    OccurredAt = now,
                });
            case QuickBooksAuthenticationException auth:
                return new Failed(ProblemFrom(SyncReason.ReconnectRequired, auth, now));
            case QuickBooksException { IsTransient: true }:
                return new Transient(error);
            case QuickBooksException qbo:
                return new Failed(ProblemFrom(SyncReason.QuickBooksValidationError, qbo, now));
            default:
                return new Transient(error);
        }
    }

    /// <summary>The problem recorded for an error: QBO's code, message and <c>intuit_tid</c>, or the type of a local error.</summary>
    public static SyncProblem ProblemFrom(SyncReason reason, Exception error, DateTimeOffset now) =>
        error is QuickBooksException qbo
            ? ProblemFrom(reason, qbo, now)
            : new SyncProblem { Reason = reason, Detail = error.GetType().Name, OccurredAt = now };

    public static SyncProblem ProblemFrom(SyncReason reason, QuickBooksException error, DateTimeOffset now)
    {
        var first = error.Errors.Count > 0 ? error.Errors[0] : null;
        var message = first is null ? null : string.Join(": ", new[] { first.Message, first.Detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return new SyncProblem
        {
            Reason = reason,
            QuickBooksErrorCode = error.ErrorCode ?? (error.StatusCode is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            QuickBooksMessage = message is { Length: > 500 } ? message[..500] : message,
            IntuitTid = error.IntuitTid,
            Detail = error is QuickBooksUnreadableResponseException or QuickBooksConnectionException ? error.GetType().Name : null,
            OccurredAt = now,
        };
    }
}
