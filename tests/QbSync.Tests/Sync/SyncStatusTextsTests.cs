using System.Globalization;
using QbSync.Sync;

namespace QbSync.Tests.Sync;

public sealed class SyncStatusTextsTests
{
    private static T InCulture<T>(string culture, Func<T> f)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            return f();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Theory]
    [InlineData(SyncStatus.Synced, "Synced", "Sincronizat")]
    [InlineData(SyncStatus.NotSynced, "Not synced", "Nu este sincronizat")]
    [InlineData(SyncStatus.Skipped, "Skipped", "Skipped")]
    [InlineData(SyncStatus.Failed, "Failed", "Eșuată")]
    [InlineData(SyncStatus.Syncing, "Syncing", "Sincronizare")]
    public void Labels_use_the_articles_words_in_english_and_romanian(SyncStatus status, string english, string romanian)
    {
        InCulture("en-US", () => SyncStatusTexts.Label(status)).Should().Be(english);
        InCulture("ro-RO", () => SyncStatusTexts.Label(status)).Should().Be(romanian);
    }

    [Fact]
    public void Every_status_has_a_label_and_tooltip_in_both_cultures()
    {
        foreach (var culture in new[] { "en-US", "ro-RO" })
        {
            foreach (var status in Enum.GetValues<SyncStatus>())
            {
                InCulture(culture, () => SyncStatusTexts.Label(status)).Should().NotBeNullOrWhiteSpace();
                InCulture(culture, () => SyncStatusTexts.Tooltip(status, SyncReason.None, null, false)).Should().NotBeNullOrWhiteSpace();
            }
        }
    }

    [Fact]
    public void Every_reason_has_a_message_in_both_cultures()
    {
        foreach (var reason in Enum.GetValues<SyncReason>())
        {
            var english = InCulture("en-US", () => SyncStatusTexts.ReasonMessage(reason, null));
            var romanian = InCulture("ro-RO", () => SyncStatusTexts.ReasonMessage(reason, null));
            english.Should().NotBeNullOrWhiteSpace().And.NotBe(reason.ToString()).And.NotContain("{");
            romanian.Should().NotBeNullOrWhiteSpace().And.NotBe(reason.ToString()).And.NotContain("{");
            if (reason != SyncReason.None)
            {
                romanian.Should().NotBe(english, $"{reason} should be translated");
            }
        }
    }

    [Fact]
    public void Failed_tooltip_gives_the_quickbooks_code_and_message_but_not_the_intuit_tid()
    {
        var problem = new SyncProblem
        {
            Reason = SyncReason.QuickBooksValidationError,
            QuickBooksErrorCode = "6000",
            QuickBooksMessage = "A business validation error has occurred.",
            IntuitTid = "1-abc-tid",
        };

        var tooltip = InCulture("en-US", () => SyncStatusTexts.Tooltip(SyncStatus.Failed, SyncReason.QuickBooksValidationError, problem, false));
        tooltip.Should().StartWith("There is a sync problem with this account.");
        tooltip.Should().Contain("6000").And.Contain("A business validation error has occurred.").And.NotContain("1-abc-tid");

        var romanian = InCulture("ro-RO", () => SyncStatusTexts.Tooltip(SyncStatus.Failed, SyncReason.QuickBooksValidationError, problem, false));
        romanian.Should().StartWith("Există o problemă").And.Contain("6000").And.NotContain("1-abc-tid");
    }

    [Fact]
    public void Failed_details_name_the_conflicting_account_and_the_suggested_name()
    {
        InCulture("en-US", () => SyncStatusTexts.ReasonMessage(SyncReason.CustomerLinkedToAnotherAccount,
                new SyncProblem { Reason = SyncReason.CustomerLinkedToAnotherAccount, ConflictingAccountId = "acct-42", ConflictingAccountName = "Jane Doe LLC" }))
            .Should().Contain("\"Jane Doe LLC\"").And.NotContain("acct-42", "people see the other account's name, never its internal id");
        InCulture("en-US", () => SyncStatusTexts.ReasonMessage(SyncReason.CustomerLinkedToAnotherAccount,
                new SyncProblem { Reason = SyncReason.CustomerLinkedToAnotherAccount, ConflictingAccountId = "acct-42" }))
            .Should().NotContain("acct-42");
        InCulture("en-US", () => SyncStatusTexts.ReasonMessage(SyncReason.NameHeldByInactiveCustomer,
                new SyncProblem { Reason = SyncReason.NameHeldByInactiveCustomer, SuggestedDisplayName = "Old Client (client)" }))
            .Should().Contain("\"Old Client (client)\"");
        InCulture("en-US", () => SyncStatusTexts.ReasonMessage(SyncReason.NameHeldByVendor,
                new SyncProblem { Reason = SyncReason.NameHeldByVendor, SuggestedDisplayName = "John Smith (client)", QuickBooksErrorCode = "6240" }))
            .Should().Contain("\"John Smith (client)\"").And.Contain("6240");
        InCulture("en-US", () => SyncStatusTexts.ReasonMessage(SyncReason.AmbiguousMatch,
                new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = ["1", "2", "3"] }))
            .Should().StartWith("3 active");
    }

    [Fact]
    public void Not_synced_tooltip_says_the_customer_may_have_been_deleted_when_synced_before()
    {
        var before = InCulture("en-US", () => SyncStatusTexts.Tooltip(SyncStatus.NotSynced, SyncReason.CustomerNotFound, null, true));
        var never = InCulture("en-US", () => SyncStatusTexts.Tooltip(SyncStatus.NotSynced, SyncReason.NeverSynced, null, false));
        before.Should().Contain("deleted in QuickBooks Online");
        never.Should().Be("This account is not synced. You can sync it from the Info tab.");
        InCulture("ro-RO", () => SyncStatusTexts.Tooltip(SyncStatus.NotSynced, SyncReason.CustomerNotFound, null, true))
            .Should().Contain("șters din QuickBooks Online");
    }

    [Fact]
    public void Other_statuses_use_the_articles_tooltip()
    {
        InCulture("en-US", () => SyncStatusTexts.Tooltip(SyncStatus.Syncing, SyncReason.None, null, false))
            .Should().Be("This account is being synced. This takes a while.");
        InCulture("ro-RO", () => SyncStatusTexts.Tooltip(SyncStatus.Synced, SyncReason.None, null, true))
            .Should().Be("Acest cont a fost sincronizat cu succes.");
    }

    [Fact]
    public void An_unknown_culture_falls_back_to_english()
    {
        InCulture("ja-JP", () => SyncStatusTexts.Label(SyncStatus.NotSynced)).Should().Be("Not synced");
        InCulture("ja-JP", () => SyncStatusTexts.Tooltip(SyncStatus.Skipped, SyncReason.SkippedByUser, null, false))
            .Should().Be("Sync was skipped for this account. Resync it from the Info tab if needed.");
    }
}
