using System.Globalization;
using System.Text;

namespace QbSync.Sync;

/// <summary>
/// Makes an account name into a valid QBO <c>DisplayName</c>: QBO rejects a colon, tab or newline and allows at most
/// <see cref="MaxLength"/> characters. Every change made is reported, so it can be recorded in the account's history.
/// </summary>
/// <remarks>
/// Rules, in order: control characters (tab, newline, carriage return, other C0/C1 controls) become a space; a colon
/// becomes <c>" - "</c>, absorbing the whitespace around it ("Acme: Tax" becomes "Acme - Tax"), because a colon is
/// QBO's sub-customer separator and a dash keeps the reading; every whitespace run becomes one space; the name is
/// trimmed; a name longer than <see cref="MaxLength"/> is cut at a text-element boundary (never inside a surrogate pair,
/// an emoji sequence or a base letter with its accents) and trimmed again. Typographic quotes and dashes are kept: the
/// QBO client escapes queries, and matching folds them (see <c>NameKey</c>).
/// </remarks>
public static class QuickBooksDisplayName
{
    /// <summary>QBO's limit on <c>DisplayName</c>, in UTF-16 characters.</summary>
    public const int MaxLength = 500;

    /// <summary>Makes a valid display name from an account name.</summary>
    /// <param name="accountName">The account's name.</param>
    /// <returns>The display name and the changes made; invalid when nothing remains.</returns>
    public static DisplayNameResult FromAccountName(string accountName)
    {
        ArgumentNullException.ThrowIfNull(accountName);
        return IsAlreadyValid(accountName) ? new DisplayNameResult(accountName, true, []) : Make(accountName);
    }

    /// <summary>The rules applied step by step (<see cref="FromAccountName"/> skips them for a name they would not change).</summary>
    internal static DisplayNameResult Make(string accountName)
    {
        var changes = new List<DisplayNameChange>();
        var cleaned = Clean(accountName, changes);
        var cut = Cut(cleaned, MaxLength);
        if (cut.Length != cleaned.Length)
        {
            changes.Add(DisplayNameChange.Truncated);
        }

        return cut.Length == 0 ? new DisplayNameResult(null, false, changes) : new DisplayNameResult(cut, true, changes);
    }

    /// <summary>Appends a suffix (for example <c>" (client)"</c>) to a display name, cutting the name, never the
    /// suffix, so that the whole fits <see cref="MaxLength"/>.</summary>
    /// <param name="displayName">The display name (cleaned as by <see cref="FromAccountName"/> first).</param>
    /// <param name="suffix">The suffix; a leading space is kept as one space.</param>
    /// <returns>The display name with the suffix and the changes made to the name.</returns>
    /// <exception cref="ArgumentException">The suffix leaves no room for the name.</exception>
    public static DisplayNameResult WithSuffix(string displayName, string suffix)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(suffix);
        var baseName = FromAccountName(displayName);
        if (!baseName.IsValid)
        {
            return baseName;
        }

        var suffixChanges = new List<DisplayNameChange>();
        var cleanSuffix = Clean(suffix, suffixChanges);
        if (cleanSuffix.Length == 0)
        {
            return baseName;
        }

        if (suffix.Length > 0 && char.IsWhiteSpace(suffix[0]))
        {
            cleanSuffix = " " + cleanSuffix;
        }

        var room = MaxLength - cleanSuffix.Length;
        if (room < 1)
        {
            throw new ArgumentException($"The suffix is too long: at most {MaxLength - 1} characters.", nameof(suffix));
        }

        var changes = baseName.Changes.ToList();
        var cutBase = Cut(baseName.Value!, room);
        if (cutBase.Length != baseName.Value!.Length && !changes.Contains(DisplayNameChange.Truncated))
        {
            changes.Add(DisplayNameChange.Truncated);
        }

        return cutBase.Length == 0
            ? new DisplayNameResult(null, false, changes)
            : new DisplayNameResult(cutBase + cleanSuffix, true, changes);
    }

    /// <summary>Whether no rule would change the name: it fits, has no control character, colon or whitespace other
    /// than single interior spaces.</summary>
    private static bool IsAlreadyValid(string name)
    {
        if (name.Length is 0 or > MaxLength || name[0] == ' ' || name[^1] == ' ')
        {
            return false;
        }

        var previousSpace = false;
        foreach (var c in name)
        {
            if (c == ' ')
            {
                if (previousSpace)
                {
                    return false;
                }

                previousSpace = true;
                continue;
            }

            if (c == ':' || char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return false;
            }

            previousSpace = false;
        }

        return true;
    }

    private static string Clean(string input, List<DisplayNameChange> changes)
    {
        // 1. Control characters become spaces; colons become " - " absorbing surrounding whitespace.
        var sb = new StringBuilder(input.Length + 8);
        var control = false;
        var colon = false;
        var skipWhitespace = false;
        foreach (var c in input)
        {
            if (c == ':')
            {
                colon = true;
                while (sb.Length > 0 && char.IsWhiteSpace(sb[^1]))
                {
                    sb.Length--;
                }

                sb.Append(" - ");
                skipWhitespace = true;
                continue;
            }

            var ch = c;
            if (char.IsControl(ch))
            {
                control = true;
                ch = ' ';
            }

            if (skipWhitespace && char.IsWhiteSpace(ch))
            {
                continue;
            }

            skipWhitespace = false;
            sb.Append(ch);
        }

        // 2. Whitespace runs become one space; 3. trim.
        var text = sb.ToString();
        var collapsed = new StringBuilder(text.Length);
        var collapsedSomething = false;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                collapsed.Append(text[i]);
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var interior = start > 0 && i < text.Length;
            if (interior && (i - start != 1 || text[start] != ' '))
            {
                collapsedSomething = true;
            }

            collapsed.Append(' ');
        }

        var result = collapsed.ToString();
        var trimmed = result.Trim(' ');
        if (control)
        {
            changes.Add(DisplayNameChange.ControlCharactersReplaced);
        }

        if (colon)
        {
            changes.Add(DisplayNameChange.ColonsReplaced);
        }

        if (collapsedSomething)
        {
            changes.Add(DisplayNameChange.WhitespaceCollapsed);
        }

        if (trimmed.Length != result.Length)
        {
            changes.Add(DisplayNameChange.Trimmed);
        }

        return trimmed;
    }

    private static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var end = 0;
        while (end < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text, end);
            if (end + next > max)
            {
                break;
            }

            end += next;
        }

        return text[..end].TrimEnd(' ');
    }
}

/// <summary>A display name made valid for QBO.</summary>
/// <param name="Value">The display name; <see langword="null"/> when invalid.</param>
/// <param name="IsValid">Whether a usable name remains (an empty or blank account name has none).</param>
/// <param name="Changes">What was changed, in the order the rules apply; empty when the name was used as is.</param>
public sealed record DisplayNameResult(string? Value, bool IsValid, IReadOnlyList<DisplayNameChange> Changes);

/// <summary>A change made to an account name to make it a valid QBO display name.</summary>
public enum DisplayNameChange
{
    /// <summary>Leading or trailing whitespace was removed.</summary>
    Trimmed = 0,

    /// <summary>A run of whitespace inside the name (several spaces, a non-breaking space…) became one space.</summary>
    WhitespaceCollapsed = 1,

    /// <summary>Tabs, newlines or other control characters became spaces.</summary>
    ControlCharactersReplaced = 2,

    /// <summary>Colons became <c>" - "</c> (QBO forbids colons in display names).</summary>
    ColonsReplaced = 3,

    /// <summary>The name was cut to <see cref="QuickBooksDisplayName.MaxLength"/> characters.</summary>
    Truncated = 4,
}
