using System.Diagnostics;
using System.Net;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>
/// The fake's 429 with a <c>Retry-After</c> header, and its lowercase-fault and 401 injection, through the real client
/// (until now only proven against WireMock stubs).
/// </summary>
public sealed class RetryAfterAndFaultsThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task A_429_with_Retry_After_makes_the_client_wait_at_least_that_long_before_the_retry_that_succeeds()
    {
        var retryAfter = TimeSpan.FromSeconds(1);
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true, RequestsPerMinutePerRealm = 1, RetryAfter = retryAfter },
            client =>
            {
                client.EnableThrottling = false;
                client.MaxRetryAttempts = 3;
                client.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                client.ThrottledRetryDelay = TimeSpan.FromMilliseconds(1);
            });
        h.Company.AddCustomer("Waited For");
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(1, "the one request the minute allows");

        var stopwatch = Stopwatch.StartNew();
        var call = h.Client.Customers.CountAsync(Realm);
        // Lift the per-minute limit as soon as the fake has refused once: only the client's wait stands between the
        // 429 and the retry.
        while (h.Fake.Throttle.ThrottledCount == 0 && !call.IsCompleted)
        {
            await Task.Delay(5);
        }

        h.Fake.Throttle.Enabled = false;
        var count = await call;
        stopwatch.Stop();

        count.Should().Be(1);
        // Timers may fire a little early against the stopwatch: allow 50 ms, far above the 1 ms throttled delay.
        stopwatch.Elapsed.Should().BeGreaterThanOrEqualTo(retryAfter - TimeSpan.FromMilliseconds(50), "the client honours Retry-After rather than its 1 ms throttled delay");
        h.Fake.Throttle.ThrottledCount.Should().Be(1, "the retry came after the limit was lifted, not 1 ms after the 429");
        h.RequestsTo("/query").Select(r => r.StatusCode).Should().Equal(200, 429, 200);
    }

    [Fact]
    public async Task With_retries_off_the_429_surfaces_a_throttled_exception_carrying_the_Retry_After()
    {
        var retryAfter = TimeSpan.FromSeconds(7);
        using var h = await FakeClientHarness.StartAsync(
            fake => fake.Throttling = new FakeThrottleOptions { Enabled = true, RequestsPerMinutePerRealm = 1, RetryAfter = retryAfter },
            client =>
            {
                client.EnableThrottling = false;
                client.MaxRetryAttempts = 0;
            });
        await h.Client.Customers.CountAsync(Realm);

        var act = () => h.Client.Customers.CountAsync(Realm);

        var thrown = await act.Should().ThrowAsync<QuickBooksThrottledException>();
        thrown.Which.RetryAfter.Should().Be(retryAfter);
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        thrown.Which.ErrorCode.Should().Be("3001");
        thrown.Which.IsTransient.Should().BeTrue();
        h.Fake.Throttle.ThrottledCount.Should().Be(1, "no retry");
        h.RequestsTo("/query").Select(r => r.StatusCode).Should().Equal(200, 429);
    }

    [Fact]
    public async Task An_injected_429_without_Retry_After_surfaces_the_documented_default()
    {
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 0);
        h.Fake.Faults.Enqueue(InjectedFault.TooManyRequests);

        var act = () => h.Client.Customers.CountAsync(Realm);

        var thrown = await act.Should().ThrowAsync<QuickBooksThrottledException>();
        thrown.Which.RetryAfter.Should().Be(QuickBooksThrottledException.DefaultRetryAfter);
    }

    [Fact]
    public async Task The_lowercase_500_fault_is_a_transient_server_error_not_an_authorization_failure()
    {
        // Its code is 3100, which below HTTP 500 means ApplicationAuthorizationFailed: the status must win.
        using var h = await FakeClientHarness.StartAsync(configureClient: o => o.MaxRetryAttempts = 1);
        h.Fake.Faults.Enqueue(InjectedFault.InternalServerError, InjectedFault.InternalServerError);

        var act = () => h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Server Down" }, requestId: "ise-1");

        var thrown = await act.Should().ThrowAsync<QuickBooksException>();
        thrown.Which.Should().BeOfType<QuickBooksException>();
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        thrown.Which.ErrorCode.Should().Be("3100");
        thrown.Which.IsTransient.Should().BeTrue();
        thrown.Which.RequestId.Should().Be("ise-1");
        h.RequestsTo("/customer").Select(r => r.InjectedFault).Should().Equal(InjectedFault.InternalServerError, InjectedFault.InternalServerError);
        h.Company.Customers.Should().BeEmpty();
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
        h.Fake.OAuth.RefreshCount.Should().Be(0);
    }

    [Fact]
    public async Task An_injected_401_refreshes_once_and_resends_with_the_new_token()
    {
        using var h = await FakeClientHarness.StartAsync();
        var before = await h.StoredTokensAsync();
        h.Fake.Faults.Enqueue(InjectedFault.Unauthorized);

        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "After 401" }, requestId: "u-1");

        created.DisplayName.Should().Be("After 401");
        h.Fake.OAuth.RefreshCount.Should().Be(1);
        var attempts = h.RequestsTo("/customer");
        attempts.Select(a => (a.StatusCode, a.InjectedFault, a.RequestId)).Should().Equal(
            (401, InjectedFault.Unauthorized, "u-1"), (200, (InjectedFault?)null, "u-1"));
        var after = await h.StoredTokensAsync();
        after.AccessToken.Should().NotBe(before.AccessToken);
        attempts[0].Headers["Authorization"].Should().Be("Bearer " + before.AccessToken);
        attempts[1].Headers["Authorization"].Should().Be("Bearer " + after.AccessToken);
        h.CustomersNamed("After 401").Should().Be(1);
    }

    [Fact]
    public async Task A_401_that_persists_after_the_refresh_surfaces_an_authentication_exception_after_exactly_one_refresh()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.Faults.Enqueue(InjectedFault.Unauthorized, InjectedFault.Unauthorized);

        var act = () => h.Client.Customers.CountAsync(Realm);

        var thrown = await act.Should().ThrowAsync<QuickBooksAuthenticationException>();
        thrown.Which.Should().NotBeAssignableTo<QuickBooksReconnectRequiredException>();
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        thrown.Which.ErrorCode.Should().Be("3200");
        thrown.Which.ReconnectRequired.Should().BeFalse();
        thrown.Which.IsTransient.Should().BeFalse();
        h.Fake.OAuth.RefreshCount.Should().Be(1, "one refresh per call, never a second one for the resent request");
        h.RequestsTo("/query").Select(r => r.StatusCode).Should().Equal(401, 401);
        h.Fake.Faults.PendingScriptSteps.Should().Be(0);

        // The refreshed token is good: the next call goes through without another refresh.
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);
        h.Fake.OAuth.RefreshCount.Should().Be(1);
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task A_401_then_a_transient_fault_on_the_resend_is_retried_without_a_second_refresh()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.Faults.Enqueue(InjectedFault.Unauthorized, InjectedFault.InternalServerError, InjectedFault.ServiceUnavailable);

        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Bumpy" }, requestId: "b-1");

        created.DisplayName.Should().Be("Bumpy");
        h.Fake.OAuth.RefreshCount.Should().Be(1);
        h.RequestsTo("/customer").Select(r => (r.StatusCode, r.RequestId)).Should().Equal((401, "b-1"), (500, "b-1"), (503, "b-1"), (200, "b-1"));
        h.CustomersNamed("Bumpy").Should().Be(1);
    }

    [Fact]
    public async Task An_injected_401_when_the_refresh_meets_invalid_grant_requires_a_reconnect()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.OAuth.FailNextRefreshes();
        h.Fake.Faults.Enqueue(InjectedFault.Unauthorized);

        var act = () => h.Client.Customers.CountAsync(Realm);

        var thrown = await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        thrown.Which.RealmId.Should().Be(Realm);
        h.RequestsTo("/query").Should().ContainSingle().Which.StatusCode.Should().Be(401);
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
    }
}
