using System.Globalization;

using QbSync.QuickBooks.Authentication;

namespace QbSync.PostgreSql.Tests;

/// <summary>The token store, each test in a schema of its own (realm ids repeat across tests).</summary>
public sealed class PostgreSqlTokenStoreTests : IAsyncLifetime
{
    private readonly TestSchema schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => schema.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);




    [Fact]
    public async Task Tokens_round_trip_every_field()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        var tokens = new QuickBooksTokenSet
        {
            AccessToken = "access-1",
            AccessTokenExpiresAt = T0.AddHours(1).AddTicks(30),
            RefreshToken = "refresh-1",
            RefreshTokenExpiresAt = T0.AddDays(100),
            RefreshTokenHardExpiresAt = T0.AddYears(5),
            ReconnectRequired = true,
            ReconnectReason = "invalid_grant",
            IntuitTid = "tid-1",
        };

        (await store.GetAsync("realm-1")).Should().BeNull();
        await store.SaveAsync("realm-1", tokens);

        var read = await store.GetAsync("realm-1");
        read.Should().BeEquivalentTo(tokens, o => o.Excluding(t => t.Version));
        (await store.GetAsync("realm-2")).Should().BeNull();
    }

    [Fact]
    public async Task Optional_fields_round_trip_as_null()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        var tokens = NewTokens(1);

        await store.SaveAsync("realm", tokens);

        var read = await store.GetAsync("realm");
        read.Should().BeEquivalentTo(tokens, o => o.Excluding(t => t.Version));
        read!.RefreshTokenHardExpiresAt.Should().BeNull();
        read.IntuitTid.Should().BeNull();
    }

    [Fact]
    public async Task Save_replaces_the_whole_set_and_survives_a_restart()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        await store.SaveAsync("realm", new QuickBooksTokenSet { AccessToken = "a", AccessTokenExpiresAt = T0, RefreshToken = "r", RefreshTokenExpiresAt = T0, RefreshTokenHardExpiresAt = T0, ReconnectRequired = true, ReconnectReason = "x", IntuitTid = "t" });
        await store.SaveAsync("realm", NewTokens(2));


        var read = await new PostgreSqlTokenStore(schema.Options).GetAsync("realm");

        read.Should().BeEquivalentTo(NewTokens(2), o => o.Excluding(t => t.Version));
    }

    [Fact]
    public async Task Concurrent_saves_never_mix_two_sets()
    {
        var writers = Enumerable.Range(0, 3).Select(_ => new PostgreSqlTokenStore(schema.Options)).ToList();
        var reader = new PostgreSqlTokenStore(schema.Options);
        await reader.SaveAsync("realm", NewTokens(0));

        var writes = Enumerable.Range(1, 60).Select(i => Task.Run(async () => await writers[i % writers.Count].SaveAsync("realm", NewTokens(i))));
        var reads = Enumerable.Range(0, 60).Select(_ => Task.Run(async () =>
        {
            var read = await reader.GetAsync("realm");
            read.Should().NotBeNull();
            read!.AccessToken["access-".Length..].Should().Be(read.RefreshToken["refresh-".Length..]);
        }));
        await Task.WhenAll(writes.Concat(reads));

        var last = await reader.GetAsync("realm");
        last!.AccessToken["access-".Length..].Should().Be(last.RefreshToken["refresh-".Length..]);
    }

    [Fact]
    public async Task Delete_removes_only_that_realm_and_ignores_missing_ones()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        await store.SaveAsync("realm-1", NewTokens(1));
        await store.SaveAsync("realm-2", NewTokens(2));

        await store.DeleteAsync("realm-1");
        await store.DeleteAsync("realm-1");
        await store.DeleteAsync("never");

        (await store.GetAsync("realm-1")).Should().BeNull();
        (await store.GetAsync("realm-2")).Should().BeEquivalentTo(NewTokens(2), o => o.Excluding(t => t.Version));
    }

    [Fact]
    public async Task Arguments_and_cancellation_are_checked()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        var cancelled = new CancellationToken(canceled: true);

        await FluentActions.Awaiting(() => store.GetAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.SaveAsync("r", null!).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.DeleteAsync(null!).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.SaveAsync("r", NewTokens(1), cancelled).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        (await store.GetAsync("r")).Should().BeNull();
    }

    [Fact]
    public async Task Realm_ids_that_look_like_sql_are_data()
    {
        var store = new PostgreSqlTokenStore(schema.Options);
        const string Evil = "x'); DROP TABLE tokens;--";

        await store.SaveAsync(Evil, NewTokens(1));
        await store.SaveAsync("other", NewTokens(2));

        (await store.GetAsync(Evil)).Should().BeEquivalentTo(NewTokens(1), o => o.Excluding(t => t.Version));
        await store.DeleteAsync(Evil);
        (await store.GetAsync(Evil)).Should().BeNull();
        (await store.GetAsync("other")).Should().NotBeNull();
    }

    [Fact]
    public async Task A_saved_set_is_read_by_a_store_on_another_connection_pool()
    {
        await using var otherPool = Npgsql.NpgsqlDataSource.Create(PostgreSqlServer.ConnectionString);
        var realm = "realm-" + Guid.NewGuid().ToString("N");
        await new PostgreSqlTokenStore(schema.Options).SaveAsync(realm, NewTokens(7));

        var read = await new PostgreSqlTokenStore(new PostgreSqlStoreOptions { DataSource = otherPool, Schema = schema.Name }).GetAsync(realm);

        read.Should().BeEquivalentTo(NewTokens(7), o => o.Excluding(t => t.Version));
    }

    private static QuickBooksTokenSet NewTokens(int n) => new()
    {
        AccessToken = "access-" + n.ToString(CultureInfo.InvariantCulture),
        AccessTokenExpiresAt = T0.AddHours(n),
        RefreshToken = "refresh-" + n.ToString(CultureInfo.InvariantCulture),
        RefreshTokenExpiresAt = T0.AddDays(n),
    };
}
