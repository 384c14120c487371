using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using QbSync.Testing;

// Starts the fake, seeds a company, and sends a mix of reads, queries and creates from a few concurrent tasks
// (no latency injected). Prints start-up time, requests/second and p50/p99 latency.
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var readsOnly = args.Length > 2 && args[2] == "reads";
const string Realm = "9130350000000001";

var startWatch = Stopwatch.StartNew();
using var fake = QuickBooksOnlineFake.Start();
startWatch.Stop();

var company = fake.Company(Realm);
for (var i = 0; i < 200; i++)
{
    company.AddCustomer($"Seed Customer {i:D4}", active: i % 20 != 0);
}

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = new Uri(fake.BaseUrl) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-token");
http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

var created = 0;
async Task<long> OneAsync(int n)
{
    var started = Stopwatch.GetTimestamp();
    HttpResponseMessage response;
    switch (readsOnly ? 0 : n % 10)
    {
        case < 5:
            response = await http.GetAsync($"/v3/company/{Realm}/customer/{(n % 190) + 1}?minorversion=75");
            break;
        case < 8:
            using (var q = new StringContent($"SELECT * FROM Customer WHERE DisplayName = 'Seed Customer {n % 200:D4}'", Encoding.UTF8, "application/text"))
            {
                response = await http.PostAsync($"/v3/company/{Realm}/query?minorversion=75", q);
            }

            break;
        default:
            var id = Interlocked.Increment(ref created);
            using (var c = new StringContent($"{{\"DisplayName\":\"Bench {id}\",\"GivenName\":\"B\",\"FamilyName\":\"{id}\"}}", Encoding.UTF8, "application/json"))
            {
                response = await http.PostAsync($"/v3/company/{Realm}/customer?minorversion=75&requestid={Guid.NewGuid():N}", c);
            }

            break;
    }

    using (response)
    {
        await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode} for request {n}");
        }
    }

    return Stopwatch.GetTimestamp() - started;
}

async Task<List<long>> RunAsync(int count)
{
    var next = -1;
    var latencies = new List<long>[concurrency];
    var workers = Enumerable.Range(0, concurrency).Select(async w =>
    {
        latencies[w] = new List<long>(count / concurrency + 1);
        int n;
        while ((n = Interlocked.Increment(ref next)) < count)
        {
            latencies[w].Add(await OneAsync(n));
        }
    }).ToArray();
    await Task.WhenAll(workers);
    return latencies.SelectMany(l => l).ToList();
}

await RunAsync(2_000); // warm-up
fake.Journal.Clear();
var watch = Stopwatch.StartNew();
var all = await RunAsync(total);
watch.Stop();
all.Sort();
double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
Console.WriteLine(FormattableString.Invariant($"startup: {startWatch.Elapsed.TotalMilliseconds:F0} ms"));
Console.WriteLine(FormattableString.Invariant($"requests: {total} (50% reads, 30% queries, 20% creates), concurrency {concurrency}, processors {Environment.ProcessorCount}"));
Console.WriteLine(FormattableString.Invariant($"throughput: {total / watch.Elapsed.TotalSeconds:F0} requests/s"));
Console.WriteLine(FormattableString.Invariant($"latency: p50 {Ms(all[all.Count / 2]):F2} ms, p99 {Ms(all[(int)(all.Count * 0.99)]):F2} ms"));
Console.WriteLine(FormattableString.Invariant($"journal: {fake.Journal.TotalCount} requests recorded"));
