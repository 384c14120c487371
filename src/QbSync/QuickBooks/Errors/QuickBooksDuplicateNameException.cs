using System.Text.RegularExpressions;

namespace QbSync.QuickBooks;

/// <summary>
/// Code 6240 "Duplicate Name Exists Error": another customer, vendor or employee (or other name-list record, possibly
/// inactive) already uses the name.
/// </summary>
public partial class QuickBooksDuplicateNameException : QuickBooksValidationException
{
    /// <summary>Creates the exception; <see cref="ExistingId"/> is read from the error details.</summary>
    /// <param name="info">What is known about the failure.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public QuickBooksDuplicateNameException(QuickBooksFaultInfo info, Exception? innerException = null)
        : base(info, innerException)
    {
        ExistingId = FindExistingId(Errors);
    }

    /// <summary>
    /// The id of the record that holds the name, when the detail says <c>Id=NNN</c>. A hint only: recorded traffic says
    /// <c>": null"</c>, and the record may be a vendor or employee. Look the name up (including inactive records) instead
    /// of relying on it.
    /// </summary>
    public string? ExistingId { get; }

    private static string? FindExistingId(IReadOnlyList<QuickBooksError> errors)
    {
        foreach (var error in errors)
        {
            if (error.Detail is { } detail && IdPattern().Match(detail) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        return null;
    }

    [GeneratedRegex(@"\bId\s*=\s*(\d+)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IdPattern();
}
