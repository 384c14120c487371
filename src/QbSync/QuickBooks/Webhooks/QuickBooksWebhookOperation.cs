namespace QbSync.QuickBooks.Webhooks;

/// <summary>What happened to the entity a webhook event is about.</summary>
public enum QuickBooksWebhookOperation
{
    /// <summary>An operation this version does not know; see <see cref="QuickBooksWebhookEvent.EventType"/>.</summary>
    Unknown = 0,

    /// <summary>The entity was created (legacy <c>Create</c>, CloudEvents <c>created</c>).</summary>
    Create,

    /// <summary>The entity was changed (legacy <c>Update</c>, CloudEvents <c>updated</c>).</summary>
    Update,

    /// <summary>The entity was deleted (legacy <c>Delete</c>, CloudEvents <c>deleted</c>).</summary>
    Delete,

    /// <summary>
    /// Another entity was merged into this one (legacy <c>Merge</c>, CloudEvents <c>merged</c>);
    /// <see cref="QuickBooksWebhookEvent.DeletedId"/> is the id that no longer exists.
    /// </summary>
    Merge,

    /// <summary>The transaction was voided (legacy <c>Void</c>, CloudEvents <c>voided</c>).</summary>
    Void,

    /// <summary>The transaction was emailed (legacy <c>Emailed</c>, CloudEvents <c>emailed</c>).</summary>
    Emailed,
}
