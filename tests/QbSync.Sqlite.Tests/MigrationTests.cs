using Microsoft.Data.Sqlite;

namespace QbSync.Sqlite.Tests;

public sealed class MigrationTests : IDisposable
{
    // Migration numbers are reserved per feature (3 belongs to another branch), so the list may have gaps.
    private static readonly long[] AllVersions = [1, 2, 3, 4, 5, 7, 8, 11, 12];

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_fresh_database_gets_every_migration_recorded_in_order()
    {
        await new SqliteAccountStore(_database.ConnectionString).MigrateAsync();

        ReadVersions().Should().Equal(AllVersions);
        ReadTables().Should().Contain(["accounts", "account_history", "firm_settings", "tokens", "webhook_inbox", "schema_migrations"]);
    }

    [Fact]
    public async Task The_database_uses_wal_and_utf16be()
    {
        await new SqliteAccountStore(_database.ConnectionString).MigrateAsync();

        using var connection = _database.OpenConnection();
        Scalar(connection, "PRAGMA journal_mode;").Should().Be("wal");
        Scalar(connection, "PRAGMA encoding;").Should().Be("UTF-16be");
    }

    [Fact]
    public async Task Running_again_is_a_no_op()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        await store.MigrateAsync();
        var firstApplied = ReadAppliedAt();
        await store.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "kept" });

        await store.MigrateAsync();
        await new SqliteAccountStore(_database.ConnectionString).MigrateAsync();
        await new SqliteTokenStore(_database.ConnectionString).MigrateAsync();

        ReadVersions().Should().Equal(AllVersions);
        ReadAppliedAt().Should().Equal(firstApplied);
        (await store.GetAsync("f", "a"))!.AccountName.Should().Be("kept");
    }

    [Fact]
    public async Task First_use_migrates_without_an_explicit_call()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);

        (await store.GetAsync("f", "a")).Should().BeNull();

        ReadVersions().Should().Equal(AllVersions);
    }

    [Fact]
    public async Task Several_instances_starting_at_once_migrate_once()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new SqliteAccountStore(_database.ConnectionString)).ToList();
        var tokens = Enumerable.Range(0, 2).Select(_ => new SqliteTokenStore(_database.ConnectionString)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync()))
            .Concat(tokens.Select(t => Task.Run(() => t.MigrateAsync()))));

        ReadVersions().Should().Equal(AllVersions);
    }

    [Fact]
    public async Task A_database_with_only_the_first_migration_is_brought_up_to_date()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        await store.MigrateAsync();
        using (var connection = _database.OpenConnection())
        {
            Execute(connection, "DROP TABLE tokens;");
            Execute(connection, "DROP TABLE token_refresh_locks; DROP INDEX ux_firm_settings_realm; DROP TABLE request_permits;");
            Execute(connection, "DROP TABLE billing_documents; DROP TABLE billing_history; ALTER TABLE firm_settings DROP COLUMN default_item_name;");
            Execute(connection, "ALTER TABLE firm_settings DROP COLUMN linked_realm_id;");
            Execute(connection, "DROP TABLE webhook_inbox;");
            Execute(connection, "DROP INDEX ix_accounts_firm_status_name;");
            Execute(connection, "DELETE FROM schema_migrations WHERE version >= 2;");
        }

        await new SqliteTokenStore(_database.ConnectionString).MigrateAsync();

        ReadVersions().Should().Equal(AllVersions);
        ReadTables().Should().Contain("tokens");
    }

    [Fact]
    public async Task Numbers_with_a_gap_are_applied_and_a_lower_number_arriving_later_is_applied_too()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        await store.MigrateAsync();
        ReadVersions().Should().Equal(AllVersions);
        using (var connection = _database.OpenConnection())
        {
            // As if migration 3 came with an upgrade after 4 was applied (numbers are reserved per feature).
            Execute(connection, "DROP TABLE token_refresh_locks; DROP INDEX ux_firm_settings_realm;");
            Execute(connection, "ALTER TABLE tokens DROP COLUMN version; ALTER TABLE tokens DROP COLUMN access_token_issued_at;");
            Execute(connection, "DELETE FROM schema_migrations WHERE version = 3;");
        }

        ReadVersions().Should().Equal(AllVersions.Where(v => v != 3));
        await new SqliteAccountStore(_database.ConnectionString).MigrateAsync();

        ReadVersions().Should().Equal(AllVersions);
        ReadTables().Should().Contain(["tokens", "token_refresh_locks", "billing_documents", "billing_history"]);
    }

    private List<long> ReadVersions() => ReadColumn<long>("SELECT version FROM schema_migrations ORDER BY version;");

    private List<string> ReadAppliedAt() => ReadColumn<string>("SELECT applied_at FROM schema_migrations ORDER BY version;");

    private List<string> ReadTables() => ReadColumn<string>("SELECT name FROM sqlite_master WHERE type = 'table';");

    private List<T> ReadColumn<T>(string sql)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
