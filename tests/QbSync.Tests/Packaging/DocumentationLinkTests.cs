using System.Text.RegularExpressions;

namespace QbSync.Tests.Packaging;

/// <summary>
/// The READMEs that ship inside the packages (src/&lt;Package&gt;/README.md) are shown on nuget.org, where a relative link
/// leads nowhere: they link absolutely, and their links into this repository name files that exist. The repository's own
/// Markdown (README.md, CHANGELOG.md, docs/) may link relatively, to files that exist.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private const string RepositoryBlobUrl = "https://github.com/qbsync/qbsync/blob/main/";

    public static TheoryData<string> PackageReadmes()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "src"), "README.md", SearchOption.AllDirectories)
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot(), path).Replace('\\', '/'));
        }

        return data;
    }

    public static TheoryData<string> RepositoryDocuments()
    {
        var data = new TheoryData<string> { "README.md", "CHANGELOG.md" };
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot(), path).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void The_packages_that_predate_the_generated_readme_ship_their_own()
    {
        // The packages that existed when per-package READMEs were introduced each have one; a new package gets a
        // generated README (its description) from Directory.Build.props until it has its own.
        foreach (var package in new[] { "QbSync", "QbSync.Sqlite", "QbSync.PostgreSql", "QbSync.AspNetCore", "QbSync.DataProtection", "QbSync.Testing" })
        {
            File.Exists(Path.Combine(RepositoryRoot(), "src", package, "README.md")).Should().BeTrue($"{package} ships its own README");
        }
    }

    [Theory]
    [MemberData(nameof(PackageReadmes))]
    public void A_package_readme_names_its_package_and_links_only_absolutely(string readme)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), readme));
        var package = Path.GetFileName(Path.GetDirectoryName(Path.Combine(RepositoryRoot(), readme)))!;

        text.Split('\n')[0].TrimEnd().Should().Be($"# {package}", "the package page starts with the package's name");
        foreach (var link in Links(text))
        {
            link.Should().MatchRegex("^(https://|#)", $"{readme} is shown on nuget.org, where a relative link ({link}) is broken");
            if (link.StartsWith(RepositoryBlobUrl, StringComparison.Ordinal))
            {
                var target = link[RepositoryBlobUrl.Length..].Split('#')[0];
                File.Exists(Path.Combine(RepositoryRoot(), target)).Should().BeTrue($"{readme} links to {link}, which must exist in the repository");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RepositoryDocuments))]
    public void A_relative_link_in_the_repository_docs_names_a_file_that_exists(string document)
    {
        var path = Path.Combine(RepositoryRoot(), document);
        var directory = Path.GetDirectoryName(path)!;
        foreach (var link in Links(File.ReadAllText(path)))
        {
            if (link.StartsWith('#') || Uri.TryCreate(link, UriKind.Absolute, out _))
            {
                continue;
            }

            var target = Uri.UnescapeDataString(link.Split('#')[0]);
            var full = Path.GetFullPath(Path.Combine(directory, target));
            (File.Exists(full) || Directory.Exists(full)).Should().BeTrue($"{document} links to {link}");
        }
    }

    [Fact]
    public void Links_are_found_in_inline_markdown_links_only()
    {
        Links("See [a](docs/a.md), [b](https://x.example/b \"title\") and `[c](not-a-link)`; ![img](i.png).")
            .Should().Equal("docs/a.md", "https://x.example/b", "i.png");
    }

    /// <summary>The targets of the inline Markdown links in a text, outside code spans and fenced blocks.</summary>
    private static List<string> Links(string markdown)
    {
        var withoutCode = FencedBlock().Replace(markdown, string.Empty);
        withoutCode = CodeSpan().Replace(withoutCode, string.Empty);
        return InlineLink().Matches(withoutCode).Select(m => m.Groups["target"].Value).ToList();
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QbSync.sln")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("the tests run inside the repository");
        return directory!.FullName;
    }
}
