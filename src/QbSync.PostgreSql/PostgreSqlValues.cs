using Npgsql;
using NpgsqlTypes;

namespace QbSync.PostgreSql;

/// <summary>How values are bound to parameters and read from columns.</summary>
internal static class PostgreSqlValues
{
    /// <summary>A time as timestamptz stores it: UTC, whole microseconds (the sub-microsecond ticks dropped).</summary>
    public static DateTimeOffset ToStored(DateTimeOffset value)
    {
        var utc = value.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }

    public static DateTimeOffset? ToStored(DateTimeOffset? value) => value is { } time ? ToStored(time) : null;

    public static void Text(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void Json(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = (object?)value ?? DBNull.Value });

    public static void Integer(this NpgsqlParameterCollection parameters, string name, int value) =>
        parameters.Add(new NpgsqlParameter<int>(name, NpgsqlDbType.Integer) { TypedValue = value });

    public static void Bigint(this NpgsqlParameterCollection parameters, string name, long value) =>
        parameters.Add(new NpgsqlParameter<long>(name, NpgsqlDbType.Bigint) { TypedValue = value });

    public static void Boolean(this NpgsqlParameterCollection parameters, string name, bool value) =>
        parameters.Add(new NpgsqlParameter<bool>(name, NpgsqlDbType.Boolean) { TypedValue = value });

    public static void Time(this NpgsqlParameterCollection parameters, string name, DateTimeOffset? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = value is { } time ? ToStored(time) : DBNull.Value });

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetNullableTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
