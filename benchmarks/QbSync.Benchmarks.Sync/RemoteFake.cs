using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QbSync.Testing;

namespace QbSync.Benchmarks.Sync;

/// <summary>
/// The QBO fake in a child process (this program started with <c>serve-fake</c>), so that the engine's CPU time,
/// allocations and heap are measured without the fake's. Commands go over stdin, one line each, and are answered
/// with one line: <c>seed realm customers</c>, <c>code realm</c>, <c>stats realm</c>, <c>clear</c>,
/// <c>latency ms</c>, <c>limits on|off scale</c>.
/// </summary>
internal sealed class RemoteFake : IDisposable
{
    private readonly Process _process;

    private RemoteFake(Process process, string baseUrl, string clientId, string clientSecret)
    {
        _process = process;
        BaseUrl = baseUrl;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string BaseUrl { get; }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public string TokenEndpoint => BaseUrl + QuickBooksOnlineFake.TokenPath;

    public string RevocationEndpoint => BaseUrl + QuickBooksOnlineFake.RevocationPath;

    /// <summary>Starts the fake: with <paramref name="scale"/> 0, QBO's rate limits are lifted (10 requests in flight
    /// still hold); otherwise QBO's limits hold over a minute <paramref name="scale"/> times shorter.</summary>
    public static RemoteFake Start(int scale = 0)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RemoteFake).Assembly.Location);
        }

        start.ArgumentList.Add("serve-fake");
        start.ArgumentList.Add(scale.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the fake's process");
        var ready = process.StandardOutput.ReadLine()?.Split(' ') ?? throw new InvalidOperationException("the fake's process ended");
        return new RemoteFake(process, ready[1], ready[2], ready[3]);
    }

    public Task SeedAsync(string realmId, int customers) => AskAsync($"seed {realmId} {customers}");

    public Task<string> AuthorizationCodeAsync(string realmId) => AskAsync($"code {realmId}");

    public Task ClearAsync() => AskAsync("clear");

    public Task SetLatencyAsync(int milliseconds) => AskAsync($"latency {milliseconds}");

    public async Task<FakeStats> StatsAsync(string realmId) =>
        JsonSerializer.Deserialize<FakeStats>(await AskAsync($"stats {realmId}"))!;

    private async Task<string> AskAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the fake's process ended");
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The child's side: serves the fake until stdin closes.</summary>
    public static async Task<int> ServeAsync(int scale)
    {
        using var qbo = QuickBooksOnlineFake.Start(o =>
        {
            o.Authentication = FakeAuthenticationMode.OAuth;
            // QBO's 10 requests in flight always hold (and the peak is measured); the per-minute limits only when scaled.
            o.Throttling.Enabled = true;
            if (scale > 0)
            {
                o.Throttling.Window = TimeSpan.FromMinutes(1) / scale;
            }
            else
            {
                o.Throttling.RequestsPerMinutePerRealm = 10_000_000;
                o.Throttling.BatchRequestsPerMinutePerRealm = 10_000_000;
            }
        });
        qbo.Journal.Enabled = true;
        Console.WriteLine($"ready {qbo.BaseUrl} {qbo.OAuth.ClientId} {qbo.OAuth.ClientSecret}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ');
            string answer;
            switch (words[0])
            {
                case "seed":
                    var company = qbo.Company(words[1]);
                    var count = int.Parse(words[2], CultureInfo.InvariantCulture);
                    for (var i = 0; i < count; i++)
                    {
                        company.AddCustomer(CustomerName(i));
                    }

                    company.AddVendor("Some Vendor");
                    company.AddEmployee("Some Employee");
                    answer = "ok";
                    break;
                case "code":
                    answer = qbo.OAuth.CreateAuthorizationCode(words[1]);
                    break;
                case "clear":
                    qbo.Journal.Clear();
                    qbo.Throttle.Reset();
                    answer = "ok";
                    break;
                case "latency":
                    qbo.Faults.SetLatency(TimeSpan.FromMilliseconds(int.Parse(words[1], CultureInfo.InvariantCulture)));
                    answer = "ok";
                    break;
                case "stats":
                    var realm = words[1];
                    var requests = qbo.Journal.Requests.Where(r => r.RealmId == realm && r.Kind is not (FakeRequestKind.Token or FakeRequestKind.Revoke)).ToList();
                    answer = JsonSerializer.Serialize(new FakeStats(
                        requests.Count,
                        requests.Count(r => r.Kind == FakeRequestKind.Batch),
                        requests.Count(r => r.Kind == FakeRequestKind.Query),
                        requests.Count(r => r.Kind == FakeRequestKind.Create),
                        qbo.Company(realm).Customers.Count,
                        qbo.Company(realm).DuplicateNameRefusals,
                        qbo.Throttle.ThrottledCount,
                        qbo.Throttle.PeakInFlight,
                        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
                        requests.GroupBy(r => r.Kind.ToString()).ToDictionary(g => g.Key, g => g.Count())));
                    break;
                default:
                    answer = "unknown";
                    break;
            }

            Console.WriteLine(answer);
        }

        return 0;
    }

    /// <summary>The name of the i-th seeded customer.</summary>
    public static string CustomerName(int i) => $"Existing Client {i:000000}";
}

/// <summary>What the fake saw for a realm.</summary>
internal sealed record FakeStats(int Requests, int Batches, int Queries, int Creates, int Customers, int RefusedWrites, int Throttled, int PeakInFlight, double FakeCpuSeconds, Dictionary<string, int> ByKind);
