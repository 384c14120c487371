using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace QbSync.Sqlite;

/// <summary>Validates <see cref="SqliteStoreOptions"/> at start-up and when a store is constructed.</summary>
internal sealed class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var error = FindError(options);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }

    /// <summary>The validated connection string; throws <see cref="ArgumentException"/> when the options are not usable.</summary>
    public static string GetConnectionString(SqliteStoreOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(options, paramName);
        var error = FindError(options);
        return error is null ? options.ConnectionString : throw new ArgumentException(error, paramName);
    }

    private static string? FindError(SqliteStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return "SqliteStoreOptions.ConnectionString is required.";
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return "SqliteStoreOptions.ConnectionString is not a valid SQLite connection string: " + ex.Message;
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            return "SqliteStoreOptions.ConnectionString must name a database file (Data Source).";
        }

        if (builder.Mode == SqliteOpenMode.Memory
            || string.Equals(builder.DataSource.Trim(), ":memory:", StringComparison.OrdinalIgnoreCase))
        {
            return "SqliteStoreOptions.ConnectionString must name a database file: an in-memory database does not outlive its connection.";
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            return "SqliteStoreOptions.ConnectionString must open the database read-write.";
        }

        return null;
    }
}
