using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace QbSync.Testing;

/// <summary>The two webhook payload formats.</summary>
public enum WebhookFormat
{
    /// <summary><c>{"eventNotifications":[{"realmId":...,"dataChangeEvent":{"entities":[...]}}]}</c>.</summary>
    Legacy,

    /// <summary>An array of CloudEvents 1.0 objects (<c>type</c> like <c>qbo.customer.created.v1</c>).</summary>
    CloudEvents,
}

/// <summary>One entity change to notify.</summary>
/// <param name="Name">Entity name, e.g. <c>Customer</c>.</param>
/// <param name="Id">Entity id.</param>
/// <param name="Operation"><c>Create</c>, <c>Update</c>, <c>Delete</c>, <c>Merge</c>, <c>Void</c> or <c>Emailed</c>.</param>
/// <param name="LastUpdated">When it changed.</param>
/// <param name="DeletedId">For Merge: the merged-away id.</param>
public sealed record WebhookEntityChange(string Name, string Id, string Operation, DateTimeOffset LastUpdated, string? DeletedId = null);

/// <summary>Posts signed QBO webhook notifications (<c>intuit-signature</c> = base64 HMAC-SHA256 of the body keyed by the verifier token).</summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;

    /// <summary>Creates a sender.</summary>
    /// <param name="time">Clock for CloudEvents <c>time</c>.</param>
    /// <param name="httpClient">Client to post with; null to create one.</param>
    public WebhookSender(TimeProvider? time = null, HttpClient? httpClient = null)
    {
        _time = time ?? TimeProvider.System;
        _ownsClient = httpClient is null;
        _http = httpClient ?? new HttpClient();
    }

    /// <summary>The <c>intuit-signature</c> value for <paramref name="body"/>.</summary>
    /// <param name="body">The exact body bytes as text (UTF-8).</param>
    /// <param name="verifierToken">The app's webhook verifier token.</param>
    /// <returns>Base64 HMAC-SHA256.</returns>
    public static string Sign(string body, string verifierToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(verifierToken);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifierToken), Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>Builds a legacy <c>eventNotifications</c> body (one realm).</summary>
    /// <param name="realmId">The realm.</param>
    /// <param name="changes">The changes.</param>
    /// <returns>The JSON text.</returns>
    public static string BuildLegacyPayload(string realmId, IEnumerable<WebhookEntityChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var entities = new JsonArray();
        foreach (var c in changes)
        {
            var e = new JsonObject { ["name"] = c.Name, ["id"] = c.Id, ["operation"] = c.Operation, ["lastUpdated"] = LegacyTime(c.LastUpdated) };
            if (c.DeletedId is not null)
            {
                e["deletedId"] = c.DeletedId;
            }

            entities.Add(e);
        }

        var root = new JsonObject
        {
            ["eventNotifications"] = new JsonArray(new JsonObject
            {
                ["realmId"] = realmId,
                ["dataChangeEvent"] = new JsonObject { ["entities"] = entities },
            }),
        };
        return root.ToJsonString();
    }

    /// <summary>Builds a CloudEvents body (an array of events).</summary>
    /// <param name="realmId">The realm (<c>intuitaccountid</c>).</param>
    /// <param name="changes">The changes.</param>
    /// <returns>The JSON text.</returns>
    public static string BuildCloudEventsPayload(string realmId, IEnumerable<WebhookEntityChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var events = new JsonArray();
        foreach (var c in changes)
        {
            var verb = c.Operation.ToUpperInvariant() switch
            {
                "CREATE" => "created",
                "UPDATE" => "updated",
                "DELETE" => "deleted",
                "MERGE" => "merged",
                "VOID" => "voided",
                "EMAILED" => "emailed",
                _ => c.Operation.ToLowerInvariant(),
            };
            var e = new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = Guid.NewGuid().ToString(),
                ["source"] = "intuit.qbsync-fake",
                ["type"] = "qbo." + c.Name.ToLowerInvariant() + "." + verb + ".v1",
                ["datacontenttype"] = "application/json",
                ["time"] = c.LastUpdated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture),
                ["intuitentityid"] = c.Id,
                ["intuitaccountid"] = realmId,
            };
            if (c.DeletedId is not null)
            {
                e["data"] = new JsonObject { ["deletedid"] = c.DeletedId };
            }

            events.Add(e);
        }

        return events.ToJsonString();
    }

    /// <summary>Posts a signed notification.</summary>
    /// <param name="url">The app's webhook endpoint.</param>
    /// <param name="verifierToken">The verifier token to sign with.</param>
    /// <param name="realmId">The realm.</param>
    /// <param name="changes">The changes.</param>
    /// <param name="format">Payload format.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public async Task<HttpResponseMessage> SendAsync(Uri url, string verifierToken, string realmId, IEnumerable<WebhookEntityChange> changes, WebhookFormat format = WebhookFormat.Legacy, CancellationToken cancellationToken = default)
    {
        var body = format == WebhookFormat.Legacy ? BuildLegacyPayload(realmId, changes) : BuildCloudEventsPayload(realmId, changes);
        return await PostSignedAsync(url, verifierToken, body, format == WebhookFormat.Legacy ? "application/json" : "application/cloudevents-batch+json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Posts a signed notification for the changes a company recorded (all of them, or those after <paramref name="since"/>).</summary>
    /// <param name="url">The app's webhook endpoint.</param>
    /// <param name="verifierToken">The verifier token to sign with.</param>
    /// <param name="company">The company whose <see cref="FakeCompany.Changes"/> to send.</param>
    /// <param name="format">Payload format.</param>
    /// <param name="since">Only changes strictly after this time; null for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public Task<HttpResponseMessage> SendChangesAsync(Uri url, string verifierToken, FakeCompany company, WebhookFormat format = WebhookFormat.Legacy, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(company);
        var changes = company.Changes.Where(c => since is null || c.Time > since).Select(c => new WebhookEntityChange(c.Entity, c.Id, c.Operation, c.Time, c.DeletedId));
        return SendAsync(url, verifierToken, company.RealmId, changes, format, cancellationToken);
    }

    /// <summary>Posts <paramref name="body"/> as is with its <c>intuit-signature</c>.</summary>
    /// <param name="url">Endpoint.</param>
    /// <param name="verifierToken">Verifier token.</param>
    /// <param name="body">The body.</param>
    /// <param name="contentType">Content type.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public Task<HttpResponseMessage> PostSignedAsync(Uri url, string verifierToken, string body, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return PostSignedAsync(_http, url, verifierToken, body, contentType, cancellationToken);
    }

    /// <summary>Posts a signed notification through <paramref name="handler"/> instead of the network: to an app in
    /// an in-memory test server, for example the handler of <c>WebApplicationFactory.Server.CreateHandler()</c> or
    /// <c>TestServer.CreateHandler()</c>.</summary>
    /// <param name="handler">The handler to send through; not disposed (the caller owns it).</param>
    /// <param name="url">The app's webhook endpoint; a relative URL (such as <c>/qbsync/webhooks</c>) is taken
    /// relative to <see cref="InMemoryBaseAddress"/>.</param>
    /// <param name="verifierToken">The verifier token to sign with.</param>
    /// <param name="realmId">The realm.</param>
    /// <param name="changes">The changes.</param>
    /// <param name="format">Payload format.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public Task<HttpResponseMessage> SendAsync(HttpMessageHandler handler, Uri url, string verifierToken, string realmId, IEnumerable<WebhookEntityChange> changes, WebhookFormat format = WebhookFormat.Legacy, CancellationToken cancellationToken = default)
    {
        var body = format == WebhookFormat.Legacy ? BuildLegacyPayload(realmId, changes) : BuildCloudEventsPayload(realmId, changes);
        return PostSignedAsync(handler, url, verifierToken, body, format == WebhookFormat.Legacy ? "application/json" : "application/cloudevents-batch+json", cancellationToken);
    }

    /// <summary>Posts a signed notification for the changes a company recorded (all of them, or those after
    /// <paramref name="since"/>) through <paramref name="handler"/> instead of the network (see
    /// <see cref="SendAsync(HttpMessageHandler, Uri, string, string, IEnumerable{WebhookEntityChange}, WebhookFormat, CancellationToken)"/>).</summary>
    /// <param name="handler">The handler to send through; not disposed (the caller owns it).</param>
    /// <param name="url">The app's webhook endpoint, absolute or relative to <see cref="InMemoryBaseAddress"/>.</param>
    /// <param name="verifierToken">The verifier token to sign with.</param>
    /// <param name="company">The company whose <see cref="FakeCompany.Changes"/> to send.</param>
    /// <param name="format">Payload format.</param>
    /// <param name="since">Only changes strictly after this time; null for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public Task<HttpResponseMessage> SendChangesAsync(HttpMessageHandler handler, Uri url, string verifierToken, FakeCompany company, WebhookFormat format = WebhookFormat.Legacy, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(company);
        var changes = company.Changes.Where(c => since is null || c.Time > since).Select(c => new WebhookEntityChange(c.Entity, c.Id, c.Operation, c.Time, c.DeletedId));
        return SendAsync(handler, url, verifierToken, company.RealmId, changes, format, cancellationToken);
    }

    /// <summary>Posts <paramref name="body"/> as is with its <c>intuit-signature</c> through
    /// <paramref name="handler"/> instead of the network.</summary>
    /// <param name="handler">The handler to send through; not disposed (the caller owns it).</param>
    /// <param name="url">Endpoint, absolute or relative to <see cref="InMemoryBaseAddress"/>.</param>
    /// <param name="verifierToken">Verifier token.</param>
    /// <param name="body">The body.</param>
    /// <param name="contentType">Content type.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The endpoint's response.</returns>
    public async Task<HttpResponseMessage> PostSignedAsync(HttpMessageHandler handler, Uri url, string verifierToken, string body, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(url);
        using var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = InMemoryBaseAddress };
        return await PostSignedAsync(client, url, verifierToken, body, contentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The base a relative URL is resolved against when sending through a handler:
    /// <c>http://localhost/</c>, what ASP.NET Core's test server answers to.</summary>
    public static Uri InMemoryBaseAddress { get; } = new("http://localhost/");

    private async Task<HttpResponseMessage> PostSignedAsync(HttpClient client, Uri url, string verifierToken, string body, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(verifierToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, new UTF8Encoding(false), contentType) };
        request.Headers.TryAddWithoutValidation("intuit-signature", Sign(body, verifierToken));
        request.Headers.TryAddWithoutValidation("intuit-created-time", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the owned HttpClient.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    private static string LegacyTime(DateTimeOffset time)
    {
        var s = time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return s.Remove(s.Length - 3, 1);
    }
}
