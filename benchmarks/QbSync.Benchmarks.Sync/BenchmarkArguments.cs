using System.Globalization;

namespace QbSync.Benchmarks.Sync;

/// <summary><c>[--accounts N] [--customers M] [--latency-ms X] [--claim-batch B] [--bulk-threshold T] [--documents D] [--time-scale S]</c>.</summary>
internal sealed record BenchmarkArguments(int Accounts, int Customers, int LatencyMs, int? ClaimBatchSize, int? BulkThreshold, int Documents = 3000, int TimeScale = 5)
{
    public const string Usage = "usage: QbSync.Benchmarks.Sync [--accounts 2000] [--customers 1000] [--latency-ms 0] [--claim-batch 500] [--bulk-threshold 20] [--documents 3000] [--time-scale 5]";

    public static BenchmarkArguments Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                throw new ArgumentException($"bad argument '{args[i]}'\n{Usage}");
            }

            values[args[i][2..]] = value;
            i++;
        }

        var known = new[] { "accounts", "customers", "latency-ms", "claim-batch", "bulk-threshold", "documents", "time-scale" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown argument '--{unknown}'\n{Usage}");
        }

        return new BenchmarkArguments(
            values.GetValueOrDefault("accounts", 2000),
            values.GetValueOrDefault("customers", 1000),
            values.GetValueOrDefault("latency-ms", 0),
            values.TryGetValue("claim-batch", out var claim) ? claim : null,
            values.TryGetValue("bulk-threshold", out var bulk) ? bulk : null,
            values.GetValueOrDefault("documents", 3000),
            Math.Max(1, values.GetValueOrDefault("time-scale", 5)));
    }
}
