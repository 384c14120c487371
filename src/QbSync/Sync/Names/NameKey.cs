using System.Text;

namespace QbSync.Sync;

/// <summary>
/// THE one definition of "same name" (see <c>docs/name-matching.md</c>): two names are the same when their keys are
/// equal (ordinal). The key is for comparing only; it is never sent to QBO nor shown.
/// </summary>
/// <remarks>
/// Steps, in order:
/// <list type="number">
/// <item>Strip zero-width and bidi controls (U+200B–U+200F, U+202A–U+202E, U+2060, U+2066–U+2069, U+FEFF) and the
/// soft hyphen (U+00AD); fold typographic quotes to <c>'</c> or <c>"</c> and dashes to <c>-</c> (before NFKC, which would
/// turn ″ into two primes and ´ into a space and a combining accent).</item>
/// <item>Unicode NFKC (ligatures such as "ﬁ", full-width letters, NBSP become their plain forms), then the folding
/// again for what NFKC produced. Lone surrogates become U+FFFD.</item>
/// <item>Every run of whitespace (any <see cref="char.IsWhiteSpace(char)"/>: tab, newline, NBSP, U+3000, …) becomes
/// one space; the result is trimmed.</item>
/// <item>Case fold: <see cref="string.ToUpperInvariant"/> then <see cref="string.ToLowerInvariant"/> (so σ/ς/Σ fold
/// together), then "ß" → "ss" (so "Straße" equals "STRASSE"), and Turkish dotless "ı" and dotted "İ" → "i" (the
/// invariant casing leaves both alone), so "İstanbul", "ıstanbul" and "ISTANBUL" are the same. Limits: .NET invariant
/// casing is simple (one char to one char) mapping, so the other full case foldings of Unicode (for example "ŉ" and
/// "ʼN") are not applied, and casing is never language-specific: a Turkish firm's "ı" and "i" are the same name.</item>
/// </list>
/// </remarks>
internal static class NameKey
{
    private const string DeletedSuffix = " (deleted)";

    /// <summary>The matching key of a name.</summary>
    /// <param name="name">A name, as typed anywhere.</param>
    /// <returns>The key; empty for a blank name.</returns>
    public static string Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return string.Empty;
        }

        return Ascii.IsValid(name) ? OfAscii(name) : OfAnyText(name);
    }

    /// <summary>All the steps, for any text (<see cref="Of"/> takes a shortcut for ASCII names that gives the same key).</summary>
    internal static string OfAnyText(string name)
    {
        var folded = Fold(ReplaceLoneSurrogates(name));
        var normalized = folded.IsNormalized(NormalizationForm.FormKC) ? folded : Fold(folded.Normalize(NormalizationForm.FormKC));
        var collapsed = CollapseWhitespace(normalized);
        var cased = collapsed.ToUpperInvariant().ToLowerInvariant()
            .Replace("\u00DF", "ss", StringComparison.Ordinal)
            .Replace('\u0131', 'i')
            .Replace('\u0130', 'i');
        return cased.IsNormalized(NormalizationForm.FormKC) ? cased : cased.Normalize(NormalizationForm.FormKC);
    }

    /// <summary>
    /// The steps for an ASCII name, in one pass and one allocation: in ASCII nothing is ignorable, the only folded
    /// punctuation is the backtick, NFKC changes nothing, and case folding is lower-casing A to Z.
    /// </summary>
    private static string OfAscii(string name)
    {
        var length = 0;
        var pendingSpace = false;
        var buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace)
            {
                buffer[length++] = ' ';
                pendingSpace = false;
            }

            buffer[length++] = c switch
            {
                >= 'A' and <= 'Z' => (char)(c | 0x20),
                '`' => '\'',
                _ => c,
            };
        }

        var key = buffer[..length];
        return key.SequenceEqual(name) ? name : new string(key);
    }

    /// <summary>The matching key of a QBO display name: an inactive customer's name comes back with " (deleted)"
    /// appended, which is not part of the name.</summary>
    /// <param name="displayName">The display name QBO returned.</param>
    /// <param name="isActive">Whether the record is active.</param>
    /// <returns>The key.</returns>
    public static string OfQuickBooksName(string displayName, bool isActive)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var name = displayName;
        if (!isActive)
        {
            var trimmed = name.TrimEnd();
            if (trimmed.EndsWith(DeletedSuffix, StringComparison.OrdinalIgnoreCase))
            {
                name = trimmed[..^DeletedSuffix.Length];
            }
        }

        return Of(name);
    }

    /// <summary>Whether a character is stripped from keys (zero-width, bidi controls, BOM, soft hyphen).</summary>
    internal static bool IsIgnorable(char c) =>
        c is (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
            or '\uFEFF' or '\u2060' or '\u00AD';

    /// <summary>The folded form of a typographic quote or dash, or the character itself.</summary>
    internal static char FoldPunctuation(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '`' or '\u00B4' => '\'',
        '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' => '"',
        '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => '-',
        _ => c,
    };

    private static string Fold(string s)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var ignorable = IsIgnorable(c);
            var mapped = ignorable ? c : FoldPunctuation(c);
            if (sb is null && (ignorable || mapped != c))
            {
                sb = new StringBuilder(s.Length).Append(s, 0, i);
            }

            if (sb is not null && !ignorable)
            {
                sb.Append(mapped);
            }
        }

        return sb?.ToString() ?? s;
    }

    private static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static string ReplaceLoneSurrogates(string s)
    {
        char[]? chars = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                chars ??= s.ToCharArray();
                chars[i] = '\uFFFD';
            }
        }

        return chars is null ? s : new string(chars);
    }
}
