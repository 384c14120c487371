using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace QbSync.Sqlite;

/// <summary>
/// One SQLite database file: opens a (pooled) connection per operation, with a busy timeout, and brings the schema
/// up to date once per instance before the first operation.
/// </summary>
internal sealed class SqliteDatabase
{
    private const string ResourcePrefix = "QbSync.Sqlite.Migrations.";

    // Constant statements: nothing here is built from values. synchronous = FULL is set, not assumed from the build:
    // a commit that a power cut could undo may be a sync intent, and a lost intent could mean a duplicate QBO write
    // (docs/stores.md); speed comes from sharing commits (lists, claims) instead.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;";

    // UTF-16BE text makes SQLite's BINARY collation (memcmp) the same order as string.CompareOrdinal; it only takes
    // effect on a new, empty database. WAL lets readers work while one writer commits.
    private const string DatabasePragmas = "PRAGMA encoding = 'UTF-16be'; PRAGMA journal_mode = WAL;";

    private const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);";

    private const string SelectAppliedVersions = "SELECT version FROM schema_migrations;";

    private const string InsertVersion = "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $applied_at);";

    private static readonly Lazy<IReadOnlyList<Migration>> AllMigrations = new(LoadMigrations);

    private readonly string _connectionString;
    private readonly Lock _migrationLock = new();
    private Task? _migration;

    public SqliteDatabase(SqliteStoreOptions options, string paramName)
    {
        var builder = new SqliteConnectionStringBuilder(SqliteStoreOptionsValidator.GetConnectionString(options, paramName))
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        _connectionString = builder.ConnectionString;
    }

    /// <summary>The migrations this library knows, in order.</summary>
    public static IReadOnlyList<Migration> Migrations => AllMigrations.Value;

    /// <summary>Checks a set of migrations as <see cref="LoadMigrations"/> does (for tests).</summary>
    internal static IReadOnlyList<Migration> Order(IEnumerable<Migration> migrations) => Check([.. migrations]);

    /// <summary>Opens a connection to the migrated database.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the migrations the database lacks, once per instance (a failed attempt is retried by the next call).
    /// The caller's token only stops the wait: the migration itself runs to its end.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        Task migration;
        lock (_migrationLock)
        {
            if (_migration is null || _migration.IsFaulted || _migration.IsCanceled)
            {
                _migration = Task.Run(() => RunMigrationsAsync(CancellationToken.None), CancellationToken.None);
            }

            migration = _migration;
        }

        return migration.IsCompletedSuccessfully ? migration : migration.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Applies the migrations the database lacks, in order, in one <c>BEGIN IMMEDIATE</c> transaction: a second
    /// process starting at the same time waits for the first and then finds nothing left to do.
    /// </summary>
    private async Task RunMigrationsAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = DatabasePragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = CreateMigrationsTable;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = SelectAppliedVersions;
            using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in Migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            using (var script = connection.CreateCommand())
            {
                script.Transaction = transaction;
                script.CommandText = migration.Sql;
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = InsertVersion;
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$applied_at", SqliteText.FormatTime(DateTimeOffset.UtcNow));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static System.Collections.ObjectModel.ReadOnlyCollection<Migration> LoadMigrations()
    {
        var assembly = typeof(SqliteDatabase).Assembly;
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = name[ResourcePrefix.Length..];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException("The embedded migration '" + fileName + "' is not named NNNN_name.sql.");
            }

            migrations.Add(new Migration(version, fileName, ReadResource(assembly, name)));
        }

        return Check(migrations);
    }

    private static System.Collections.ObjectModel.ReadOnlyCollection<Migration> Check(List<Migration> migrations)
    {
        // Numbers are reserved per branch of work, so a gap is normal (a later number may land first); each missing
        // migration is applied by itself, whatever its place. Repeats are a packaging error.
        migrations.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version < 1 || (i > 0 && migrations[i].Version == migrations[i - 1].Version))
            {
                throw new InvalidOperationException("The embedded migrations must have distinct positive numbers.");
            }
        }

        return migrations.AsReadOnly();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("The embedded migration '" + name + "' cannot be read.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One versioned schema change.</summary>
    /// <param name="Version">Its number (1, 2, …).</param>
    /// <param name="Name">Its file name.</param>
    /// <param name="Sql">Its statements.</param>
    internal sealed record Migration(int Version, string Name, string Sql);
}
