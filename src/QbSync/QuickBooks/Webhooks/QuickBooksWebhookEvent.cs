namespace QbSync.QuickBooks.Webhooks;

/// <summary>
/// One change notification from a QuickBooks Online webhook, in the same shape for the legacy
/// <c>eventNotifications</c> format and the CloudEvents format.
/// </summary>
public sealed record QuickBooksWebhookEvent
{
    /// <summary>The QuickBooks company (realm id): legacy <c>realmId</c>, CloudEvents <c>intuitaccountid</c>.</summary>
    public required string RealmId { get; init; }

    /// <summary>
    /// The entity type in QBO API casing, e.g. <c>Customer</c>, <c>SalesReceipt</c> (CloudEvents sends lower case; known
    /// names are mapped back, unknown ones get a capital first letter).
    /// </summary>
    public required string EntityName { get; init; }

    /// <summary>The id of the entity: legacy <c>id</c>, CloudEvents <c>intuitentityid</c>.</summary>
    public required string EntityId { get; init; }

    /// <summary>What happened; <see cref="QuickBooksWebhookOperation.Unknown"/> for operations this version does not know.</summary>
    public QuickBooksWebhookOperation Operation { get; init; }

    /// <summary>
    /// The operation as sent: the legacy <c>operation</c> (e.g. <c>Update</c>) or the CloudEvents <c>type</c>
    /// (e.g. <c>qbo.customer.merged.v1</c>).
    /// </summary>
    public string? EventType { get; init; }

    /// <summary>For a merge, the id of the entity merged away (legacy <c>deletedId</c>, CloudEvents <c>data.deletedid</c>).</summary>
    public string? DeletedId { get; init; }

    /// <summary>When the change happened: legacy <c>lastUpdated</c>, CloudEvents <c>time</c>. <see langword="null"/> if absent or unreadable.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>The CloudEvents <c>id</c>, usable to drop duplicate deliveries; <see langword="null"/> for the legacy format.</summary>
    public string? EventId { get; init; }
}
