using QbSync.Testing;

namespace QbSync.Tests.Conventions;

/// <summary>The QuickBooks Online fake (<c>QbSync.Testing</c>) works with any test framework: it references none,
/// and no WireMock type is part of its public API (its URL, journal, fault rules and seeding are QbSync's own).</summary>
public class TestingPackageTests
{
    private static readonly string[] TestFrameworks = ["xunit", "nunit", "mstest", "Microsoft.VisualStudio.TestPlatform", "FluentAssertions"];

    [Fact]
    public void The_fake_references_no_test_framework()
    {
        var references = typeof(QuickBooksOnlineFake).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.Should().NotContain(name => TestFrameworks.Any(f => name.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void The_fakes_public_api_exposes_no_WireMock_or_test_framework_type()
    {
        // The public API analyzer's listing of the package (the build fails when it differs from the code).
        var directory = Path.Combine(RepositoryRoot(), "src", "QbSync.Testing");
        var listing = File.ReadAllText(Path.Combine(directory, "PublicAPI.Shipped.txt")) + File.ReadAllText(Path.Combine(directory, "PublicAPI.Unshipped.txt"));
        listing.Should().Contain("QuickBooksOnlineFake", "the listing is the fake's");

        listing.Should().NotContainEquivalentOf("WireMock");
        listing.Should().NotContainEquivalentOf("Xunit").And.NotContainEquivalentOf("NUnit");
    }

    [Fact]
    public void The_store_conformance_suites_live_in_the_xunit_package()
    {
        var suites = typeof(QbSync.Testing.Stores.AccountStoreConformanceTests).Assembly;

        suites.GetName().Name.Should().Be("QbSync.Testing.Xunit");
        suites.GetReferencedAssemblies().Should().NotContain(a => a.Name == "QbSync.Testing", "the suites need no QBO fake, so they bring no WireMock");
    }

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
