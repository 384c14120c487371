using System.Globalization;
using System.Resources;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Sync;

namespace QbSync.AspNetCore;

/// <summary>
/// Turns exceptions into ProblemDetails with the stable types of <see cref="QbSyncProblemTypes"/> and titles in the
/// request's UI culture (English or Romanian). Hosts can use it in their own endpoints too.
/// </summary>
public static class QbSyncProblems
{
    private static readonly ResourceManager Texts = new("QbSync.AspNetCore.Text.ProblemTexts", typeof(QbSyncProblems).Assembly);

    private static readonly Dictionary<string, string> TitleKeys = new(StringComparer.Ordinal)
    {
        [QbSyncProblemTypes.Unauthenticated] = "Unauthenticated",
        [QbSyncProblemTypes.Forbidden] = "Forbidden",
        [QbSyncProblemTypes.NotFound] = "NotFound",
        [QbSyncProblemTypes.Conflict] = "Conflict",
        [QbSyncProblemTypes.ReconnectRequired] = "ReconnectRequired",
        [QbSyncProblemTypes.CompanyHeldByAnotherFirm] = "CompanyHeldByAnotherFirm",
        [QbSyncProblemTypes.QuickBooksRefused] = "QuickBooksRefused",
        [QbSyncProblemTypes.OAuthStateInvalid] = "OAuthStateInvalid",
        [QbSyncProblemTypes.ConnectCancelled] = "ConnectCancelled",
        [QbSyncProblemTypes.BadRequest] = "BadRequest",
        [QbSyncProblemTypes.WebhookSignatureInvalid] = "WebhookSignatureInvalid",
        [QbSyncProblemTypes.WebhooksNotConfigured] = "WebhooksNotConfigured",
    };

    /// <summary>The ProblemDetails for an exception QbSync throws, or <see langword="null"/> for any other exception
    /// (let the host's error handling have it).</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The result, or <see langword="null"/>.</returns>
    public static ProblemHttpResult? FromException(Exception exception) => exception switch
    {
        SyncAuthorizationException e => Create(StatusCodes.Status403Forbidden, QbSyncProblemTypes.Forbidden, "Forbidden", Text("Forbidden_Detail"), new() { ["action"] = e.Action.ToString() }),
        SyncAccountNotFoundException e => Create(StatusCodes.Status404NotFound, QbSyncProblemTypes.NotFound, "NotFound", null, new() { ["accountId"] = e.AccountId }),
        SyncTransitionException e => Create(StatusCodes.Status409Conflict, QbSyncProblemTypes.Conflict, "Conflict", Text("Conflict_Detail"), new() { ["accountStatus"] = e.From.ToString(), ["trigger"] = e.Trigger.ToString() }),
        QuickBooksCompanyHeldByAnotherFirmException => Create(StatusCodes.Status409Conflict, QbSyncProblemTypes.CompanyHeldByAnotherFirm, "CompanyHeldByAnotherFirm", Text("CompanyHeldByAnotherFirm_Detail"), []),
        SyncConcurrencyException => Create(StatusCodes.Status409Conflict, QbSyncProblemTypes.Conflict, "Conflict", Text("Conflict_Detail"), []),
        QuickBooksReconnectRequiredException e => Create(StatusCodes.Status409Conflict, QbSyncProblemTypes.ReconnectRequired, "ReconnectRequired", Text("ReconnectRequired_Detail"), new() { ["intuit_tid"] = e.IntuitTid }),
        QuickBooksOAuthException { ReconnectRequired: true } e => Create(StatusCodes.Status409Conflict, QbSyncProblemTypes.ReconnectRequired, "ReconnectRequired", Text("ReconnectRequired_Detail"), new() { ["intuit_tid"] = e.IntuitTid }),
        QuickBooksOAuthException e => Create(StatusCodes.Status502BadGateway, QbSyncProblemTypes.QuickBooksRefused, "QuickBooksRefused", Format("QuickBooksRefused_Detail", e.Error ?? "oauth", e.ErrorDescription ?? ""), new() { ["code"] = e.Error, ["intuit_tid"] = e.IntuitTid }),
        QuickBooksException e => QuickBooks(e),
        BadRequestException e => Create(e.StatusCode, QbSyncProblemTypes.BadRequest, "BadRequest", e.Message, []),
        JsonException => Create(StatusCodes.Status400BadRequest, QbSyncProblemTypes.BadRequest, "BadRequest", null, []),
        ArgumentException e => Create(StatusCodes.Status400BadRequest, QbSyncProblemTypes.BadRequest, "BadRequest", e.Message, []),
        _ => null,
    };

    /// <summary>A ProblemDetails of one of QbSync's types, with the title in the current UI culture.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="type">One of <see cref="QbSyncProblemTypes"/>.</param>
    /// <param name="detail">The detail, or <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    public static ProblemHttpResult Create(int status, string type, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var name = TitleKeys.GetValueOrDefault(type) ?? throw new ArgumentException("Not one of QbSyncProblemTypes.", nameof(type));
        return Create(status, type, name, detail ?? Text(name + "_Detail"), []);
    }

    /// <summary>Intuit refused an authorization code (or the token endpoint failed): never "reconnect required", since
    /// nothing was connected yet.</summary>
    internal static ProblemHttpResult CodeRefused(QuickBooksOAuthException e) =>
        Create(StatusCodes.Status502BadGateway, QbSyncProblemTypes.QuickBooksRefused, "QuickBooksRefused", Format("QuickBooksRefused_Detail", e.Error ?? "oauth", e.ErrorDescription ?? ""), new() { ["code"] = e.Error, ["intuit_tid"] = e.IntuitTid });

    internal static ProblemHttpResult NoActor(HttpContext context) => context.User.Identity?.IsAuthenticated == true
        ? Create(StatusCodes.Status403Forbidden, QbSyncProblemTypes.Forbidden, "Forbidden", Text("Forbidden_Detail"), [])
        : Create(StatusCodes.Status401Unauthorized, QbSyncProblemTypes.Unauthenticated, "Unauthenticated", null, []);

    private static ProblemHttpResult QuickBooks(QuickBooksException e)
    {
        var first = e.Errors.Count > 0 ? e.Errors[0] : null;
        return Create(StatusCodes.Status502BadGateway, QbSyncProblemTypes.QuickBooksRefused, "QuickBooksRefused",
            Format("QuickBooksRefused_Detail", first?.Code ?? ((int?)e.StatusCode)?.ToString(CultureInfo.InvariantCulture) ?? "?", first?.Message ?? ""),
            new() { ["code"] = first?.Code, ["intuit_tid"] = e.IntuitTid });
    }

    private static ProblemHttpResult Create(int status, string type, string titleKey, string? detail, Dictionary<string, object?> extensions) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Text(titleKey) ?? titleKey, type: type, extensions: extensions.Where(p => p.Value is not null));

    internal static string? Text(string key) => Texts.GetString(key, CultureInfo.CurrentUICulture);

    private static string Format(string key, params object[] args) =>
        string.Format(CultureInfo.CurrentCulture, Text(key) ?? key, args);
}

/// <summary>A malformed request found by QbSync's endpoints (status 400, 413 or 415).</summary>
internal sealed class BadRequestException(string message, int statusCode = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Maps QbSync's exceptions thrown by an endpoint to ProblemDetails; logs and rethrows any other.</summary>
internal sealed partial class QbSyncProblemFilter(ILogger<QbSyncProblemFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (NoActorException)
        {
            var problem = QbSyncProblems.NoActor(context.HttpContext);
            LogProblem(logger, context.HttpContext.Request.Path, problem.StatusCode, problem.ProblemDetails.Type ?? "", nameof(NoActorException));
            return problem;
        }
        catch (Exception error) when (QbSyncProblems.FromException(error) is { } problem)
        {
            LogProblem(logger, context.HttpContext.Request.Path, problem.StatusCode, problem.ProblemDetails.Type ?? "", error.GetType().Name);
            return problem;
        }
    }

    [LoggerMessage(2801, LogLevel.Information, "QbSync endpoint {Path} answered {Status} {ProblemType} ({ExceptionType})")]
    internal static partial void LogProblem(ILogger logger, PathString path, int status, string problemType, string exceptionType);
}
