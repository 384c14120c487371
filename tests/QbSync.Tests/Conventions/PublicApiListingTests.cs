using System.Diagnostics.CodeAnalysis;

namespace QbSync.Tests.Conventions;

#pragma warning disable CA1034, CA1051, CA1062, CA1707, CA1711, CA1716, CA1720, CA1815, CA1819, CA1822, CA1003, CA1000, CA2225, CA1008, CA1028, CA1066, CA2231, CA1021, CA1045, CS0067, IDE0060, IDE0051
#pragma warning disable CA1036, CA1715 // sample types exercising the API listing
/// <summary>Pins the format of <see cref="PublicApiListing"/> on a fixture covering the tricky cases.</summary>
public class PublicApiListingTests
{
    public record PositionalRecord(string Name, int? Count = null);

    public abstract class Shape<T> : IComparable<Shape<T>> where T : class, new()
    {
        public const string Label = "a \"shape\"";
        public static readonly int[]? Cache;
        protected Shape() { }
        public event EventHandler? Changed;
        public string this[int index] => string.Empty;
        public required string Id { get; init; }
        public string? Note { get; protected set; }
        public abstract (int Count, string? Name) Measure(ref int a, out string b, in long c, params object?[] rest);
        public virtual U Convert<U>(T value, DayOfWeek day = DayOfWeek.Friday) where U : struct => default;
        public int CompareTo(Shape<T>? other) => 0;
        protected internal virtual void Hook() { }
        private protected void Hidden() { }
        [Obsolete("old")] public void Old() { }
        protected class Nested { public int Value; }
        public delegate Task<T?> Factory(string key);
    }

    public sealed class Square : Shape<object>
    {
        [SetsRequiredMembers] public Square() => Id = "s";
        public override (int Count, string? Name) Measure(ref int a, out string b, in long c, params object?[] rest) { b = ""; return (0, null); }
        protected internal sealed override void Hook() { }
        public sealed override string ToString() => "square";
    }

    [Flags] public enum Options : byte { None = 0, A = 1, B = 2 }

    [Fact]
    public void Listing_covers_modifiers_nullability_records_and_generics()
    {
        var listing = PublicApiListing.Generate(typeof(PublicApiListingTests).GetNestedTypes(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .Concat(typeof(Shape<>).GetNestedTypes(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)));
        var lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        const string P = "QbSync.Tests.Conventions.PublicApiListingTests.";

        lines.Should().Contain([
            $"public record {P}PositionalRecord : System.IEquatable<{P}PositionalRecord>",
            $"{P}PositionalRecord.Deconstruct(out string Name, out int? Count) -> void",
            $"{P}PositionalRecord.PositionalRecord(string Name, int? Count = null)",
            $"{P}PositionalRecord.Name {{ get; init; }} -> string",
            $"public abstract class {P}Shape<T> : System.IComparable<{P}Shape<T>> where T : class, new()",
            $"const {P}Shape<T>.Label = \"a \\\"shape\\\"\" -> string",
            $"static readonly {P}Shape<T>.Cache -> int[]?",
            $"protected {P}Shape<T>.Shape()",
            $"event {P}Shape<T>.Changed -> System.EventHandler?",
            $"{P}Shape<T>.this[int index] {{ get; }} -> string",
            $"required {P}Shape<T>.Id {{ get; init; }} -> string",
            $"{P}Shape<T>.Note {{ get; protected set; }} -> string?",
            $"abstract {P}Shape<T>.Measure(ref int a, out string b, in long c, params object?[] rest) -> (int Count, string? Name)",
            $"virtual {P}Shape<T>.Convert<U>(T value, System.DayOfWeek day = System.DayOfWeek.Friday) where U : struct -> U",
            $"protected virtual {P}Shape<T>.Hook() -> void",
            $"[Obsolete] {P}Shape<T>.Old() -> void",
            $"protected class {P}Shape<T>.Nested",
            $"{P}Shape<T>.Nested.Value -> int",
            $"public delegate {P}Shape<T>.Factory(string key) -> System.Threading.Tasks.Task<T?>",
            $"public sealed class {P}Square : {P}Shape<object>",
            $"[SetsRequiredMembers] {P}Square.Square()",
            $"override {P}Square.Measure(ref int a, out string b, in long c, params object?[] rest) -> (int Count, string? Name)",
            $"sealed override {P}Square.ToString() -> string",
            $"[Flags] public enum {P}Options : byte",
            $"{P}Options.B = 2",
        ]);
        listing.Should().NotContain("Clone").And.NotContain("EqualityContract").And.NotContain("PrintMembers").And.NotContain("Hidden")
            .And.NotContain("value__").And.NotContain("Square.Id").And.NotContain("Square.Hook");
        lines.Should().OnlyHaveUniqueItems();
    }
}
