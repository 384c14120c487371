using System.Globalization;
using System.Reflection;
using Npgsql;
using NpgsqlTypes;

namespace QbSync.PostgreSql;

/// <summary>
/// One PostgreSQL schema: the data source (owned when built from a connection string), the schema-qualified statement
/// texts, and the migrations, applied once per instance before the first operation and once per database under an
/// advisory lock, whatever the number of processes starting together.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    private const string ResourcePrefix = "QbSync.PostgreSql.Migrations.";

    /// <summary>The placeholder the statement texts use for the quoted schema name.</summary>
    private const string SchemaPlaceholder = "{schema}";

    // Constant statements; values are parameters. The schema enters as a parameter too (set_config quotes nothing: the
    // value is the already quoted, validated identifier).
    private const string LockMigrations = "SELECT pg_advisory_xact_lock(hashtext('qbsync.migrations'), hashtext($1));";

    private const string SetSearchPath = "SELECT set_config('search_path', $1, true);";

    // Existence is checked before any DDL: CREATE … IF NOT EXISTS still needs the CREATE privilege, and an application
    // role may have only the rights to use an existing schema.
    private const string SchemaExists = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1);";

    private const string MigrationsTableExists = "SELECT to_regclass('schema_migrations') IS NOT NULL;";

    private const string CreateMigrationsTable =
        "CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());";

    private const string SelectAppliedVersions = "SELECT version FROM schema_migrations;";

    private const string InsertVersion = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2);";

    private static readonly Lazy<IReadOnlyList<Migration>> AllMigrations = new(() => LoadMigrations(typeof(PostgreSqlDatabase).Assembly, ResourcePrefix));

    private readonly bool _ownsDataSource;
    private readonly Lock _migrationLock = new();
    private Task? _migration;

    public PostgreSqlDatabase(PostgreSqlStoreOptions options, string paramName)
    {
        PostgreSqlStoreOptionsValidator.ThrowIfInvalid(options, paramName);
        Schema = options.Schema;
        QuotedSchema = "\"" + options.Schema + "\"";
        if (options.DataSource is { } dataSource)
        {
            DataSource = dataSource;
        }
        else
        {
            DataSource = NpgsqlDataSource.Create(options.ConnectionString!);
            _ownsDataSource = true;
        }
    }

    /// <summary>The migrations this library knows, in order.</summary>
    public static IReadOnlyList<Migration> Migrations => AllMigrations.Value;

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The schema name as given (validated).</summary>
    public string Schema { get; }

    /// <summary>The schema as a quoted identifier (safe: the name was validated to letters, digits and underscores).</summary>
    public string QuotedSchema { get; }

    /// <summary>A statement text with the schema placeholder replaced by the quoted schema.</summary>
    public string Qualify(string template) => template.Replace(SchemaPlaceholder, QuotedSchema, StringComparison.Ordinal);

    /// <summary>Opens a connection to the migrated schema.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command on its own pooled connection, after the schema is migrated.</summary>
    public async ValueTask<NpgsqlCommand> CommandAsync(string qualifiedSql, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return DataSource.CreateCommand(qualifiedSql);
    }

    /// <summary>
    /// Applies the migrations the schema lacks, once per instance (a failed attempt is retried by the next call). The
    /// caller's token only stops the wait: the migration itself runs to its end.
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

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _ownsDataSource ? DataSource.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>
    /// In one transaction: takes the schema's migration advisory lock (a second process starting at the same time
    /// waits here, then finds nothing left to do), creates the schema when missing, and applies the missing
    /// migrations in order with search_path set to the schema.
    /// </summary>
    private async Task RunMigrationsAsync(CancellationToken cancellationToken)
    {
        using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, transaction, LockMigrations, cancellationToken, Schema).ConfigureAwait(false);
        if (!await ScalarAsync(connection, transaction, SchemaExists, cancellationToken, Schema).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, transaction, "CREATE SCHEMA " + QuotedSchema + ";", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, SetSearchPath, cancellationToken, QuotedSchema).ConfigureAwait(false);
        if (!await ScalarAsync(connection, transaction, MigrationsTableExists, cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, transaction, CreateMigrationsTable, cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        using (var select = new NpgsqlCommand(SelectAppliedVersions, connection, transaction))
        {
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

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            using var record = new NpgsqlCommand(InsertVersion, connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version, NpgsqlDbType = NpgsqlDbType.Integer });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name, NpgsqlDbType = NpgsqlDbType.Text });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, string? textParameter = null)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        if (textParameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = textParameter, NpgsqlDbType = NpgsqlDbType.Text });
        }

        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, string? textParameter = null)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        if (textParameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = textParameter, NpgsqlDbType = NpgsqlDbType.Text });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The embedded migrations, ordered by number. Numbers must be unique; gaps are allowed (a number
    /// reserved by a change that ships later).</summary>
    internal static System.Collections.ObjectModel.ReadOnlyCollection<Migration> LoadMigrations(Assembly assembly, string prefix)
    {
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = name[prefix.Length..];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
            {
                throw new InvalidOperationException("The embedded migration '" + fileName + "' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException("The embedded migration '" + name + "' cannot be read.");
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, fileName, reader.ReadToEnd()));
        }

        migrations.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException("Two embedded migrations have the number " + migrations[i].Version.ToString(CultureInfo.InvariantCulture) + ".");
            }
        }

        return migrations.AsReadOnly();
    }

    /// <summary>One versioned schema change.</summary>
    /// <param name="Version">Its number.</param>
    /// <param name="Name">Its file name.</param>
    /// <param name="Sql">Its statements.</param>
    internal sealed record Migration(int Version, string Name, string Sql);
}
