namespace QbSync.QuickBooks;

/// <summary>
/// QuickBooks Online throttled the call (HTTP 429, or error code 3001 <c>ThrottleExceeded</c> whatever the HTTP status,
/// which was 403 before late 2016). Always transient: wait <see cref="QuickBooksException.RetryAfter"/> and retry.
/// </summary>
public class QuickBooksThrottledException : QuickBooksException
{
    /// <summary>The wait Intuit documents when no <c>Retry-After</c> header is sent: 60 seconds.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>Creates the exception. <see cref="QuickBooksException.RetryAfter"/> defaults to <see cref="DefaultRetryAfter"/>.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksThrottledException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(WithDefaultRetryAfter(info), innerException)
    {
    }

    /// <summary>Always <see langword="true"/>: throttling passes.</summary>
    public override bool IsTransient => true;

    private static QuickBooksFaultInfo WithDefaultRetryAfter(QuickBooksFaultInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.RetryAfter is null ? info with { RetryAfter = DefaultRetryAfter } : info;
    }
}
