using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Adds <c>Authorization: Bearer</c> to every QuickBooks Online data request, for the realm in
/// <see cref="QuickBooksHttpRequestOptions.RealmId"/>. On HTTP 401 it refreshes once through
/// <see cref="QuickBooksTokenManager.RefreshAfterRejectionAsync"/> and resends a copy of the request once; a second
/// 401 is returned as is. Stateless: register it as transient.
/// </summary>
internal sealed class QuickBooksAuthenticationHandler : DelegatingHandler
{
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
        if (!request.Options.TryGetValue(QuickBooksHttpRequestOptions.RealmId, out var realmId) || string.IsNullOrEmpty(realmId))
        {
            throw new InvalidOperationException(
                "The request has no QuickBooks realm id: set HttpRequestMessage.Options with QuickBooksHttpRequestOptions.RealmId.");
        }

        // Buffer the body now so that it can be sent again after a 401.
        var body = request.Content is null
            ? null
            : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        var accessToken = await _tokenManager.GetAccessTokenAsync(realmId, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        AuthenticationLog.RetryingAfterUnauthorized(_logger, realmId);
        var newAccessToken = await _tokenManager
            .RefreshAfterRejectionAsync(realmId, accessToken, cancellationToken)
            .ConfigureAwait(false);

        using var retry = Clone(request, body);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", newAccessToken);
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
            options[option.Key] = option.Value;
        }

        return clone;
    }
}
