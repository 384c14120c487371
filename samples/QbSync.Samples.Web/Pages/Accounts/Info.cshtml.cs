using Microsoft.AspNetCore.Mvc;
using QbSync.AspNetCore;
using QbSync.Stores;

namespace QbSync.Samples.Web.Pages;

/// <summary>An account's Info tab: the status with the error message, the sync menu, the customer picker and the
/// history. Every action goes through <see cref="IAccountSyncService"/>, which checks the role.</summary>
public sealed class InfoModel(ISyncActorResolver actors, IAccountSyncService sync) : DemoPageModel(actors)
{
    public const int PickerPageSize = 5;

    [BindProperty(SupportsGet = true)]
    public string AccountId { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "picker")]
    public bool ShowPicker { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public int Skip { get; set; }

    public AccountSyncState State { get; private set; } = null!;

    public IReadOnlyList<SyncHistoryEntry> History { get; private set; } = [];

    public CustomerPickerPage? Picker { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await ResolveActorAsync())
        {
            return Forbid();
        }

        try
        {
            State = await sync.GetStateAsync(Actor, AccountId, cancellationToken);
        }
        catch (Sync.SyncAccountNotFoundException)
        {
            return NotFound();
        }

        History = await sync.GetHistoryAsync(Actor, AccountId, cancellationToken);
        if (ShowPicker && State.AvailableActions.Contains(SyncAvailableAction.SyncWithQuickBooks))
        {
            Picker = await sync.ListAvailableCustomersAsync(Actor, new CustomerPickerQuery { AccountId = AccountId, SearchText = Q, Skip = Math.Max(0, Skip), Take = PickerPageSize }, cancellationToken);
        }

        return Page();
    }

    public Task<IActionResult> OnPostUnsyncAsync() => ActAsync(async () =>
    {
        var state = await sync.UnsyncAsync(Actor, AccountId, HttpContext.RequestAborted);
        return $"{state.AccountName}: {state.Label}.";
    }, Here);

    public Task<IActionResult> OnPostLinkAsync(string customerId) => ActAsync(async () =>
    {
        var state = await sync.LinkAsync(Actor, AccountId, customerId, reactivateIfInactive: false, HttpContext.RequestAborted);
        return $"{state.AccountName}: {state.Label}.";
    }, Here);

    public Task<IActionResult> OnPostReactivateAsync(string customerId) => ActAsync(async () =>
    {
        var state = await sync.LinkAsync(Actor, AccountId, customerId, reactivateIfInactive: true, HttpContext.RequestAborted);
        return $"{state.AccountName}: {state.Label}.";
    }, Here);

    public Task<IActionResult> OnPostCreateAsync(string? displayName) => ActAsync(async () =>
    {
        var state = await sync.CreateCustomerAsync(Actor, AccountId, string.IsNullOrWhiteSpace(displayName) ? null : displayName, HttpContext.RequestAborted);
        return $"{state.AccountName}: {state.Label}.";
    }, Here);

    private string Here => "/Accounts/Info/" + Uri.EscapeDataString(AccountId);
}
