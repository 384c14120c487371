using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// Runs the engine's scenario tests (compiled in from tests/QbSync.Tests/Sync/Scenarios) on PostgreSQL: each harness
/// that is given no store gets a <see cref="PostgreSqlAccountStore"/> in a fresh schema (the scenarios reuse firm ids),
/// dropped when the test process exits.
/// </summary>
internal static class ScenarioStore
{
    private static readonly ConcurrentBag<string> Schemas = [];

    [ModuleInitializer]
    internal static void UsePostgreSql()
    {
        SyncHarness.DefaultStore = () =>
        {
            var schema = PostgreSqlServer.NewSchema();
            Schemas.Add(schema);
            return new PostgreSqlAccountStore(PostgreSqlServer.Options(schema));
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DropSchemas();
    }

    private static void DropSchemas()
    {
        if (Schemas.IsEmpty)
        {
            return;
        }

        try
        {
            foreach (var schema in Schemas)
            {
                PostgreSqlServer.DropSchemaAsync(schema).GetAwaiter().GetResult();
            }
        }
        catch (Npgsql.NpgsqlException)
        {
            // Best effort at exit: a leftover schema only takes space in a test database.
        }
    }
}
