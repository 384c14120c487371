using System.Text.RegularExpressions;
using QbSync.Diagnostics;

namespace QbSync.Tests.Diagnostics;

/// <summary>docs/observability.md stays the one true table: every event id of src/ is used once and listed, every
/// instrument is listed.</summary>
public partial class ObservabilityDocTests
{
    [Fact]
    public void Every_log_event_id_is_used_once_and_is_in_the_documented_table()
    {
        var root = RepositoryRoot();
        var used = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LoggerMessageId().Matches(File.ReadAllText(f)).Select(m => (Id: int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetRelativePath(root, f))))
            .ToList();
        var documented = DocumentedEventIds(root);

        used.Should().HaveCountGreaterThan(50);
        used.GroupBy(u => u.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(u => u.File))}")
            .Should().BeEmpty("an event id names one log message");
        used.Select(u => u.Id).Except(documented).Should().BeEmpty("every event id is in the table of docs/observability.md");
        documented.Except(used.Select(u => u.Id)).Should().BeEmpty("the table lists no event id the code no longer uses");
    }

    [Fact]
    public void Every_instrument_is_documented()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "observability.md"));
        var names = typeof(QbSyncMetrics).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Name", StringComparison.Ordinal)).Select(f => (string)f.GetRawConstantValue()!).ToList();

        names.Should().HaveCountGreaterThan(5);
        names.Should().OnlyContain(n => doc.Contains("`" + n + "`", StringComparison.Ordinal));
    }

    private static HashSet<int> DocumentedEventIds(string root)
    {
        var ids = new HashSet<int>();
        foreach (var line in File.ReadLines(Path.Combine(root, "docs", "observability.md")))
        {
            if (DocumentedRow().Match(line) is { Success: true } m)
            {
                ids.Add(int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)).Should().BeTrue($"event id {m.Groups["id"].Value} is listed once");
            }
        }

        return ids;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QbSync.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No QbSync.sln above {AppContext.BaseDirectory}.");
    }

    // [LoggerMessage(2201, ...)] and [LoggerMessage(EventId = 1100, ...)].
    [GeneratedRegex(@"\[LoggerMessage\(\s*(?:EventId\s*=\s*)?(?<id>\d+)")]
    private static partial Regex LoggerMessageId();

    // A row of the event table: | 2201 | ...
    [GeneratedRegex(@"^\|\s*(?<id>\d{4})\s*\|")]
    private static partial Regex DocumentedRow();
}
