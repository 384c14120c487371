namespace QbSync.QuickBooks;

/// <summary>
/// Code 5010 "Stale Object Error": the <c>SyncToken</c> sent is not the current one, because someone else changed the
/// record. Re-read the record, re-apply the change and send it with the new <c>SyncToken</c>.
/// </summary>
/// <remarks>
/// Derives from <see cref="QuickBooksException"/>, not from <see cref="QuickBooksValidationException"/>: the data is not
/// wrong, the copy is old, and the fix (re-read and re-apply) differs from "fix the data". Retrying the same request
/// unchanged never succeeds, so <see cref="QuickBooksException.IsTransient"/> is <see langword="false"/>.
/// </remarks>
public class QuickBooksStaleObjectException : QuickBooksException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksStaleObjectException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(info, innerException)
    {
    }
}
