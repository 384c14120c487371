using Microsoft.Data.Sqlite;
using QbSync.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>
/// The account store's hot statements read an index in the order they need, whatever the data: SQLite's
/// <c>EXPLAIN QUERY PLAN</c> of each shows a SEARCH through the named index and neither a SCAN of the table nor a sort
/// of the matches (which is what made a rare status filter read the whole firm).
/// </summary>
public sealed class SqliteQueryPlanTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    public static TheoryData<string, string, string> Statements => new()
    {
        { "list, no filter, first page", SqliteAccountStore.ListAll + SqliteAccountStore.ListOrder, "ix_accounts_firm_name" },
        { "list, no filter, next page", SqliteAccountStore.ListAll + SqliteAccountStore.ListAfter + SqliteAccountStore.ListOrder, "ix_accounts_firm_name" },
        { "list, one status, first page", SqliteAccountStore.ListOneStatus + SqliteAccountStore.ListOrder, "ix_accounts_firm_status_name" },
        { "list, one status, next page", SqliteAccountStore.ListOneStatus + SqliteAccountStore.ListAfter + SqliteAccountStore.ListOrder, "ix_accounts_firm_status_name" },
        { "linked customers", SqliteAccountStore.SelectLinkedCustomers, "ux_accounts_firm_customer" },
        { "several accounts by id", SqliteAccountStore.SelectMany, "sqlite_autoindex_accounts_1" },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Statement_searches_its_index_without_scanning_or_sorting(string shape, string sql, string index)
    {
        // A firm with rows in every status (and another firm), so the plan is the one a real database gets.
        var store = new SqliteAccountStore(_database.ConnectionString);
        var statuses = Enum.GetValues<SyncStatus>();
        await store.TryInsertManyAsync(Enumerable.Range(0, 2000).Select(i => new SyncAccountRecord
        {
            FirmId = i % 10 == 0 ? "other-firm" : "firm",
            AccountId = "a" + i,
            AccountName = "name " + (i * 7919 % 2000),
            Status = statuses[i % statuses.Length],
            NextAttemptAt = i % 3 == 0 ? DateTimeOffset.UnixEpoch.AddSeconds(i) : null,
            CustomerId = i % 4 == 0 ? "c" + i : null,
        }).ToList());

        var plan = await ExplainAsync(sql);

        Assert.True(plan.Any(line => line.Contains("USING INDEX " + index, StringComparison.Ordinal) || line.Contains("USING COVERING INDEX " + index, StringComparison.Ordinal)),
            $"{shape}: the plan does not use {index}:\n{string.Join('\n', plan)}");
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN accounts", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>The claim and the look-up of firms with due work read the due records nobody holds
    /// (<c>ix_accounts_firm_due_free</c>) and the leases by their end (<c>ix_accounts_firm_lease_end</c>), never an index
    /// that lists the records other workers hold, and never the whole table. (They sort what they read: at most two claims'
    /// worth of records, or one row per firm.)</summary>
    [Theory]
    [InlineData("claim")]
    [InlineData("firms with due work")]
    public async Task Claims_read_the_free_due_records_and_the_ended_leases_only(string shape)
    {
        var sql = shape == "claim" ? SqliteAccountStore.Claim : SqliteAccountStore.SelectFirmsWithDueWork;
        var store = new SqliteAccountStore(_database.ConnectionString);
        await store.MigrateAsync();

        var plan = await ExplainAsync(sql);
        _output.WriteLine(string.Join('\n', plan));

        foreach (var index in new[] { "ix_accounts_firm_due_free", "ix_accounts_firm_lease_end" })
        {
            Assert.True(plan.Any(line => line.Contains("INDEX " + index + " ", StringComparison.Ordinal)),
                $"{shape}: the plan does not use {index}:\n{string.Join('\n', plan)}");
        }

        // A SCAN of one of those indexes is the skip scan's first probe (ORDER BY firm_id LIMIT 1); a SCAN of the
        // table or of any other index would read every row.
        Assert.DoesNotContain(plan, line => (line == "SCAN accounts" || line == "SCAN a" || line.StartsWith("SCAN accounts ", StringComparison.Ordinal) || line.StartsWith("SCAN a ", StringComparison.Ordinal))
            && !line.EndsWith("USING INDEX ix_accounts_firm_due_free", StringComparison.Ordinal) && !line.EndsWith("USING INDEX ix_accounts_firm_lease_end", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("ix_accounts_firm_due ", StringComparison.Ordinal) || line.Contains("ix_accounts_due ", StringComparison.Ordinal));
    }

    private async Task<List<string>> ExplainAsync(string sql)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "$accounts", "$firm", "$status", "$after_name", "$after_id", "$limit", "$owner", "$now", "$lease_until", "$max" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, name switch { "$status" or "$limit" or "$max" => 1, "$accounts" => "[\"a1\",\"a2\"]", _ => "x" });
            }
        }

        var plan = new List<string>();
        using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}
