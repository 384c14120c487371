using QbSync.QuickBooks.Authentication;
using Xunit;

#pragma warning disable CA2007 // xunit test methods must keep the context (xUnit1030)

namespace QbSync.Testing.Stores;

/// <summary>
/// The behaviour every <see cref="ITokenStore"/> must have: versions that grow with every save, a compare-and-swap
/// save with exactly one winner, atomic whole-set reads, realm isolation, deletes; and, for a store that offers it, a
/// cross-process refresh lock (<see cref="ITokenRefreshLock"/>) that excludes a second holder and frees itself after
/// its lease. Derive a sealed test class and implement <see cref="CreateStoreAsync"/>.
/// </summary>
/// <remarks>Every test uses fresh realm ids, so a store over a database shared by every test passes too.</remarks>
public abstract class TokenStoreConformanceTests
{
    /// <summary>A fixed point in time the tests count from.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates the store under test (called once per test).</summary>
    /// <returns>The store.</returns>
    protected abstract Task<ITokenStore> CreateStoreAsync();

    /// <summary>A realm id no other test uses.</summary>
    /// <returns>The id.</returns>
    protected static string NewRealmId() => "realm-" + Guid.NewGuid().ToString("N");

    /// <summary>A token set whose values carry <paramref name="tag"/>.</summary>
    /// <param name="tag">Tells sets apart.</param>
    /// <returns>The set (version 0).</returns>
    protected static QuickBooksTokenSet NewTokens(string tag) => new()
    {
        AccessToken = "access-" + tag,
        AccessTokenIssuedAt = T0,
        AccessTokenExpiresAt = T0.AddHours(1),
        RefreshToken = "refresh-" + tag,
        RefreshTokenExpiresAt = T0.AddDays(100),
    };

    /// <summary>A realm never saved reads as null.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task GetReturnsNullForUnknownRealm()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(NewRealmId()));
    }

    /// <summary>Every field survives a save, with a version of at least 1.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task SaveRoundTripsEveryFieldWithAVersion()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();
        var tokens = new QuickBooksTokenSet
        {
            AccessToken = "eyJ.access.Ünï",
            AccessTokenIssuedAt = T0.AddSeconds(-1),
            AccessTokenExpiresAt = T0.AddSeconds(3599),
            RefreshToken = "AB11refresh",
            RefreshTokenExpiresAt = T0.AddDays(100),
            RefreshTokenHardExpiresAt = T0.AddYears(5),
            ReconnectRequired = true,
            ReconnectReason = "invalid_grant: Token invalid",
            IntuitTid = "1-tid",
            Version = 99,
        };

        await store.SaveAsync(realm, tokens);
        var read = await store.GetAsync(realm);

        Assert.NotNull(read);
        Assert.True(read.Version >= 1);
        Assert.Equal(tokens.AccessToken, read.AccessToken);
        Assert.Equal(tokens.AccessTokenIssuedAt, read.AccessTokenIssuedAt);
        Assert.Equal(tokens.AccessTokenExpiresAt, read.AccessTokenExpiresAt);
        Assert.Equal(tokens.RefreshToken, read.RefreshToken);
        Assert.Equal(tokens.RefreshTokenExpiresAt, read.RefreshTokenExpiresAt);
        Assert.Equal(tokens.RefreshTokenHardExpiresAt, read.RefreshTokenHardExpiresAt);
        Assert.True(read.ReconnectRequired);
        Assert.Equal(tokens.ReconnectReason, read.ReconnectReason);
        Assert.Equal(tokens.IntuitTid, read.IntuitTid);
    }

    /// <summary>Every save of a realm gives a higher version, whoever saves.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task EverySaveGivesAHigherVersion()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();

        await store.SaveAsync(realm, NewTokens("1"));
        var first = (await store.GetAsync(realm))!.Version;
        await store.SaveAsync(realm, NewTokens("2"));
        var second = (await store.GetAsync(realm))!.Version;
        var third = await store.TrySaveAsync(realm, NewTokens("3"), second);

        Assert.True(second > first);
        Assert.NotNull(third);
        Assert.True(third.Version > second);
        Assert.Equal(third.Version, (await store.GetAsync(realm))!.Version);
    }

    /// <summary>Expected version 0 saves only when nothing is stored.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TrySaveWithVersionZeroOnlyInserts()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();

        var inserted = await store.TrySaveAsync(realm, NewTokens("first"), 0);
        var refused = await store.TrySaveAsync(realm, NewTokens("second"), 0);

        Assert.NotNull(inserted);
        Assert.True(inserted.Version >= 1);
        Assert.Equal("refresh-first", inserted.RefreshToken);
        Assert.Null(refused);
        Assert.Equal("refresh-first", (await store.GetAsync(realm))!.RefreshToken);
    }

    /// <summary>A save against a stale version is refused and leaves the stored set as it was.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TrySaveWithAStaleVersionIsRefused()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();
        var v1 = (await store.TrySaveAsync(realm, NewTokens("v1"), 0))!;
        var v2 = (await store.TrySaveAsync(realm, NewTokens("v2"), v1.Version))!;

        Assert.Null(await store.TrySaveAsync(realm, NewTokens("stale"), v1.Version));

        var read = (await store.GetAsync(realm))!;
        Assert.Equal("refresh-v2", read.RefreshToken);
        Assert.Equal("access-v2", read.AccessToken);
        Assert.Equal(v2.Version, read.Version);
    }

    /// <summary>Of many savers that read the same version, exactly one wins, and the store holds its set.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ConcurrentTrySavesFromOneVersionHaveExactlyOneWinner()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();
        var start = (await store.TrySaveAsync(realm, NewTokens("start"), 0))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () => await store.TrySaveAsync(realm, NewTokens("p" + i), start.Version))));

        var winner = Assert.Single(results, r => r is not null);
        var read = (await store.GetAsync(realm))!;
        Assert.Equal(winner!.RefreshToken, read.RefreshToken);
        Assert.Equal(winner.AccessToken, read.AccessToken);
        Assert.Equal(winner.Version, read.Version);
    }

    /// <summary>A read never mixes two sets, while saves run.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ReadsSeeWholeSets()
    {
        var store = await CreateStoreAsync();
        var realm = NewRealmId();
        await store.SaveAsync(realm, NewTokens("0"));
        using var stop = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= 50; i++)
            {
                await store.SaveAsync(realm, NewTokens(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        });
        while (!writer.IsCompleted)
        {
            var read = (await store.GetAsync(realm))!;
            Assert.Equal(read.AccessToken["access-".Length..], read.RefreshToken["refresh-".Length..]);
        }

        await writer;
    }

    /// <summary>Realms are independent, and a delete removes one realm only; a stale version cannot bring it back.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task DeleteRemovesOneRealmOnly()
    {
        var store = await CreateStoreAsync();
        var (a, b) = (NewRealmId(), NewRealmId());
        var stored = (await store.TrySaveAsync(a, NewTokens("a"), 0))!;
        await store.SaveAsync(b, NewTokens("b"));

        await store.DeleteAsync(a);
        await store.DeleteAsync(a);
        await store.DeleteAsync(NewRealmId());

        Assert.Null(await store.GetAsync(a));
        Assert.Equal("refresh-b", (await store.GetAsync(b))!.RefreshToken);
        Assert.Null(await store.TrySaveAsync(a, NewTokens("stale"), stored.Version));
        Assert.Null(await store.GetAsync(a));
    }

    /// <summary>Arguments are validated.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task ArgumentsAreValidated()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.GetAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.SaveAsync("", NewTokens("x")));
        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await store.SaveAsync(NewRealmId(), null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TrySaveAsync("", NewTokens("x"), 0));
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(async () => await store.TrySaveAsync(NewRealmId(), NewTokens("x"), -1));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.DeleteAsync(""));
    }

    /// <summary>
    /// The refresh lock (stores that offer <see cref="ITokenRefreshLock"/>; a store without it passes trivially, as the
    /// token manager then relies on the compare-and-swap alone): a second taker waits until the first releases it,
    /// and other realms are not blocked.
    /// </summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task TheRefreshLockExcludesASecondHolderUntilReleased()
    {
        if (await CreateStoreAsync() is not ITokenRefreshLock locks)
        {
            return;
        }

        var realm = NewRealmId();
        var first = await locks.AcquireRefreshLockAsync(realm, TimeSpan.FromMinutes(1));
        var second = locks.AcquireRefreshLockAsync(realm, TimeSpan.FromMinutes(1)).AsTask();
        await using (await locks.AcquireRefreshLockAsync(NewRealmId(), TimeSpan.FromMinutes(1)))
        {
            await Task.Delay(300);
            Assert.False(second.IsCompleted);
        }

        using (var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await locks.AcquireRefreshLockAsync(realm, TimeSpan.FromMinutes(1), cancelled.Token));
        }

        await first.DisposeAsync();
        await using var held = await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A holder that never releases (a crashed process) blocks the realm only until its lease ends. Stores
    /// whose lock dies with its holder's connection (an advisory lock) pass as well.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task AnAbandonedRefreshLockFreesItselfAfterItsLease()
    {
        if (await CreateStoreAsync() is not ITokenRefreshLock locks)
        {
            return;
        }

        var realm = NewRealmId();
        _ = await locks.AcquireRefreshLockAsync(realm, TimeSpan.FromMilliseconds(300)); // never released

        await using var taken = await locks.AcquireRefreshLockAsync(realm, TimeSpan.FromMinutes(1)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
