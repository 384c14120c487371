using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>Customers: find by name, list, read, create, sparse update, deactivate and reactivate.</summary>
public class CustomersClient : NameListClient<Customer>
{
    /// <summary>For mocking.</summary>
    protected CustomersClient()
    {
    }

    internal CustomersClient(QuickBooksApi api)
        : base(api, "Customer", QuickBooksJsonContext.Wire.Customer)
    {
    }

    /// <summary>
    /// Creates a customer. The create is idempotent: the <c>requestid</c> (<paramref name="requestId"/>, or one
    /// generated here) is sent with the request and reused by every retry, so QBO answers a repeated request with the
    /// first response instead of creating a second customer. Store your own id before calling to survive a crash.
    /// </summary>
    /// <param name="realmId">The company.</param>
    /// <param name="customer">The customer to create.</param>
    /// <param name="requestId">The idempotency key of this logical write, at most 50 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created customer.</returns>
    /// <exception cref="QuickBooksDuplicateNameException">The name is held by another customer, vendor or employee.</exception>
    public virtual Task<Customer> CreateAsync(string realmId, CustomerCreateRequest customer, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Customer", "create", customer, QuickBooksJsonContext.Wire.CustomerCreateRequest, TypeInfo, requestId, cancellationToken);

    /// <summary>Sends a sparse update: only the fields set on <paramref name="update"/> change.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="update">The id, current sync token and fields to change.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated customer (its <see cref="QuickBooksEntity.SyncToken"/> is new unless nothing changed).</returns>
    /// <exception cref="QuickBooksStaleObjectException">The sync token is stale: read the customer again.</exception>
    public virtual Task<Customer> UpdateAsync(string realmId, CustomerUpdateRequest update, string? requestId = null, CancellationToken cancellationToken = default) =>
        WriteAsync(realmId, "Customer", "update", update, QuickBooksJsonContext.Wire.CustomerUpdateRequest, TypeInfo, requestId, cancellationToken);

    /// <summary>Makes a customer inactive, which is how QBO "deletes" customers.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The customer's id.</param>
    /// <param name="syncToken">The customer's current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated customer.</returns>
    public virtual Task<Customer> DeactivateAsync(string realmId, string id, string syncToken, string? requestId = null, CancellationToken cancellationToken = default) =>
        UpdateAsync(realmId, new CustomerUpdateRequest { Id = id, SyncToken = syncToken, Active = false }, requestId, cancellationToken);

    /// <summary>Makes an inactive customer active again; its name loses the <c>" (deleted)"</c> suffix.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="id">The customer's id.</param>
    /// <param name="syncToken">The customer's current sync token.</param>
    /// <param name="requestId">The idempotency key of this logical write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated customer.</returns>
    public virtual Task<Customer> ReactivateAsync(string realmId, string id, string syncToken, string? requestId = null, CancellationToken cancellationToken = default) =>
        UpdateAsync(realmId, new CustomerUpdateRequest { Id = id, SyncToken = syncToken, Active = true }, requestId, cancellationToken);
}

/// <summary>Vendors, read for their names (they share the customers' display-name space).</summary>
public class VendorsClient : NameListClient<Vendor>
{
    /// <summary>For mocking.</summary>
    protected VendorsClient()
    {
    }

    internal VendorsClient(QuickBooksApi api)
        : base(api, "Vendor", QuickBooksJsonContext.Wire.Vendor)
    {
    }
}

/// <summary>Employees, read for their names (they share the customers' display-name space).</summary>
public class EmployeesClient : NameListClient<Employee>
{
    /// <summary>For mocking.</summary>
    protected EmployeesClient()
    {
    }

    internal EmployeesClient(QuickBooksApi api)
        : base(api, "Employee", QuickBooksJsonContext.Wire.Employee)
    {
    }
}
