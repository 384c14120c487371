using System.Text;
using QbSync.QuickBooks;

namespace QbSync.Tests.QuickBooks;

public class QueryBuilderTests
{
    [Theory]
    [InlineData("Acme Ltd", "'Acme Ltd'")]
    [InlineData("O'Brien", @"'O\'Brien'")]
    [InlineData(@"Smith\'s Shop", @"'Smith\\\'s Shop'")]
    [InlineData(@"Trailing\", @"'Trailing\\'")]
    [InlineData("100% Tax", "'100% Tax'")]
    [InlineData("", "''")]
    public void Literal_escapes_backslash_first_then_apostrophe(string raw, string expected) =>
        QuickBooksQuery.Literal(raw).Should().Be(expected);

    [Theory]
    [InlineData("Line\nbreak")]
    [InlineData("Tab\there")]
    [InlineData("Carriage\rreturn")]
    public void Literal_refuses_control_characters(string raw) =>
        FluentActions.Invoking(() => QuickBooksQuery.Literal(raw)).Should().Throw<ArgumentException>();

    [Fact]
    public void Builds_the_full_grammar_in_order()
    {
        var query = QuickBooksQuery.Select("Customer")
            .WhereEquals("DisplayName", "O'Brien")
            .IncludeInactive()
            .Where("MetaData.LastUpdatedTime", QueryOperator.GreaterThan, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(-7)))
            .OrderBy("Id")
            .Page(1001, 1000);

        query.ToString().Should().Be(
            @"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien' AND Active IN (true, false) " +
            "AND MetaData.LastUpdatedTime > '2025-01-02T03:04:05-07:00' ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000");
    }

    [Fact]
    public void Count_and_in_and_like()
    {
        QuickBooksQuery.Count("Vendor").WhereIn("DisplayName", ["A'1", "B"]).WhereStartsWith("CompanyName", "Ac'").ToString()
            .Should().Be(@"SELECT COUNT(*) FROM Vendor WHERE DisplayName IN ('A\'1', 'B') AND CompanyName LIKE 'Ac\'%'");
    }

    [Theory]
    [InlineData("Customer WHERE 1=1")]
    [InlineData("Customer;")]
    [InlineData("Display Name")]
    [InlineData("1Customer")]
    [InlineData("Customer.")]
    [InlineData("")]
    public void Identifiers_that_are_not_plain_names_are_refused(string name)
    {
        FluentActions.Invoking(() => QuickBooksQuery.Select(name)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => QuickBooksQuery.Select("Customer").WhereEquals(name, "x")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Page_size_above_1000_is_refused() =>
        FluentActions.Invoking(() => QuickBooksQuery.Select("Customer").Page(1, 1001)).Should().Throw<ArgumentOutOfRangeException>();

    /// <summary>
    /// Property: whatever the display name, the statement tokenizes to the same structure and the literal decodes to
    /// the name. Names are drawn from an alphabet of quotes, backslashes, SQL-ish punctuation, percent signs, Unicode
    /// (typographic quotes, RTL marks, Arabic, emoji) and lengths up to 500.
    /// </summary>
    [Fact]
    public void No_display_name_can_change_the_structure_of_a_query()
    {
        var alphabet = new[]
        {
            "'", "\\", "\\'", "''", "%", "_", " ", "  ", "=", "(", ")", ",", "AND", "OR", "--", ";", "/*", "*/", "\"",
            "\u2019", "\u2018", "\u201C", "\u201D", "\u2013", "\u2014", "\u200F", "\u202E", "مرحبا", "שלום", "😀", "👨‍👩‍👧",
            "é", "e\u0301", "ß", "İ", "a", "Z", "0", "9", "&", "#", "+", "?", "@", "!", "~", "*", "SELECT", "WHERE",
        };
        var random = new Random(20261128);
        var cases = new List<string> { "\\", "'", "\\\\'", "'\\", new string('\\', 499) + "'", new string('x', 500) };
        for (var i = 0; i < 3000; i++)
        {
            var text = new StringBuilder();
            var parts = random.Next(1, 40);
            for (var p = 0; p < parts; p++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            cases.Add(text.Length > 500 ? text.ToString(0, 500) : text.ToString());
        }

        foreach (var name in cases)
        {
            var statement = QuickBooksQuery.Select("Customer").WhereEquals("DisplayName", name).IncludeInactive().Page(1, 10).ToString();
            var tokens = QboTokenizer.Tokenize(statement);
            tokens.Select(t => t.Kind == "literal" ? "<lit>" : t.Text).Should().Equal(
                ["SELECT", "*", "FROM", "Customer", "WHERE", "DisplayName", "=", "<lit>", "AND", "Active", "IN", "(", "true", ",", "false", ")",
                 "STARTPOSITION", "1", "MAXRESULTS", "10"],
                because: $"the name {name} must stay inside its literal");
            tokens.Single(t => t.Kind == "literal").Text.Should().Be(name);
        }
    }

    /// <summary>A tokenizer that follows QBO's literal rules: inside quotes, a backslash escapes the next character.</summary>
    internal static class QboTokenizer
    {
        public static List<(string Kind, string Text)> Tokenize(string statement)
        {
            var tokens = new List<(string, string)>();
            var i = 0;
            while (i < statement.Length)
            {
                var c = statement[i];
                if (c == ' ')
                {
                    i++;
                    continue;
                }

                if (c == '\'')
                {
                    var value = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= statement.Length)
                        {
                            throw new FormatException("Unterminated literal: " + statement);
                        }

                        if (statement[i] == '\\')
                        {
                            value.Append(statement[i + 1]);
                            i += 2;
                            continue;
                        }

                        if (statement[i] == '\'')
                        {
                            i++;
                            break;
                        }

                        value.Append(statement[i++]);
                    }

                    tokens.Add(("literal", value.ToString()));
                    continue;
                }

                if ("(),=*".Contains(c))
                {
                    tokens.Add(("punct", c.ToString()));
                    i++;
                    continue;
                }

                var start = i;
                while (i < statement.Length && statement[i] is not (' ' or '(' or ')' or ',' or '=' or '\''))
                {
                    i++;
                }

                tokens.Add(("word", statement[start..i]));
            }

            return tokens;
        }
    }
}
