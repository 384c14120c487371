using Npgsql;

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server the tests use: <c>QBSYNC_POSTGRES_CONNECTION</c> names it (CI's .ci/run sets it). Each test
/// class works in schemas of its own (<see cref="NewSchema"/>), dropped at the end, so runs and classes never meet.
/// </summary>
public static class PostgreSqlServer
{
    public const string ConnectionVariable = "QBSYNC_POSTGRES_CONNECTION";

    public const string RequireVariable = "QBSYNC_REQUIRE_POSTGRES";

    /// <summary>The prefix of every schema the tests create.</summary>
    public const string SchemaPrefix = "qbsync_test_";

    private static readonly Lazy<NpgsqlDataSource> SharedDataSource = new(() => NpgsqlDataSource.Create(ConnectionString));

    private static readonly Lazy<Task> StaleSchemasDropped = new(DropStaleSchemasAsync);

    /// <summary>Why the tests are skipped, or null when they run.</summary>
    public static string? SkipReason =>
        Configured || Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true"
            ? null
            : $"No PostgreSQL server: set {ConnectionVariable} to run these tests, for example "
              + $"{ConnectionVariable}=\"Host=localhost;Username=qbsync;Password=qbsync;Database=qbsync\" dotnet test tests/QbSync.PostgreSql.Tests "
              + "(a local server: apt-get install postgresql; pg_ctlcluster 15 main start; then create the role and database as .ci/run does).";

    public static bool Configured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConnectionVariable));

    /// <summary>The server's connection string, with commits that do not wait for the disk (the tests check behaviour,
    /// not durability) and at most 20 connections per pool (the server allows about a hundred in all).</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } value
            ? new NpgsqlConnectionStringBuilder(value) { Options = "-c synchronous_commit=off", MaxPoolSize = 20 }.ConnectionString
            : throw new InvalidOperationException($"{RequireVariable} is set but {ConnectionVariable} is not: the PostgreSQL tests must run against a server.");

    /// <summary>One pool shared by the tests (the server allows about a hundred connections).</summary>
    public static NpgsqlDataSource DataSource => SharedDataSource.Value;

    /// <summary>A schema name no other test uses: the prefix, the creation time (Unix seconds) and a random part. The first
    /// call drops the test schemas more than an hour old that earlier runs left behind.</summary>
    public static string NewSchema()
    {
        StaleSchemasDropped.Value.GetAwaiter().GetResult();
        return SchemaPrefix + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..12];
    }

    private static async Task DropStaleSchemasAsync()
    {
        if (!Configured)
        {
            return;
        }

        var stale = new List<string>();
        var cutoff = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        await using (var command = DataSource.CreateCommand("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1);"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = SchemaPrefix });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var name = reader.GetString(0);
                var parts = name[SchemaPrefix.Length..].Split('_');
                if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var created) || created < cutoff)
                {
                    stale.Add(name);
                }
            }
        }

        foreach (var name in stale)
        {
            await DropSchemaAsync(name);
        }
    }

    /// <summary>Options for a store in <paramref name="schema"/> on the shared pool.</summary>
    public static PostgreSqlStoreOptions Options(string schema) => new() { DataSource = DataSource, Schema = schema };

    public static async Task DropSchemaAsync(string schema)
    {
        if (!PostgreSqlStoreOptionsValidatorProbe.IsTestSchema(schema))
        {
            throw new ArgumentException("Not a test schema.", nameof(schema));
        }

        if (!Configured)
        {
            // Skipped tests (no server) created nothing; reaching for the server here would fail the class cleanup.
            return;
        }

        await using var command = DataSource.CreateCommand("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE;");
        await command.ExecuteNonQueryAsync();
    }

    private static class PostgreSqlStoreOptionsValidatorProbe
    {
        public static bool IsTestSchema(string schema) =>
            schema.StartsWith(SchemaPrefix, StringComparison.Ordinal) && schema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }
}

/// <summary>A schema for one test class, dropped when the class is done.</summary>
public sealed class TestSchema : IAsyncLifetime
{
    public string Name { get; } = PostgreSqlServer.NewSchema();

    public PostgreSqlStoreOptions Options => PostgreSqlServer.Options(Name);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => PostgreSqlServer.DropSchemaAsync(Name);
}
