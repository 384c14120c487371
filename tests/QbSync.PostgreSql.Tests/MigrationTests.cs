using Npgsql;

namespace QbSync.PostgreSql.Tests;

public sealed class MigrationTests : IAsyncLifetime
{
    private readonly TestSchema _schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DisposeAsync();

    [Fact]
    public async Task Processes_starting_together_apply_each_migration_once()
    {
        // Six "processes": each its own connection pool and store, all migrating a fresh schema at the same moment.
        var pools = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString)).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var starts = pools.Select((pool, i) => Task.Run(async () =>
            {
                await start.Task;
                var options = new PostgreSqlStoreOptions { DataSource = pool, Schema = _schema.Name };
                if (i % 2 == 0)
                {
                    await new PostgreSqlAccountStore(options).MigrateAsync();
                }
                else
                {
                    // First use migrates too.
                    (await new PostgreSqlTokenStore(options).GetAsync("realm")).Should().BeNull();
                }
            })).ToArray();
            start.SetResult();
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var pool in pools)
            {
                await pool.DisposeAsync();
            }
        }

        var applied = await AppliedAsync();
        applied.Should().Equal(1, 2, 3, 4, 5, 8, 9);
    }

    [Fact]
    public async Task Running_again_is_a_no_op_and_an_older_schema_is_brought_up_to_date()
    {
        var store = new PostgreSqlAccountStore(_schema.Options);
        await store.MigrateAsync();
        await using (var command = PostgreSqlServer.DataSource.CreateCommand(
            $"DROP FUNCTION \"{_schema.Name}\".request_permit_acquire; DROP TABLE \"{_schema.Name}\".request_permits; DELETE FROM \"{_schema.Name}\".schema_migrations WHERE version = 2;"))
        {
            await command.ExecuteNonQueryAsync();
        }

        await new PostgreSqlAccountStore(_schema.Options).MigrateAsync();
        await new PostgreSqlAccountStore(_schema.Options).MigrateAsync();

        (await AppliedAsync()).Should().Equal(1, 2, 3, 4, 5, 8, 9);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("pg_catalog")]
    [InlineData("a-b")]
    [InlineData("x\"; DROP SCHEMA public; --")]
    [InlineData("name with space")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Unusable_schema_names_are_refused(string schemaName)
    {
        FluentActions.Invoking(() => new PostgreSqlAccountStore(new PostgreSqlStoreOptions { ConnectionString = "Host=localhost", Schema = schemaName }))
            .Should().Throw<ArgumentException>().WithMessage("*Schema*");
    }

    [Fact]
    public void Exactly_one_of_connection_string_and_data_source_is_required()
    {
        FluentActions.Invoking(() => new PostgreSqlAccountStore(new PostgreSqlStoreOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*exactly one*");
        FluentActions.Invoking(() => new PostgreSqlAccountStore(new PostgreSqlStoreOptions { ConnectionString = "Host=h", DataSource = PostgreSqlServer.DataSource }))
            .Should().Throw<ArgumentException>().WithMessage("*exactly one*");
        FluentActions.Invoking(() => new PostgreSqlAccountStore("Password=secret-value;Nonsense Key=1"))
            .Should().Throw<ArgumentException>().Which.Message.Should().NotContain("secret-value");
    }

    [Fact]
    public async Task A_mixed_case_schema_is_used_as_written()
    {
        var name = "QbSync_Mixed_" + Guid.NewGuid().ToString("N")[..8];
        var store = new PostgreSqlAccountStore(new PostgreSqlStoreOptions { DataSource = PostgreSqlServer.DataSource, Schema = name });
        try
        {
            await store.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n" });

            await using var command = PostgreSqlServer.DataSource.CreateCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1;");
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            (await command.ExecuteScalarAsync()).Should().Be(1L);
        }
        finally
        {
            await using var drop = PostgreSqlServer.DataSource.CreateCommand("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE;");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private async Task<List<int>> AppliedAsync()
    {
        var versions = new List<int>();
        await using var command = PostgreSqlServer.DataSource.CreateCommand($"SELECT version FROM \"{_schema.Name}\".schema_migrations ORDER BY version;");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
