using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;
using QbSync.Sync;
using QbSync.Testing;

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// Separate OS processes (tests/QbSync.PostgreSql.Worker) running the background worker on one PostgreSQL schema
/// against one QBO fake. Time is scaled: QBO's limits are kept (10 in flight, 500 requests and 40 batch requests per
/// window per realm) but the window is a few seconds instead of a minute, on both the client and the fake, whose
/// throttle refuses (429) anything past the limits and records its peaks.
/// </summary>
[Trait("Category", "MultiProcess")]
public sealed class MultiProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Firm = "firm-multi";
    private const string Realm = "9130350000000099";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly TestSchema _schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DisposeAsync();

    [Fact]
    public async Task Three_worker_processes_sync_a_firm_of_3000_accounts_once_each_within_the_realm_limits()
    {
        using var fake = QuickBooksOnlineFake.Start(o =>
        {
            o.Throttling.Enabled = true;
            o.Throttling.Window = Window;
        });
        var company = fake.Company(Realm);
        for (var i = 0; i < 1000; i++)
        {
            company.AddCustomer("Existing Client " + i.ToString("D4", CultureInfo.InvariantCulture));
        }

        await RegisterAsync(3000, i => i % 3 == 0 ? "existing client " + (i / 3).ToString("D4", CultureInfo.InvariantCulture) : "New Client " + i.ToString("D4", CultureInfo.InvariantCulture));
        fake.Faults.SetLatency(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(20));
        fake.Journal.Clear();

        var clock = Stopwatch.StartNew();
        var outputs = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => RunWorkerAsync(fake, "process-" + i.ToString(CultureInfo.InvariantCulture))));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"3 processes settled 3000 accounts in {clock.Elapsed.TotalSeconds:F1} s: {fake.Journal.TotalCount} requests "
            + $"({fake.Journal.Count(FakeRequestKind.Batch)} batches), peak {fake.Throttle.PeakInFlight} in flight, "
            + $"peak {fake.Throttle.PeakInWindow} per {Window.TotalSeconds} s window, {fake.Throttle.ThrottledCount} throttled"));
        outputs.Should().AllSatisfy(o => o.ExitCode.Should().Be(0, o.Output));
        fake.Throttle.ThrottledCount.Should().Be(0, "together the processes never went past a limit");
        fake.Throttle.PeakInFlight.Should().BeLessThanOrEqualTo(10);
        fake.Throttle.PeakInWindow.Should().BeLessThanOrEqualTo(500);

        var names = company.Customers.Select(c => c["DisplayName"]!.GetValue<string>()).ToList();
        names.Should().HaveCount(3000).And.OnlyHaveUniqueItems("no customer was created twice");

        var store = new PostgreSqlAccountStore(_schema.Options);
        var synced = 0;
        string? token = null;
        do
        {
            var page = await store.ListAsync(Firm, new AccountQuery { Statuses = [SyncStatus.Synced], PageSize = 1000, ContinuationToken = token });
            synced += page.Items.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);

        synced.Should().Be(3000);
        (await store.GetLinkedCustomersAsync(Firm)).Should().HaveCount(3000);
        (await CountAsync($"SELECT count(*) FROM (SELECT account_id FROM \"{_schema.Name}\".account_history WHERE firm_id = $1 AND to_status = 2 GROUP BY account_id HAVING count(*) = 1) AS once;"))
            .Should().Be(3000, "every account became Synced exactly once");
        (await CountAsync($"SELECT count(*) FROM \"{_schema.Name}\".account_history WHERE firm_id = $1 AND to_status = 4;"))
            .Should().Be(0, "no account failed");
    }

    private async Task RegisterAsync(int count, Func<int, string> name)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQbSync(_ => { }, c => c.BaseUrl = new Uri("http://localhost:1/"), o =>
        {
            o.ClientId = "c";
            o.ClientSecret = "s";
        }).UsePostgreSqlStore(PostgreSqlServer.DataSource, o => o.Schema = _schema.Name);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ITokenStore>().SaveAsync(Realm, new QuickBooksTokenSet
        {
            AccessToken = "access-token",
            AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            RefreshToken = "refresh-token",
            RefreshTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(100),
        });
        (await provider.GetRequiredService<IAccountStore>().TrySaveFirmSettingsAsync(new FirmSyncSettings { FirmId = Firm, RealmId = Realm }, 0)).Should().NotBeNull();
        var service = provider.GetRequiredService<IAccountSyncService>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await service.RegisterAccountAsync(Firm, new AccountInfo("acc-" + i.ToString("D4", CultureInfo.InvariantCulture), name(i), HasBillingActivity: true), ct));
    }

    private async Task<(int ExitCode, string Output)> RunWorkerAsync(QuickBooksOnlineFake fake, string workerId)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            WorkerAssembly(), _schema.Name, fake.BaseUrl, fake.TokenEndpoint, workerId,
            ((int)Window.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "150",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[PostgreSqlServer.ConnectionVariable] = PostgreSqlServer.ConnectionString;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, workerId + ": " + output);
    }

    /// <summary>The worker's build output, next to this assembly's (same configuration and framework).</summary>
    private static string WorkerAssembly()
    {
        var here = Path.GetDirectoryName(typeof(MultiProcessTests).Assembly.Location)!;
        var path = Path.Combine(here.Replace("QbSync.PostgreSql.Tests", "QbSync.PostgreSql.Worker", StringComparison.Ordinal), "QbSync.PostgreSql.Worker.dll");
        File.Exists(path).Should().BeTrue($"the worker is built with the tests ({path})");
        return path;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = PostgreSqlServer.DataSource.CreateCommand(sql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Firm });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
