using Microsoft.AspNetCore.Mvc;
using QbSync.AspNetCore;
using QbSync.Samples.Web.Demo;
using QbSync.Testing;

namespace QbSync.Samples.Web.Pages;

/// <summary>Sample-only: deactivate or merge a customer in the fake, then send the signed webhook to this app.</summary>
public sealed class SimulateModel(ISyncActorResolver actors, IAccountSyncService sync, QuickBooksOnlineFake qbo, DemoSettings settings) : DemoPageModel(actors)
{
    public string? RealmId { get; private set; }

    public IReadOnlyList<(string Id, string DisplayName, bool Active)> Customers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await ResolveActorAsync() || Actor.Role == FirmRole.Employee)
        {
            return Forbid();
        }

        RealmId = (await sync.GetSettingsAsync(Actor, cancellationToken)).RealmId;
        if (RealmId is not null)
        {
            Customers = [.. qbo.Company(RealmId).Customers.Select(c => (
                c["Id"]!.GetValue<string>(),
                c["DisplayName"]!.GetValue<string>(),
                c["Active"]?.GetValue<bool>() ?? true))];
        }

        return Page();
    }

    public Task<IActionResult> OnPostDeactivateAsync(string customerId) => ChangeAsync(company => company.DeactivateCustomer(customerId), "deactivated");

    public Task<IActionResult> OnPostMergeAsync(string customerId, string intoId) => ChangeAsync(company => company.MergeCustomer(customerId, intoId), "merged");

    private async Task<IActionResult> ChangeAsync(Action<FakeCompany> change, string what)
    {
        if (!await ResolveActorAsync() || Actor.Role == FirmRole.Employee)
        {
            return Forbid();
        }

        var realmId = (await sync.GetSettingsAsync(Actor, HttpContext.RequestAborted)).RealmId;
        if (realmId is null)
        {
            return LocalRedirect("/Simulate");
        }

        var company = qbo.Company(realmId);
        var since = company.Changes.Count == 0 ? (DateTimeOffset?)null : company.Changes[^1].Time;
        change(company);

        // What Intuit does next: POST the signed notification to the app's webhook URL.
        var url = new Uri($"{Request.Scheme}://{Request.Host}/qbsync/webhooks");
        using var response = await qbo.Webhooks.SendChangesAsync(url, settings.WebhookVerifierToken, company, WebhookFormat.Legacy, since, HttpContext.RequestAborted);
        TempData["Message"] = $"Customer {what} in QuickBooks; webhook sent (HTTP {(int)response.StatusCode}).";
        return LocalRedirect("/Accounts");
    }
}
