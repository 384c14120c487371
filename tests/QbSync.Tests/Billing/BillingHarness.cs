using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using QbSync.Billing;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;
using QbSync.Tests.Sync.Scenarios;

namespace QbSync.Tests.Billing;

/// <summary>The sync engine with billing, against the QBO fake, on a fake clock.</summary>
internal sealed class BillingHarness : IDisposable
{
    public static readonly DateOnly Day = new(2026, 11, 20);

    public BillingHarness(
        IBillingDocumentStore? billingStore = null,
        IAccountStore? accountStore = null,
        Action<QuickBooksOnlineFakeOptions>? fake = null,
        Action<QbSyncOptions>? sync = null,
        QuickBooksOnlineFake? sharedFake = null,
        FakeTimeProvider? sharedTime = null,
        string workerId = "worker-1",
        bool connect = true,
        Action<IServiceCollection>? services = null)
    {
        if (billingStore is null && accountStore is null && DefaultStores?.Invoke() is { } stores)
        {
            (accountStore, billingStore) = stores;
        }

        BillingStore = billingStore ?? new InMemoryBillingDocumentStore();
        Sync = new SyncHarness(fake: fake, sync: sync, store: accountStore, sharedFake: sharedFake, sharedTime: sharedTime, workerId: workerId, connect: connect,
            services: s =>
            {
                s.AddSingleton(BillingStore);
                services?.Invoke(s);
            });
        Billing = Sync.Services.GetRequiredService<IBillingSyncService>();
    }

    /// <summary>The stores of a harness given none (an account store and a document store on one database); the
    /// SQLite and PostgreSQL test projects compile the billing scenarios again and set it. Null: in memory.</summary>
    public static Func<(IAccountStore Accounts, IBillingDocumentStore Documents)>? DefaultStores { get; set; }

    public SyncHarness Sync { get; }

    public IBillingDocumentStore BillingStore { get; }

    public IBillingSyncService Billing { get; }

    public FakeCompany Company => Sync.Company;

    public QuickBooksOnlineFake Qbo => Sync.Qbo;

    public FakeTimeProvider Time => Sync.Time;

    public SyncActor Admin => Sync.Admin;

    public SyncActor Employee => Sync.Employee;

    public const string Firm = SyncHarness.Firm;

    /// <summary>Registers an account and syncs it (a customer of the account's name is created in the fake).</summary>
    public async Task<string> SyncedAccountAsync(string accountId, string name)
    {
        await Sync.AddAccountAsync(accountId, name);
        var state = await Sync.Service.SyncAsync(Sync.Admin, accountId);
        state.Status.Should().Be(SyncStatus.Synced);
        return state.CustomerId!;
    }

    public static InvoiceInfo Invoice(string id, string accountId, params InvoiceLineInfo[] lines) => new()
    {
        InvoiceId = id,
        AccountId = accountId,
        Number = "INV-" + id,
        IssueDate = Day,
        DueDate = Day.AddDays(30),
        Currency = "USD",
        Lines = lines.Length > 0 ? lines : [new InvoiceLineInfo("Tax return 2025", 1m, 300m, 300m, "Tax Return")],
    };

    public static PaymentInfo Payment(string id, string accountId, decimal amount, params PaymentApplication[] applications) => new()
    {
        PaymentId = id,
        AccountId = accountId,
        Date = Day.AddDays(3),
        Amount = amount,
        Currency = "USD",
        Method = "card",
        Reference = "ch_" + id,
        Applications = applications,
    };

    public Task<BillingRunResult> RunAsync() => Billing.RunPendingDocumentsAsync(Firm);

    public Task<BillingDocumentState> StateAsync(BillingDocumentKind kind, string id) => Billing.GetDocumentAsync(Admin, kind, id);

    public JsonObject QboInvoice(string qboId) => Company.Get("Invoice", qboId)!;

    public JsonObject QboPayment(string qboId) => Company.Get("Payment", qboId)!;

    /// <summary>QBO data requests (token requests excluded).</summary>
    public IReadOnlyList<RecordedRequest> QboRequests => Sync.QboRequests;

    public void Dispose() => Sync.Dispose();
}

internal static class FakeEdits
{
    /// <summary>Changes an entity in the fake as a person in QBO would (a sparse update through the API).</summary>
    public static async Task SparseUpdateAsync(this BillingHarness h, string entity, string id, string fieldsJson)
    {
        var current = h.Company.Get(entity, id)!;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "any");
        var body = $$"""{"Id":"{{id}}","SyncToken":"{{current["SyncToken"]}}","sparse":true,{{fieldsJson}}}""";
        (await http.PostAsync(h.Qbo.CompanyUrl(Sync.Scenarios.SyncHarness.Realm) + "/" + entity.ToLowerInvariant(),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
    }
}
