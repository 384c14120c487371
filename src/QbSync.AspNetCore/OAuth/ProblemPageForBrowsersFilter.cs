using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace QbSync.AspNetCore.OAuth;

/// <summary>
/// The OAuth callback is a page a person lands on (Intuit redirects their browser to it). When the request asks for
/// HTML, a ProblemDetails answer (connect cancelled, company held by another firm, a refused code, a spent state…) is
/// written as a small page with the same status, title, detail and <c>type</c>, and a link back to the return URL the
/// connect was started with (or <c>/</c>). Other clients still get <c>application/problem+json</c>.
/// </summary>
internal sealed class ProblemPageForBrowsersFilter(ILogger<QbSyncProblemFilter> logger) : IEndpointFilter
{
    private static readonly object WayBackKey = new();

    /// <summary>Remembers where the person came from, for the page's link back.</summary>
    public static void SetWayBack(HttpContext context, string? returnUrl)
    {
        if (returnUrl is not null && OAuthEndpoints.IsLocal(returnUrl))
        {
            context.Items[WayBackKey] = returnUrl;
        }
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!WantsHtml(http.Request))
        {
            return await next(context).ConfigureAwait(false);
        }

        object? result;
        try
        {
            result = await next(context).ConfigureAwait(false);
        }
        catch (NoActorException)
        {
            result = Logged(http, QbSyncProblems.NoActor(http), nameof(NoActorException));
        }
        catch (Exception error) when (QbSyncProblems.FromException(error) is { } problem)
        {
            result = Logged(http, problem, error.GetType().Name);
        }

        return result is ProblemHttpResult answer ? Page(http, answer) : result;
    }

    private ProblemHttpResult Logged(HttpContext http, ProblemHttpResult problem, string exceptionType)
    {
        QbSyncProblemFilter.LogProblem(logger, http.Request.Path, problem.StatusCode, problem.ProblemDetails.Type ?? "", exceptionType);
        return problem;
    }

    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    private static ContentHttpResult Page(HttpContext http, ProblemHttpResult problem)
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var details = problem.ProblemDetails;
        var wayBack = http.Items.TryGetValue(WayBackKey, out var url) && url is string local ? local : "/";
        var culture = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"").Append(E(culture)).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").Append(E(details.Title)).Append("</title></head>")
            .Append("<body><main data-problem-type=\"").Append(E(details.Type)).Append("\"><h1>").Append(E(details.Title)).Append("</h1>");
        if (!string.IsNullOrEmpty(details.Detail))
        {
            html.Append("<p>").Append(E(details.Detail)).Append("</p>");
        }

        html.Append("<p><a href=\"").Append(E(wayBack)).Append("\">").Append(E(QbSyncProblems.Text("BackLink") ?? "Back")).Append("</a></p>");
        html.Append("<p><small>").Append(E(details.Type));
        if (details.Extensions.TryGetValue("intuit_tid", out var tid) && tid is not null)
        {
            html.Append(" · intuit_tid ").Append(E(Convert.ToString(tid, CultureInfo.InvariantCulture)));
        }

        html.Append("</small></p></main></body></html>");
        http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "default-src 'none'";
        http.Response.Headers[HeaderNames.CacheControl] = "no-store";
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, problem.StatusCode);
    }
}
