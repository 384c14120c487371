using System.Text;
using System.Text.RegularExpressions;

namespace QbSync.QuickBooks;

/// <summary>Shortening and token redaction for text that goes into exception messages.</summary>
internal static partial class QuickBooksFaultText
{
    /// <summary>The most characters of a raw response body that may go into a message.</summary>
    internal const int MaxBodyChars = 500;

    private const string Redacted = "[redacted]";

    /// <summary>Redacts token-like values, collapses white space and cuts the text to <paramref name="max"/> characters.</summary>
    internal static string Shorten(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var collapsed = CollapseWhiteSpace(Redact(text));
        return collapsed.Length <= max ? collapsed : string.Concat(collapsed.AsSpan(0, max), "…");
    }

    /// <summary>Replaces bearer tokens, JWTs, Intuit refresh tokens and <c>*_token=</c> values by <c>[redacted]</c>.</summary>
    internal static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            text = AuthorizationHeader().Replace(text, "$1" + Redacted);
            text = Bearer().Replace(text, "Bearer " + Redacted);
            text = NamedSecret().Replace(text, "$1$2" + Redacted);
            text = TokenExpired().Replace(text, "$1" + Redacted);
            text = Jwt().Replace(text, Redacted);
            text = IntuitRefreshToken().Replace(text, Redacted);
            return text;
        }
        catch (RegexMatchTimeoutException)
        {
            return "[text withheld: redaction timed out]";
        }
    }

    private static string CollapseWhiteSpace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"(\bAuthorization\s*[:=]\s*)(?!\[redacted\])(?:(?:Bearer|Basic|OAuth)\s+)?[^\s,;)]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"\b[Bb]earer\s+(?!\[redacted\])[A-Za-z0-9\-._~+/]{16,}=*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Bearer();

    [GeneratedRegex(
        @"(?<![A-Za-z])((?:access|refresh|id|x_refresh)_token|oauth_token|oauth_signature|oauth_consumer_key|client_secret)(""?\s*(?:[:=]|%3D|%253D)\s*""?)((?:(?!%26|%2526)[^\s&""',;])+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 1000)]
    private static partial Regex NamedSecret();

    [GeneratedRegex(@"(?>(\btoken expired:?\s*))(?!\[redacted\])\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenExpired();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]{8,}(?:\.[A-Za-z0-9_\-]*){1,4}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bAB\d{11}[A-Za-z0-9]{20,}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IntuitRefreshToken();
}
