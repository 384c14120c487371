using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class NameKeyTests
{
    [Theory]
    [InlineData("John Smith", "john smith")]
    [InlineData("JOHN SMITH", "John Smith")]
    [InlineData("  John   Smith  ", "John Smith")]
    [InlineData("John\tSmith", "John Smith")]
    [InlineData("John\r\nSmith", "John Smith")]
    [InlineData("John\u00A0Smith", "John Smith")]
    [InlineData("John\u3000Smith", "John Smith")]
    [InlineData("\uFB01rst Bank", "first bank")]
    [InlineData("\uFF21\uFF43\uFF4D\uFF45", "Acme")]
    [InlineData("O\u2019Brien", "O'Brien")]
    [InlineData("O\u2018Brien", "O'Brien")]
    [InlineData("O`Brien", "O'Brien")]
    [InlineData("O\u00B4Brien", "O'Brien")]
    [InlineData("\u201CAcme\u201D", "\"Acme\"")]
    [InlineData("\u2033Acme\u2033", "\"Acme\"")]
    [InlineData("Smith \u2013 Jones", "Smith - Jones")]
    [InlineData("Smith \u2014 Jones", "Smith - Jones")]
    [InlineData("Smith\u2212Jones", "Smith-Jones")]
    [InlineData("Jo\u200Bhn Smith", "John Smith")]
    [InlineData("\uFEFFJohn Smith\u200E", "John Smith")]
    [InlineData("\u202AJohn\u202C Smith", "John Smith")]
    [InlineData("Stra\u00DFe GmbH", "STRASSE GMBH")]
    [InlineData("Caf\u00E9", "Cafe\u0301")]
    [InlineData("\u0130stanbul", "istanbul")]
    [InlineData("\u0131stanbul", "Istanbul")]
    [InlineData("\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C2")]
    public void Names_that_differ_only_in_case_whitespace_unicode_form_quotes_dashes_or_invisible_characters_are_the_same(string a, string b)
    {
        NameKey.Of(a).Should().Be(NameKey.Of(b));
    }

    [Theory]
    [InlineData("John Smith", "Smith, John")]
    [InlineData("Acme LLC", "Acme, L.L.C.")]
    [InlineData("Jon", "John")]
    [InlineData("Acme Inc.", "ACME Incorporated")]
    [InlineData("John Smith", "John Smith Jr")]
    [InlineData("Cafe", "Caf\u00E9")]
    public void Different_names_stay_different(string a, string b)
    {
        NameKey.Of(a).Should().NotBe(NameKey.Of(b));
    }

    [Fact]
    public void The_key_is_trimmed_collapsed_and_lower_case()
    {
        NameKey.Of("  \u00A0ACME\t\t  Tax \u2019n\u2019 Books \n").Should().Be("acme tax 'n' books");
        NameKey.Of("   ").Should().BeEmpty();
    }

    [Fact]
    public void A_lone_surrogate_does_not_throw()
    {
        var act = () => NameKey.Of("Acme \uD800");
        act.Should().NotThrow();
    }

    [Fact]
    public void Deleted_suffix_is_removed_only_from_inactive_quickbooks_names()
    {
        NameKey.OfQuickBooksName("John Smith (deleted)", isActive: false).Should().Be(NameKey.Of("John Smith"));
        NameKey.OfQuickBooksName("John Smith (deleted)", isActive: true).Should().Be("john smith (deleted)");
        NameKey.OfQuickBooksName("John Smith", isActive: false).Should().Be("john smith");
    }

    [Fact]
    public void The_ascii_shortcut_gives_the_same_key_as_the_full_steps_for_any_ascii_name()
    {
        // Every ASCII character, whitespace and controls and the backtick included, in random names.
        const string Tricky = " \t\n\r\v\f`AZaz\u001C\u001F";
        var random = new Random(1313);
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(4) == 0 ? Tricky[random.Next(Tricky.Length)] : (char)random.Next(0, 128);
            }

            var name = new string(chars);
            NameKey.Of(name).Should().Be(NameKey.OfAnyText(name), "for {0}", string.Join(",", name.Select(c => (int)c)));
        }
    }

    [Fact]
    public void A_name_that_is_already_its_key_is_returned_without_a_copy()
    {
        const string key = "acme tax llc";
        NameKey.Of(key).Should().BeSameAs(key);
    }
}
