using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QbSync.QuickBooks.Webhooks;

namespace QbSync.Stores;

/// <summary>
/// The durable inbox of QuickBooks Online webhook events: a web endpoint records verified events here and answers
/// Intuit at once; a background processor claims them with a lease, applies them to the firm's links and marks them
/// done. Recording is insert-if-absent by <see cref="QuickBooksInboxEvent.EventKey"/>, so Intuit's re-deliveries change
/// nothing. Designed, like <see cref="IAccountStore"/>, for a database shared by several processes. Implementations:
/// <see cref="InMemoryQuickBooksEventInbox"/> and the SQL stores; all pass the inbox conformance suite in
/// <c>QbSync.Testing</c>.
/// </summary>
public interface IQuickBooksEventInbox
{
    /// <summary>Records events unless an event with the same <see cref="QuickBooksInboxEvent.EventKey"/> is already
    /// recorded (pending or done), atomically per event.</summary>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many events were new.</returns>
    Task<int> AddAsync(IEnumerable<QuickBooksInboxEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="maxCount"/> pending events whose lease is free or expired, oldest received
    /// first, giving each a lease to <paramref name="ownerId"/> until <c>now + leaseDuration</c> and adding one to its
    /// <see cref="QuickBooksInboxEvent.Attempts"/>. Two claimers never get the same event.</summary>
    /// <param name="ownerId">The claiming processor.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseDuration">How long the lease lasts.</param>
    /// <param name="maxCount">At most this many events.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed events.</returns>
    Task<IReadOnlyList<QuickBooksInboxEvent>> ClaimAsync(string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed event done (applied, or given up with <paramref name="failure"/>), if
    /// <paramref name="ownerId"/> still holds its lease.</summary>
    /// <param name="eventKey">The event.</param>
    /// <param name="ownerId">The processor that claimed it.</param>
    /// <param name="completedAt">When.</param>
    /// <param name="failure">Why it was given up (a short code or message without secrets), or <see langword="null"/>
    /// when applied.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the event was marked; <see langword="false"/> when the lease was lost or the event is unknown
    /// or already done.</returns>
    Task<bool> CompleteAsync(string eventKey, string ownerId, DateTimeOffset completedAt, string? failure = null, CancellationToken cancellationToken = default);

    /// <summary>Reads one event.</summary>
    /// <param name="eventKey">The event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The event, or <see langword="null"/>.</returns>
    Task<QuickBooksInboxEvent?> GetAsync(string eventKey, CancellationToken cancellationToken = default);
}

/// <summary>A webhook event in the inbox.</summary>
public sealed record QuickBooksInboxEvent
{
    /// <summary>The idempotency key: the CloudEvents <c>id</c> when sent, otherwise a hash of the legacy notification's
    /// fields (see <see cref="KeyOf"/>).</summary>
    public required string EventKey { get; init; }

    /// <summary>The firm whose QBO company (realm) sent it.</summary>
    public required string FirmId { get; init; }

    /// <summary>The event as parsed.</summary>
    public required QuickBooksWebhookEvent Event { get; init; }

    /// <summary>When it was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>How many times it was claimed.</summary>
    public int Attempts { get; init; }

    /// <summary>The processor holding it, while claimed.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when the lease holds.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When it was applied or given up; <see langword="null"/> while pending.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Why it was given up, if it was.</summary>
    public string? Error { get; init; }

    /// <summary>Creates a pending inbox event with its key.</summary>
    /// <param name="firmId">The firm.</param>
    /// <param name="webhookEvent">The event.</param>
    /// <param name="receivedAt">When it was received.</param>
    /// <returns>The inbox event.</returns>
    public static QuickBooksInboxEvent Create(string firmId, QuickBooksWebhookEvent webhookEvent, DateTimeOffset receivedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(webhookEvent);
        return new QuickBooksInboxEvent { EventKey = KeyOf(webhookEvent), FirmId = firmId, Event = webhookEvent, ReceivedAt = receivedAt };
    }

    /// <summary>
    /// The idempotency key of an event: <c>ce:</c> and the realm and CloudEvents <c>id</c> when the event has one;
    /// otherwise <c>lg:</c> and a SHA-256 of realm, entity, id, operation, deleted id and time, so that a re-delivered
    /// legacy notification gets the same key and a later change of the same entity does not.
    /// </summary>
    /// <param name="webhookEvent">The event.</param>
    /// <returns>The key (at most 80 characters).</returns>
    public static string KeyOf(QuickBooksWebhookEvent webhookEvent)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        string material;
        string prefix;
        if (!string.IsNullOrEmpty(webhookEvent.EventId))
        {
            prefix = "ce:";
            material = webhookEvent.RealmId + "\n" + webhookEvent.EventId;
        }
        else
        {
            prefix = "lg:";
            material = string.Join(
                '\n',
                webhookEvent.RealmId,
                webhookEvent.EntityName,
                webhookEvent.EntityId,
                webhookEvent.EventType ?? webhookEvent.Operation.ToString(),
                webhookEvent.DeletedId ?? string.Empty,
                webhookEvent.OccurredAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? string.Empty);
        }

        return prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }
}
