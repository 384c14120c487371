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

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
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
        using var process = Process.Start(start)!;
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
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
