using System.Text;
using QbSync.Sync;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>One problem in an accounts CSV file, with the line it starts on (1-based).</summary>
internal sealed record CsvProblem(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>
/// Reads accounts from CSV (RFC 4180): a header row naming <c>id</c>, <c>name</c> and <c>has-billing-activity</c> (any
/// order, any case), then one account per row. Fields may be quoted (<c>"Smith, John"</c>, <c>""</c> for a quote,
/// line breaks inside quotes). Every problem is reported with its line number; a file with any problem yields no
/// account at all, so an import is all or nothing.
/// </summary>
internal static class AccountCsv
{
    private static readonly string[] IdHeaders = ["id", "account-id", "account_id", "accountid"];
    private static readonly string[] NameHeaders = ["name", "account-name", "account_name", "accountname"];
    private static readonly string[] ActivityHeaders = ["has-billing-activity", "has_billing_activity", "hasbillingactivity", "billing-activity"];

    /// <summary>Parses the text; <paramref name="problems"/> is empty exactly when the accounts can be imported.</summary>
    public static IReadOnlyList<AccountInfo> Parse(string text, out IReadOnlyList<CsvProblem> problems)
    {
        var found = new List<CsvProblem>();
        var accounts = Validate(ReadRecords(text, found), found);
        problems = [.. found.OrderBy(p => p.Line)];
        return problems.Count > 0 ? [] : accounts;
    }

    // Rows the reader could not split are left out (their problem is recorded); the others are checked all the same,
    // so that one run reports every bad line.
    private static List<AccountInfo> Validate(List<CsvRecord> records, List<CsvProblem> found)
    {
        if (found.Count == 0 && records.Count == 0)
        {
            found.Add(new CsvProblem(1, "the file is empty; it needs a header row: id,name,has-billing-activity"));
            return [];
        }

        if (records.Count == 0)
        {
            return [];
        }

        var header = records[0];
        var idColumn = Column(header.Fields, IdHeaders);
        var nameColumn = Column(header.Fields, NameHeaders);
        var activityColumn = Column(header.Fields, ActivityHeaders);
        if (idColumn < 0 || nameColumn < 0 || activityColumn < 0)
        {
            var missing = new[] { (idColumn, "id"), (nameColumn, "name"), (activityColumn, "has-billing-activity") }
                .Where(c => c.Item1 < 0).Select(c => c.Item2);
            found.Add(new CsvProblem(header.Line, $"the header row must name the columns id, name and has-billing-activity; missing: {string.Join(", ", missing)}"));
            return [];
        }

        var accounts = new List<AccountInfo>();
        var firstLineOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Fields.Count)
            {
                found.Add(new CsvProblem(record.Line, $"{record.Fields.Count} field(s) where the header has {header.Fields.Count}"));
                continue;
            }

            var id = record.Fields[idColumn].Trim();
            var name = record.Fields[nameColumn].Trim();
            var activityText = record.Fields[activityColumn].Trim();
            var before = found.Count;
            if (id.Length == 0)
            {
                found.Add(new CsvProblem(record.Line, "the account id is empty"));
            }
            else if (firstLineOfId.TryGetValue(id, out var first))
            {
                found.Add(new CsvProblem(record.Line, $"account id '{id}' repeats line {first}"));
            }
            else
            {
                firstLineOfId[id] = record.Line;
            }

            if (name.Length == 0)
            {
                found.Add(new CsvProblem(record.Line, "the account name is empty"));
            }
            else if (!IsWellFormed(name))
            {
                found.Add(new CsvProblem(record.Line, "the account name is not valid text (it holds a lone surrogate)"));
            }

            if (!TryParseBoolean(activityText, out var activity))
            {
                found.Add(new CsvProblem(record.Line, $"has-billing-activity is '{activityText}'; use true or false (yes/no, 1/0)"));
            }

            if (found.Count == before)
            {
                accounts.Add(new AccountInfo(id, name, activity));
            }
        }

        if (accounts.Count == 0 && found.Count == 0)
        {
            found.Add(new CsvProblem(header.Line + 1, "the file has a header row but no account"));
        }

        return accounts;
    }

    private static int Column(IReadOnlyList<string> header, string[] names)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (names.Contains(header[i].Trim(), StringComparer.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.ToUpperInvariant())
        {
            case "TRUE" or "YES" or "Y" or "1":
                value = true;
                return true;
            case "FALSE" or "NO" or "N" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

    // RFC 4180 records; blank lines are skipped. A record's line is the line it starts on.
    private static List<CsvRecord> ReadRecords(string text, List<CsvProblem> problems)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var quotedField = false;
        var afterQuote = false;
        var recordHasContent = false;
        var recordBroken = false;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            quotedField = false;
            afterQuote = false;
        }

        void EndRecord()
        {
            EndField();
            if (recordHasContent && !recordBroken)
            {
                records.Add(new CsvRecord(recordLine, [.. fields]));
            }

            fields.Clear();
            recordHasContent = false;
            recordBroken = false;
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    recordHasContent = true;
                    EndField();
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                case '"' when field.Length == 0 && !quotedField:
                    inQuotes = true;
                    quotedField = true;
                    recordHasContent = true;
                    break;
                case '"':
                    if (!recordBroken)
                    {
                        problems.Add(new CsvProblem(line, "a quote inside a field that is not quoted; quote the whole field and double the quote (\"\")"));
                    }

                    recordBroken = true;
                    break;
                default:
                    if (afterQuote && !char.IsWhiteSpace(c))
                    {
                        if (!recordBroken)
                        {
                            problems.Add(new CsvProblem(line, "text after a quoted field's closing quote"));
                        }

                        recordBroken = true;
                    }
                    else if (!afterQuote)
                    {
                        field.Append(c);
                        recordHasContent |= !char.IsWhiteSpace(c);
                    }

                    break;
            }
        }

        if (inQuotes)
        {
            problems.Add(new CsvProblem(recordLine, "a quoted field is not closed"));
            return records;
        }


        EndRecord();
        return records;
    }
}
