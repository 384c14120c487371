namespace QbSync.Sqlite;

/// <summary>Options of the SQLite stores (<see cref="SqliteAccountStore"/> and <see cref="SqliteTokenStore"/>).</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The default connection string: a <c>qbsync.db</c> file in the working directory.</summary>
    public const string DefaultConnectionString = "Data Source=qbsync.db";

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, for example <c>Data Source=/var/lib/app/qbsync.db</c>. It must
    /// name a file opened read-write (in-memory and read-only databases are refused: every operation opens its own
    /// pooled connection, and the stores write). The file holds QuickBooks tokens: protect it like any secret store.
    /// </summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// Whether <c>AddQbSync(...).UseSqliteStore(...)</c> also registers <see cref="SqliteRequestBudgetStore"/>, so that
    /// every process on this file together stays inside QBO's per-realm limits (requests in flight, requests and batch
    /// requests per window). Costs a write transaction before and a statement after each request.
    /// </summary>
    /// <value>The default is <see langword="false"/>: each process keeps its own in-process limits (right for one
    /// process per file).</value>
    public bool ShareRequestBudget { get; set; }
}
