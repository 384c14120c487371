using System.Text;
using QbSync.Sync;

namespace QbSync.Samples.ConsoleHost;

/// <summary>Plain console output: section titles, one account's state, and tables with wrapped columns.</summary>
internal static class ConsoleOutput
{
    private static int _section;

    public static void Section(string title)
    {
        _section++;
        Console.WriteLine();
        var heading = $"{_section}. {title}";
        Console.WriteLine(heading);
        Console.WriteLine(new string('=', heading.Length));
    }

    public static void Say(string text) => Console.WriteLine(text);

    public static void Field(string name, object? value) => Console.WriteLine($"   {name,-18} {value}");

    public static void State(AccountSyncState state)
    {
        Field("Account", $"{state.AccountName} ({state.AccountId})");
        Field("QuickBooks", state.Reason == SyncReason.None ? state.Label : $"{state.Label} [{state.Reason}]");
        Field("Tooltip", state.Tooltip);
        if (state.CustomerId is not null)
        {
            Field("Linked customer", $"{state.CustomerDisplayName} (id {state.CustomerId})");
        }

        Field("Menu", state.AvailableActions.Count == 0 ? "(nothing for this user)" : string.Join(" | ", state.AvailableActions.Select(SyncStatusTexts.ActionLabel)));
    }

    /// <summary>Prints a table; the last column wraps at <paramref name="lastColumnWidth"/> characters.</summary>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int lastColumnWidth = 64)
    {
        var data = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();
        widths[^1] = Math.Min(widths[^1], lastColumnWidth);
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        Console.WriteLine(rule);
        WriteRow(headers, widths);
        Console.WriteLine(rule);
        foreach (var row in data)
        {
            WriteRow(row, widths);
        }

        Console.WriteLine(rule);
    }

    private static void WriteRow(IReadOnlyList<string> cells, int[] widths)
    {
        var wrapped = cells.Select((c, i) => Wrap(c, widths[i])).ToList();
        var height = wrapped.Max(w => w.Count);
        for (var line = 0; line < height; line++)
        {
            var text = new StringBuilder("|");
            for (var i = 0; i < cells.Count; i++)
            {
                var part = line < wrapped[i].Count ? wrapped[i][line] : string.Empty;
                text.Append(' ').Append(part.PadRight(widths[i])).Append(" |");
            }

            Console.WriteLine(text.ToString());
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Length > 0 && current.Length + 1 + word.Length > width)
            {
                lines.Add(current.ToString());
                current.Clear();
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(word);
        }

        lines.Add(current.ToString());
        return lines;
    }
}
