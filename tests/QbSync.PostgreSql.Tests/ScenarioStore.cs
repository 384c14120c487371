using System.Runtime.CompilerServices;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// Runs the engine's scenario tests (compiled in from tests/QbSync.Tests/Sync/Scenarios) on PostgreSQL: each harness
/// that is given no store gets a <see cref="PostgreSqlAccountStore"/> in a fresh schema (the scenarios reuse firm ids),
/// dropped by a later run once it is an hour old (see <see cref="PostgreSqlServer.NewSchema"/>: the runner ends the test
/// host without a clean exit).
/// </summary>
internal static class ScenarioStore
{
    [ModuleInitializer]
    internal static void UsePostgreSql()
    {
        SyncHarness.DefaultStore = () =>
        {
            return new PostgreSqlAccountStore(PostgreSqlServer.Options(PostgreSqlServer.NewSchema()));
        };
        QbSync.Tests.Billing.BillingHarness.DefaultStores = () =>
        {
            var schema = PostgreSqlServer.NewSchema();
            return (new PostgreSqlAccountStore(PostgreSqlServer.Options(schema)), new PostgreSqlBillingDocumentStore(PostgreSqlServer.Options(schema)));
        };
    }
}
