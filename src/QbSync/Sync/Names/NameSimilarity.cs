using System.Globalization;
using System.Text;

namespace QbSync.Sync;

/// <summary>
/// Near-miss suggestions for an account whose name matches no customer exactly (see <c>docs/name-matching.md</c>).
/// Suggestions are never linked automatically: "Smith, John" may be another person than "John Smith".
/// </summary>
internal static class NameSimilarity
{
    private const double SamePunctuationOnlyScore = 0.98;
    private const double SameWordsWithoutSuffixesScore = 0.95;
    private const double ReorderedScore = 0.95;
    private const double ReorderedWithoutSuffixesScore = 0.9;
    private const double MaxSpellingScore = 0.9;

    private static readonly HashSet<string> LegalSuffixes = new(StringComparer.Ordinal)
    {
        "llc", "inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "llp", "pc",
        "pllc", "gmbh", "srl", "sa", "pfa", "cpa",
    };

    /// <summary>Candidates whose names nearly match the account's, best first.</summary>
    /// <typeparam name="T">The candidate type.</typeparam>
    /// <param name="accountName">The account's name.</param>
    /// <param name="candidates">The candidates (customers).</param>
    /// <param name="nameOf">A candidate's name.</param>
    /// <param name="max">At most this many.</param>
    /// <param name="minScore">The lowest score kept (0 to 1).</param>
    /// <returns>The suggestions: highest score first, then by name (ordinal), then in the candidates' order.</returns>
    public static IReadOnlyList<(T Item, double Score, SuggestionKind Kind)> Suggest<T>(
        string accountName, IEnumerable<T> candidates, Func<T, string> nameOf, int max = 5, double minScore = 0.6)
    {
        ArgumentNullException.ThrowIfNull(accountName);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(nameOf);
        if (max <= 0)
        {
            return [];
        }

        var accountKey = NameKey.Of(accountName);
        if (accountKey.Length == 0)
        {
            return [];
        }

        var account = new Shape(accountKey);
        var found = new List<(T Item, double Score, SuggestionKind Kind, string Name, int Index)>();
        var index = 0;
        foreach (var candidate in candidates)
        {
            var name = nameOf(candidate) ?? string.Empty;
            var key = NameKey.Of(name);
            index++;
            if (key.Length == 0 || string.Equals(key, accountKey, StringComparison.Ordinal))
            {
                continue;
            }

            var (score, kind) = Compare(account, new Shape(key), minScore);
            if (score >= minScore && score > 0)
            {
                found.Add((candidate, score, kind, name, index));
            }
        }

        return found
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Index)
            .Take(max)
            .Select(f => (f.Item, f.Score, f.Kind))
            .ToList();
    }

    private static (double Score, SuggestionKind Kind) Compare(Shape a, Shape b, double minScore)
    {
        if (a.Words.Length > 0 && b.Words.Length > 0)
        {
            if (a.Words.SequenceEqual(b.Words))
            {
                return (SamePunctuationOnlyScore, SuggestionKind.SameWordsIgnoringPunctuationAndSuffixes);
            }

            if (a.Sorted.SequenceEqual(b.Sorted))
            {
                return (ReorderedScore, SuggestionKind.ReorderedWords);
            }

            if (a.Core.SequenceEqual(b.Core))
            {
                return (SameWordsWithoutSuffixesScore, SuggestionKind.SameWordsIgnoringPunctuationAndSuffixes);
            }

            if (a.CoreSorted.SequenceEqual(b.CoreSorted))
            {
                return (ReorderedWithoutSuffixesScore, SuggestionKind.ReorderedWords);
            }
        }

        var ordered = Similarity(a.CoreText, b.CoreText, minScore);
        var sorted = Similarity(a.CoreSortedText, b.CoreSortedText, minScore);
        return (Math.Min(Math.Max(ordered, sorted), MaxSpellingScore), SuggestionKind.SimilarSpelling);
    }

    /// <summary>1 − Levenshtein distance / longer length, over text elements; 0 when it cannot reach the minimum.</summary>
    internal static double Similarity(string a, string b, double minScore)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        var x = Elements(a);
        var y = Elements(b);
        var longer = Math.Max(x.Length, y.Length);
        if (1.0 - (double)Math.Abs(x.Length - y.Length) / longer < minScore)
        {
            return 0;
        }

        var previous = new int[y.Length + 1];
        var current = new int[y.Length + 1];
        for (var j = 0; j <= y.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= x.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= y.Length; j++)
            {
                var cost = string.Equals(x[i - 1], y[j - 1], StringComparison.Ordinal) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return 1.0 - (double)previous[y.Length] / longer;
    }

    private static string[] Elements(string s)
    {
        var list = new List<string>(s.Length);
        var e = StringInfo.GetTextElementEnumerator(s);
        while (e.MoveNext())
        {
            list.Add(e.GetTextElement());
        }

        return [.. list];
    }

    /// <summary>Words of a key: letters, digits and marks; dots and apostrophes join ("L.L.C." is "llc", "O'Brien" is
    /// "obrien"); any other punctuation, symbol or space separates.</summary>
    internal static string[] Words(string key)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var c in key)
        {
            if (char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                sb.Append(c);
            }
            else if (c is '.' or '\'')
            {
                continue;
            }
            else if (sb.Length > 0)
            {
                words.Add(sb.ToString());
                sb.Clear();
            }
        }

        if (sb.Length > 0)
        {
            words.Add(sb.ToString());
        }

        return [.. words];
    }

    /// <summary>The words without trailing legal suffixes ("Acme Co Ltd" is "acme"); at least one word is kept.</summary>
    internal static string[] WithoutLegalSuffixes(string[] words)
    {
        var end = words.Length;
        while (end > 1 && LegalSuffixes.Contains(words[end - 1]))
        {
            end--;
        }

        return words[..end];
    }

    private sealed class Shape
    {
        public Shape(string key)
        {
            Words = NameSimilarity.Words(key);
            Sorted = [.. Words.Order(StringComparer.Ordinal)];
            Core = WithoutLegalSuffixes(Words);
            CoreSorted = [.. Core.Order(StringComparer.Ordinal)];
            CoreText = Core.Length > 0 ? string.Join(' ', Core) : key;
            CoreSortedText = CoreSorted.Length > 0 ? string.Join(' ', CoreSorted) : key;
        }

        public string[] Words { get; }

        public string[] Sorted { get; }

        public string[] Core { get; }

        public string[] CoreSorted { get; }

        public string CoreText { get; }

        public string CoreSortedText { get; }
    }
}
