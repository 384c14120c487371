namespace QbSync.QuickBooks;

/// <summary>
/// QuickBooks Online refused the request as invalid (a <c>ValidationFault</c>, or another business error with a 4xx
/// status): bad data, a bad query (codes 4000/4001), an unsupported property (2010), an invalid id (2030), an
/// unsupported operation (code <c>"500"</c> inside an HTTP 400) and so on. Fix the request; never retry it unchanged.
/// </summary>
public class QuickBooksValidationException : QuickBooksException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksValidationException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(info, innerException)
    {
    }
}
