using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using QbSync.DataProtection;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;

namespace QbSync.Sqlite.Tests;

/// <summary>Issue 8 in the SQLite store: tokens encrypted at rest, the 0003 migration, and gaps in migration numbers.</summary>
public sealed class TokensAndTenantsStorageTests : IDisposable
{
    private const string AccessToken = "eyJhbGciOiJkaXIi.ACCESS-TOKEN-IN-CLEAR";
    private const string RefreshToken = "AB11REFRESH-TOKEN-IN-CLEAR";
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task With_data_protection_registered_the_database_file_holds_no_token_in_clear_text()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // Either order works: the store resolves the protector when it is created.
        new Builder(services).UseSqliteStore(_database.ConnectionString).UseDataProtectionTokenProtection();
        using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<ITokenStore>();
            await store.SaveAsync("realm-1", Tokens());
            var rotated = await store.TrySaveAsync("realm-1", Tokens("-2"), (await store.GetAsync("realm-1"))!.Version);
            rotated.Should().NotBeNull();

            var read = (await store.GetAsync("realm-1"))!;
            read.AccessToken.Should().Be(AccessToken + "-2");
            read.RefreshToken.Should().Be(RefreshToken + "-2");
        }

        SqliteConnection.ClearAllPools();
        var bytes = await ReadAllFilesAsync();
        foreach (var secret in new[] { "ACCESS-TOKEN-IN-CLEAR", "REFRESH-TOKEN-IN-CLEAR" })
        {
            Contains(bytes, Encoding.UTF8.GetBytes(secret)).Should().BeFalse($"{secret} is not in the file as UTF-8");
            Contains(bytes, Encoding.BigEndianUnicode.GetBytes(secret)).Should().BeFalse($"{secret} is not in the file as UTF-16BE");
        }

        // The test can see the clear text without protection, so the search above can fail.
        await new SqliteTokenStore(new SqliteStoreOptions { ConnectionString = _database.ConnectionString }).SaveAsync("plain", Tokens("-plain"));
        SqliteConnection.ClearAllPools();
        Contains(await ReadAllFilesAsync(), Encoding.BigEndianUnicode.GetBytes("REFRESH-TOKEN-IN-CLEAR-plain")).Should().BeTrue();
    }

    [Fact]
    public async Task Tokens_stored_before_protection_are_read_and_protected_at_their_next_save()
    {
        var protector = new DataProtectionTokenProtector(new EphemeralDataProtectionProvider());
        await new SqliteTokenStore(_database.ConnectionString).SaveAsync("realm-1", Tokens());
        var protectedStore = new SqliteTokenStore(new SqliteStoreOptions { ConnectionString = _database.ConnectionString }, protector);

        var legacy = (await protectedStore.GetAsync("realm-1"))!;
        legacy.RefreshToken.Should().Be(RefreshToken);
        await protectedStore.TrySaveAsync("realm-1", legacy, legacy.Version);

        RawRefreshToken("realm-1").Should().StartWith("qbp1:").And.NotContain(RefreshToken);
        (await protectedStore.GetAsync("realm-1"))!.RefreshToken.Should().Be(RefreshToken);
        await FluentActions.Awaiting(async () => await new SqliteTokenStore(_database.ConnectionString).GetAsync("realm-1"))
            .Should().ThrowAsync<System.Security.Cryptography.CryptographicException>().WithMessage("*ITokenProtector*");
    }

    [Fact]
    public async Task A_version_2_database_upgrades_tokens_keep_working_and_a_shared_realm_stays_with_the_first_firm()
    {
        using (var connection = _database.OpenConnection())
        {
            Execute(connection, "PRAGMA encoding = 'UTF-16be'; CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);");
            foreach (var migration in SqliteDatabase.Migrations.Where(m => m.Version <= 2))
            {
                Execute(connection, migration.Sql);
                Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '2026-01-01T00:00:00.0000000Z');");
            }

            Execute(connection, "INSERT INTO firm_settings VALUES ('firm-a', 'realm-1', 0, 1, 1);");
            Execute(connection, "INSERT INTO firm_settings VALUES ('firm-b', 'realm-1', 0, 1, 1);");
            Execute(connection, "INSERT INTO firm_settings VALUES ('firm-c', 'realm-2', 0, 1, 1);");
            Execute(connection, "INSERT INTO tokens VALUES ('realm-1', 'a', '2030-01-01T00:00:00.0000000Z', 'r', '2030-01-01T00:00:00.0000000Z', NULL, 0, NULL, NULL, '2026-01-01T00:00:00.0000000Z');");
        }

        var accounts = new SqliteAccountStore(_database.ConnectionString);
        var tokens = new SqliteTokenStore(_database.ConnectionString);

        (await accounts.FindFirmByRealmAsync("realm-1")).Should().Be("firm-a");
        (await accounts.GetFirmSettingsAsync("firm-b"))!.RealmId.Should().BeNull("the second holder loses the realm and must connect its own");
        (await accounts.FindFirmByRealmAsync("realm-2")).Should().Be("firm-c");
        var legacy = (await tokens.GetAsync("realm-1"))!;
        legacy.Version.Should().Be(1);
        legacy.AccessTokenIssuedAt.Should().BeNull();
        (await tokens.TrySaveAsync("realm-1", Tokens(), 1)).Should().NotBeNull();
    }

    [Fact]
    public void The_migration_runner_tolerates_a_gap_in_numbers_but_not_a_repeat()
    {
        var m = (int v) => new SqliteDatabase.Migration(v, $"{v:0000}_x.sql", "SELECT 1;");

        SqliteDatabase.Order([m(5), m(1), m(3), m(2)]).Select(x => x.Version).Should().Equal(1, 2, 3, 5);
        FluentActions.Invoking(() => SqliteDatabase.Order([m(1), m(3), m(3)])).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => SqliteDatabase.Order([m(0)])).Should().Throw<InvalidOperationException>();
        SqliteDatabase.Migrations.Select(x => x.Version).Should().StartWith([1, 2, 3]);
    }

    [Fact]
    public async Task A_missing_migration_with_a_lower_number_is_applied_after_higher_ones()
    {
        var store = new SqliteAccountStore(_database.ConnectionString);
        await store.MigrateAsync();
        using (var connection = _database.OpenConnection())
        {
            // As if a branch with migration 2 landed after a database already had 3.
            Execute(connection, "DROP TABLE tokens; DROP TABLE token_refresh_locks; DROP INDEX ux_firm_settings_realm; DELETE FROM schema_migrations WHERE version = 2;");
            Execute(connection, "DELETE FROM schema_migrations WHERE version = 3;");
        }

        await new SqliteTokenStore(_database.ConnectionString).MigrateAsync();

        (await new SqliteTokenStore(_database.ConnectionString).TrySaveAsync("r", Tokens(), 0)).Should().NotBeNull();
    }

    private static QuickBooksTokenSet Tokens(string suffix = "") => new()
    {
        AccessToken = AccessToken + suffix,
        AccessTokenIssuedAt = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
        AccessTokenExpiresAt = new DateTimeOffset(2030, 1, 1, 1, 0, 0, TimeSpan.Zero),
        RefreshToken = RefreshToken + suffix,
        RefreshTokenExpiresAt = new DateTimeOffset(2030, 4, 1, 0, 0, 0, TimeSpan.Zero),
    };

    private string RawRefreshToken(string realm)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT refresh_token FROM tokens WHERE realm_id = $realm;";
        command.Parameters.AddWithValue("$realm", realm);
        return (string)command.ExecuteScalar()!;
    }

    private async Task<byte[]> ReadAllFilesAsync()
    {
        var all = new List<byte>();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            if (File.Exists(_database.Path + suffix))
            {
                all.AddRange(await File.ReadAllBytesAsync(_database.Path + suffix));
            }
        }

        return [.. all];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class Builder(IServiceCollection services) : IQbSyncBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
