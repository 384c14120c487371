using System.Globalization;

namespace QbSync.Sqlite;

/// <summary>How values are written to and read from SQLite columns.</summary>
internal static class SqliteText
{
    /// <summary>Fixed-width UTC text: text order is time order and the round trip is exact to the tick.</summary>
    private const string TimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";

    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static object FormatTime(DateTimeOffset? value) =>
        value is { } time ? FormatTime(time) : DBNull.Value;

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ToUtc(DateTimeOffset? value) => value?.ToUniversalTime();
}
