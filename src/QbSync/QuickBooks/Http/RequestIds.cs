namespace QbSync.QuickBooks.Http;

/// <summary>The <c>requestid</c> of a logical write: the caller's, or a new one; chosen once, outside the retry loop.</summary>
internal static class RequestIds
{
    /// <summary>QBO accepts at most 50 characters.</summary>
    public const int MaxLength = 50;

    public static string For(string? requestId)
    {
        if (requestId is null)
        {
            return Guid.NewGuid().ToString("N");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        if (requestId.Length > MaxLength)
        {
            throw new ArgumentException($"A QBO requestid has at most {MaxLength} characters.", nameof(requestId));
        }

        return requestId;
    }
}
