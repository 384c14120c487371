namespace QbSync.Testing;

/// <summary>How the fake checks the <c>Authorization</c> header of accounting API requests.</summary>
public enum FakeAuthenticationMode
{
    /// <summary>Any request is accepted, with or without an <c>Authorization</c> header.</summary>
    None,

    /// <summary>Any non-empty <c>Authorization: Bearer ...</c> header is accepted (the default, for simple tests).</summary>
    AnyBearerToken,

    /// <summary>Only access tokens issued by the fake's OAuth server (<see cref="QuickBooksOnlineFake.OAuth"/>) and not expired or revoked are accepted.</summary>
    OAuth,
}

/// <summary>
/// Settings of <see cref="QuickBooksOnlineFake"/>. Behaviours that are not confirmed by Intuit documentation or by
/// recorded traffic are settings, with the default that matches the recorded traffic where there is any.
/// </summary>
public sealed class QuickBooksOnlineFakeOptions
{
    /// <summary>Clock for <c>MetaData</c> times, the <c>time</c> field, token lifetimes, throttling windows and CDC. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>UTC offset used when rendering times (QBO renders them in the company's zone, e.g. <c>-07:00</c>). Default -07:00.</summary>
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(-7);

    /// <summary>TCP port to listen on; <see langword="null"/> (the default) picks a free port.</summary>
    public int? Port { get; set; }

    /// <summary>How bearer tokens are checked. Default <see cref="FakeAuthenticationMode.AnyBearerToken"/>.</summary>
    public FakeAuthenticationMode Authentication { get; set; } = FakeAuthenticationMode.AnyBearerToken;

    /// <summary>Whether a request for an unknown realm creates an empty, seeded company (default) or answers 403 ApplicationAuthorizationFailed.</summary>
    public bool AutoCreateCompanies { get; set; } = true;

    /// <summary>Seed each new company with the reference lists (customer types and items). Default true.</summary>
    public bool SeedReferenceLists { get; set; } = true;

    /// <summary>Whether the seeded customer types include "Individual" (some companies have it, some not). Default true.</summary>
    public bool SeedIndividualCustomerType { get; set; } = true;

    /// <summary>How DisplayName uniqueness is compared across customers, vendors and employees (UNCONFIRMED). Default <see cref="StringComparison.OrdinalIgnoreCase"/>.</summary>
    public StringComparison DisplayNameComparison { get; set; } = StringComparison.OrdinalIgnoreCase;

    /// <summary>How string literals are compared by the query language (<c>=</c>, <c>IN</c>, <c>LIKE</c>, ordering) (UNCONFIRMED). Default <see cref="StringComparison.OrdinalIgnoreCase"/>.</summary>
    public StringComparison QueryStringComparison { get; set; } = StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// When true the 6240 Detail ends in <c>: Id=NNN</c> (the colliding record's id, seen in some logs); when false
    /// (the default, as in the recorded traffic) it ends in <c>: null</c>.
    /// </summary>
    public bool DuplicateNameDetailIncludesId { get; set; }

    /// <summary>Append " (deleted)" to DisplayName and FullyQualifiedName of inactive name-list records, as real QBO does. Default true.</summary>
    public bool AppendDeletedSuffixToInactiveNames { get; set; } = true;

    /// <summary>Answer 6140 for a second invoice with the same DocNumber (the company preference "warn if duplicate number"). Default true.</summary>
    public bool RejectDuplicateDocNumbers { get; set; } = true;

    /// <summary>Replay the first response for a repeated <c>requestid</c> in the same realm (as documented). Default true.</summary>
    public bool ReplayRequestIds { get; set; } = true;

    /// <summary>Whether invoice line amounts are rounded to the cent (half away from zero) before the total is
    /// computed, as QBO keeps money with two decimals (UNCONFIRMED how QBO rounds; configurable here).</summary>
    public bool RoundAmountsToCents { get; set; } = true;

    /// <summary>HTTP status of a query parse error (4000): 400 since late 2016, 200 before. Default 400.</summary>
    public int QueryParseErrorHttpStatus { get; set; } = 400;

    /// <summary>Page size when a query has no MAXRESULTS. Default 100.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Largest MAXRESULTS accepted. Default 1000.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Most items accepted in one batch request. Default 30.</summary>
    public int MaxBatchItems { get; set; } = 30;

    /// <summary>Shuffle the order of batch item responses (QBO does not promise any order). Default false (request order, as recorded).</summary>
    public bool ShuffleBatchResponses { get; set; }

    /// <summary>Throttling settings (off by default).</summary>
    public FakeThrottleOptions Throttling { get; set; } = new();

    /// <summary>OAuth server settings.</summary>
    public FakeOAuthOptions OAuth { get; set; } = new();
}

/// <summary>Throttling as QBO does it, per realm.</summary>
public sealed class FakeThrottleOptions
{
    /// <summary>Whether throttling is applied. Default false; can be switched at run time through <see cref="FakeThrottle.Enabled"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Most requests in flight per realm. Default 10.</summary>
    public int MaxConcurrentRequestsPerRealm { get; set; } = 10;

    /// <summary>Most requests per rolling minute per realm (batch requests included). Default 500.</summary>
    public int RequestsPerMinutePerRealm { get; set; } = 500;

    /// <summary>Most batch requests per rolling minute per realm. Default 40.</summary>
    public int BatchRequestsPerMinutePerRealm { get; set; } = 40;

    /// <summary>The rolling window the two per-minute limits count over. Default one minute, as QBO; shorten it to scale
    /// time in tests (together with the client's <c>QuickBooksClientOptions.ThrottleWindow</c>).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The <c>statusCode=</c> written in the 3001 message (429 in recent traffic, 403 in 2016). Default 429.</summary>
    public int StatusCodeInMessage { get; set; } = 429;

    /// <summary>Value of a <c>Retry-After</c> header on 429 (UNCONFIRMED that QBO sends one). Default null: no header.</summary>
    public TimeSpan? RetryAfter { get; set; }
}

/// <summary>Settings of the fake OAuth 2 token endpoint.</summary>
public sealed class FakeOAuthOptions
{
    /// <summary>The accepted client id. Default <c>test-client-id</c>.</summary>
    public string ClientId { get; set; } = "test-client-id";

    /// <summary>The accepted client secret. Default <c>test-client-secret</c>.</summary>
    public string ClientSecret { get; set; } = "test-client-secret";

    /// <summary>Access token lifetime. Default one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Refresh token (rolling) lifetime. Default 101 days (8726400 s, as the token endpoint reports).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromSeconds(8726400);

    /// <summary>How long a refresh token stays valid after a newer one was issued. Default 24 hours.</summary>
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Issue a new refresh token on every refresh (true, the default) or return the same one.</summary>
    public bool RotateOnEveryRefresh { get; set; } = true;

    /// <summary>
    /// Holds each token endpoint request for a random time between zero and this, before the grant is handled (so a
    /// refresh may arrive after its refresh token was superseded by a faster one). Default zero (none). With a short
    /// <see cref="RotationGracePeriod"/> this reproduces lost-rotation races between processes.
    /// </summary>
    public TimeSpan TokenEndpointMaxLatency { get; set; }
}
