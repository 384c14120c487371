using System.Diagnostics;

namespace QbSync.AspNetCore.Tests;

/// <summary>The worker sample run as its own process, as an operator would run it.</summary>
public sealed class WorkerSampleTests
{
    [Fact]
    public async Task The_worker_syncs_every_firm_and_stops_gracefully_with_json_logs()
    {
        var (exitCode, output) = await RunAsync("--Demo:StopWhenDone=true", "--Demo:Firms=2", "--Demo:AccountsPerFirm=6");

        exitCode.Should().Be(0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        lines.Should().Contain(l => l.Contains("\"EventId\":2891", StringComparison.Ordinal) && l.Contains("\"Accounts\":12", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("\"EventId\":2302", StringComparison.Ordinal), "the worker logs that it stopped");
        lines.Where(l => l.Contains("\"EventId\":2890", StringComparison.Ordinal)).Should().HaveCount(2);
        output.Should().NotContain("qbsync.quickbooks.request.duration", "OpenTelemetry's console exporter is off by default");
    }

    [Fact]
    public async Task With_the_console_exporter_turned_on_QbSync_spans_and_metrics_are_printed()
    {
        var (exitCode, output) = await RunAsync("--Demo:StopWhenDone=true", "--Demo:Firms=1", "--Demo:AccountsPerFirm=3", "--Telemetry:ConsoleExporter=true");

        exitCode.Should().Be(0, output);
        output.Should().Contain("QbSync RunPending", "the worker's runs are spans");
        output.Should().Contain("qbsync.quickbooks.request.duration").And.Contain("qbsync.sync.completed");
    }

    [Fact]
    public async Task Without_QuickBooks_keys_the_worker_stops_at_start_up()
    {
        var (exitCode, output) = await RunAsync("--Demo:UseFake=false");

        exitCode.Should().NotBe(0);
        output.Should().Contain("OptionsValidationException").And.Contain("ClientId");
        output.Should().NotContain("\"EventId\":2301", "the worker never started");
    }

    [Fact]
    public async Task Stopping_the_worker_mid_run_gives_every_claimed_account_back()
    {
        OperatingSystem.IsWindows().Should().BeFalse("the worker is stopped with SIGTERM, as systemd, Docker or Ctrl+C do");
        var database = Path.Combine(Path.GetTempPath(), "qbsync-worker-stop-" + Guid.NewGuid().ToString("N") + ".db");
        const int accounts = 40;
        try
        {
            // Every QuickBooks answer takes five seconds: the run is far from done when its first claim is seen.
            using var process = StartWorker("--Demo:Firms=1", $"--Demo:AccountsPerFirm={accounts}", "--Demo:LatencyMs=5000", "--Demo:DatabasePath=" + database);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                using (var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                {
                    while (await CountAsync(database, "lease_owner IS NOT NULL") == 0)
                    {
                        process.HasExited.Should().BeFalse("the worker runs until it is stopped");
                        await Task.Delay(50, hangGuard.Token);
                    }
                }

                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync();
                using var exitGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await process.WaitForExitAsync(exitGuard.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            var output = await stdout + await stderr;
            process.ExitCode.Should().Be(0, output);
            output.Should().Contain("\"EventId\":2302", "the worker logs that it stopped");
            (await CountAsync(database, "lease_owner IS NOT NULL OR lease_until IS NOT NULL")).Should().Be(0, "a graceful stop gives the claimed accounts back: " + output);
            (await CountAsync(database, $"status = {(int)SyncStatus.Synced}")).Should().BeLessThan(accounts, "the worker was stopped mid-run");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Accounts of the worker's SQLite file matching a condition (0 while the file or table is not there yet).</summary>
    private static async Task<long> CountAsync(string database, string condition)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'accounts'";
        if ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT count(*) FROM accounts WHERE " + condition;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Process StartWorker(params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "QbSync.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar))!;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var worker = Path.Combine(root, "samples", "QbSync.Samples.Worker", "bin", configuration, "net10.0", "QbSync.Samples.Worker.dll");
        File.Exists(worker).Should().BeTrue($"the worker sample is built with the tests ({worker})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(worker)! };
        start.ArgumentList.Add(worker);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // The worker reads only what the test passes: the web sample's browser tests set Demo__* variables in this
        // process while their server runs (Demo__DatabasePath among them), and a worker started meanwhile inherited
        // them and worked on the web test's database, never reaching "all synced".
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Demo__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("QbSync__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        return Process.Start(start)!;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var process = StartWorker(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException("The worker did not stop within 2 minutes. Its output:\n" + await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
