namespace QbSync.QuickBooks;

/// <summary>
/// QBO answered, but not with what the API promises: an HTML page, an empty or truncated body, or JSON whose shape
/// the client cannot read where it matters (an entity without its id, a response without its result array). Never a
/// raw parser exception: callers decide on this type alone.
/// </summary>
public sealed class QuickBooksUnreadableResponseException : QuickBooksException
{
    private readonly bool _transient;

    /// <summary>Creates the exception.</summary>
    /// <param name="info">What is known of the response (status, <c>intuit_tid</c>, request id, a summary).</param>
    /// <param name="bodyExcerpt">The first characters of the body, for diagnosis (never a token: the data API does not
    /// send tokens).</param>
    /// <param name="isTransient">Whether another attempt can help: <see langword="true"/> for a body that could not be
    /// parsed at all (a proxy's HTML page, a cut connection); <see langword="false"/> for a well-formed body of an
    /// unexpected shape, which the same request would get again.</param>
    /// <param name="innerException">The parser's exception.</param>
    public QuickBooksUnreadableResponseException(QuickBooksFaultInfo info, string? bodyExcerpt, bool isTransient, Exception? innerException = null)
        : base(info, innerException)
    {
        BodyExcerpt = bodyExcerpt;
        _transient = isTransient;
    }

    /// <summary>The first characters of the body (at most 200), or <see langword="null"/> when there was none.</summary>
    public string? BodyExcerpt { get; }

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}
