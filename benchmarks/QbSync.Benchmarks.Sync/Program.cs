using System.Globalization;
using QbSync.Benchmarks.Sync;

// Issue 4's bulk first sync, measured against the QBO fake: N accounts, M existing customers, half the accounts
// matching one. Prints QBO requests by kind, the request budget, wall time and accounts/second; then the round
// trips of single-account actions (match, create); then issue 9's billing backlog (requests per document, documents
// per minute at QBO's limits in scaled time).
if (args.Length > 0 && args[0] == "serve-fake")
{
    return await RemoteFake.ServeAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0);
}

if (args.Length > 0 && args[0] == "cost")
{
    CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
    return await EngineCost.RunAsync(CostArguments.Parse(args[1..]));
}

BenchmarkArguments arguments;
try
{
    arguments = BenchmarkArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var engine = SyncEngine.Start(arguments);
Console.WriteLine($"QbSync bulk first sync benchmark (.NET {Environment.Version}, {Environment.ProcessorCount} cores, {(arguments.LatencyMs > 0 ? $"{arguments.LatencyMs} ms latency per QBO request" : "no injected latency")})");
Console.WriteLine($"Options: ClaimBatchSize {engine.Options.ClaimBatchSize}, BulkThreshold {engine.Options.BulkThreshold}, MaxConcurrentAccountsPerRealm {engine.Options.MaxConcurrentAccountsPerRealm}");
Console.WriteLine();

await BulkFirstSync.WarmUpAsync(engine);
await BulkFirstSync.RunAsync(engine, arguments.Accounts, arguments.Customers);
Console.WriteLine();
await KnownRefusals.RunAsync(engine);
Console.WriteLine();
await SingleAccountActions.RunAsync(engine);
Console.WriteLine();
await BillingBacklog.RunAsync(arguments);
return 0;
