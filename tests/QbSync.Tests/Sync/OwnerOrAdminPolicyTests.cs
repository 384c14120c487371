using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class OwnerOrAdminPolicyTests
{
    /// <summary>The people a host can create: every role, no role, and a value outside the enum (as parsed from user input).</summary>
    public static TheoryData<string, SyncAction> PeopleAndActions()
    {
        var data = new TheoryData<string, SyncAction>();
        foreach (var who in new[] { "owner", "admin", "employee", "none", "unknown" })
        {
            foreach (var action in Enum.GetValues<SyncAction>())
            {
                data.Add(who, action);
            }
        }

        return data;
    }

    public static TheoryData<SyncAction> AllActions()
    {
        var data = new TheoryData<SyncAction>();
        foreach (var action in Enum.GetValues<SyncAction>())
        {
            data.Add(action);
        }

        return data;
    }

    internal static SyncActor Person(string who, string firmId = "f1") => who switch
    {
        "owner" => SyncActor.User(firmId, "u-owner", FirmRole.Owner),
        "admin" => SyncActor.User(firmId, "u-admin", FirmRole.Admin),
        "employee" => SyncActor.User(firmId, "u-employee", FirmRole.Employee),
        "none" => new SyncActor(firmId, "u-none", null),
        "unknown" => new SyncActor(firmId, "u-unknown", (FirmRole)42),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    internal static bool Expected(string who, SyncAction action) => (who, action) switch
    {
        ("none" or "unknown", _) => false,
        (_, SyncAction.View) => true,
        ("owner", _) => true,
        ("admin", SyncAction.ConnectCompany or SyncAction.DisconnectCompany or SyncAction.PurgeFirm) => false,
        ("admin", _) => true,
        _ => false,
    };

    [Theory]
    [MemberData(nameof(PeopleAndActions))]
    public void Every_person_and_action_pair_follows_the_article_and_no_role_is_no_rights(string who, SyncAction action)
    {
        OwnerOrAdminPolicy.Instance.IsAllowed(Person(who), action).Should().Be(Expected(who, action));
    }

    [Theory]
    [MemberData(nameof(AllActions))]
    public void The_system_may_only_view_sync_and_create(SyncAction action)
    {
        OwnerOrAdminPolicy.Instance.IsAllowed(SyncActor.System("f1"), action)
            .Should().Be(action is SyncAction.View or SyncAction.Sync or SyncAction.CreateCustomer);
    }

    [Fact]
    public void A_person_without_a_role_is_not_the_system_whatever_their_user_id()
    {
        var pretender = new SyncActor("f1", SyncActor.SystemUserId, null);

        pretender.IsSystem.Should().BeFalse();
        pretender.Should().NotBe(SyncActor.System("f1"));
        (pretender with { UserId = "x" }).IsSystem.Should().BeFalse();
        SyncActor.System("f1").IsSystem.Should().BeTrue();
        foreach (var action in Enum.GetValues<SyncAction>())
        {
            OwnerOrAdminPolicy.Instance.IsAllowed(pretender, action).Should().BeFalse();
        }
    }
}
