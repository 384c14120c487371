using System.Diagnostics;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QbSync.Samples.Web.Demo;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace QbSync.AspNetCore.Tests.Browser;

/// <summary>
/// The web sample in Debian's chromium, driven by Playwright, as a person would use it: the owner connects
/// QuickBooks (the fake's consent page), watches the first sync, reads every status and its tooltip, unsyncs an
/// account, resyncs it through the picker, creates a customer for a failed account, deactivates a customer through the
/// "simulate in QuickBooks" panel and sees the webhook turn the account Not synced; an employee finds no action; the
/// other firm's owner sees none of the first firm's accounts. A screenshot of each step is saved under
/// <c>artifacts/screenshots/browser</c> at the repository's root (CI's artifacts folder).
/// </summary>
[Trait("Category", "Browser")]
public sealed class WebSampleBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    private readonly string _screenshots = ScreenshotFolder();
    private int _step;

    [Fact]
    public async Task Owner_employee_and_another_firm_use_the_accounts_screens_in_a_real_browser()
    {
        File.Exists(Chromium).Should().BeTrue("the browser tests drive Debian's chromium (apt-get install -y chromium; .ci/run does it)");
        Directory.CreateDirectory(_screenshots);
        foreach (var stale in Directory.EnumerateFiles(_screenshots, "*.png"))
        {
            File.Delete(stale);
        }

        var clock = Stopwatch.StartNew();
        var harbor = DemoDirectory.Harbor;

        // Harbor's QuickBooks requests wait until the test has seen the first sync in progress (no race with the worker).
        var firstSyncMayRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new SampleServer(services => services.AddHttpClient(QbSyncServiceCollectionExtensions.HttpClientName)
            .AddHttpMessageHandler(() => new HoldCompanyRequests(harbor.RealmId, firstSyncMayRun.Task)));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl, Locale = "en-US", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        SetDefaultExpectTimeout(15_000);
        var page = await context.NewPageAsync();
        string Id(string name) => DemoDirectory.AccountId(harbor, name);

        // 1. The owner signs in: QuickBooks is not connected.
        await SignInAsync(page, "Olivia (owner)", "Harbor Accounting");
        await Expect(page.GetByTestId("connection")).ToHaveTextAsync("QuickBooks is not connected.");
        await ShotAsync(page, "owner-signed-in");
        await ShouldBeAccessibleAsync(page);

        // 2. Connect QuickBooks through the fake's consent page, and watch the first sync finish.
        await page.GetByRole(AriaRole.Link, new() { Name = "Connect QuickBooks" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connect your QuickBooks company" })).ToBeVisibleAsync();
        await page.GetByLabel("Company").SelectOptionAsync(harbor.RealmId);
        await ShotAsync(page, "intuit-consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        await page.WaitForURLAsync("**/Accounts**");
        await Expect(page.GetByTestId("realm")).ToHaveTextAsync(harbor.RealmId);
        var inScope = harbor.Accounts.Count(a => a.HasBillingActivity);
        await Expect(page.GetByTestId("progress")).ToHaveTextAsync($"Syncing accounts… 0 of {inScope}");
        await Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "First sync" })).ToBeVisibleAsync();
        await ShotAsync(page, "first-sync-progress");
        firstSyncMayRun.SetResult();
        foreach (var name in new[] { "Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars" })
        {
            await Expect(Badge(page, Id(name))).ToHaveTextAsync("Synced", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        }

        await Expect(Badge(page, Id("Dukes Basketball Camp"))).ToHaveTextAsync("Failed", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        await Expect(Badge(page, Id("Books by Bessie"))).ToHaveTextAsync("Failed", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        await Expect(page.GetByTestId("problems")).ToContainTextAsync("Dukes Basketball Camp");
        await ShotAsync(page, "first-sync-finished");
        await ShouldBeAccessibleAsync(page);

        // 3. Every status and its tooltip, as the JSON API reports them.
        var api = await ApiAccountsAsync(page);
        var rows = page.Locator("tr[data-account]");
        var count = await rows.CountAsync();
        count.Should().Be(10, "the first page holds 10 of the firm's 12 accounts");
        for (var i = 0; i < count; i++)
        {
            var accountId = await rows.Nth(i).GetAttributeAsync("data-account");
            var (label, tooltip) = api[accountId!];
            var status = page.GetByTestId("status-" + accountId);
            await status.HoverAsync();
            await Expect(status.Locator(".badge")).ToHaveTextAsync(label);
            var tip = status.GetByRole(AriaRole.Tooltip);
            await Expect(tip).ToBeVisibleAsync();
            await Expect(tip).ToHaveTextAsync(tooltip);
            if (accountId == Id("Dukes Basketball Camp"))
            {
                await ShotAsync(page, "tooltip-of-a-failed-account");
            }
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(page.Locator("tr[data-account]")).ToHaveCountAsync(2);
        await page.GetByLabel("QuickBooks status").SelectOptionAsync("Failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("tr[data-account]")).ToHaveCountAsync(api.Values.Count(v => v.Label == "Failed"));
        await ShotAsync(page, "filtered-by-failed");

        // 4. Unsync an account from its Info tab: Skipped.
        await page.GotoAsync("/Accounts/Info/" + Id("Bill's Windsurf Shop"));
        await page.GetByText("QuickBooks sync menu").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Do not sync this account / Unsync" }).ClickAsync();
        await Expect(Badge(page, Id("Bill's Windsurf Shop"))).ToHaveTextAsync("Skipped");
        await ShotAsync(page, "unsynced-skipped");

        // 5. Resync it through the picker.
        await page.GetByText("QuickBooks sync menu").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sync account with QuickBooks" }).ClickAsync();
        await page.GetByLabel("Search QuickBooks customers").FillAsync("Windsurf");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel("Bill's Windsurf Shop").CheckAsync();
        await ShotAsync(page, "customer-picker");
        await ShouldBeAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Link to the selected customer" }).ClickAsync();
        await Expect(Badge(page, Id("Bill's Windsurf Shop"))).ToHaveTextAsync("Synced");
        await Expect(page.GetByTestId("customer")).ToHaveTextAsync("Bill's Windsurf Shop");
        await ShotAsync(page, "resynced-through-the-picker");

        // 6. Create a customer for the Failed account.
        await page.GotoAsync("/Accounts/Info/" + Id("Dukes Basketball Camp"));
        await Expect(page.GetByTestId("problem")).ToBeVisibleAsync();
        await page.GetByText("QuickBooks sync menu").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sync account with QuickBooks" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a new customer “Dukes Basketball Camp”" }).ClickAsync();
        await Expect(Badge(page, Id("Dukes Basketball Camp"))).ToHaveTextAsync("Synced");
        await ShotAsync(page, "customer-created-for-the-failed-account");

        // 7. Deactivate a customer in QuickBooks (the sample's panel sends the signed webhook): Not synced.
        await page.GetByRole(AriaRole.Link, new() { Name = "Simulate in QuickBooks" }).ClickAsync();
        await ShotAsync(page, "simulate-panel");
        await ShouldBeAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate Cool Cars" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "webhook sent" })).ToContainTextAsync("HTTP 200");
        // The page is not reloaded: its live statuses show the webhook's outcome once the processor has applied it.
        await Expect(Badge(page, Id("Cool Cars"))).ToHaveTextAsync("Not synced", new() { Timeout = (float)SyncTimeout.TotalMilliseconds });
        await page.GetByTestId("status-" + Id("Cool Cars")).HoverAsync();
        await Expect(page.GetByTestId("status-" + Id("Cool Cars")).GetByRole(AriaRole.Tooltip)).ToContainTextAsync("deleted");
        await ShotAsync(page, "deactivated-customer-not-synced");

        // 8. An employee sees the statuses and no action.
        await SignOutAsync(page);
        await SignInAsync(page, "Emma (employee)", "Harbor Accounting");
        await Expect(Badge(page, Id("Amy's Bird Sanctuary"))).ToHaveTextAsync("Synced");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Disconnect QuickBooks" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Simulate in QuickBooks" })).ToHaveCountAsync(0);
        await page.GotoAsync("/Accounts/Info/" + Id("Dukes Basketball Camp"));
        await Expect(page.GetByTestId("sync-menu")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1, new() { Timeout = 5_000 }); // only "Sign out"
        await ShotAsync(page, "employee-no-actions");

        // 9. The other firm's owner sees none of the first firm's accounts.
        await SignOutAsync(page);
        await SignInAsync(page, "Sam (owner)", "Summit Tax");
        await Expect(page.Locator("tr[data-account]")).ToHaveCountAsync(DemoDirectory.Summit.Accounts.Count);
        foreach (var (name, _) in harbor.Accounts)
        {
            await Expect(page.GetByText(name, new() { Exact = true })).ToHaveCountAsync(0);
        }

        var foreign = await page.GotoAsync("/Accounts/Info/" + Id("Amy's Bird Sanctuary"));
        foreign!.Status.Should().Be(404);
        var foreignApi = await page.APIRequest.GetAsync("/qbsync/api/accounts/" + Id("Amy's Bird Sanctuary"));
        foreignApi.Status.Should().Be(404);
        await page.GotoAsync("/Accounts");
        await ShotAsync(page, "other-firm-sees-only-its-accounts");

        output.WriteLine($"Browser scenario took {clock.Elapsed.TotalSeconds:F1} s; screenshots in {_screenshots}");
    }

    /// <summary>Holds the requests of one QuickBooks company until released.</summary>
    private sealed class HoldCompanyRequests(string realmId, Task released) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath.Contains("/v3/company/" + realmId + "/", StringComparison.Ordinal) == true)
            {
                await released.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>axe-core finds no serious or critical violation on the page.</summary>
    private async Task ShouldBeAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var violations = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}")
            .ToList();
        output.WriteLine($"axe on {page.Url}: {result.Violations.Length} violations, {result.Passes.Length} rules passed");
        violations.Should().BeEmpty();
    }

    private static ILocator Badge(IPage page, string accountId) => page.GetByTestId("status-" + accountId).Locator(".badge");

    private static async Task SignInAsync(IPage page, string person, string firm)
    {
        await page.GotoAsync("/SignIn");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sign in as {person} of {firm}" }).ClickAsync();
        await page.WaitForURLAsync("**/Accounts");
        await Expect(page.GetByTestId("who")).ToContainTextAsync(person);
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/SignIn");
    }

    /// <summary>Label and tooltip of every account on the first page, from the JSON API (with the browser's cookie).</summary>
    private static async Task<Dictionary<string, (string Label, string Tooltip)>> ApiAccountsAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/qbsync/api/accounts?pageSize=50");
        response.Ok.Should().BeTrue();
        var json = JsonDocument.Parse(await response.TextAsync()).RootElement;
        return json.GetProperty("items").EnumerateArray().ToDictionary(
            i => i.GetProperty("accountId").GetString()!,
            i => (i.GetProperty("label").GetString()!, i.GetProperty("tooltip").GetString()!));
    }

    /// <summary><c>artifacts/screenshots/browser</c> at the repository's root, beside CI's other outputs (packages, the
    /// API site); the test's output folder when the tests run outside the repository.</summary>
    private static string ScreenshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QbSync.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "screenshots", "browser");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");
    }

    private async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(_screenshots, $"{++_step:D2}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine("screenshot: " + path);
    }
}
