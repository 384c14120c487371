namespace QbSync.AspNetCore;

/// <summary>
/// The stable <c>type</c> URIs of the ProblemDetails QbSync's endpoints answer with. Clients branch on these, never on
/// the <c>title</c> or <c>detail</c> (they are texts in the request's culture).
/// </summary>
public static class QbSyncProblemTypes
{
    private const string Base = "https://qbsync.dev/problems/";

    /// <summary>401: no signed-in user.</summary>
    public const string Unauthenticated = Base + "unauthenticated";

    /// <summary>403: the user has no firm/role claims, or the authorization policy refused the action.</summary>
    public const string Forbidden = Base + "forbidden";

    /// <summary>404: the firm has no such account (an account of another firm is reported the same way).</summary>
    public const string NotFound = Base + "not-found";

    /// <summary>409: the action is not allowed from the account's status, or someone else changed it meanwhile.</summary>
    public const string Conflict = Base + "conflict";

    /// <summary>409: the firm's QuickBooks connection must be reconnected by its owner.</summary>
    public const string ReconnectRequired = Base + "reconnect-required";

    /// <summary>409: the QuickBooks company is already connected to another firm (which one is not said).</summary>
    public const string CompanyHeldByAnotherFirm = Base + "company-held-by-another-firm";

    /// <summary>502: QuickBooks Online refused or failed the request; <c>code</c> and <c>intuit_tid</c> are extensions.</summary>
    public const string QuickBooksRefused = Base + "quickbooks-refused";

    /// <summary>400: the OAuth <c>state</c> is unknown, already used, expired, or issued to another user or firm.</summary>
    public const string OAuthStateInvalid = Base + "oauth-state-invalid";

    /// <summary>400: the user cancelled the connection on Intuit's page (<c>error</c> is an extension).</summary>
    public const string ConnectCancelled = Base + "connect-cancelled";

    /// <summary>400 (or 413, 415): the request is malformed.</summary>
    public const string BadRequest = Base + "bad-request";

    /// <summary>401: a webhook request whose <c>intuit-signature</c> does not verify.</summary>
    public const string WebhookSignatureInvalid = Base + "webhook-signature-invalid";

    /// <summary>503: webhooks are not configured (no verifier token).</summary>
    public const string WebhooksNotConfigured = Base + "webhooks-not-configured";
}
