using System.Globalization;

namespace QbSync.Samples.ConsoleHost;

/// <summary>Where accounts are kept.</summary>
internal enum StoreKind
{
    Memory,
    Sqlite,
}

/// <summary>The demo's options (<c>--store memory|sqlite</c>, <c>--culture en|ro</c>, <c>--verbose</c>), parsed by the command line.</summary>
internal sealed record DemoArguments(StoreKind Store, CultureInfo Culture, bool Verbose);
