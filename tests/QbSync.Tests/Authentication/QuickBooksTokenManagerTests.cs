using QbSync.QuickBooks.Authentication;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Authentication;

public sealed class QuickBooksTokenManagerTests : IDisposable
{
    private const string Realm = OAuthTestHost.RealmId;
    private readonly OAuthTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ConnectAsync_ThenGetAccessToken_UsesExchangedTokensWithoutRefresh()
    {
        _host.GivenCodeExchangeResponds(200, Payload.Read("oauth/token-success-sample-values.json"));

        await _host.Manager.ConnectAsync(Realm, "the-code");
        var token = await _host.Manager.GetAccessTokenAsync(Realm);

        token.Should().Be("sample_access_token");
        (await _host.Store.GetAsync(Realm))!.RefreshToken.Should().Be("sample_refresh_token");
        _host.RefreshRequests.Should().BeEmpty();
        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithinSkew_RefreshesAndPersistsRotatedRefreshToken()
    {
        await _host.SeedAsync("old-access", "old-refresh", _host.Time.GetUtcNow().AddMinutes(4)); // skew is 5 min
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));

        var token = await _host.Manager.GetAccessTokenAsync(Realm);

        token.Should().Be("new-access");
        var stored = (await _host.Store.GetAsync(Realm))!;
        stored.RefreshToken.Should().Be("new-refresh");
        stored.AccessToken.Should().Be("new-access");
        stored.AccessTokenExpiresAt.Should().Be(_host.Time.GetUtcNow().AddHours(1));
        _host.RefreshRequests.Should().ContainSingle()
            .Which.Request().Body.Should().Contain("refresh_token=old-refresh");
    }

    [Fact]
    public async Task GetAccessTokenAsync_OutsideSkew_DoesNotRefresh()
    {
        await _host.SeedAsync("access", "refresh", _host.Time.GetUtcNow().AddMinutes(6));

        (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("access");
        _host.Server.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task GetAccessTokenAsync_100ConcurrentCallersWithExpiredToken_RefreshOnce()
    {
        await _host.SeedAsync("expired-access", "old-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"), TimeSpan.FromMilliseconds(200));

        var tokens = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => _host.Manager.GetAccessTokenAsync(Realm))));

        tokens.Should().AllBe("new-access");
        _host.RefreshRequests.Should().HaveCount(1);
    }

    [Fact]
    public async Task RefreshAfterRejectionAsync_100ConcurrentCallersWithSameRejectedToken_RefreshOnce()
    {
        await _host.SeedAsync("rejected-access", "old-refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"), TimeSpan.FromMilliseconds(200));

        var tokens = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(_ => Task.Run(() => _host.Manager.RefreshAfterRejectionAsync(Realm, "rejected-access"))));

        tokens.Should().AllBe("new-access");
        _host.RefreshRequests.Should().HaveCount(1);
    }

    [Fact]
    public async Task RefreshAfterRejectionAsync_StoreHoldsANewerToken_ReturnsItWithoutRefreshing()
    {
        await _host.SeedAsync("current-access", "refresh", _host.Time.GetUtcNow().AddMinutes(50));

        (await _host.Manager.RefreshAfterRejectionAsync(Realm, "older-access")).Should().Be("current-access");
        _host.Server.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task GetAccessTokenAsync_RotatedRefreshTokenIsStoredBeforeAccessTokenIsReturned()
    {
        var store = new GatedStore();
        using var host = new OAuthTestHost(store: store);
        await host.SeedAsync("expired-access", "old-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));
        store.HoldSaves = true;

        var call = host.Manager.GetAccessTokenAsync(Realm);
        var saved = await store.SaveStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        saved.RefreshToken.Should().Be("new-refresh");
        await Task.Delay(100);
        call.IsCompleted.Should().BeFalse("the new access token must not be handed out before the save completes");
        store.ReleaseSaves();
        (await call).Should().Be("new-access");
        (await store.GetAsync(Realm))!.RefreshToken.Should().Be("new-refresh");
    }

    [Fact]
    public async Task GetAccessTokenAsync_InvalidGrant_PersistsReconnectAndStopsCallingIntuit()
    {
        await _host.SeedAsync("expired-access", "dead-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(400, Payload.Read("oauth/invalid-grant-incorrect-refresh-token-2025.json"));

        var first = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm))
            .Should().ThrowAsync<QuickBooksReconnectRequiredException>()).Which;

        first.Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
        first.Error.Should().Be("invalid_grant");
        first.IntuitTid.Should().Be("1-tid-refresh");
        first.RealmId.Should().Be(Realm);
        var stored = (await _host.Store.GetAsync(Realm))!;
        stored.ReconnectRequired.Should().BeTrue();
        stored.ReconnectReason.Should().Contain("Incorrect or invalid refresh token");
        stored.RefreshToken.Should().Be("dead-refresh");
        _host.RefreshRequests.Should().HaveCount(1);

        await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        await _host.Manager.Invoking(m => m.RefreshAfterRejectionAsync(Realm, "expired-access")).Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        _host.RefreshRequests.Should().HaveCount(1, "a realm needing reconnect must not cause a retry storm");
        var state = await _host.Manager.GetConnectionStateAsync(Realm);
        state.Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
        state.Reason.Should().Contain("invalid_grant");
    }

    [Fact]
    public async Task ConnectAsync_AfterReconnectRequired_ClearsIt()
    {
        await _host.SeedAsync("expired-access", "dead-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(400, Payload.Read("oauth/invalid-grant-bare.json"));
        await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        _host.GivenCodeExchangeResponds(200, Payload.Read("oauth/token-success-placeholders.json"));

        await _host.Manager.ConnectAsync(Realm, "new-code");

        (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("access_token");
        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_Transient503_RetriesThenSurfacesWithoutMarkingReconnect()
    {
        await _host.SeedAsync("expired-access", "good-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(503, "<html>503 Service Temporarily Unavailable</html>");

        var ex = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        ex.Should().NotBeOfType<QuickBooksReconnectRequiredException>();
        ex.IsTransient.Should().BeTrue();
        ex.ReconnectRequired.Should().BeFalse();
        _host.RefreshRequests.Should().HaveCount(1 + _host.Options.TransientRetryCount);
        var stored = (await _host.Store.GetAsync(Realm))!;
        stored.ReconnectRequired.Should().BeFalse();
        stored.RefreshToken.Should().Be("good-refresh");
        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_503ThenSuccess_BacksOffOnTheTimeProvider()
    {
        using var host = new OAuthTestHost(o => o.TransientRetryDelay = TimeSpan.FromSeconds(1));
        await host.SeedAsync("expired-access", "good-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(503));
        host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .InScenario("flaky").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(OAuthTestHost.TokenJson("new-access", "new-refresh")));

        var call = host.Manager.GetAccessTokenAsync(Realm);
        // The backoff's timer is armed once the 503 is in: the clock moves only then (no real-time guess).
        await host.Time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(1));
        host.TokenRequests.Count.Should().BeLessThanOrEqualTo(1, "the retry waits for the backoff");
        call.IsCompleted.Should().BeFalse("the retry waits for the backoff");
        host.Time.Advance(TimeSpan.FromSeconds(1));

        (await call.WaitAsync(WatchedTime.HangGuard)).Should().Be("new-access");
        host.TokenRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task GetAccessTokenAsync_InvalidClient_SurfacesWithoutMarkingReconnect()
    {
        await _host.SeedAsync("expired-access", "good-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(401, Payload.Read("oauth/invalid-client.json"));

        var ex = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        ex.IsInvalidClient.Should().BeTrue();
        _host.RefreshRequests.Should().HaveCount(1, "a configuration error is not retried");
        (await _host.Store.GetAsync(Realm))!.ReconnectRequired.Should().BeFalse();
    }

    [Fact]
    public async Task GetAccessTokenAsync_NotConnected_ThrowsNotConnected()
    {
        var ex = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync("unknown-realm"))
            .Should().ThrowAsync<QuickBooksReconnectRequiredException>()).Which;

        ex.Status.Should().Be(QuickBooksConnectionStatus.NotConnected);
        ex.Message.Should().Contain("unknown-realm").And.Contain("not connected");
        (await _host.Manager.GetConnectionStateAsync("unknown-realm")).Status.Should().Be(QuickBooksConnectionStatus.NotConnected);
        _host.Server.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task DisconnectAsync_RevokesRefreshTokenAndDeletes()
    {
        await _host.SeedAsync("access", "refresh-to-revoke", _host.Time.GetUtcNow().AddMinutes(50));
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.RevokePath).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        await _host.Manager.DisconnectAsync(Realm);

        _host.Server.LogEntries.Should().ContainSingle().Which.Request().Body.Should().Contain("refresh-to-revoke");
        (await _host.Store.GetAsync(Realm)).Should().BeNull();
    }

    [Fact]
    public async Task DisconnectAsync_RevokeFails_StillDeletes()
    {
        await _host.SeedAsync("access", "refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.RevokePath).UsingPost()).RespondWith(Response.Create().WithStatusCode(500));

        await _host.Manager.DisconnectAsync(Realm);

        (await _host.Store.GetAsync(Realm)).Should().BeNull();
    }

    [Fact]
    public async Task GetConnectionStateAsync_RefreshTokenExpired_ReportsReconnectRequired()
    {
        await _host.SeedAsync("access", "refresh", _host.Time.GetUtcNow().AddMinutes(50));
        _host.Time.Advance(TimeSpan.FromDays(91));

        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
    }

    /// <summary>A store that can hold saves open (to observe ordering) or fail them.</summary>
    private sealed class GatedStore : ITokenStore
    {
        private readonly InMemoryTokenStore _inner = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool HoldSaves { get; set; }
        public bool FailSaves { get; set; }
        public TaskCompletionSource<QuickBooksTokenSet> SaveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseSaves() => _release.TrySetResult();

        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) =>
            _inner.GetAsync(realmId, cancellationToken);

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) =>
            _inner.SaveAsync(realmId, tokens, cancellationToken);

        public int FailedSaves;

        public async ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (FailSaves)
            {
                Interlocked.Increment(ref FailedSaves);
                throw new IOException("database down");
            }

            if (HoldSaves)
            {
                SaveStarted.TrySetResult(tokens);
                await _release.Task;
            }

            return await _inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);
        }

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) =>
            _inner.DeleteAsync(realmId, cancellationToken);
    }
}
