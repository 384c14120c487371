using Microsoft.Extensions.Options;
using Npgsql;

namespace QbSync.PostgreSql;

/// <summary>Validates <see cref="PostgreSqlStoreOptions"/> at start-up and when a store is constructed.</summary>
internal sealed class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    private const int MaxIdentifierLength = 63;

    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var error = FindError(options);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the options are not usable.</summary>
    public static void ThrowIfInvalid(PostgreSqlStoreOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(options, paramName);
        if (FindError(options) is { } error)
        {
            throw new ArgumentException(error, paramName);
        }
    }

    /// <summary>Whether the schema name is one the stores accept (so that quoting it is safe).</summary>
    public static bool IsValidSchema(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Length > MaxIdentifierLength || !(char.IsAsciiLetter(schema[0]) || schema[0] == '_'))
        {
            return false;
        }

        foreach (var c in schema)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return !schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase);
    }

    private static string? FindError(PostgreSqlStoreOptions options)
    {
        if (!IsValidSchema(options.Schema))
        {
            return "PostgreSqlStoreOptions.Schema must be 1 to 63 letters, digits or underscores, start with a letter or an underscore, and not start with 'pg_'.";
        }

        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasConnectionString == (options.DataSource is not null))
        {
            return "Set exactly one of PostgreSqlStoreOptions.ConnectionString and PostgreSqlStoreOptions.DataSource.";
        }

        if (hasConnectionString)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    return "PostgreSqlStoreOptions.ConnectionString must name a server (Host).";
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
            {
                // The message of a parse error can quote the string, and the string can hold a password: say only what.
                return "PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string (" + ex.GetType().Name + ").";
            }
        }

        return null;
    }
}
