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
}
