using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks.Authentication;
using QbSync.QuickBooks.Http;
using QbSync.Stores;

namespace QbSync.PostgreSql.Tests;

public sealed class RegistrationTests(TestSchema schema) : IClassFixture<TestSchema>
{
    [Fact]
    public async Task UsePostgreSqlStore_replaces_the_stores_with_singletons_over_one_pool()
    {
        var services = new ServiceCollection();
        services.AddQbSync().UseInMemoryStore().UsePostgreSqlStore(PostgreSqlServer.ConnectionString, o => o.Schema = schema.Name);

        await using (var provider = services.BuildServiceProvider())
        {
            var accounts = provider.GetRequiredService<IAccountStore>();
            accounts.Should().BeOfType<PostgreSqlAccountStore>().And.BeSameAs(provider.GetRequiredService<IAccountStore>());
            provider.GetRequiredService<ITokenStore>().Should().BeOfType<PostgreSqlTokenStore>();
            provider.GetRequiredService<IBillingDocumentStore>().Should().BeOfType<PostgreSqlBillingDocumentStore>()
                .And.BeSameAs(provider.GetRequiredService<IBillingDocumentStore>());
            provider.GetRequiredService<IQuickBooksEventInbox>().Should().BeOfType<PostgreSqlQuickBooksEventInbox>();
            provider.GetRequiredService<IRealmRequestBudgetStore>().Should().BeOfType<PostgreSqlRequestBudgetStore>("the PostgreSQL store shares the QBO budget by default");
            services.Count(d => d.ServiceType == typeof(IAccountStore)).Should().Be(1);

            await accounts.TryInsertAsync(new SyncAccountRecord { FirmId = "f", AccountId = "a", AccountName = "n" });
        }

        (await new PostgreSqlAccountStore(schema.Options).GetAsync("f", "a")).Should().NotBeNull("the provider's pool is closed, the data is not");
    }

    [Fact]
    public void The_data_source_overload_uses_the_application_pool_and_can_keep_the_budget_per_process()
    {
        var services = new ServiceCollection();
        services.AddQbSync().UsePostgreSqlStore(PostgreSqlServer.DataSource, o =>
        {
            o.Schema = schema.Name;
            o.ShareRequestBudget = false;
        });

        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;
        options.DataSource.Should().BeSameAs(PostgreSqlServer.DataSource);
        options.ConnectionString.Should().BeNull();
        provider.GetService<IRealmRequestBudgetStore>().Should().BeNull();
        provider.GetRequiredService<IAccountStore>().Should().BeOfType<PostgreSqlAccountStore>();
    }

    [Theory]
    [InlineData("bad-schema", "*Schema*")]
    [InlineData("pg_mine", "*Schema*")]
    public void Invalid_options_fail_validation_at_start_up(string schemaName, string message)
    {
        var services = new ServiceCollection();
        services.AddQbSync().UsePostgreSqlStore(PostgreSqlServer.ConnectionString, o => o.Schema = schemaName);

        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public void The_default_schema_is_qbsync_and_the_budget_is_shared()
    {
        var options = new PostgreSqlStoreOptions();

        options.Schema.Should().Be("qbsync");
        options.ShareRequestBudget.Should().BeTrue();
    }
}
