using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class NameSimilarityTests
{
    private static IReadOnlyList<(string Item, double Score, SuggestionKind Kind)> Suggest(string account, params string[] names) =>
        NameSimilarity.Suggest(account, names, n => n);

    [Fact]
    public void Reordered_words_are_suggested()
    {
        Suggest("John Smith", "Smith, John").Should().ContainSingle()
            .Which.Kind.Should().Be(SuggestionKind.ReorderedWords);
    }

    [Theory]
    [InlineData("Acme LLC", "Acme, L.L.C.")]
    [InlineData("Acme Inc.", "ACME Incorporated")]
    [InlineData("Acme", "Acme Ltd")]
    [InlineData("Popescu Consulting SRL", "Popescu Consulting S.R.L.")]
    public void Same_words_ignoring_punctuation_and_legal_suffixes_are_suggested(string account, string customer)
    {
        Suggest(account, customer).Should().ContainSingle()
            .Which.Kind.Should().Be(SuggestionKind.SameWordsIgnoringPunctuationAndSuffixes);
    }

    [Fact]
    public void Similar_spelling_is_suggested()
    {
        Suggest("John Smith", "Jon Smith").Should().ContainSingle()
            .Which.Kind.Should().Be(SuggestionKind.SimilarSpelling);
    }

    [Fact]
    public void Exact_key_matches_are_not_suggestions()
    {
        Suggest("John Smith", "JOHN  SMITH", "john\u00A0smith").Should().BeEmpty();
    }

    [Fact]
    public void Unrelated_names_are_not_suggested()
    {
        Suggest("John Smith", "Zenith Holdings", "Acme LLC", "Maria Popescu").Should().BeEmpty();
    }

    [Fact]
    public void Suggestions_come_best_first_with_ties_by_name()
    {
        var result = Suggest("John Smith", "Jon Smith", "Smith, John", "Smith John", "John Smith, Inc.");
        result.Select(r => r.Item).Should().Equal("John Smith, Inc.", "Smith John", "Smith, John", "Jon Smith");
        result.Select(r => r.Score).Should().BeInDescendingOrder();
    }

    [Fact]
    public void At_most_max_suggestions_are_returned()
    {
        NameSimilarity.Suggest("John Smith", ["Jon Smith", "Smith, John", "Smith John"], n => n, max: 2).Should().HaveCount(2);
    }
}
