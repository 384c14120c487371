namespace QbSync.QuickBooks;

/// <summary>
/// The request named a record that does not exist or is no longer usable: code 610 "Object Not Found" (deleted, or made
/// inactive) and code 2500 "Invalid Reference Id" (a reference to a missing or inactive record).
/// </summary>
/// <remarks>
/// Code 2030 "Invalid ID" is <em>not</em> this type: it means the id is malformed (e.g. <c>1.5</c>), so no record was
/// looked up; it is a plain <see cref="QuickBooksValidationException"/>.
/// </remarks>
public class QuickBooksObjectNotFoundException : QuickBooksValidationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksObjectNotFoundException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(info, innerException)
    {
    }
}
