using QbSync.Samples.ConsoleHost.Cli;
using QbSync.Sync;
using Spectre.Console;

namespace QbSync.Samples.ConsoleHost;

/// <summary>The demo's output: numbered section titles, one account's state, and Spectre.Console tables.</summary>
internal sealed class ConsoleOutput(IAnsiConsole console)
{
    private int _section;

    public IAnsiConsole Console => console;

    public void Section(string title)
    {
        _section++;
        console.WriteLine();
        console.Write(new Rule(Markup.Escape($"{_section}. {title}")).LeftJustified());
    }

    public void Say(string text) => console.WriteLine(text);

    public void Field(string name, object? value) => console.WriteLine($"   {name,-18} {value}");

    public void State(AccountSyncState state) => CliOutput.State(console, state);

    /// <summary>Prints a table of plain-text cells; the last column wraps at <paramref name="lastColumnWidth"/> characters.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int lastColumnWidth = 64)
    {
        var table = CliOutput.Table([.. headers]);
        var data = rows.ToList();
        if (data.Any(row => row[^1].Length > lastColumnWidth))
        {
            table.Columns[^1].Width(lastColumnWidth);
        }

        foreach (var row in data)
        {
            table.Row([.. row]);
        }

        console.Write(table);
    }
}
