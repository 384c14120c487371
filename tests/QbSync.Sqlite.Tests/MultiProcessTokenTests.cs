using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using QbSync.QuickBooks.Authentication;
using QbSync.Testing;
using Xunit.Abstractions;

namespace QbSync.Sqlite.Tests;

/// <summary>
/// Issue 8, item 1, the proof: four OS processes share one SQLite token store against a token endpoint with 20-second
/// access tokens and strict rotation (the old refresh token dies 5 seconds after it is used), for two minutes (set
/// <c>QBSYNC_SOAK_SECONDS</c> to change it), with token requests held up to 7 seconds (so a refresh can arrive after
/// its refresh token died). None may ever see "reconnect required", and every process keeps making successful data
/// calls. Filter it out locally with <c>--filter Category!=MultiProcess</c>; CI runs it.
/// </summary>
[Trait("Category", "MultiProcess")]
public sealed partial class MultiProcessTokenTests(ITestOutputHelper output) : IDisposable
{
    private const string Realm = "9130355555555555";
    private const int Processes = 4;
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Four_processes_on_one_sqlite_file_never_lose_the_rotated_refresh_token()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("QBSYNC_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 120;
        using var fake = QuickBooksOnlineFake.Start(o =>
        {
            o.Authentication = FakeAuthenticationMode.OAuth;
            o.OAuth.AccessTokenLifetime = TimeSpan.FromSeconds(20);
            o.OAuth.RotationGracePeriod = TimeSpan.FromSeconds(5);
            o.OAuth.RotateOnEveryRefresh = true;
            o.OAuth.TokenEndpointMaxLatency = TimeSpan.FromSeconds(7); // a refresh may land after its token's grace
        });
        var customer = fake.Company(Realm).AddCustomer("Soak Customer")["Id"]!.GetValue<string>();
        var issued = fake.OAuth.IssueTokens();
        var store = new SqliteTokenStore(_database.ConnectionString);
        await store.SaveAsync(Realm, new QuickBooksTokenSet
        {
            AccessToken = issued.AccessToken,
            AccessTokenIssuedAt = issued.AccessTokenExpiresAt - TimeSpan.FromSeconds(20),
            AccessTokenExpiresAt = issued.AccessTokenExpiresAt,
            RefreshToken = issued.RefreshToken,
            RefreshTokenExpiresAt = issued.RefreshTokenExpiresAt,
        });

        var program = SoakProgramPath();
        var runs = Enumerable.Range(0, Processes).Select(i => RunAsync(program, i,
            "--db", _database.Path, "--api", fake.BaseUrl, "--token", fake.TokenEndpoint, "--revoke", fake.RevocationEndpoint,
            "--realm", Realm, "--customer", customer, "--seconds", seconds.ToString(CultureInfo.InvariantCulture))).ToList();
        var results = await Task.WhenAll(runs);

        foreach (var (index, exitCode, lines) in results)
        {
            output.WriteLine($"process {index}: exit {exitCode}; {string.Join(" | ", lines)}");
        }

        output.WriteLine($"token endpoint: {fake.OAuth.RefreshCount} refreshes in {seconds} s");
        foreach (var (index, exitCode, lines) in results)
        {
            lines.Should().NotContain(l => l.StartsWith("RECONNECT", StringComparison.Ordinal), $"process {index} must never be told to reconnect");
            exitCode.Should().Be(0, $"process {index} ran to the end");
            var result = lines.Single(l => l.StartsWith("RESULT", StringComparison.Ordinal));
            Number(result, "failed").Should().Be(0, $"process {index}: {result}");
            Number(result, "ok").Should().BeGreaterThan(seconds, $"process {index} kept making data calls");
            var buckets = lines.Where(l => l.StartsWith("BUCKET", StringComparison.Ordinal)).ToDictionary(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture), l => Number(l, "ok"));
            buckets.Should().ContainKey(seconds / 10 - 1, $"process {index} printed every 10-second bucket");
            buckets[seconds / 10 - 1].Should().BeGreaterThan(0, $"process {index} still made successful calls in the last 10 seconds, after every rotation");
        }

        fake.OAuth.RefreshCount.Should().BeGreaterThanOrEqualTo(seconds / 20, "the 20-second tokens were rotated all along");
        var final = (await store.GetAsync(Realm))!;
        final.ReconnectRequired.Should().BeFalse();
        fake.OAuth.IsRefreshTokenValid(final.RefreshToken).Should().BeTrue("the stored refresh token is still good");
    }

    private async Task<(int Index, int ExitCode, List<string> Lines)> RunAsync(string program, int index, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var errors = await stderr;
        if (errors.Length > 0)
        {
            lines.Add("STDERR " + errors);
        }

        return (index, process.ExitCode, lines);
    }

    private static int Number(string line, string name) =>
        int.Parse(Regex.Match(line, "\\b" + name + "=(\\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The soak program built next to this assembly's configuration (the test project builds it first).</summary>
    private static string SoakProgramPath()
    {
        var configuration = typeof(MultiProcessTokenTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QbSync.sln")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("the tests run inside the repository");
        var path = Path.Combine(directory!.FullName, "tests", "QbSync.TokenSoak", "bin", configuration, "net10.0", "QbSync.TokenSoak.dll");
        File.Exists(path).Should().BeTrue($"{path} is built with the test project");
        return path;
    }
}
