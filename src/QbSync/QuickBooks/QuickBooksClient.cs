using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QbSync.Diagnostics;
using QbSync.QuickBooks.Http;

namespace QbSync.QuickBooks;

/// <summary>
/// The typed QuickBooks Online Accounting API v3 client: one sub-client per entity family, every call scoped to a
/// realm (company) id. Register it with <c>services.AddQuickBooksClient(…)</c>, which puts the per-realm throttle,
/// retries and OAuth handling in front of it; it knows nothing of accounts or firms.
/// </summary>
public class QuickBooksClient
{
    /// <summary>For mocking.</summary>
    protected QuickBooksClient()
    {
        Customers = null!;
        Vendors = null!;
        Employees = null!;
        CustomerTypes = null!;
        Items = null!;
        Invoices = null!;
        Payments = null!;
        Batch = null!;
        ChangeDataCapture = null!;
        Preferences = null!;
    }

    /// <summary>Creates the client over an <see cref="HttpClient"/> whose pipeline handles authentication.</summary>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>, with QbSync's handlers).</param>
    /// <param name="options">The client options.</param>
    /// <param name="logger">The logger; optional.</param>
    public QuickBooksClient(HttpClient httpClient, IOptions<QuickBooksClientOptions> options, ILogger<QuickBooksClient>? logger = null)
        : this(httpClient, options, logger, metrics: null)
    {
    }

    /// <summary>Creates the client over an <see cref="HttpClient"/> whose pipeline handles authentication, recording
    /// request durations on <paramref name="metrics"/> (the constructor <c>IHttpClientFactory</c> uses).</summary>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>, with QbSync's handlers).</param>
    /// <param name="options">The client options.</param>
    /// <param name="logger">The logger; optional.</param>
    /// <param name="metrics">QbSync's instruments; nothing is measured when <see langword="null"/>.</param>
    [ActivatorUtilitiesConstructor]
    public QuickBooksClient(HttpClient httpClient, IOptions<QuickBooksClientOptions> options, ILogger<QuickBooksClient>? logger, QbSyncMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var api = new QuickBooksApi(httpClient, options.Value, (ILogger?)logger ?? NullLogger.Instance, metrics);
        Customers = new CustomersClient(api);
        Vendors = new VendorsClient(api);
        Employees = new EmployeesClient(api);
        CustomerTypes = new CustomerTypesClient(api);
        Items = new ItemsClient(api);
        Invoices = new InvoicesClient(api);
        Payments = new PaymentsClient(api);
        Batch = new BatchClient(api);
        ChangeDataCapture = new ChangeDataCaptureClient(api);
        Preferences = new PreferencesClient(api);
    }

    /// <summary>Customers.</summary>
    public virtual CustomersClient Customers { get; }

    /// <summary>Vendors (name look-ups).</summary>
    public virtual VendorsClient Vendors { get; }

    /// <summary>Employees (name look-ups).</summary>
    public virtual EmployeesClient Employees { get; }

    /// <summary>Customer types.</summary>
    public virtual CustomerTypesClient CustomerTypes { get; }

    /// <summary>Items.</summary>
    public virtual ItemsClient Items { get; }

    /// <summary>Invoices.</summary>
    public virtual InvoicesClient Invoices { get; }

    /// <summary>Payments.</summary>
    public virtual PaymentsClient Payments { get; }

    /// <summary>Batch requests.</summary>
    public virtual BatchClient Batch { get; }

    /// <summary>Change data capture.</summary>
    public virtual ChangeDataCaptureClient ChangeDataCapture { get; }

    /// <summary>Company preferences (home currency, multicurrency).</summary>
    public virtual PreferencesClient Preferences { get; }
}
