using System.Globalization;

namespace QbSync.Samples.ConsoleHost;

/// <summary>Where the demo keeps its accounts.</summary>
internal enum StoreKind
{
    Memory,
    Sqlite,
}

/// <summary>The demo's command line: <c>[--store memory|sqlite] [--culture en|ro] [--verbose]</c>.</summary>
internal sealed record DemoArguments(StoreKind Store, CultureInfo Culture, bool Verbose)
{
    public const string Usage = "usage: QbSync.Samples.Console [--store memory|sqlite] [--culture en|ro] [--verbose]";

    /// <summary>Parses the arguments; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static DemoArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        var store = StoreKind.Sqlite;
        var culture = CultureInfo.GetCultureInfo("en-US");
        var verbose = false;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--store" when i + 1 < args.Count:
                    switch (args[++i].ToUpperInvariant())
                    {
                        case "MEMORY":
                            store = StoreKind.Memory;
                            break;
                        case "SQLITE":
                            store = StoreKind.Sqlite;
                            break;
                        default:
                            error = $"unknown store '{args[i]}' (memory or sqlite)";
                            return null;
                    }

                    break;
                case "--culture" when i + 1 < args.Count:
                    try
                    {
                        culture = CultureInfo.GetCultureInfo(args[++i]);
                    }
                    catch (CultureNotFoundException)
                    {
                        error = $"unknown culture '{args[i]}'";
                        return null;
                    }

                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "-h" or "--help":
                    error = string.Empty;
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }

        return new DemoArguments(store, culture, verbose);
    }
}
