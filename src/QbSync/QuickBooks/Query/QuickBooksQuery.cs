using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace QbSync.QuickBooks;

/// <summary>Comparison operators of the QBO query language.</summary>
public enum QueryOperator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,

    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,
}

/// <summary>
/// An immutable builder of QBO query statements
/// (<c>SELECT * | COUNT(*) FROM Entity [WHERE …] [ORDERBY …] [STARTPOSITION n] [MAXRESULTS n]</c>).
/// </summary>
/// <remarks>
/// Values are never concatenated raw: every string literal is escaped (backslash first, then apostrophe), entity and
/// property names must be plain identifiers, and numbers, booleans and dates are formatted invariantly. No value can
/// change the structure of the statement. Filters are joined with <c>AND</c> (QBO has no <c>OR</c>).
/// </remarks>
public sealed class QuickBooksQuery
{
    /// <summary>The largest page QBO returns (<c>MAXRESULTS</c> above 1000 is refused).</summary>
    public const int MaxPageSize = 1000;

    private readonly ImmutableList<string> _filters;
    private readonly string? _orderBy;

    private QuickBooksQuery(string entity, bool isCount, ImmutableList<string> filters, string? orderBy, int? startPosition, int? maxResults)
    {
        Entity = entity;
        IsCount = isCount;
        _filters = filters;
        _orderBy = orderBy;
        StartPosition = startPosition;
        MaxResults = maxResults;
    }

    /// <summary>The entity queried, for example <c>Customer</c>.</summary>
    public string Entity { get; }

    /// <summary>Whether this is a <c>COUNT(*)</c> query.</summary>
    public bool IsCount { get; }

    /// <summary>The 1-based <c>STARTPOSITION</c>, if set.</summary>
    public int? StartPosition { get; }

    /// <summary>The <c>MAXRESULTS</c>, if set.</summary>
    public int? MaxResults { get; }

    /// <summary>Starts a <c>SELECT * FROM <paramref name="entity"/></c> query.</summary>
    /// <param name="entity">The entity name, for example <c>Customer</c>.</param>
    /// <returns>The query.</returns>
    public static QuickBooksQuery Select(string entity) => new(CheckIdentifier(entity, nameof(entity)), false, [], null, null, null);

    /// <summary>Starts a <c>SELECT COUNT(*) FROM <paramref name="entity"/></c> query.</summary>
    /// <param name="entity">The entity name.</param>
    /// <returns>The query.</returns>
    public static QuickBooksQuery Count(string entity) => new(CheckIdentifier(entity, nameof(entity)), true, [], null, null, null);

    /// <summary>Adds <c>property = 'value'</c>.</summary>
    /// <param name="property">The property, for example <c>DisplayName</c>.</param>
    /// <param name="value">The value, escaped.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery WhereEquals(string property, string value) => Where(property, QueryOperator.Equal, value);

    /// <summary>Adds a comparison with a string literal.</summary>
    /// <param name="property">The property.</param>
    /// <param name="op">The operator.</param>
    /// <param name="value">The value, escaped.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery Where(string property, QueryOperator op, string value) =>
        AddFilter(property, OperatorText(op), Literal(value));

    /// <summary>Adds a comparison with a number.</summary>
    /// <param name="property">The property.</param>
    /// <param name="op">The operator.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery Where(string property, QueryOperator op, decimal value) =>
        AddFilter(property, OperatorText(op), Literal(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Adds a comparison with a point in time (sent as ISO 8601 with its offset).</summary>
    /// <param name="property">The property, for example <c>MetaData.LastUpdatedTime</c>.</param>
    /// <param name="op">The operator.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery Where(string property, QueryOperator op, DateTimeOffset value) =>
        AddFilter(property, OperatorText(op), Literal(value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)));

    /// <summary>Adds <c>property = true|false</c>.</summary>
    /// <param name="property">The property, for example <c>Active</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery WhereEquals(string property, bool value) => AddFilter(property, "=", value ? "true" : "false");

    /// <summary>Adds <c>property IN ('a', 'b', …)</c>.</summary>
    /// <param name="property">The property.</param>
    /// <param name="values">At least one value; each is escaped.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery WhereIn(string property, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var literals = values.Select(Literal).ToList();
        if (literals.Count == 0)
        {
            throw new ArgumentException("IN needs at least one value.", nameof(values));
        }

        return AddFilter(property, "IN", "(" + string.Join(", ", literals) + ")");
    }

    /// <summary>
    /// Adds <c>property LIKE 'pattern'</c>. QBO supports only the <c>%</c> wildcard and offers no way to escape it:
    /// a <c>%</c> in <paramref name="pattern"/> always acts as a wildcard, so filter the results locally when exactness matters.
    /// </summary>
    /// <param name="property">The property.</param>
    /// <param name="pattern">The pattern; apostrophes and backslashes are escaped.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery WhereLike(string property, string pattern) => AddFilter(property, "LIKE", Literal(pattern));

    /// <summary>Adds <c>property LIKE 'prefix%'</c> (see <see cref="WhereLike"/> about <c>%</c> inside the prefix).</summary>
    /// <param name="property">The property.</param>
    /// <param name="prefix">The prefix.</param>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery WhereStartsWith(string property, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return WhereLike(property, prefix + "%");
    }

    /// <summary>
    /// Adds <c>Active IN (true, false)</c>, so that inactive ("deleted") name-list records are returned too; QBO hides
    /// them otherwise.
    /// </summary>
    /// <returns>A new query with the filter.</returns>
    public QuickBooksQuery IncludeInactive() => AddFilter("Active", "IN", "(true, false)");

    /// <summary>Sets <c>ORDERBY property [DESC]</c>.</summary>
    /// <param name="property">The property.</param>
    /// <param name="descending">Whether to sort descending.</param>
    /// <returns>A new query with the ordering.</returns>
    public QuickBooksQuery OrderBy(string property, bool descending = false) =>
        new(Entity, IsCount, _filters, CheckIdentifier(property, nameof(property)) + (descending ? " DESC" : string.Empty), StartPosition, MaxResults);

    /// <summary>Sets <c>STARTPOSITION</c> (1-based) and <c>MAXRESULTS</c> (1 to 1000).</summary>
    /// <param name="startPosition">The 1-based position of the first row.</param>
    /// <param name="maxResults">The page size.</param>
    /// <returns>A new query with the page.</returns>
    public QuickBooksQuery Page(int startPosition, int maxResults)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(startPosition, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);
        return new(Entity, IsCount, _filters, _orderBy, startPosition, maxResults);
    }

    /// <summary>The statement, as sent to QBO.</summary>
    /// <returns>The query text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(64);
        text.Append(IsCount ? "SELECT COUNT(*) FROM " : "SELECT * FROM ").Append(Entity);
        for (var i = 0; i < _filters.Count; i++)
        {
            text.Append(i == 0 ? " WHERE " : " AND ").Append(_filters[i]);
        }

        if (_orderBy is not null)
        {
            text.Append(" ORDERBY ").Append(_orderBy);
        }

        if (StartPosition is { } start)
        {
            text.Append(" STARTPOSITION ").Append(start.ToString(CultureInfo.InvariantCulture));
        }

        if (MaxResults is { } max)
        {
            text.Append(" MAXRESULTS ").Append(max.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>
    /// Quotes a value as a QBO string literal: backslashes are doubled first, then apostrophes are escaped, so that
    /// <c>O'Brien\</c> becomes <c>'O\'Brien\\'</c>.
    /// </summary>
    /// <param name="value">The raw value.</param>
    /// <returns>The quoted literal.</returns>
    /// <exception cref="ArgumentException">The value holds a line break, tab or other control character: QBO's parser
    /// rejects them in literals, and no QBO name can contain them.</exception>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\'':
                    text.Append(@"\'");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        throw new ArgumentException(
                            "A QBO query literal cannot contain line breaks, tabs or other control characters.", nameof(value));
                    }

                    text.Append(c);
                    break;
            }
        }

        return text.Append('\'').ToString();
    }

    private QuickBooksQuery AddFilter(string property, string op, string operand) =>
        new(Entity, IsCount, _filters.Add(CheckIdentifier(property, nameof(property)) + " " + op + " " + operand), _orderBy, StartPosition, MaxResults);

    private static string OperatorText(QueryOperator op) => op switch
    {
        QueryOperator.Equal => "=",
        QueryOperator.LessThan => "<",
        QueryOperator.GreaterThan => ">",
        QueryOperator.LessThanOrEqual => "<=",
        QueryOperator.GreaterThanOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown operator."),
    };

    // Entity and property names are identifiers with optional dotted paths (MetaData.LastUpdatedTime): nothing else
    // may reach the statement unquoted.
    private static string CheckIdentifier(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        var expectLetter = true;
        foreach (var c in name)
        {
            if (c == '.' && !expectLetter)
            {
                expectLetter = true;
                continue;
            }

            var ok = expectLetter ? char.IsAsciiLetter(c) : char.IsAsciiLetterOrDigit(c) || c == '_';
            if (!ok)
            {
                throw new ArgumentException($"'{name}' is not a valid QBO entity or property name.", parameterName);
            }

            expectLetter = false;
        }

        if (expectLetter)
        {
            throw new ArgumentException($"'{name}' is not a valid QBO entity or property name.", parameterName);
        }

        return name;
    }
}
