using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QbSync.AspNetCore;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Samples.Web.Pages;

/// <summary>Shared plumbing of the demo pages: the actor from the signed-in user, and QbSync's exceptions shown as
/// messages (the JSON API answers them as ProblemDetails instead).</summary>
public abstract class DemoPageModel(ISyncActorResolver actors) : PageModel
{
    public SyncActor Actor { get; private set; } = null!;

    protected async Task<bool> ResolveActorAsync()
    {
        if (await actors.ResolveAsync(HttpContext, HttpContext.RequestAborted) is not { } actor)
        {
            return false;
        }

        Actor = actor;
        return true;
    }

    /// <summary>Runs an action of the menu and comes back with a message.</summary>
    protected async Task<IActionResult> ActAsync(Func<Task<string>> action, string returnTo)
    {
        if (!await ResolveActorAsync())
        {
            return Forbid();
        }

        try
        {
            TempData["Message"] = await action();
        }
        catch (Exception error) when (error is Sync.SyncAuthorizationException or Sync.SyncAccountNotFoundException or Sync.SyncTransitionException
            or Sync.SyncConcurrencyException or QuickBooksException or QuickBooksOAuthException or ArgumentException)
        {
            TempData["Error"] = QbSyncProblems.FromException(error)?.ProblemDetails.Title ?? "The action failed.";
        }

        return LocalRedirect(returnTo);
    }
}
