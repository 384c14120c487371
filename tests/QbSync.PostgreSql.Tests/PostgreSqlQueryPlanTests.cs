using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using QbSync.Stores;

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// What the worker's hot statements read, measured by PostgreSQL itself (<c>EXPLAIN (ANALYZE, FORMAT JSON)</c>, in a
/// transaction that is rolled back): a claim reads the records it can take, and the look-up of firms with due work
/// reads a few index entries per firm, neither the due records other workers hold. Before, a claim walked the firm's due
/// index in due order and filtered out every record leased to someone else (each claim of several workers on one firm
/// cost as much as all the work claimed before it), and the firm look-up read every due record of every firm.
/// </summary>
public sealed class PostgreSqlQueryPlanTests(PostgreSqlQueryPlanTests.HeldWork data) : IClassFixture<PostgreSqlQueryPlanTests.HeldWork>
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task A_claim_reads_the_claimable_records_not_the_ones_other_workers_hold()
    {
        var (claimed, rowsRead, plan) = await ExplainAsync(PostgreSqlAccountStore.Claim, command =>
        {
            command.Parameters.Add(new NpgsqlParameter("firm", NpgsqlDbType.Text) { Value = data.FirmId });
            command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = "claimer" });
            command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = T0.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter("lease_until", NpgsqlDbType.TimestampTz) { Value = T0.AddMinutes(5).UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = 500 });
        });

        claimed.Should().Be(HeldWork.Free + HeldWork.Ended, "the claim takes every free record and every record whose lease ended");
        rowsRead.Should().BeLessThan(200, $"a claim must not read the {HeldWork.Held} records another worker holds:\n{plan}");
    }

    [Fact]
    public async Task Finding_the_firms_with_due_work_reads_a_few_entries_per_firm()
    {
        var store = new PostgreSqlAccountStore(data.Schema.Options);
        (await store.ListFirmsWithDueWorkAsync(T0)).Should().Equal(data.FirmsWithDueWork);
        (await store.ListFirmsWithDueWorkAsync(T0.AddHours(-3))).Should().BeEmpty("nothing was due three hours earlier");

        var (firms, rowsRead, plan) = await ExplainAsync(PostgreSqlAccountStore.SelectFirmsWithDueWork, command =>
            command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = T0.UtcDateTime }));

        firms.Should().Be(data.FirmsWithDueWork.Count);
        rowsRead.Should().BeLessThan(20 * data.FirmsWithDueWork.Count, $"the look-up must not read every due record ({HeldWork.Held} held in one firm):\n{plan}");
    }

    /// <summary>Runs a statement under EXPLAIN ANALYZE and rolls it back: the rows the plan returned (for an update, the
    /// rows it changed), the rows its scans of the accounts table read (returned plus removed by a filter), the plan.</summary>
    private async Task<(long Rows, long RowsRead, string Plan)> ExplainAsync(string statement, Action<NpgsqlCommand> bind)
    {
        await using var connection = await PostgreSqlServer.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement.Replace("{schema}", "\"" + data.Schema.Name + "\"", StringComparison.Ordinal),
            connection,
            transaction);
        bind(command);
        var json = (string)(await command.ExecuteScalarAsync())!;
        await transaction.RollbackAsync();

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement[0].GetProperty("Plan");
        long rowsRead = 0;
        Walk(root, isRoot: true, ref rowsRead);
        var rows = (long)root.GetProperty("Actual Rows").GetDouble();
        return (rows, rowsRead, JsonSerializer.Serialize(root, Indented));
    }

    private static void Walk(JsonElement node, bool isRoot, ref long rowsRead)
    {
        // The update node itself writes the rows its children read; only reads count.
        if (!isRoot && node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "accounts")
        {
            var loops = node.GetProperty("Actual Loops").GetDouble();
            rowsRead += (long)(node.GetProperty("Actual Rows").GetDouble() * loops);
            foreach (var removed in new[] { "Rows Removed by Filter", "Rows Removed by Index Recheck" })
            {
                if (node.TryGetProperty(removed, out var count))
                {
                    rowsRead += (long)(count.GetDouble() * Math.Max(loops, 1));
                }
            }
        }

        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                Walk(child, isRoot: false, ref rowsRead);
            }
        }
    }

    /// <summary>One firm whose oldest due records are held by another worker (claimed, not finished), a few held by a
    /// worker that stopped (their lease has ended) and the newest free; 40 other firms with one due record each; and
    /// 30,000 accounts of another firm that are not due, so that the table and its statistics are a real one's.</summary>
    public sealed class HeldWork : IAsyncLifetime
    {
        public const int Held = 2000;
        public const int Free = 20;
        public const int Ended = 5;

        public TestSchema Schema { get; } = new();

        public string FirmId { get; } = "firm-" + Guid.NewGuid().ToString("N");

        public List<string> FirmsWithDueWork { get; } = [];

        public async Task InitializeAsync()
        {
            var store = new PostgreSqlAccountStore(Schema.Options);
            await store.TryInsertManyAsync(Enumerable.Range(0, 30_000).Select(i => Record("idle-firm", "a" + i.ToString("D5", CultureInfo.InvariantCulture), null)).ToList());
            await store.TryInsertManyAsync(Enumerable.Range(0, Held + Ended).Select(i => Record(FirmId, "held-" + i.ToString("D5", CultureInfo.InvariantCulture), T0.AddHours(-2).AddSeconds(i))).ToList());
            (await store.ClaimDueAsync(FirmId, "other-worker", T0, TimeSpan.FromMinutes(5), Held)).Should().HaveCount(Held);
            (await store.ClaimDueAsync(FirmId, "stopped-worker", T0.AddHours(-1), TimeSpan.FromMinutes(5), Ended)).Should().HaveCount(Ended);
            await store.TryInsertManyAsync(Enumerable.Range(0, Free).Select(i => Record(FirmId, "free-" + i.ToString("D5", CultureInfo.InvariantCulture), T0.AddMinutes(-1).AddSeconds(i))).ToList());
            FirmsWithDueWork.Add(FirmId);
            for (var i = 0; i < 40; i++)
            {
                var firm = "small-firm-" + i.ToString("D2", CultureInfo.InvariantCulture);
                await store.TryInsertAsync(Record(firm, "a", T0.AddMinutes(-i)));
                FirmsWithDueWork.Add(firm);
            }

            FirmsWithDueWork.Sort(StringComparer.Ordinal);
            await using var analyze = PostgreSqlServer.DataSource.CreateCommand($"ANALYZE \"{Schema.Name}\".accounts;");
            await analyze.ExecuteNonQueryAsync();
        }

        public Task DisposeAsync() => Schema.DisposeAsync();

        private static SyncAccountRecord Record(string firmId, string accountId, DateTimeOffset? due) => new()
        {
            FirmId = firmId,
            AccountId = accountId,
            AccountName = accountId,
            NextAttemptAt = due,
        };
    }
}
