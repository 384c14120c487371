using System.Reflection;
using System.Text;
using QbSync.QuickBooks;
using QbSync.Testing;

namespace QbSync.Tests.Conventions;

/// <summary>
/// The public surface of each shipped assembly is checked in as <c>src/&lt;Project&gt;/PublicAPI.txt</c> (see
/// <see cref="PublicApiListing"/> for the format). A change to the surface fails this test with the lines added and
/// removed, and writes the new listing to <c>PublicAPI.received.txt</c> next to the checked-in file (git-ignored).
/// </summary>
/// <remarks>
/// To accept an intended change, review the diff, then regenerate the checked-in files and commit them:
/// <code>QBSYNC_ACCEPT_API=1 dotnet test tests/QbSync.Tests --filter "FullyQualifiedName~PublicApi"</code>
/// (PowerShell: <c>$env:QBSYNC_ACCEPT_API=1; dotnet test ...</c>). See docs/contributing.md.
/// </remarks>
public class PublicApiTests
{
    private const string AcceptVariable = "QBSYNC_ACCEPT_API";

    public static TheoryData<string> ShippedAssemblies => new() { "QbSync", "QbSync.Testing", "QbSync.Testing.Xunit", "QbSync.Sqlite", "QbSync.AspNetCore", "QbSync.PostgreSql", "QbSync.DataProtection" };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Public_api_matches_the_checked_in_listing(string project)
    {
        var assembly = ShippedAssembly(project);
        var actual = PublicApiListing.Generate(assembly);

        var projectDirectory = Path.Combine(RepositoryRoot(), "src", project);
        Directory.Exists(projectDirectory).Should().BeTrue($"the project {project} lives in {projectDirectory}");
        var approvedPath = Path.Combine(projectDirectory, "PublicAPI.txt");
        var receivedPath = Path.Combine(projectDirectory, "PublicAPI.received.txt");

        if (Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true")
        {
            File.WriteAllText(approvedPath, actual, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }

        var expected = File.Exists(approvedPath)
            ? File.ReadAllText(approvedPath).Replace("\r\n", "\n", StringComparison.Ordinal)
            : string.Empty;

        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        Assert.Fail(Describe(project, approvedPath, receivedPath, expected, actual));
    }

    [Fact]
    public void PublicApi_listing_is_deterministic()
    {
        var assembly = typeof(QuickBooksClient).Assembly;
        PublicApiListing.Generate(assembly).Should().Be(PublicApiListing.Generate(assembly));
    }

    private static Assembly ShippedAssembly(string project) => project switch
    {
        "QbSync" => typeof(QuickBooksClient).Assembly,
        "QbSync.Testing" => typeof(QuickBooksOnlineFake).Assembly,
        "QbSync.Testing.Xunit" => typeof(QbSync.Testing.Stores.AccountStoreConformanceTests).Assembly,
        "QbSync.Sqlite" => typeof(QbSync.Sqlite.SqliteAccountStore).Assembly,
        "QbSync.AspNetCore" => typeof(QbSync.AspNetCore.QbSyncProblemTypes).Assembly,
        "QbSync.PostgreSql" => typeof(QbSync.PostgreSql.PostgreSqlAccountStore).Assembly,
        "QbSync.DataProtection" => typeof(QbSync.DataProtection.DataProtectionTokenProtector).Assembly,
        _ => throw new ArgumentOutOfRangeException(nameof(project), project, "Not a shipped project."),
    };

    private static string Describe(string project, string approvedPath, string receivedPath, string expected, string actual)
    {
        var expectedLines = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var actualLines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var removed = expectedLines.Except(actualLines, StringComparer.Ordinal).ToList();
        var added = actualLines.Except(expectedLines, StringComparer.Ordinal).ToList();

        var message = new StringBuilder();
        message.Append("The public API of ").Append(project).Append(" differs from ").Append(approvedPath).Append('.').AppendLine();
        if (expected.Length == 0)
        {
            message.AppendLine("The listing is missing or empty.");
        }

        message.Append("Removed (").Append(removed.Count).Append("):").AppendLine();
        foreach (var line in removed)
        {
            message.Append("- ").AppendLine(line);
        }

        message.Append("Added (").Append(added.Count).Append("):").AppendLine();
        foreach (var line in added)
        {
            message.Append("+ ").AppendLine(line);
        }

        if (removed.Count == 0 && added.Count == 0)
        {
            message.AppendLine("Same lines, different order or whitespace.");
        }

        message.Append("The new listing was written to ").Append(receivedPath).Append('.').AppendLine();
        message.Append("If the change is intended, run: ").Append(AcceptVariable)
            .Append("=1 dotnet test tests/QbSync.Tests --filter \"FullyQualifiedName~PublicApi\" and commit PublicAPI.txt")
            .AppendLine(" (and note the change in CHANGELOG.md).");
        return message.ToString();
    }

    /// <summary>Walks up from the test output folder to the folder holding QbSync.sln.</summary>
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
}
