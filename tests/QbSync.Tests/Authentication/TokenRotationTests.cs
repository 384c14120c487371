using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks.Authentication;
using QbSync.Sync.Steps;
using QbSync.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace QbSync.Tests.Authentication;

/// <summary>Issue 8, items 1 to 4: a rotated refresh token is never lost.</summary>
public sealed class TokenRotationTests : IDisposable
{
    private const string Realm = OAuthTestHost.RealmId;
    private readonly OAuthTestHost _host = new();

    public void Dispose() => _host.Dispose();

    // ------------------------------------------------------------------ 1. across processes

    [Fact]
    public async Task Two_processes_refreshing_the_same_version_end_with_the_stored_winners_token()
    {
        var shared = new LocklessStore(new InMemoryTokenStore());
        using var first = new OAuthTestHost(store: shared);
        using var secondClient = new HttpClient();
        var second = new QuickBooksTokenManager(
            new QuickBooksOAuthClient(secondClient, first.Options, first.Time), shared, Options.Create(first.Options), first.Time);
        await first.SeedAsync("expired-access", "old-refresh", first.Time.GetUtcNow().AddMinutes(-1));
        var issued = 0;
        var arrived = 0;
        using var bothArrived = new ManualResetEventSlim();
        // Neither refresh is answered before both are on the wire, so both processes refresh from the same version
        // whatever the scheduling (no delay is assumed long enough).
        first.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                if (Interlocked.Increment(ref arrived) >= 2)
                {
                    bothArrived.Set();
                }

                bothArrived.Wait(WatchedTime.HangGuard);
                var n = Interlocked.Increment(ref issued);
                return new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    BodyData = new WireMock.Util.BodyData
                    {
                        BodyAsString = OAuthTestHost.TokenJson("access-" + n, "refresh-" + n),
                        DetectedBodyType = WireMock.Types.BodyType.String,
                    },
                };
            }));

        var tokens = await Task.WhenAll(first.Manager.GetAccessTokenAsync(Realm), second.GetAccessTokenAsync(Realm)).WaitAsync(WatchedTime.HangGuard);

        first.RefreshRequests.Should().HaveCount(2, "both processes refreshed from the same stored version");
        var stored = (await shared.GetAsync(Realm))!;
        tokens.Should().AllBe(stored.AccessToken, "the process that lost the save adopts the winner's set");
        stored.Version.Should().Be(2);
    }

    [Fact]
    public async Task Invalid_grant_after_another_process_rotated_uses_the_stored_token_instead_of_reconnect()
    {
        await _host.SeedAsync("expired-access", "superseded-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        var otherProcessSet = new QuickBooksTokenSet
        {
            AccessToken = "other-process-access",
            AccessTokenExpiresAt = _host.Time.GetUtcNow().AddHours(1),
            RefreshToken = "other-process-refresh",
            RefreshTokenExpiresAt = _host.Time.GetUtcNow().AddDays(100),
        };
        // While this process's refresh is on the wire, another process rotates the token and stores its set; Intuit
        // then refuses the superseded refresh token. Done inside the endpoint's handler, so no timing is assumed.
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                _host.Store.SaveAsync(Realm, otherProcessSet).AsTask().GetAwaiter().GetResult();
                return new WireMock.ResponseMessage
                {
                    StatusCode = 400,
                    BodyData = new WireMock.Util.BodyData
                    {
                        BodyAsString = Payload.Read("oauth/invalid-grant-bare.json"),
                        DetectedBodyType = WireMock.Types.BodyType.String,
                    },
                };
            }));

        var call = _host.Manager.GetAccessTokenAsync(Realm);

        (await call).Should().Be("other-process-access");
        var stored = (await _host.Store.GetAsync(Realm))!;
        stored.ReconnectRequired.Should().BeFalse();
        stored.RefreshToken.Should().Be("other-process-refresh");
        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task Invalid_grant_with_the_stored_token_still_marks_reconnect_required()
    {
        await _host.SeedAsync("expired-access", "dead-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(400, Payload.Read("oauth/invalid-grant-bare.json"));

        await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksReconnectRequiredException>();

        (await _host.Store.GetAsync(Realm))!.ReconnectRequired.Should().BeTrue();
    }

    [Fact]
    public async Task The_store_refresh_lock_is_held_around_a_refresh()
    {
        var store = new LockCountingStore();
        using var host = new OAuthTestHost(store: store);
        await host.SeedAsync("expired-access", "old-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));

        (await host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access");

        store.Acquired.Should().Be(1);
        store.Released.Should().Be(1);
        store.RefreshTokenSeenUnderLock.Should().Be("new-refresh", "the new set was saved before the lock was released");
    }

    // ------------------------------------------------------------------ 2. a failing save or a cancelled caller

    [Fact]
    public async Task A_caller_cancelled_during_the_save_does_not_lose_the_rotated_token()
    {
        var store = new HoldingStore();
        using var host = new OAuthTestHost(store: store);
        await host.SeedAsync("expired-access", "old-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access", "new-refresh"));
        using var cancel = new CancellationTokenSource();
        store.Hold = true;

        var call = host.Manager.GetAccessTokenAsync(Realm, cancel.Token);
        await store.SaveStarted.Task.WaitAsync(WatchedTime.HangGuard);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>();
        store.Release();

        await store.Saved.Task.WaitAsync(WatchedTime.HangGuard);
        (await store.Inner.GetAsync(Realm))!.RefreshToken.Should().Be("new-refresh");
        (await host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access");
        host.RefreshRequests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_failing_store_keeps_the_set_in_memory_logs_critical_and_stores_it_later_without_logging_a_token()
    {
        var store = new HoldingStore { Fail = true };
        using var host = new OAuthTestHost(store: store);
        await host.SeedAsync("expired-access", "old-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("new-access-secret", "new-refresh-secret"));

        var token = await host.Time.DriveAsync(host.Manager.GetAccessTokenAsync(Realm), SaveRetryDelay);

        token.Should().Be("new-access-secret", "Intuit already rotated: the new set is the only valid one, so it is used");
        store.FailedSaves.Should().BeGreaterThan(1, "the save is retried");
        host.Logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Critical && r.Id.Id == 2503);
        host.AllLogText().Should().NotContain("new-refresh-secret").And.NotContain("new-access-secret").And.NotContain("old-refresh");
        (await host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access-secret", "served from memory while the store is down");
        host.RefreshRequests.Should().HaveCount(1, "no second refresh with the superseded token");

        store.Fail = false;
        host.Time.Advance(TimeSpan.FromSeconds(6));
        (await host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access-secret");
        (await store.Inner.GetAsync(Realm))!.RefreshToken.Should().Be("new-refresh-secret", "stored at the next use");
    }

    [Fact]
    public async Task A_set_refreshed_again_while_the_store_is_down_is_stored_over_the_version_it_replaces()
    {
        var store = new HoldingStore { Fail = true };
        using var host = new OAuthTestHost(store: store);
        await host.SeedAsync("expired-access", "refresh-0", host.Time.GetUtcNow().AddMinutes(-1));
        GivenRotations(host, TimeSpan.FromMilliseconds(1), ("access-1", "refresh-1"), ("access-2", "refresh-2"));

        (await host.Time.DriveAsync(host.Manager.GetAccessTokenAsync(Realm), SaveRetryDelay)).Should().Be("access-1");
        host.Time.Advance(TimeSpan.FromHours(1));
        (await host.Time.DriveAsync(host.Manager.GetAccessTokenAsync(Realm), SaveRetryDelay)).Should().Be("access-2");
        host.RefreshRequests[1].Request().Body.Should().Contain("refresh_token=refresh-1", "the second refresh uses the unsaved set");

        store.Fail = false;
        host.Time.Advance(TimeSpan.FromSeconds(6));
        (await host.Manager.GetAccessTokenAsync(Realm)).Should().Be("access-2");
        (await store.Inner.GetAsync(Realm))!.RefreshToken.Should().Be("refresh-2");
    }

    // ------------------------------------------------------------------ 3. refresh timing

    [Fact]
    public async Task A_token_shorter_than_the_skew_is_refreshed_at_half_its_lifetime_not_before_every_request()
    {
        await _host.SeedAsync("expired-access", "refresh-0", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(200, OAuthTestHost.TokenJson("short-access", "refresh-1", expiresIn: 20));

        (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("short-access");
        for (var second = 0; second < 9; second++)
        {
            _host.Time.Advance(TimeSpan.FromSeconds(1));
            (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("short-access");
        }

        _host.RefreshRequests.Should().HaveCount(1, "a 20-second token is good for 10 seconds with a 5-minute skew");
        _host.Time.Advance(TimeSpan.FromSeconds(2));
        await _host.Manager.GetAccessTokenAsync(Realm);
        _host.RefreshRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_request_retried_after_its_token_expired_goes_out_with_a_fresh_token_without_a_401()
    {
        var time = new WatchedTime(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        using var harness = new ClientHarness(
            o => { o.MaxRetryAttempts = 2; o.RetryBaseDelay = TimeSpan.FromSeconds(10); },
            time,
            configureServices: s => s.Configure<QuickBooksOAuthOptions>(o => o.AccessTokenRefreshSkew = TimeSpan.Zero));
        await harness.Tokens.SaveAsync(ClientHarness.Realm, new QuickBooksTokenSet
        {
            AccessToken = "about-to-expire",
            AccessTokenIssuedAt = time.GetUtcNow().AddMinutes(-59),
            AccessTokenExpiresAt = time.GetUtcNow().AddSeconds(1),
            RefreshToken = "refresh",
            RefreshTokenExpiresAt = time.GetUtcNow().AddDays(90),
        });
        harness.Server.Given(Request.Create().WithPath("/oauth2/v1/tokens/bearer").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(OAuthTestHost.TokenJson("fresh-access", "fresh-refresh")));
        var path = harness.CompanyPath("customer/5");
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WillSetStateTo("1")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("<html>busy</html>"));
        harness.Server.Given(Request.Create().WithPath(path).UsingGet()).InScenario("s").WhenStateIs("1")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        var call = harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");
        // The first timer under the attempt timeout is the retry's backoff (jittered around 10 s): once it is armed,
        // move the clock past it and past the token's expiry, and nothing else.
        var backoff = await time.WaitForTimerAsync(d => d > TimeSpan.Zero && d < TimeSpan.FromSeconds(100));
        time.Advance(backoff > TimeSpan.FromSeconds(2) ? backoff : TimeSpan.FromSeconds(2));
        var customer = await call.WaitAsync(WatchedTime.HangGuard);

        customer.Id.Should().Be("5");
        var data = harness.Server.LogEntries.Where(e => e.RequestMessage!.Path == path).ToList();
        data.Select(e => e.RequestMessage!.Headers!["Authorization"][0]).Should().Equal("Bearer about-to-expire", "Bearer fresh-access");
        data.Select(e => e.ResponseMessage!.StatusCode).Should().NotContain(401);
    }

    [Fact]
    public async Task A_request_that_waited_in_the_throttle_queue_past_its_tokens_expiry_goes_out_with_a_fresh_token_without_a_401()
    {
        var time = new WatchedTime(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var throttle = new GateThrottle();
        using var harness = new ClientHarness(
            time: time,
            configureServices: s =>
            {
                s.Configure<QuickBooksOAuthOptions>(o => o.AccessTokenRefreshSkew = TimeSpan.Zero);
                s.AddSingleton<QbSync.QuickBooks.Http.IRealmRequestThrottle>(throttle);
            });
        await harness.Tokens.SaveAsync(ClientHarness.Realm, new QuickBooksTokenSet
        {
            AccessToken = "valid-when-queued",
            AccessTokenIssuedAt = time.GetUtcNow().AddMinutes(-59),
            AccessTokenExpiresAt = time.GetUtcNow().AddSeconds(10),
            RefreshToken = "refresh",
            RefreshTokenExpiresAt = time.GetUtcNow().AddDays(90),
        });
        harness.Server.Given(Request.Create().WithPath("/oauth2/v1/tokens/bearer").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(OAuthTestHost.TokenJson("fresh-access", "fresh-refresh")));
        var path = harness.CompanyPath("customer/5");
        harness.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Payload.Read("customer/read-response.json")));

        var call = harness.Client.Customers.GetAsync(ClientHarness.Realm, "5");
        await throttle.Waiting.Task.WaitAsync(WatchedTime.HangGuard);
        time.Advance(TimeSpan.FromSeconds(30)); // the token expires while the request waits for a slot
        throttle.Open();
        var customer = await call.WaitAsync(WatchedTime.HangGuard);

        customer.Id.Should().Be("5");
        var data = harness.Server.LogEntries.Where(e => e.RequestMessage!.Path == path).ToList();
        data.Select(e => e.RequestMessage!.Headers!["Authorization"][0]).Should().Equal("Bearer fresh-access");
        data.Select(e => e.ResponseMessage!.StatusCode).Should().NotContain(401);
    }

    // ------------------------------------------------------------------ 4. token endpoint glitches

    public static TheoryData<int, string> Glitches() => new()
    {
        { 200, "<html><body>Intuit is down for maintenance</body></html>" },
        { 200, "" },
        { 200, "{\"access_token\":\"abc\",\"refresh_tok" },
        { 200, "{\"access_token\":5,\"refresh_token\":\"r\",\"expires_in\":3600}" },
        { 200, "{\"token_type\":\"bearer\"}" },
        { 500, "{\"error\":\"server_error\"}" },
        { 502, "<html>Bad gateway</html>" },
        { 400, "<html>Bad request</html>" },
    };

    [Theory]
    [MemberData(nameof(Glitches))]
    public async Task A_token_endpoint_glitch_is_retried_and_never_means_reconnect(int status, string body)
    {
        await _host.SeedAsync("expired-access", "good-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost()).InScenario("g").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(status).WithBody(body));
        _host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost()).InScenario("g").WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(OAuthTestHost.TokenJson("new-access", "new-refresh")));

        if (status == 400)
        {
            // Not transient by status, but not invalid_grant either: surfaced, never a reconnect.
            var error = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksOAuthException>()).Which;
            error.ReconnectRequired.Should().BeFalse();
            StepOutcome.FromException(error, _host.Time, CancellationToken.None).Should().BeOfType<StepOutcome.Transient>("the account retries, it is not Failed/ReconnectRequired");
            (await _host.Store.GetAsync(Realm))!.ReconnectRequired.Should().BeFalse();
            return;
        }

        (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access");
        _host.RefreshRequests.Should().HaveCount(2);
        (await _host.Store.GetAsync(Realm))!.ReconnectRequired.Should().BeFalse();
    }

    [Fact]
    public async Task A_garbled_200_after_the_retries_is_a_transient_outcome_for_the_account()
    {
        await _host.SeedAsync("expired-access", "good-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(200, "<html>maintenance</html>");

        var error = (await _host.Manager.Invoking(m => m.GetAccessTokenAsync(Realm)).Should().ThrowAsync<QuickBooksOAuthException>()).Which;

        error.IsTransient.Should().BeTrue();
        _host.RefreshRequests.Should().HaveCount(1 + _host.Options.TransientRetryCount);
        StepOutcome.FromException(error, _host.Time, CancellationToken.None).Should().BeOfType<StepOutcome.Transient>();
        (await _host.Manager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Theory]
    [InlineData("20.0", 20)]
    [InlineData("20", 20)]
    [InlineData("\"20\"", 20)]
    [InlineData("1e300", 86_400)]
    [InlineData("-5", 0)]
    [InlineData("99999999999999999999999999", 86_400)]
    public async Task Expires_in_is_read_as_any_json_number_and_bounded(string expiresIn, int expectedSeconds)
    {
        await _host.SeedAsync("expired-access", "good-refresh", _host.Time.GetUtcNow().AddMinutes(-1));
        _host.GivenRefreshResponds(200, "{\"token_type\":\"bearer\",\"expires_in\":" + expiresIn
            + ",\"refresh_token\":\"new-refresh\",\"x_refresh_token_expires_in\":1e308,\"x_refresh_token_hard_expires_in\":1e308,\"access_token\":\"new-access\"}");

        (await _host.Manager.GetAccessTokenAsync(Realm)).Should().Be("new-access");

        var stored = (await _host.Store.GetAsync(Realm))!;
        stored.AccessTokenExpiresAt.Should().Be(_host.Time.GetUtcNow().AddSeconds(expectedSeconds));
        stored.RefreshTokenExpiresAt.Should().BeAfter(_host.Time.GetUtcNow().AddYears(5));
    }

    [Fact]
    public async Task A_token_endpoint_that_hangs_times_out_and_is_retried()
    {
        using var host = new OAuthTestHost(o => o.TokenRequestTimeout = TimeSpan.FromSeconds(5));
        await host.SeedAsync("expired-access", "good-refresh", host.Time.GetUtcNow().AddMinutes(-1));
        using var hung = new ManualResetEventSlim();
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost()).InScenario("h").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                // The first request hangs until the test is over; only the manager's timeout gets it out.
                firstArrived.TrySetResult();
                hung.Wait(WatchedTime.HangGuard);
                return new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    BodyData = new WireMock.Util.BodyData
                    {
                        BodyAsString = OAuthTestHost.TokenJson("late-access", "late-refresh"),
                        DetectedBodyType = WireMock.Types.BodyType.String,
                    },
                };
            }));
        host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost()).InScenario("h").WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(OAuthTestHost.TokenJson("new-access", "new-refresh")));

        var call = host.Manager.GetAccessTokenAsync(Realm);
        await firstArrived.Task.WaitAsync(WatchedTime.HangGuard);
        // The attempt timeout runs on the manager's clock: once it is armed, 5 seconds of fake time end the attempt.
        host.Time.Advance(await host.Time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(5)));
        string token;
        try
        {
            token = await call.WaitAsync(WatchedTime.HangGuard);
        }
        finally
        {
            hung.Set();
        }

        token.Should().Be("new-access");
        (await host.Store.GetAsync(Realm))!.RefreshToken.Should().Be("new-refresh");
    }

    /// <summary>The backoff between two failed saves of a rotated set (50 ms doubling up to 5 s); not the 30-second
    /// attempt and save timeouts, which pass only through those backoffs.</summary>
    private static bool SaveRetryDelay(TimeSpan due) => due > TimeSpan.Zero && due <= TimeSpan.FromSeconds(5);

    private static void GivenRotations(OAuthTestHost host, TimeSpan delay, params (string Access, string Refresh)[] rotations)
    {
        for (var i = 0; i < rotations.Length; i++)
        {
            var step = host.Server.Given(Request.Create().WithPath(OAuthTestHost.TokenPath).UsingPost()).InScenario("rotations");
            step = i == 0 ? step.WillSetStateTo("1") : step.WhenStateIs(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).WillSetStateTo((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            step.RespondWith(Response.Create().WithStatusCode(200).WithDelay(delay).WithBody(OAuthTestHost.TokenJson(rotations[i].Access, rotations[i].Refresh)));
        }
    }

    /// <summary>A throttle that queues every request until the test opens it.</summary>
    private sealed class GateThrottle : QbSync.QuickBooks.Http.IRealmRequestThrottle
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async ValueTask<IAsyncDisposable> AcquireAsync(string realmId, QbSync.QuickBooks.Http.QuickBooksRequestKind kind, CancellationToken cancellationToken = default)
        {
            Waiting.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            return new Permit();
        }

        private sealed class Permit : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>A shared store without a refresh lock, as a custom store would be (compare-and-swap only).</summary>
    private sealed class LocklessStore(ITokenStore inner) : ITokenStore
    {
        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => inner.GetAsync(realmId, cancellationToken);

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => inner.SaveAsync(realmId, tokens, cancellationToken);

        public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default) =>
            inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => inner.DeleteAsync(realmId, cancellationToken);
    }

    private sealed class LockCountingStore : ITokenStore, ITokenRefreshLock
    {
        private readonly InMemoryTokenStore _inner = new();

        public int Acquired;
        public int Released;
        public string? RefreshTokenSeenUnderLock;

        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => _inner.GetAsync(realmId, cancellationToken);

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => _inner.SaveAsync(realmId, tokens, cancellationToken);

        public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default) =>
            _inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(realmId, cancellationToken);

        public async ValueTask<IAsyncDisposable> AcquireRefreshLockAsync(string realmId, TimeSpan lease, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Acquired);
            var held = await _inner.AcquireRefreshLockAsync(realmId, lease, cancellationToken);
            return new Release(this, realmId, held);
        }

        private sealed class Release(LockCountingStore owner, string realmId, IAsyncDisposable held) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                owner.RefreshTokenSeenUnderLock = (await owner._inner.GetAsync(realmId))?.RefreshToken;
                Interlocked.Increment(ref owner.Released);
                await held.DisposeAsync();
            }
        }
    }

    /// <summary>A store whose compare-and-swap saves can be held open (honouring the token) or made to fail.</summary>
    private sealed class HoldingStore : ITokenStore
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public InMemoryTokenStore Inner { get; } = new();

        public bool Hold { get; set; }

        public bool Fail { get; set; }

        public int FailedSaves;

        public TaskCompletionSource SaveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Saved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => Inner.GetAsync(realmId, cancellationToken);

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default) => Inner.SaveAsync(realmId, tokens, cancellationToken);

        public async ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                Interlocked.Increment(ref FailedSaves);
                throw new IOException("database is locked");
            }

            if (Hold)
            {
                SaveStarted.TrySetResult();
                await _release.Task;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var saved = await Inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);
            Saved.TrySetResult();
            return saved;
        }

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => Inner.DeleteAsync(realmId, cancellationToken);
    }
}
