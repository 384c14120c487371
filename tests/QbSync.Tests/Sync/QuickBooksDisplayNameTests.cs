using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class QuickBooksDisplayNameTests
{
    [Fact]
    public void A_clean_name_is_used_as_is()
    {
        var result = QuickBooksDisplayName.FromAccountName("Acme Tax LLC");
        result.Should().Be(new DisplayNameResult("Acme Tax LLC", true, result.Changes));
        result.Changes.Should().BeEmpty();
    }

    [Fact]
    public void A_colon_becomes_a_dash_absorbing_the_spaces_around_it()
    {
        var result = QuickBooksDisplayName.FromAccountName("Acme: Tax");
        result.Value.Should().Be("Acme - Tax");
        result.Changes.Should().Equal(DisplayNameChange.ColonsReplaced);
        QuickBooksDisplayName.FromAccountName("Parent:Child").Value.Should().Be("Parent - Child");
    }

    [Fact]
    public void A_tab_becomes_a_space()
    {
        var result = QuickBooksDisplayName.FromAccountName("John\tSmith");
        result.Value.Should().Be("John Smith");
        result.Changes.Should().Equal(DisplayNameChange.ControlCharactersReplaced);
    }

    [Fact]
    public void A_newline_pair_becomes_one_space_and_surrounding_blanks_are_trimmed()
    {
        var result = QuickBooksDisplayName.FromAccountName("  John\r\nSmith ");
        result.Value.Should().Be("John Smith");
        result.Changes.Should().BeEquivalentTo(
            [DisplayNameChange.ControlCharactersReplaced, DisplayNameChange.WhitespaceCollapsed, DisplayNameChange.Trimmed]);
    }

    [Fact]
    public void Inner_spaces_and_non_breaking_spaces_are_collapsed()
    {
        var result = QuickBooksDisplayName.FromAccountName("John  \u00A0Smith");
        result.Value.Should().Be("John Smith");
        result.Changes.Should().Equal(DisplayNameChange.WhitespaceCollapsed);
    }

    [Fact]
    public void A_long_name_is_cut_to_the_limit()
    {
        var result = QuickBooksDisplayName.FromAccountName(new string('a', 600));
        result.Value.Should().HaveLength(QuickBooksDisplayName.MaxLength);
        result.Changes.Should().Equal(DisplayNameChange.Truncated);
    }

    [Fact]
    public void The_cut_never_splits_an_emoji()
    {
        var name = new string('a', 499) + "\U0001F600" + "bbb";
        var result = QuickBooksDisplayName.FromAccountName(name);
        result.Value.Should().Be(new string('a', 499));
        result.Changes.Should().Equal(DisplayNameChange.Truncated);
        char.IsHighSurrogate(result.Value![^1]).Should().BeFalse();
    }

    [Fact]
    public void A_cut_that_ends_on_a_space_is_trimmed_again()
    {
        var name = new string('a', 499) + " tail";
        QuickBooksDisplayName.FromAccountName(name).Value.Should().Be(new string('a', 499));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void An_empty_name_is_invalid(string name)
    {
        var result = QuickBooksDisplayName.FromAccountName(name);
        result.IsValid.Should().BeFalse();
        result.Value.Should().BeNull();
    }

    [Fact]
    public void A_suffix_is_appended_with_one_space()
    {
        var result = QuickBooksDisplayName.WithSuffix("John Smith", " (client)");
        result.Value.Should().Be("John Smith (client)");
        result.Changes.Should().BeEmpty();
    }

    [Fact]
    public void A_suffix_cuts_the_name_so_the_whole_fits()
    {
        var result = QuickBooksDisplayName.WithSuffix(new string('a', 500), " (client)");
        result.Value.Should().HaveLength(QuickBooksDisplayName.MaxLength);
        result.Value.Should().EndWith("a (client)");
        result.Changes.Should().Equal(DisplayNameChange.Truncated);
    }

    [Fact]
    public void The_shortcut_for_names_no_rule_changes_gives_what_the_rules_give()
    {
        var random = new Random(2424);
        const string Alphabet = "ab Z:\t\n\u00A0\u3000.-\u0085\u0001\u200B\u00E9";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 12)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }

            var name = new string(chars);
            var fast = QuickBooksDisplayName.FromAccountName(name);
            var rules = QuickBooksDisplayName.Make(name);
            fast.Value.Should().Be(rules.Value);
            fast.IsValid.Should().Be(rules.IsValid);
            fast.Changes.Should().Equal(rules.Changes);
        }

        var longName = new string('x', QuickBooksDisplayName.MaxLength + 1);
        QuickBooksDisplayName.FromAccountName(longName).Changes.Should().Equal(QuickBooksDisplayName.Make(longName).Changes);
    }
}
