using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.AspNetCore.Api;

/// <summary>The JSON API of the accounts screens; every call goes through <see cref="IAccountSyncService"/>, which checks
/// the actor's firm and rights.</summary>
internal static class ApiEndpoints
{
    private const int MaxPageSize = 200;

    public static void Map(RouteGroupBuilder group)
    {
        group.AddEndpointFilter<RequireJsonForChangesFilter>();
        group.MapGet("/accounts", ListAsync).WithName("QbSyncListAccounts");
        group.MapGet("/accounts/{accountId}", (HttpContext c, string accountId) => Run(c, (s, a, ct) => s.GetStateAsync(a, accountId, ct), QbSyncJsonContext.Default.AccountSyncState)).WithName("QbSyncGetAccount");
        group.MapGet("/accounts/{accountId}/history", (HttpContext c, string accountId) => Run(c, (s, a, ct) => s.GetHistoryAsync(a, accountId, ct), QbSyncJsonContext.Default.IReadOnlyListSyncHistoryEntry)).WithName("QbSyncGetHistory");
        group.MapGet("/accounts/{accountId}/customers", PickerAsync).WithName("QbSyncCustomerPicker");
        group.MapGet("/accounts/{accountId}/suggestions", (HttpContext c, string accountId) => Run(c, (s, a, ct) => s.SuggestCustomersAsync(a, accountId, ct), QbSyncJsonContext.Default.IReadOnlyListCustomerSuggestion)).WithName("QbSyncSuggestions");
        group.MapPost("/accounts/{accountId}/sync", (HttpContext c, string accountId) => Run(c, (s, a, ct) => s.SyncAsync(a, accountId, ct), QbSyncJsonContext.Default.AccountSyncState)).WithName("QbSyncSync");
        group.MapPost("/accounts/{accountId}/unsync", (HttpContext c, string accountId) => Run(c, (s, a, ct) => s.UnsyncAsync(a, accountId, ct), QbSyncJsonContext.Default.AccountSyncState)).WithName("QbSyncUnsync");
        group.MapPost("/accounts/{accountId}/link", LinkAsync).WithName("QbSyncLink");
        group.MapPost("/accounts/{accountId}/reactivate", ReactivateAsync).WithName("QbSyncReactivate");
        group.MapPost("/accounts/{accountId}/create-customer", CreateAsync).WithName("QbSyncCreateCustomer");
        group.MapGet("/problems", (HttpContext c, CancellationToken _) => Run(c, (s, a, ct) => s.ListProblemsAsync(a, ct), QbSyncJsonContext.Default.IReadOnlyListAccountSyncState)).WithName("QbSyncProblems");
        group.MapGet("/settings", (HttpContext c, CancellationToken _) => Run(c, (s, a, ct) => s.GetSettingsAsync(a, ct), QbSyncJsonContext.Default.FirmSyncSettings)).WithName("QbSyncGetSettings");
        group.MapPut("/settings", (Delegate)UpdateSettingsAsync).WithName("QbSyncUpdateSettings");
    }

    private static async Task<IResult> Run<T>(HttpContext context, Func<IAccountSyncService, SyncActor, CancellationToken, Task<T>> call, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var actor = await QbSyncRequest.ActorAsync(context).ConfigureAwait(false);
        var service = context.RequestServices.GetRequiredService<IAccountSyncService>();
        var result = await call(service, actor, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(result, type);
    }

    /// <summary><c>?status=Failed,Skipped&amp;pageSize=50&amp;continuationToken=…</c></summary>
    private static Task<IResult> ListAsync(HttpContext context, string? status, int? pageSize, string? continuationToken)
    {
        var statuses = new List<SyncStatus>();
        foreach (var part in (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<SyncStatus>(part, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(part, out _))
            {
                throw new BadRequestException("Unknown status '" + part + "'.");
            }

            statuses.Add(parsed);
        }

        var size = pageSize ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            throw new BadRequestException("pageSize must be from 1 to " + MaxPageSize + ".");
        }

        var query = new AccountQuery { Statuses = statuses, PageSize = size, ContinuationToken = continuationToken };
        return Run(context, (s, a, ct) => s.ListAccountsAsync(a, query, ct), QbSyncJsonContext.Default.AccountSyncPage);
    }

    /// <summary><c>?search=…&amp;skip=0&amp;take=25&amp;includeInactive=false</c></summary>
    private static Task<IResult> PickerAsync(HttpContext context, string accountId, string? search, int? skip, int? take, bool? includeInactive)
    {
        if (skip is < 0 || take is < 1 or > MaxPageSize)
        {
            throw new BadRequestException("skip must be 0 or more and take from 1 to " + MaxPageSize + ".");
        }

        var query = new CustomerPickerQuery { AccountId = accountId, SearchText = search, Skip = skip ?? 0, Take = take ?? 25, IncludeInactive = includeInactive ?? false };
        return Run(context, (s, a, ct) => s.ListAvailableCustomersAsync(a, query, ct), QbSyncJsonContext.Default.CustomerPickerPage);
    }

    private static async Task<IResult> LinkAsync(HttpContext context, string accountId)
    {
        var body = await QbSyncRequest.BodyAsync(context, QbSyncJsonContext.Default.LinkAccountRequest).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.CustomerId))
        {
            throw new BadRequestException("customerId is required.");
        }

        return await Run(context, (s, a, ct) => s.LinkAsync(a, accountId, body.CustomerId, body.ReactivateIfInactive, ct), QbSyncJsonContext.Default.AccountSyncState).ConfigureAwait(false);
    }

    private static async Task<IResult> ReactivateAsync(HttpContext context, string accountId)
    {
        var body = await QbSyncRequest.BodyAsync(context, QbSyncJsonContext.Default.LinkAccountRequest).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.CustomerId))
        {
            throw new BadRequestException("customerId is required.");
        }

        return await Run(context, (s, a, ct) => s.LinkAsync(a, accountId, body.CustomerId, reactivateIfInactive: true, ct), QbSyncJsonContext.Default.AccountSyncState).ConfigureAwait(false);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string accountId)
    {
        var body = await QbSyncRequest.BodyAsync(context, QbSyncJsonContext.Default.CreateCustomerRequest, new CreateCustomerRequest()).ConfigureAwait(false);
        return await Run(context, (s, a, ct) => s.CreateCustomerAsync(a, accountId, string.IsNullOrWhiteSpace(body.DisplayName) ? null : body.DisplayName, ct), QbSyncJsonContext.Default.AccountSyncState).ConfigureAwait(false);
    }

    private static async Task<IResult> UpdateSettingsAsync(HttpContext context)
    {
        var body = await QbSyncRequest.BodyAsync(context, QbSyncJsonContext.Default.UpdateSettingsRequest).ConfigureAwait(false);
        return await Run(context, (s, a, ct) => s.UpdateSettingsAsync(a, body.Scope, body.CreateMissingCustomers, ct), QbSyncJsonContext.Default.FirmSyncSettings).ConfigureAwait(false);
    }
}
