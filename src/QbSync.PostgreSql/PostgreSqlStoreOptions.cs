using Npgsql;

namespace QbSync.PostgreSql;

/// <summary>Options of the PostgreSQL stores (<see cref="PostgreSqlAccountStore"/>, <see cref="PostgreSqlTokenStore"/>
/// and <see cref="PostgreSqlRequestBudgetStore"/>).</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The default schema.</summary>
    public const string DefaultSchema = "qbsync";

    /// <summary>
    /// The Npgsql connection string, for example <c>Host=db;Database=app;Username=qbsync;Password=…</c>. Required unless
    /// <see cref="DataSource"/> is set (set one of the two). The role needs to create the schema and its tables on first
    /// start (or run <see cref="PostgreSqlAccountStore.MigrateAsync"/> once with a role that can).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A data source the application owns (and disposes), used instead of <see cref="ConnectionString"/>: share one
    /// connection pool with the rest of the application.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The schema the tables live in, created when missing: letters, digits and underscores, starting with a letter or
    /// an underscore, at most 63 characters, not starting with <c>pg_</c>. Used as a quoted identifier, so it is case
    /// sensitive. Several deployments can share a database with one schema each.
    /// </summary>
    /// <value>The default is <c>qbsync</c>.</value>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Whether <c>AddQbSync(...).UsePostgreSqlStore(...)</c> also registers <see cref="PostgreSqlRequestBudgetStore"/>,
    /// so that every process on this database together stays inside QBO's per-realm limits (requests in flight,
    /// requests and batch requests per window). Costs one database round trip before and one after each request.
    /// </summary>
    /// <value>The default is <see langword="true"/>: the PostgreSQL store is for several processes.</value>
    public bool ShareRequestBudget { get; set; } = true;
}
