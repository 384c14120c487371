namespace QbSync.Samples.Web.Demo;

/// <summary>A demo user of the practice software.</summary>
public sealed record DemoUser(string UserId, string Name, string FirmId, FirmRole Role);

/// <summary>A demo firm, with the QBO company (realm) it uses in the fake.</summary>
public sealed record DemoFirm(string FirmId, string Name, string RealmId, bool ConnectedAtStart, bool CreateMissingCustomers, IReadOnlyList<(string Name, bool HasBillingActivity)> Accounts);

/// <summary>The demo's firms and users (a real app has its own user store).</summary>
public static class DemoDirectory
{
    public static readonly DemoFirm Harbor = new(
        "firm-harbor",
        "Harbor Accounting",
        "9341453050298765",
        ConnectedAtStart: false,
        CreateMissingCustomers: false,
        [
            ("Amy's Bird Sanctuary", true), ("Bill's Windsurf Shop", true), ("Books by Bessie", true), ("Cool Cars", true),
            ("Dukes Basketball Camp", true), ("Geeta Kalapatapu", false), ("Jeff's Jalopies", false), ("John Melton", false),
            ("Kate Whelan", false), ("Mark Cho", false), ("Paulsen Medical Supplies", false), ("Rago Travel Agency", false),
        ]);

    public static readonly DemoFirm Summit = new(
        "firm-summit",
        "Summit Tax",
        "9341453050291111",
        ConnectedAtStart: true,
        CreateMissingCustomers: true,
        [("Peak Plumbing", true), ("Ridge Roofing", true), ("Summit Bakery", true)]);

    public static IReadOnlyList<DemoFirm> Firms { get; } = [Harbor, Summit];

    public static IReadOnlyList<DemoUser> Users { get; } =
    [
        new("olivia.owner", "Olivia (owner)", Harbor.FirmId, FirmRole.Owner),
        new("adam.admin", "Adam (admin)", Harbor.FirmId, FirmRole.Admin),
        new("emma.employee", "Emma (employee)", Harbor.FirmId, FirmRole.Employee),
        new("sam.owner", "Sam (owner)", Summit.FirmId, FirmRole.Owner),
        new("sara.admin", "Sara (admin)", Summit.FirmId, FirmRole.Admin),
        new("eli.employee", "Eli (employee)", Summit.FirmId, FirmRole.Employee),
    ];

    public static DemoFirm Firm(string firmId) => Firms.First(f => f.FirmId == firmId);

    /// <summary>The account id of a demo account: the firm and a slug of the name.</summary>
    public static string AccountId(DemoFirm firm, string name) =>
        firm.FirmId[5..] + "-" + new string(name.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
}

/// <summary>What the simulate panel needs to sign webhooks like Intuit.</summary>
/// <param name="WebhookVerifierToken">The verifier token.</param>
public sealed record DemoSettings(string WebhookVerifierToken);
