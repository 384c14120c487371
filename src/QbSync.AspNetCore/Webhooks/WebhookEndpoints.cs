using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;

namespace QbSync.AspNetCore.Webhooks;

/// <summary>The webhook receiver: verify, find the firm, record, answer 200.</summary>
internal static partial class WebhookEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/", (Delegate)ReceiveAsync).WithName("QbSyncWebhooks");
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<QbSyncAspNetCoreOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("QbSync.AspNetCore.Webhooks");
        if (string.IsNullOrEmpty(options.WebhookVerifierToken))
        {
            Log.NotConfigured(logger);
            return QbSyncProblems.Create(StatusCodes.Status503ServiceUnavailable, QbSyncProblemTypes.WebhooksNotConfigured);
        }

        var body = await ReadBodyAsync(context, options.WebhookMaxBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            return QbSyncProblems.Create(StatusCodes.Status413PayloadTooLarge, QbSyncProblemTypes.BadRequest);
        }

        var signature = context.Request.Headers[QuickBooksWebhookVerifier.SignatureHeaderName].ToString();
        if (!QuickBooksWebhookVerifier.Verify(options.WebhookVerifierToken, body, signature))
        {
            Log.SignatureInvalid(logger, body.Length);
            return QbSyncProblems.Create(StatusCodes.Status401Unauthorized, QbSyncProblemTypes.WebhookSignatureInvalid);
        }

        IReadOnlyList<QuickBooksWebhookEvent> events;
        try
        {
            events = QuickBooksWebhookParser.Parse(body);
        }
        catch (FormatException)
        {
            Log.Unreadable(logger, body.Length);
            return QbSyncProblems.Create(StatusCodes.Status400BadRequest, QbSyncProblemTypes.BadRequest);
        }

        var lookup = services.GetRequiredService<RealmFirmLookup>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var records = new List<QuickBooksInboxEvent>();
        var ignored = 0;
        foreach (var realm in events.GroupBy(e => e.RealmId, StringComparer.Ordinal))
        {
            var firmId = await lookup.FindFirmAsync(realm.Key, context.RequestAborted).ConfigureAwait(false);
            if (firmId is null)
            {
                ignored += realm.Count();
                Log.UnknownRealm(logger, realm.Key, realm.Count());
                continue;
            }

            records.AddRange(realm.Select(e => QuickBooksInboxEvent.Create(firmId, e, now)));
        }

        var recorded = records.Count == 0 ? 0 : await services.GetRequiredService<IQuickBooksEventInbox>().AddAsync(records, context.RequestAborted).ConfigureAwait(false);
        Log.Recorded(logger, events.Count, recorded, ignored);
        if (recorded > 0)
        {
            services.GetService<QuickBooksWebhookProcessor>()?.Wake();
        }

        return TypedResults.Json(new WebhookReceipt(events.Count, recorded, ignored), QbSyncJsonContext.Default.WebhookReceipt);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(2820, LogLevel.Error, "A QuickBooks webhook was refused: no webhook verifier token is configured")]
        public static partial void NotConfigured(ILogger logger);

        [LoggerMessage(2821, LogLevel.Warning, "A QuickBooks webhook of {Length} bytes was refused: its intuit-signature does not verify")]
        public static partial void SignatureInvalid(ILogger logger, int length);

        [LoggerMessage(2822, LogLevel.Warning, "A signed QuickBooks webhook of {Length} bytes is in neither known format")]
        public static partial void Unreadable(ILogger logger, int length);

        [LoggerMessage(2823, LogLevel.Information, "QuickBooks webhook events of realm {RealmId} ignored: no firm has connected it ({Count} events)")]
        public static partial void UnknownRealm(ILogger logger, string realmId, int count);

        [LoggerMessage(2824, LogLevel.Information, "QuickBooks webhook: {Received} events received, {Recorded} new, {Ignored} ignored")]
        public static partial void Recorded(ILogger logger, int received, int recorded, int ignored);
    }
}
