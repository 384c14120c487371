using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using QbSync.Sync;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>How commands print: Spectre.Console tables and grids for people, plain JSON for scripts.</summary>
internal static class CliOutput
{
    /// <summary>A table whose cells are plain text (never read as markup: account names may hold brackets).</summary>
    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    public static Table Row(this Table table, params string?[] cells)
    {
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? string.Empty)).ToArray());
        return table;
    }

    /// <summary>One account: status, reason, tooltip, linked customer and the menu the actor gets.</summary>
    public static void State(IAnsiConsole console, AccountSyncState state)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Field(string name, string? value) => grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value ?? string.Empty));
        Field("Account", $"{state.AccountName} ({state.AccountId})");
        Field("QuickBooks", state.Reason == SyncReason.None ? state.Label : $"{state.Label} [{state.Reason}]");
        Field("Tooltip", state.Tooltip);
        if (state.CustomerId is not null)
        {
            Field("Linked customer", $"{state.CustomerDisplayName} (id {state.CustomerId})");
        }

        if (state.Problem is { } problem && (problem.QuickBooksErrorCode is not null || problem.QuickBooksMessage is not null))
        {
            Field("QBO said", $"{problem.QuickBooksErrorCode} {problem.QuickBooksMessage}".Trim());
        }

        if (state.NextAttemptAt is { } next)
        {
            Field("Next attempt", next.ToString("u", CultureInfo.InvariantCulture));
        }

        Field("Menu", state.AvailableActions.Count == 0 ? "(nothing for this user)" : string.Join(" | ", state.AvailableActions.Select(SyncStatusTexts.ActionLabel)));
        console.Write(grid);
    }

    /// <summary>Writes JSON as is (no wrapping, no markup) to the console's output.</summary>
    public static void Json<T>(IAnsiConsole console, T value, JsonTypeInfo<T> typeInfo)
    {
        var writer = console.Profile.Out.Writer;
        writer.WriteLine(JsonSerializer.Serialize(value, typeInfo));
        writer.Flush();
    }

    /// <summary>A line of plain text.</summary>
    public static void Line(IAnsiConsole console, string text) => console.WriteLine(text);
}
