using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using QbSync;
using QbSync.Diagnostics;
using QbSync.Samples.Worker;
using QbSync.Sqlite;

// The worker sample: a generic host that runs QbSync's background worker for every firm in one store. Configuration
// comes from appsettings.json, environment variables (QbSync__QuickBooks__OAuth__ClientSecret=…) and the command
// line; options are validated at start-up (a missing client id stops the host before it does anything); Ctrl+C stops
// it gracefully: the worker finishes or gives back its claimed accounts and their leases end. Logs are JSON lines;
// metrics are on the "QbSync" meter (dotnet-counters monitor -n QbSync.Samples.Worker --counters QbSync), and with
// Telemetry:ConsoleExporter=true QbSync's spans and metrics are printed by OpenTelemetry's console exporter.
var builder = Host.CreateApplicationBuilder(args);
var demo = builder.Configuration.GetSection("Demo").Get<DemoOptions>() ?? new DemoOptions();

var qbsync = builder.Services.AddQbSync(builder.Configuration.GetSection("QbSync"));
qbsync.UseSqliteStore(options => builder.Configuration.GetSection("QbSync:Sqlite").Bind(options));
qbsync.AddBackgroundWorker();
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

// OpenTelemetry, off unless asked for (--Telemetry:ConsoleExporter=true, or Telemetry__ConsoleExporter=true): QbSync's
// spans (source "QbSync") and metrics (meter "QbSync") on the console. Replace AddConsoleExporter with an OTLP
// exporter to send them to a collector.
if (builder.Configuration.GetValue<bool>("Telemetry:ConsoleExporter"))
{
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(resource => resource.AddService("QbSync.Samples.Worker"))
        .WithTracing(tracing => tracing.AddSource(QbSyncTelemetry.Name).AddConsoleExporter())
        .WithMetrics(metrics => metrics.AddMeter(QbSyncTelemetry.Name).AddConsoleExporter((_, reader) =>
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000));
}

if (demo.UseFake)
{
    // Without a QuickBooks app: the built-in fake, and a few firms seeded with accounts at start.
    FakeQuickBooks.Add(builder, demo);
}

var host = builder.Build();
await host.RunAsync();
if (demo.UseFake)
{
    FakeQuickBooks.DeleteDatabase(demo);
}
