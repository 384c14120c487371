using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// The outer half of authentication, outside the retries and the throttle: on HTTP 401 it refreshes once through
/// <see cref="QuickBooksTokenManager.RefreshAfterRejectionAsync"/> (naming the token that was actually sent) and
/// resends a copy of the request once through the whole pipeline; a second 401 is returned as is. The token itself is
/// attached per attempt by <see cref="QuickBooksBearerTokenHandler"/>, innermost. Stateless: register it as transient.
/// </summary>
internal sealed class QuickBooksAuthenticationHandler : DelegatingHandler
{
    /// <summary>The access token the innermost handler sent with the request's last attempt.</summary>
    internal static readonly HttpRequestOptionsKey<string> SentAccessToken = new("QbSync.SentAccessToken");

    private readonly QuickBooksTokenManager _tokenManager;
    private readonly ILogger _logger;

    public QuickBooksAuthenticationHandler(QuickBooksTokenManager tokenManager, ILogger<QuickBooksAuthenticationHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tokenManager);
        _tokenManager = tokenManager;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var realmId = QuickBooksBearerTokenHandler.RequireRealm(request);

        // Buffer the body now so that it can be sent again after a 401.
        var body = request.Content is null
            ? null
            : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var sent = request.Options.TryGetValue(SentAccessToken, out var token) ? token
            : response.RequestMessage?.Headers.Authorization?.Parameter;
        if (string.IsNullOrEmpty(sent))
        {
            return response;
        }

        AuthenticationLog.RetryingAfterUnauthorized(_logger, realmId);
        await _tokenManager.RefreshAfterRejectionAsync(realmId, sent, cancellationToken).ConfigureAwait(false);

        using var retry = Clone(request, body);
        response.Dispose();

        // Not disposed here: the caller owns the response; the clone's content is disposed with the clone.
        var retryResponse = await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
        retryResponse.RequestMessage = request;
        return retryResponse;
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };

        foreach (var header in request.Headers)
        {
            if (!string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        if (body is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        var options = (IDictionary<string, object?>)clone.Options;
        foreach (var option in request.Options)
        {
            if (option.Key != SentAccessToken.Key)
            {
                options[option.Key] = option.Value;
            }
        }

        return clone;
    }
}

/// <summary>
/// The inner half of authentication, innermost (after the retries' delays and the throttle's queue): attaches
/// <c>Authorization: Bearer</c> with the realm's current access token to every attempt, so that a request that waited
/// never goes out with a token that expired meanwhile. It never refreshes after a rejection (the outer
/// <see cref="QuickBooksAuthenticationHandler"/> does, once); it only refreshes a token that is about to expire.
/// </summary>
internal sealed class QuickBooksBearerTokenHandler(QuickBooksTokenManager tokenManager) : DelegatingHandler
{
    internal static string RequireRealm(HttpRequestMessage request) =>
        request.Options.TryGetValue(QuickBooksHttpRequestOptions.RealmId, out var realmId) && !string.IsNullOrEmpty(realmId)
            ? realmId
            : throw new InvalidOperationException(
                "The request has no QuickBooks realm id: set HttpRequestMessage.Options with QuickBooksHttpRequestOptions.RealmId.");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var realmId = RequireRealm(request);
        var accessToken = await tokenManager.GetAccessTokenAsync(realmId, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Options.Set(QuickBooksAuthenticationHandler.SentAccessToken, accessToken);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
