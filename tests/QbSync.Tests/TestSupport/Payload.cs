namespace QbSync.Tests.TestSupport;

/// <summary>Reads the real QBO bodies copied into tests/Payloads (see its SOURCES.md).</summary>
internal static class Payload
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Payloads");

    /// <summary>The path of a payload file, e.g. <c>Path("faults/6240-duplicate-name-no-id.json")</c>.</summary>
    public static string PathOf(string relative) => System.IO.Path.Combine(Directory, relative);

    /// <summary>The text of a payload file, exactly as found (a BOM, if any, is kept).</summary>
    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    public static byte[] ReadBytes(string relative) => File.ReadAllBytes(PathOf(relative));
}
