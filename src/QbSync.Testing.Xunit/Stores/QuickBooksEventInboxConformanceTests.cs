using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>
/// The behaviour every <see cref="IQuickBooksEventInbox"/> must have: insert-if-absent by event key, claims with
/// leases that two claimers never share, completion only by the lease holder, and round-tripped event fields. Derive a
/// sealed test class and implement <see cref="CreateInboxAsync"/>.
/// </summary>
/// <remarks>Each test uses fresh event keys and a fresh owner id, and times far apart from other tests', so a
/// database shared by every test passes too.</remarks>
public abstract class QuickBooksEventInboxConformanceTests
{
    /// <summary>Creates the inbox under test.</summary>
    /// <returns>The inbox.</returns>
    protected abstract Task<IQuickBooksEventInbox> CreateInboxAsync();

    /// <summary>A fresh pending event.</summary>
    /// <param name="receivedAt">When it was received.</param>
    /// <param name="operation">The operation.</param>
    /// <returns>The event.</returns>
    protected static QuickBooksInboxEvent NewEvent(DateTimeOffset receivedAt, QuickBooksWebhookOperation operation = QuickBooksWebhookOperation.Update)
    {
        var id = Guid.NewGuid().ToString("N");
        var webhookEvent = new QuickBooksWebhookEvent
        {
            RealmId = "realm-" + id,
            EntityName = "Customer",
            EntityId = "42",
            Operation = operation,
            EventType = operation == QuickBooksWebhookOperation.Merge ? "qbo.customer.merged.v1" : "Update",
            DeletedId = operation == QuickBooksWebhookOperation.Merge ? "41" : null,
            OccurredAt = new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero),
            EventId = operation == QuickBooksWebhookOperation.Merge ? "ce-" + id : null,
        };
        return QuickBooksInboxEvent.Create("firm-" + id, webhookEvent, receivedAt);
    }

    /// <summary>A time far from every other test's (claims only see events at or before their own time).</summary>
    /// <returns>The time.</returns>
    private static DateTimeOffset FarPast() => new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.Next(0, 1_000_000));

    /// <summary>A recorded event reads back with every field.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task AddedEventReadsBackEqual()
    {
        var inbox = await CreateInboxAsync();
        var item = NewEvent(FarPast(), QuickBooksWebhookOperation.Merge);

        Assert.Equal(1, await inbox.AddAsync([item]));
        var read = await inbox.GetAsync(item.EventKey);

        Assert.NotNull(read);
        Assert.Equal(item.FirmId, read.FirmId);
        Assert.Equal(item.Event, read.Event);
        Assert.Equal(item.ReceivedAt, read.ReceivedAt);
        Assert.Equal(0, read.Attempts);
        Assert.Null(read.CompletedAt);
    }

    /// <summary>The same event key twice is recorded once, even after it was completed.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task RedeliveryIsRecordedOnce()
    {
        var inbox = await CreateInboxAsync();
        var now = FarPast();
        var item = NewEvent(now);
        var owner = Guid.NewGuid().ToString("N");

        Assert.Equal(1, await inbox.AddAsync([item, item]));
        var claimed = await inbox.ClaimAsync(owner, now.AddDays(3650), TimeSpan.FromMinutes(1), 1000);
        Assert.Contains(claimed, e => e.EventKey == item.EventKey);
        Assert.True(await inbox.CompleteAsync(item.EventKey, owner, now));

        Assert.Equal(0, await inbox.AddAsync([item]));
        Assert.NotNull((await inbox.GetAsync(item.EventKey))!.CompletedAt);
    }

    /// <summary>A claimed event is not claimed again while its lease holds, and is once it has expired.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task LeaseKeepsOtherClaimersOffUntilItExpires()
    {
        var inbox = await CreateInboxAsync();
        var now = FarPast();
        var item = NewEvent(now);
        await inbox.AddAsync([item]);
        var first = Guid.NewGuid().ToString("N");
        var second = Guid.NewGuid().ToString("N");
        var claimTime = now.AddDays(3650);

        var one = await inbox.ClaimAsync(first, claimTime, TimeSpan.FromMinutes(5), 1000);
        var two = await inbox.ClaimAsync(second, claimTime.AddMinutes(1), TimeSpan.FromMinutes(5), 1000);
        var three = await inbox.ClaimAsync(second, claimTime.AddMinutes(6), TimeSpan.FromMinutes(5), 1000);

        var claimed = Assert.Single(one, e => e.EventKey == item.EventKey);
        Assert.Equal(first, claimed.LeaseOwner);
        Assert.Equal(1, claimed.Attempts);
        Assert.DoesNotContain(two, e => e.EventKey == item.EventKey);
        var again = Assert.Single(three, e => e.EventKey == item.EventKey);
        Assert.Equal(2, again.Attempts);
        Assert.False(await inbox.CompleteAsync(item.EventKey, first, claimTime), "the first lease was lost");
        Assert.True(await inbox.CompleteAsync(item.EventKey, second, claimTime, "gave up"));
        Assert.Equal("gave up", (await inbox.GetAsync(item.EventKey))!.Error);
    }

    /// <summary>Completed events are never claimed; claims honour the count and take the oldest first.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ClaimsTakeOldestPendingFirst()
    {
        var inbox = await CreateInboxAsync();
        var now = FarPast();
        var older = NewEvent(now.AddSeconds(-10));
        var newer = NewEvent(now);
        await inbox.AddAsync([newer, older]);
        var owner = Guid.NewGuid().ToString("N");

        var claimed = new List<QuickBooksInboxEvent>();
        for (var i = 0; i < 10_000 && !claimed.Any(e => e.EventKey == newer.EventKey); i++)
        {
            var batch = await inbox.ClaimAsync(owner, now.AddDays(3650), TimeSpan.FromDays(1), 1);
            if (batch.Count == 0)
            {
                break;
            }

            Assert.Single(batch);
            claimed.AddRange(batch);
        }

        var keys = claimed.Select(e => e.EventKey).ToList();
        Assert.True(keys.IndexOf(older.EventKey) >= 0 && keys.IndexOf(older.EventKey) < keys.IndexOf(newer.EventKey), "older first");
        Assert.True(await inbox.CompleteAsync(older.EventKey, owner, now));
        Assert.Empty((await inbox.ClaimAsync(owner, now.AddDays(7300), TimeSpan.FromDays(1), 10_000)).Where(e => e.EventKey == older.EventKey));
    }

    /// <summary>Two claimers racing never get the same event.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentClaimersNeverShareAnEvent()
    {
        var inbox = await CreateInboxAsync();
        var now = FarPast();
        var items = Enumerable.Range(0, 20).Select(_ => NewEvent(now)).ToList();
        await inbox.AddAsync(items);
        var keys = items.Select(e => e.EventKey).ToHashSet();
        var claimTime = now.AddDays(3650);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var owner = "owner-" + i + "-" + Guid.NewGuid().ToString("N");
            var mine = new List<string>();
            for (var round = 0; round < 50; round++)
            {
                var batch = await inbox.ClaimAsync(owner, claimTime, TimeSpan.FromDays(1), 3);
                mine.AddRange(batch.Select(e => e.EventKey).Where(keys.Contains));
                if (batch.Count == 0)
                {
                    break;
                }
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Superset(keys, all.ToHashSet());
        Assert.Equal(keys.Count, all.Count);
    }

    /// <summary>Legacy events get the same key when re-delivered and another key for a later change.</summary>
    [Fact]
    public void LegacyKeysFollowTheNotificationFields()
    {
        var e = NewEvent(FarPast()).Event;

        Assert.Equal(QuickBooksInboxEvent.KeyOf(e), QuickBooksInboxEvent.KeyOf(e with { }));
        Assert.NotEqual(QuickBooksInboxEvent.KeyOf(e), QuickBooksInboxEvent.KeyOf(e with { OccurredAt = e.OccurredAt!.Value.AddSeconds(1) }));
        Assert.StartsWith("ce:", QuickBooksInboxEvent.KeyOf(e with { EventId = "x" }), StringComparison.Ordinal);
    }
}
