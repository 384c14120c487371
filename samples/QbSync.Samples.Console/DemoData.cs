using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.Samples.ConsoleHost;

/// <summary>What the demo starts with: a QBO company that already has some customers, and a firm's accounts.</summary>
internal static class DemoData
{
    public const string AcmeId = "acc-01";
    public const string OBrienId = "acc-02";
    public const string OldClientId = "acc-03";
    public const string BessieId = "acc-04";
    public const string JohnSmithId = "acc-05";
    public const string JaneDoeId = "acc-06";
    public const string NorthwindId = "acc-07";
    public const string RiversideId = "acc-08";
    public const string ContosoId = "acc-09";
    public const string DanaLeeId = "acc-10";

    /// <summary>The firm's accounts as the practice software has them (id, name, has invoices or payments).</summary>
    public static IReadOnlyList<AccountInfo> Accounts { get; } =
    [
        new(AcmeId, "Acme Ltd", true),                 // a customer with the same name exists
        new(OBrienId, "o\u2019brien  &  SONS", true),  // typographic apostrophe, case and spacing differ
        new(OldClientId, "Old Client", true),          // an inactive customer holds the name
        new(BessieId, "Books by Bessie", true),        // a vendor holds the name
        new(JohnSmithId, "John Smith", false),         // no invoices or payments: not synced by default
        new(JaneDoeId, "Jane Doe", true),              // no customer: one is created (type Individual)
        new(NorthwindId, "Northwind Traders", true),   // a customer with the same name exists
        new(RiversideId, "Riverside Dental", true),    // no customer: one is created
        new(ContosoId, "Contoso Partners", true),      // synced, then an admin unsyncs it
        new(DanaLeeId, "Dana Lee", true),              // an employee holds the name
    ];

    /// <summary>Seeds the firm's QBO company (it already has the Individual customer type, items and so on).</summary>
    public static void SeedCompany(FakeCompany company)
    {
        company.AddCustomer("Acme Ltd");
        company.AddCustomer("O'Brien & Sons");
        company.AddCustomer("Northwind Traders");
        company.AddCustomer("Contoso Partners");
        company.AddCustomer("Old Client", active: false);
        company.AddCustomer("Smith, John");
        company.AddCustomer("Unrelated Bakery");
        company.AddVendor("Books by Bessie");
        company.AddEmployee("Dana Lee");
    }
}
