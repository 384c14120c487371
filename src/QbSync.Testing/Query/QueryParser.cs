using System.Globalization;
using System.Text;

namespace QbSync.Testing.Query;

/// <summary>A parsed QBO query: <c>SELECT * | COUNT(*) FROM Entity [WHERE ...] [ORDERBY ...] [STARTPOSITION n] [MAXRESULTS n]</c>.</summary>
internal sealed record ParsedQuery(bool IsCount, string Entity, IReadOnlyList<QueryCondition> Where, IReadOnlyList<QueryOrder> OrderBy, long? StartPosition, long? MaxResults);

/// <summary>One <c>field op value</c> filter; filters are joined with AND.</summary>
internal sealed record QueryCondition(string Field, string Operator, IReadOnlyList<QueryLiteral> Values);

/// <summary>An ORDERBY term.</summary>
internal sealed record QueryOrder(string Field, bool Descending);

/// <summary>The kinds of literal the language has.</summary>
internal enum QueryLiteralKind
{
    String,
    Number,
    Boolean,
}

/// <summary>A literal, already unescaped.</summary>
internal sealed record QueryLiteral(QueryLiteralKind Kind, string Text);

/// <summary>Parses the QBO query subset and reports errors with QBO's 4000 texts.</summary>
internal sealed class QueryParser
{
    private enum TokenKind
    {
        Identifier,
        String,
        Number,
        Star,
        LeftParen,
        RightParen,
        Comma,
        Operator,
        End,
        LexicalError,
    }

    private readonly record struct Token(TokenKind Kind, string Text, string Image, int Column);

    private static readonly string[] AfterConditionExpected = ["<EOF> ", "<AND> ...", "\"iterator\" ...", "\"maxresults\" ...", "<OR> ...", "\"order\" ...", "\"orderby\" ...", "\"startposition\" ..."];

    private readonly List<Token> _tokens;
    private int _position;

    private QueryParser(List<Token> tokens) => _tokens = tokens;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="QueryParseException"/> with the QBO detail text on bad syntax.</summary>
    public static ParsedQuery Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new QueryParseException("QueryParserError: The query provided was empty");
        }

        return new QueryParser(Tokenize(text)).ParseQuery();
    }

    private ParsedQuery ParseQuery()
    {
        ExpectKeyword("SELECT", ["\"select\" ..."]);
        bool isCount;
        if (Peek.Kind == TokenKind.Star)
        {
            _position++;
            isCount = false;
        }
        else if (IsKeyword(Peek, "COUNT"))
        {
            _position++;
            Expect(TokenKind.LeftParen, ["\"(\" ..."]);
            Expect(TokenKind.Star, ["\"*\" ..."]);
            Expect(TokenKind.RightParen, ["\")\" ..."]);
            isCount = true;
        }
        else
        {
            throw Unexpected(Peek, ["\"*\" ...", "\"count\" ..."]);
        }

        ExpectKeyword("FROM", ["\"from\" ..."]);
        var entity = Expect(TokenKind.Identifier, ["<IDENTIFIER> ..."]).Text;

        var where = new List<QueryCondition>();
        var order = new List<QueryOrder>();
        long? start = null;
        long? max = null;
        var sawWhere = false;
        while (Peek.Kind != TokenKind.End)
        {
            var token = Peek;
            if (!sawWhere && order.Count == 0 && start is null && max is null && IsKeyword(token, "WHERE"))
            {
                _position++;
                sawWhere = true;
                where.Add(ParseCondition());
                while (IsKeyword(Peek, "AND"))
                {
                    _position++;
                    where.Add(ParseCondition());
                }

                if (IsKeyword(Peek, "OR"))
                {
                    throw new QueryParseException("QueryParserError: OR operator is not supported");
                }
            }
            else if (order.Count == 0 && (IsKeyword(token, "ORDERBY") || IsKeyword(token, "ORDER")))
            {
                _position++;
                if (IsKeyword(token, "ORDER"))
                {
                    ExpectKeyword("BY", ["\"by\" ..."]);
                }

                do
                {
                    var field = Expect(TokenKind.Identifier, ["<IDENTIFIER> ..."]).Text;
                    var descending = false;
                    if (IsKeyword(Peek, "DESC"))
                    {
                        _position++;
                        descending = true;
                    }
                    else if (IsKeyword(Peek, "ASC"))
                    {
                        _position++;
                    }

                    order.Add(new QueryOrder(field, descending));
                }
                while (TryTake(TokenKind.Comma));
            }
            else if (start is null && IsKeyword(token, "STARTPOSITION"))
            {
                _position++;
                start = ParseInteger();
            }
            else if (max is null && IsKeyword(token, "MAXRESULTS"))
            {
                _position++;
                max = ParseInteger();
            }
            else
            {
                throw Unexpected(token, AfterConditionExpected);
            }
        }

        return new ParsedQuery(isCount, entity, where, order, start, max);
    }

    private QueryCondition ParseCondition()
    {
        var field = Expect(TokenKind.Identifier, ["<IDENTIFIER> ..."]).Text;
        var token = Peek;
        if (token.Kind == TokenKind.Operator)
        {
            _position++;
            return new QueryCondition(field, token.Text, [ParseLiteral()]);
        }

        if (IsKeyword(token, "LIKE"))
        {
            _position++;
            var literal = ParseLiteral();
            if (literal.Kind != QueryLiteralKind.String)
            {
                throw new QueryParseException("QueryParserError: LIKE needs a string literal");
            }

            return new QueryCondition(field, "LIKE", [literal]);
        }

        if (IsKeyword(token, "IN"))
        {
            _position++;
            Expect(TokenKind.LeftParen, ["\"(\" ..."]);
            var values = new List<QueryLiteral> { ParseLiteral() };
            while (TryTake(TokenKind.Comma))
            {
                values.Add(ParseLiteral());
            }

            Expect(TokenKind.RightParen, ["\")\" ...", "\",\" ..."]);
            return new QueryCondition(field, "IN", values);
        }

        throw Unexpected(token, ["\"=\" ...", "\"<\" ...", "\">\" ...", "\"<=\" ...", "\">=\" ...", "\"in\" ...", "\"like\" ..."]);
    }

    private QueryLiteral ParseLiteral()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.String:
                _position++;
                return new QueryLiteral(QueryLiteralKind.String, token.Text);
            case TokenKind.Number:
                _position++;
                return new QueryLiteral(QueryLiteralKind.Number, token.Text);
            case TokenKind.Identifier when IsKeyword(token, "TRUE") || IsKeyword(token, "FALSE"):
                _position++;
                return new QueryLiteral(QueryLiteralKind.Boolean, string.Equals(token.Text, "TRUE", StringComparison.OrdinalIgnoreCase) ? "true" : "false");
            default:
                throw Unexpected(token, ["<STRING_LITERAL> ...", "<INTEGER_LITERAL> ...", "\"true\" ...", "\"false\" ..."]);
        }
    }

    private long ParseInteger()
    {
        var token = Peek;
        if (token.Kind != TokenKind.Number || !long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Unexpected(token, ["<INTEGER_LITERAL> ..."]);
        }

        _position++;
        return value;
    }

    private Token Peek
    {
        get
        {
            var token = _tokens[_position];
            return token.Kind == TokenKind.LexicalError ? throw new QueryParseException(token.Text) : token;
        }
    }

    private bool TryTake(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }

        _position++;
        return true;
    }

    private Token Expect(TokenKind kind, string[] expected)
    {
        var token = Peek;
        if (token.Kind != kind)
        {
            throw Unexpected(token, expected);
        }

        _position++;
        return token;
    }

    private void ExpectKeyword(string keyword, string[] expected)
    {
        if (!IsKeyword(Peek, keyword))
        {
            throw Unexpected(Peek, expected);
        }

        _position++;
    }

    private static bool IsKeyword(Token token, string keyword) =>
        token.Kind == TokenKind.Identifier && string.Equals(token.Text, keyword, StringComparison.OrdinalIgnoreCase);

    private static QueryParseException Unexpected(Token token, string[] expected)
    {
        var sb = new StringBuilder("QueryParserError: Encountered ");
        if (token.Kind == TokenKind.End)
        {
            sb.Append("\"<EOF>\"");
        }
        else
        {
            var kind = token.Kind switch
            {
                TokenKind.Identifier => "<IDENTIFIER>",
                TokenKind.String => "<STRING_LITERAL>",
                TokenKind.Number => "<INTEGER_LITERAL>",
                _ => null,
            };
            sb.Append("\" ");
            if (kind is not null)
            {
                sb.Append(kind).Append(' ');
            }

            sb.Append('"').Append(token.Image).Append(" \"\"");
        }

        sb.Append(" at line 1, column ").Append(token.Column.ToString(CultureInfo.InvariantCulture)).Append(".\nWas expecting one of:\n");
        foreach (var e in expected)
        {
            sb.Append("    ").Append(e).Append('\n');
        }

        sb.Append("    ");
        return new QueryParseException(sb.ToString());
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        try
        {
            TokenizeInto(text, tokens);
        }
        catch (QueryParseException ex)
        {
            // The lexer is lazy in QBO: a parse error before the bad character wins, so keep the error as a token.
            tokens.Add(new Token(TokenKind.LexicalError, ex.Message, "", 0));
        }

        return tokens;
    }

    private static void TokenizeInto(string text, List<Token> tokens)
    {
        var i = 0;
        var line = 1;
        var lineStart = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var column = i - lineStart + 1;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'))
                {
                    i++;
                }

                var word = text[start..i];
                tokens.Add(new Token(TokenKind.Identifier, word, word, column));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                var number = text[start..i];
                tokens.Add(new Token(TokenKind.Number, number, number, column));
            }
            else if (c == '\'')
            {
                var start = i;
                var sb = new StringBuilder();
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var ch = text[i];
                    if (ch == '\\')
                    {
                        if (i + 1 >= text.Length)
                        {
                            i++;
                            break;
                        }

                        sb.Append(text[i + 1]);
                        i += 2;
                        continue;
                    }

                    if (ch == '\'')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    if (ch is '\n' or '\r')
                    {
                        break;
                    }

                    sb.Append(ch);
                    i++;
                }

                if (!closed)
                {
                    throw new QueryParseException(
                        "QueryParserError: Invalid content. Lexical error at line " + line.ToString(CultureInfo.InvariantCulture)
                        + ", column " + (i - lineStart + 1).ToString(CultureInfo.InvariantCulture) + ".  Encountered: <EOF> after : \"" + Escape(text[start..i]) + "\"");
                }

                tokens.Add(new Token(TokenKind.String, sb.ToString(), text[start..i], column));
            }
            else if (c is '<' or '>' or '=' or '!')
            {
                var start = i;
                i++;
                if (i < text.Length && text[i] == '=' && c != '=')
                {
                    i++;
                }
                else if (c == '<' && i < text.Length && text[i] == '>')
                {
                    i++;
                }

                var op = text[start..i];
                if (op == "!")
                {
                    throw LexicalError(line, column, c, "");
                }

                tokens.Add(new Token(TokenKind.Operator, op, op, column));
            }
            else
            {
                var kind = c switch
                {
                    '*' => TokenKind.Star,
                    '(' => TokenKind.LeftParen,
                    ')' => TokenKind.RightParen,
                    ',' => TokenKind.Comma,
                    _ => throw LexicalError(line, column, c, ""),
                };
                tokens.Add(new Token(kind, c.ToString(), c.ToString(), column));
                i++;
            }
        }

        tokens.Add(new Token(TokenKind.End, "", "", text.Length - lineStart + 1));
    }

    private static QueryParseException LexicalError(int line, int column, char c, string after) =>
        new("QueryParserError: Invalid content. Lexical error at line " + line.ToString(CultureInfo.InvariantCulture) + ", column "
            + column.ToString(CultureInfo.InvariantCulture) + ".  Encountered: \"" + (c > 126 ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString())
            + "\" (" + ((int)c).ToString(CultureInfo.InvariantCulture) + "), after : \"" + after + "\"");

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
}

/// <summary>Bad query syntax; <see cref="Exception.Message"/> is the QBO 4000 Detail text.</summary>
internal sealed class QueryParseException(string detail) : Exception(detail);
