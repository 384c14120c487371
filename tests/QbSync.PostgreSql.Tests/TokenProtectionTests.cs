using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using QbSync.DataProtection;
using QbSync.QuickBooks.Authentication;

namespace QbSync.PostgreSql.Tests;

/// <summary>Issue 8, item 8, on the PostgreSQL store: with a protector registered, the tokens table holds no token in clear text.</summary>
public sealed class TokenProtectionTests : IAsyncLifetime
{
    private const string AccessToken = "eyJhbGciOiJkaXIi.ACCESS-TOKEN-IN-CLEAR";
    private const string RefreshToken = "AB11REFRESH-TOKEN-IN-CLEAR";
    private readonly TestSchema schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => schema.DisposeAsync();

    [Fact]
    public async Task With_data_protection_registered_the_tokens_table_holds_no_token_in_clear_text()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddQbSync().UsePostgreSqlStore(PostgreSqlServer.ConnectionString, o => o.Schema = schema.Name).UseDataProtectionTokenProtection();
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<ITokenStore>();
            await store.SaveAsync("realm-1", Tokens(string.Empty));
            var rotated = await store.TrySaveAsync("realm-1", Tokens("-2"), (await store.GetAsync("realm-1"))!.Version);
            rotated.Should().NotBeNull();

            var read = (await store.GetAsync("realm-1"))!;
            read.AccessToken.Should().Be(AccessToken + "-2");
            read.RefreshToken.Should().Be(RefreshToken + "-2");
            var table = await RawTokensTableAsync();
            table.Should().Contain("qbp1:", "the values are stored protected")
                .And.NotContain("ACCESS-TOKEN-IN-CLEAR").And.NotContain("REFRESH-TOKEN-IN-CLEAR");

            // Without a protector the same table shows the clear text, so the search above can fail; and a store without
            // the protector refuses to read a protected set rather than send garbage to Intuit.
            var plain = new PostgreSqlTokenStore(schema.Options);
            await plain.SaveAsync("plain", Tokens("-plain"));
            (await RawTokensTableAsync()).Should().Contain(RefreshToken + "-plain");
            await FluentActions.Awaiting(async () => await plain.GetAsync("realm-1"))
                .Should().ThrowAsync<System.Security.Cryptography.CryptographicException>().WithMessage("*ITokenProtector*");
        }
    }

    /// <summary>Every row of the tokens table as PostgreSQL prints it (all columns, as stored).</summary>
    private async Task<string> RawTokensTableAsync()
    {
        await using var command = PostgreSqlServer.DataSource.CreateCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \"{schema.Name}\".tokens t");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static QuickBooksTokenSet Tokens(string suffix) => new()
    {
        AccessToken = AccessToken + suffix,
        AccessTokenExpiresAt = new DateTimeOffset(2030, 1, 1, 13, 0, 0, TimeSpan.Zero),
        RefreshToken = RefreshToken + suffix,
        RefreshTokenExpiresAt = new DateTimeOffset(2030, 4, 1, 12, 0, 0, TimeSpan.Zero),
    };
}
