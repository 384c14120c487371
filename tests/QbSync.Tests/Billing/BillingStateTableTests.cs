using QbSync.Billing;

namespace QbSync.Tests.Billing;

public sealed class BillingStateTableTests
{
    [Fact]
    public void The_state_table_queues_holds_and_finishes_and_refuses_the_rest()
    {
        foreach (var status in Enum.GetValues<SyncStatus>())
        {
            BillingStateMachineProbe.Next(status, BillingTrigger.Recorded).Should().Be(SyncStatus.Syncing);
            BillingStateMachineProbe.Next(status, BillingTrigger.HeldBySkippedAccount).Should().Be(SyncStatus.Skipped);
            BillingStateMachineProbe.Next(status, BillingTrigger.Held).Should().Be(SyncStatus.NotSynced);
        }

        BillingStateMachineProbe.Next(SyncStatus.Syncing, BillingTrigger.Succeeded).Should().Be(SyncStatus.Synced);
        BillingStateMachineProbe.Next(SyncStatus.Failed, BillingTrigger.RetryRequested).Should().Be(SyncStatus.Syncing);
        FluentActions.Invoking(() => BillingStateMachineProbe.Next(SyncStatus.Synced, BillingTrigger.Succeeded)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => BillingStateMachineProbe.Next(SyncStatus.Synced, BillingTrigger.RetryRequested)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => BillingStateMachineProbe.Next(SyncStatus.NotSynced, BillingTrigger.Started)).Should().Throw<InvalidOperationException>();
    }
}

internal static class BillingStateMachineProbe
{
    public static SyncStatus Next(SyncStatus from, BillingTrigger trigger) => QbSync.Billing.BillingStateMachine.Next(from, trigger);
}
