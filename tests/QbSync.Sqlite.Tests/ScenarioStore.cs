using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Sqlite.Tests;

/// <summary>
/// Runs the engine's scenario tests (compiled in from tests/QbSync.Tests/Sync/Scenarios) on SQLite: each harness that
/// is given no store gets a <see cref="SqliteAccountStore"/> on a fresh file (the scenarios reuse firm ids), in a temp
/// directory of this run. The test host is ended by the runner without a clean exit, so each run deletes the
/// directories of runs more than an hour old instead.
/// </summary>
internal static class ScenarioStore
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "qbsync-scenarios");

    [ModuleInitializer]
    internal static void UseSqlite()
    {
        var directory = new Lazy<string>(() =>
        {
            DeleteOldRuns();
            var path = Path.Combine(Root, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(path);
            return path;
        });
        SyncHarness.DefaultStore = () =>
        {
            var path = Path.Combine(directory.Value, Guid.NewGuid().ToString("N") + ".db");
            return new SqliteAccountStore(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        };
        QbSync.Tests.Billing.BillingHarness.DefaultStores = () =>
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory.Value, Guid.NewGuid().ToString("N") + ".db") }.ToString();
            return (new SqliteAccountStore(connection), new SqliteBillingDocumentStore(connection));
        };
    }

    private static void DeleteOldRuns()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var run in Directory.EnumerateDirectories(Root))
        {
            if (Directory.GetLastWriteTimeUtc(run) < DateTime.UtcNow.AddHours(-1))
            {
                try
                {
                    Directory.Delete(run, recursive: true);
                }
                catch (IOException)
                {
                    // Still in use by another run: left for a later one.
                }
            }
        }
    }
}
