using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks.Authentication;
using QbSync.Stores;

namespace QbSync.Sqlite.Tests;

public sealed class RegistrationTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task UseSqliteStore_replaces_both_stores_with_singletons_over_one_file()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ITokenStore, InMemoryTokenStore>();
        var builder = new TestBuilder(services).UseInMemoryStore().UseSqliteStore(_database.ConnectionString);

        using var provider = builder.Services.BuildServiceProvider();
        var accounts = provider.GetRequiredService<IAccountStore>();
        var tokens = provider.GetRequiredService<ITokenStore>();

        accounts.Should().BeOfType<SqliteAccountStore>().And.BeSameAs(provider.GetRequiredService<IAccountStore>());
        tokens.Should().BeOfType<SqliteTokenStore>().And.BeSameAs(provider.GetRequiredService<ITokenStore>());
        provider.GetRequiredService<QbSync.Stores.IQuickBooksEventInbox>().Should().BeOfType<SqliteQuickBooksEventInbox>();
        services.Count(d => d.ServiceType == typeof(IAccountStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ITokenStore)).Should().Be(1);

        await accounts.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n" });
        (await new SqliteAccountStore(_database.ConnectionString).GetAsync("f", "a")).Should().NotBeNull();
    }

    [Fact]
    public void The_configure_overload_sets_the_options()
    {
        var builder = new TestBuilder(new ServiceCollection()).UseSqliteStore(o => o.ConnectionString = _database.ConnectionString);

        using var provider = builder.Services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ConnectionString.Should().Be(_database.ConnectionString);
        provider.GetRequiredService<IAccountStore>().Should().BeOfType<SqliteAccountStore>();
    }

    [Fact]
    public void Invalid_options_fail_validation()
    {
        var builder = new TestBuilder(new ServiceCollection()).UseSqliteStore(o => o.ConnectionString = "Data Source=:memory:");

        using var provider = builder.Services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*in-memory*");
    }

    [Fact]
    public void The_default_connection_string_names_qbsync_db()
    {
        new SqliteStoreOptions().ConnectionString.Should().Be("Data Source=qbsync.db");
    }

    private sealed class TestBuilder(IServiceCollection services) : IQbSyncBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
