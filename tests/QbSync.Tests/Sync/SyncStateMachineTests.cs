using QbSync.Sync;

namespace QbSync.Tests.Sync;

public class SyncStateMachineTests
{
    private static readonly Dictionary<(SyncStatus, SyncTrigger), SyncStatus> Expected = BuildExpected();

    public static TheoryData<SyncStatus, SyncTrigger> AllPairs()
    {
        var data = new TheoryData<SyncStatus, SyncTrigger>();
        foreach (var status in Enum.GetValues<SyncStatus>())
        {
            foreach (var trigger in Enum.GetValues<SyncTrigger>())
            {
                data.Add(status, trigger);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_status_and_trigger_pair_goes_to_the_tables_target_or_is_refused(SyncStatus from, SyncTrigger trigger)
    {
        if (Expected.TryGetValue((from, trigger), out var to))
        {
            SyncStateMachine.CanFire(from, trigger).Should().BeTrue();
            SyncStateMachine.Next(from, trigger).Should().Be(to);
        }
        else
        {
            SyncStateMachine.CanFire(from, trigger).Should().BeFalse();
            var act = () => SyncStateMachine.Next(from, trigger);
            act.Should().Throw<SyncTransitionException>().Which.Should().Match<SyncTransitionException>(e => e.From == from && e.Trigger == trigger);
        }
    }

    [Fact]
    public void The_pair_count_covers_every_member()
    {
        AllPairs().Should().HaveCount(Enum.GetValues<SyncStatus>().Length * Enum.GetValues<SyncTrigger>().Length);
    }

    [Fact]
    public void The_published_transitions_are_exactly_the_table()
    {
        SyncStateMachine.Transitions.Select(t => ((t.From, t.Trigger), t.To))
            .Should().BeEquivalentTo(Expected.Select(e => (e.Key, e.Value)));
    }

    private static Dictionary<(SyncStatus, SyncTrigger), SyncStatus> BuildExpected()
    {
        var d = new Dictionary<(SyncStatus, SyncTrigger), SyncStatus>();
        foreach (var trigger in new[] { SyncTrigger.SyncRequested, SyncTrigger.LinkRequested, SyncTrigger.CreateRequested })
        {
            foreach (var from in new[] { SyncStatus.NotSynced, SyncStatus.Failed, SyncStatus.Skipped, SyncStatus.Synced })
            {
                d[(from, trigger)] = SyncStatus.Syncing;
            }
        }

        d[(SyncStatus.NotSynced, SyncTrigger.AutoSyncStarted)] = SyncStatus.Syncing;
        foreach (var from in new[] { SyncStatus.NotSynced, SyncStatus.Failed, SyncStatus.Synced, SyncStatus.Syncing })
        {
            d[(from, SyncTrigger.UnsyncRequested)] = SyncStatus.Skipped;
        }

        d[(SyncStatus.Syncing, SyncTrigger.Succeeded)] = SyncStatus.Synced;
        d[(SyncStatus.Syncing, SyncTrigger.TransientFailure)] = SyncStatus.Syncing;
        d[(SyncStatus.Syncing, SyncTrigger.Resumed)] = SyncStatus.Syncing;
        d[(SyncStatus.Syncing, SyncTrigger.PermanentFailure)] = SyncStatus.Failed;
        d[(SyncStatus.Syncing, SyncTrigger.RetriesExhausted)] = SyncStatus.Failed;
        d[(SyncStatus.Synced, SyncTrigger.CustomerLost)] = SyncStatus.NotSynced;
        d[(SyncStatus.Syncing, SyncTrigger.CustomerLost)] = SyncStatus.NotSynced;
        d[(SyncStatus.Synced, SyncTrigger.CustomerMerged)] = SyncStatus.Synced;
        foreach (var from in new[] { SyncStatus.NotSynced, SyncStatus.Syncing, SyncStatus.Synced, SyncStatus.Failed })
        {
            d[(from, SyncTrigger.CompanyChanged)] = SyncStatus.NotSynced;
        }

        return d;
    }
}
