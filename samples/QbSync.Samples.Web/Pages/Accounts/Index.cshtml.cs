using Microsoft.AspNetCore.Mvc;
using QbSync.AspNetCore;
using QbSync.Samples.Web.Demo;
using QbSync.Stores;

namespace QbSync.Samples.Web.Pages;

/// <summary>Clients › Accounts: the QuickBooks column with tooltips, the problems banner, filter, paging, and the
/// connection with the first sync's progress.</summary>
public sealed class AccountsModel(ISyncActorResolver actors, IAccountSyncService sync, IAccountStore store) : DemoPageModel(actors)
{
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public int PageSize { get; set; } = 10;

    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Connected { get; set; }

    public AccountSyncPage Accounts { get; private set; } = new([], null);

    public IReadOnlyList<AccountSyncState> Problems { get; private set; } = [];

    public FirmSyncSettings Settings { get; private set; } = null!;

    public int Total { get; private set; }

    public int Syncing { get; private set; }

    public int Pending { get; private set; }

    public bool ShowProgress => Settings.RealmId is not null && (Connected || Syncing + Pending > 0);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await ResolveActorAsync())
        {
            return Forbid();
        }

        // Status names only (as the JSON API): anything else shows every account.
        var known = Enum.TryParse<SyncStatus>(Status, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(Status, out _);
        Status = known ? status.ToString() : null;
        var statuses = known ? [status] : Array.Empty<SyncStatus>();
        PageSize = Math.Clamp(PageSize, 1, 100);
        Accounts = await sync.ListAccountsAsync(Actor, new AccountQuery { Statuses = statuses, PageSize = PageSize, ContinuationToken = Token }, cancellationToken);
        Problems = await sync.ListProblemsAsync(Actor, cancellationToken);
        Settings = await sync.GetSettingsAsync(Actor, cancellationToken);
        (Total, Syncing, Pending) = await DemoProgress.CountAsync(store, Actor.FirmId, cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostDisconnectAsync() =>
        ActAsync(async () =>
        {
            await sync.DisconnectCompanyAsync(Actor, HttpContext.RequestAborted);
            return "QuickBooks was disconnected.";
        }, "/Accounts");
}
