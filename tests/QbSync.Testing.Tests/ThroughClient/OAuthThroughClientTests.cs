using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>The token manager and the authentication handler end to end against the fake's OAuth server.</summary>
public sealed class OAuthThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task Connect_with_a_code_stores_tokens_the_fake_accepts()
    {
        using var h = await FakeClientHarness.StartAsync(connect: false);
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.NotConnected);

        await h.ConnectAsync(Realm);

        var tokens = await h.StoredTokensAsync();
        h.Fake.OAuth.IsRefreshTokenValid(tokens.RefreshToken).Should().BeTrue();
        tokens.AccessTokenExpiresAt.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(50));
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);
        h.Fake.OAuth.RefreshCount.Should().Be(0);
        h.Fake.Journal.Count(FakeRequestKind.Token).Should().Be(1);
    }

    [Fact]
    public async Task A_code_used_twice_is_refused_without_marking_anything()
    {
        using var h = await FakeClientHarness.StartAsync(connect: false);
        var code = h.Fake.OAuth.CreateAuthorizationCode(Realm);
        await h.TokenManager.ConnectAsync(Realm, code);
        var again = () => h.TokenManager.ConnectAsync(Realm, code);
        (await again.Should().ThrowAsync<QuickBooksOAuthException>()).Which.Error.Should().Be("invalid_grant");
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0, "the first connection is still stored");
    }

    [Fact]
    public async Task A_realm_never_connected_fails_without_any_request()
    {
        using var h = await FakeClientHarness.StartAsync();
        var act = () => h.Client.Customers.CountAsync("1234567890");
        (await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>()).Which.Status.Should().Be(QuickBooksConnectionStatus.NotConnected);
        h.Fake.Journal.Requests.Should().OnlyContain(r => r.Kind == FakeRequestKind.Token);
    }

    [Fact]
    public async Task Without_a_valid_token_the_fake_answers_401_and_the_client_surfaces_it_after_one_refresh()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.OAuth.RevokeAll();
        var act = () => h.Client.Customers.CountAsync(Realm);
        await act.Should().ThrowAsync<Exception>();
        h.Fake.Journal.Count(FakeRequestKind.Token).Should().Be(2, "the connect, then one refresh attempt (refused: the grant is revoked)");
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_once_and_the_call_succeeds_with_the_rotated_token_stored()
    {
        using var h = await FakeClientHarness.StartAsync();
        var before = await h.StoredTokensAsync();
        var customer = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Before Expiry" });

        h.Fake.OAuth.ExpireAccessTokens();
        var created = await h.Client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "After Expiry" }, requestId: "after-expiry");

        created.DisplayName.Should().Be("After Expiry");
        h.Fake.OAuth.RefreshCount.Should().Be(1);
        var after = await h.StoredTokensAsync();
        after.RefreshToken.Should().NotBe(before.RefreshToken, "the fake rotates the refresh token and the manager keeps the new one");
        after.AccessToken.Should().NotBe(before.AccessToken);
        h.Fake.OAuth.IsRefreshTokenValid(after.RefreshToken).Should().BeTrue();

        var attempts = h.RequestsTo("/customer").Where(r => r.RequestId == "after-expiry").ToList();
        attempts.Select(a => a.StatusCode).Should().Equal(401, 200);
        h.CustomersNamed("After Expiry").Should().Be(1);
        _ = customer;

        (await h.Client.Customers.CountAsync(Realm)).Should().Be(2);
        h.Fake.OAuth.RefreshCount.Should().Be(1, "the new access token is used from now on");
    }

    [Fact]
    public async Task Fifty_concurrent_calls_after_expiry_cause_exactly_one_refresh()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Company.AddCustomer("Counted");
        h.Fake.OAuth.ExpireAccessTokens();

        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => h.Client.Customers.CountAsync(Realm)));

        counts.Should().OnlyContain(c => c == 1);
        h.Fake.OAuth.RefreshCount.Should().Be(1);
        h.Fake.Journal.Count(FakeRequestKind.Token).Should().Be(2, "the connect and one refresh");
    }

    [Fact]
    public async Task An_access_token_near_its_expiry_is_refreshed_before_the_call()
    {
        using var h = await FakeClientHarness.StartAsync(configureOAuth: o => o.AccessTokenRefreshSkew = TimeSpan.FromMinutes(29));
        var stored = await h.StoredTokensAsync();
        await h.Tokens.SaveAsync(Realm, new QuickBooksTokenSet
        {
            AccessToken = stored.AccessToken,
            AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
            RefreshToken = stored.RefreshToken,
            RefreshTokenExpiresAt = stored.RefreshTokenExpiresAt,
        });

        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);

        h.Fake.OAuth.RefreshCount.Should().Be(1);
        h.RequestsTo("/query").Should().ContainSingle().Which.StatusCode.Should().Be(200, "the refresh happened before the call, not after a 401");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Invalid_grant_requires_a_reconnect_and_stops_calling_intuit(bool always)
    {
        using var h = await FakeClientHarness.StartAsync();
        if (always)
        {
            h.Fake.OAuth.AlwaysInvalidGrant = true;
        }
        else
        {
            h.Fake.OAuth.FailNextRefreshes();
        }

        h.Fake.OAuth.ExpireAccessTokens();

        var act = () => h.Client.Customers.CountAsync(Realm);
        var thrown = await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        thrown.Which.Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
        thrown.Which.RealmId.Should().Be(Realm);
        var state = await h.TokenManager.GetConnectionStateAsync(Realm);
        state.Status.Should().Be(QuickBooksConnectionStatus.ReconnectRequired);
        state.Reason.Should().Contain("invalid_grant");

        var requestsBefore = h.Fake.Journal.TotalCount;
        var tokenRequestsBefore = h.Fake.Journal.Count(FakeRequestKind.Token);
        await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>();
        h.Fake.Journal.Count(FakeRequestKind.Token).Should().Be(tokenRequestsBefore);
        h.Fake.Journal.TotalCount.Should().Be(requestsBefore, "nothing at all is sent for a realm that must reconnect");

        h.Fake.OAuth.AlwaysInvalidGrant = false;
        await h.ConnectAsync(Realm);
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);
    }

    [Fact]
    public async Task Fifty_concurrent_calls_hitting_invalid_grant_ask_intuit_once()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.OAuth.AlwaysInvalidGrant = true;
        h.Fake.OAuth.ExpireAccessTokens();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try
            {
                await h.Client.Customers.CountAsync(Realm);
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }));

        results.Should().OnlyContain(ex => ex is QuickBooksReconnectRequiredException);
        h.Fake.Journal.Count(FakeRequestKind.Token).Should().Be(2, "the connect and one refused refresh");
    }

    [Fact]
    public async Task A_transient_token_endpoint_failure_is_retried_and_does_not_mark_a_reconnect()
    {
        using var h = await FakeClientHarness.StartAsync();
        h.Fake.OAuth.ExpireAccessTokens();
        h.Fake.Faults.IncludeOAuthEndpoints = true;
        // The first step answers the API call (which gets its 401), the second the refresh.
        h.Fake.Faults.Enqueue(null, InjectedFault.ServiceUnavailable);

        (await h.Client.Customers.CountAsync(Realm)).Should().Be(0);

        h.Fake.OAuth.RefreshCount.Should().Be(1);
        h.Fake.Journal.Requests.Where(r => r.Path == QuickBooksOnlineFake.TokenPath).Select(r => r.StatusCode).Should().Equal(200, 503, 200);
        (await h.TokenManager.GetConnectionStateAsync(Realm)).Status.Should().Be(QuickBooksConnectionStatus.Connected);
    }

    [Fact]
    public async Task The_old_refresh_token_keeps_working_within_the_grace_window()
    {
        using var h = await FakeClientHarness.StartAsync();
        var before = await h.StoredTokensAsync();
        h.Fake.OAuth.ExpireAccessTokens();
        await h.Client.Customers.CountAsync(Realm);
        var after = await h.StoredTokensAsync();
        after.RefreshToken.Should().NotBe(before.RefreshToken);
        h.Fake.OAuth.IsRefreshTokenValid(before.RefreshToken).Should().BeTrue("the previous token stays valid for the grace window");
    }

    [Fact]
    public async Task Disconnect_revokes_at_the_fake_and_later_calls_need_a_connect()
    {
        using var h = await FakeClientHarness.StartAsync();
        var tokens = await h.StoredTokensAsync();

        await h.TokenManager.DisconnectAsync(Realm);

        h.Fake.Journal.Count(FakeRequestKind.Revoke).Should().Be(1);
        h.Fake.OAuth.IsRefreshTokenValid(tokens.RefreshToken).Should().BeFalse();
        var act = () => h.Client.Customers.CountAsync(Realm);
        (await act.Should().ThrowAsync<QuickBooksReconnectRequiredException>()).Which.Status.Should().Be(QuickBooksConnectionStatus.NotConnected);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_not_a_reconnect()
    {
        using var h = await FakeClientHarness.StartAsync(connect: false, configureOAuth: o => o.ClientSecret = "wrong-secret");
        var act = () => h.ConnectAsync(Realm);
        var thrown = await act.Should().ThrowAsync<QuickBooksOAuthException>();
        thrown.Which.Should().NotBeOfType<QuickBooksReconnectRequiredException>();
        thrown.Which.Error.Should().Be("invalid_client");
        thrown.Which.Message.Should().NotContain("wrong-secret");
    }
}
