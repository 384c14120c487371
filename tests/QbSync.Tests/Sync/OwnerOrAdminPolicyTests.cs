using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class OwnerOrAdminPolicyTests
{
    public static TheoryData<FirmRole?, SyncAction> AllPairs()
    {
        var data = new TheoryData<FirmRole?, SyncAction>();
        var roles = Enum.GetValues<FirmRole>().Select(r => (FirmRole?)r).Append(null);
        foreach (var role in roles)
        {
            foreach (var action in Enum.GetValues<SyncAction>())
            {
                data.Add(role, action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_role_and_action_pair_follows_the_article(FirmRole? role, SyncAction action)
    {
        var actor = role is null ? SyncActor.System("f1") : SyncActor.User("f1", "u1", role.Value);
        var expected = (role, action) switch
        {
            (_, SyncAction.View) => true,
            (null, SyncAction.Sync or SyncAction.CreateCustomer) => true,
            (null, _) => false,
            (FirmRole.Owner, _) => true,
            (FirmRole.Admin, SyncAction.ConnectCompany or SyncAction.DisconnectCompany) => false,
            (FirmRole.Admin, _) => true,
            _ => false,
        };

        OwnerOrAdminPolicy.Instance.IsAllowed(actor, action).Should().Be(expected);
    }
}
