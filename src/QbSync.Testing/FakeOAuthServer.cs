using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace QbSync.Testing;

/// <summary>Tokens issued by the fake OAuth server.</summary>
/// <param name="AccessToken">The bearer token for API calls.</param>
/// <param name="RefreshToken">The refresh token.</param>
/// <param name="AccessTokenExpiresAt">When the access token expires.</param>
/// <param name="RefreshTokenExpiresAt">When the refresh token expires (rolling).</param>
public sealed record FakeTokenSet(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>The state of an access token, as the API sees it.</summary>
internal enum AccessTokenState
{
    Valid,
    Expired,
    Unknown,
}

/// <summary>
/// A fake of Intuit's OAuth 2 token endpoint (<c>authorization_code</c> and <c>refresh_token</c> grants, HTTP Basic
/// client authentication) and revocation endpoint, with refresh-token rotation and a grace window for the old token.
/// </summary>
public sealed class FakeOAuthServer
{
    private readonly FakeOAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, AccessEntry> _access = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshEntry> _refresh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _codes = new(StringComparer.Ordinal);
    private int _forcedInvalidGrants;

    internal FakeOAuthServer(FakeOAuthOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>The accepted client id.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>The accepted client secret.</summary>
    public string ClientSecret => _options.ClientSecret;

    /// <summary>How many successful refresh_token grants were answered.</summary>
    public int RefreshCount { get; private set; }

    /// <summary>When true every refresh_token grant answers <c>invalid_grant</c> (e.g. to model a revoked connection).</summary>
    public bool AlwaysInvalidGrant { get; set; }

    /// <summary>Makes the next <paramref name="count"/> refresh_token grants answer <c>invalid_grant</c>.</summary>
    /// <param name="count">How many.</param>
    public void FailNextRefreshes(int count = 1)
    {
        lock (_gate)
        {
            _forcedInvalidGrants += count;
        }
    }

    /// <summary>Creates a one-time authorization code (what the redirect after consent would carry).</summary>
    /// <param name="realmId">The realm the user connected.</param>
    /// <returns>The code.</returns>
    public string CreateAuthorizationCode(string realmId)
    {
        var code = "AB11" + RandomToken(24);
        lock (_gate)
        {
            _codes[code] = realmId;
        }

        return code;
    }

    /// <summary>Issues a token pair directly (as if the authorization code flow had run).</summary>
    /// <returns>The tokens.</returns>
    public FakeTokenSet IssueTokens()
    {
        lock (_gate)
        {
            return Issue(Guid.NewGuid().ToString("N"));
        }
    }

    /// <summary>Makes every access token issued so far expired (the next API call answers 401).</summary>
    public void ExpireAccessTokens()
    {
        var past = _time.GetUtcNow().AddSeconds(-1);
        foreach (var key in _access.Keys)
        {
            _access.AddOrUpdate(key, _ => new AccessEntry(past, "", false), (_, e) => e with { ExpiresAt = past });
        }
    }

    /// <summary>Revokes every token (the connection is gone: refreshes answer invalid_grant, API calls 401).</summary>
    public void RevokeAll()
    {
        lock (_gate)
        {
            foreach (var key in _refresh.Keys.ToList())
            {
                _refresh[key] = _refresh[key] with { Revoked = true };
            }

            foreach (var key in _access.Keys)
            {
                _access.AddOrUpdate(key, _ => new AccessEntry(default, "", true), (_, e) => e with { Revoked = true });
            }
        }
    }

    /// <summary>Whether <paramref name="refreshToken"/> would be accepted by a refresh now.</summary>
    /// <param name="refreshToken">The token.</param>
    /// <returns>True if valid.</returns>
    public bool IsRefreshTokenValid(string refreshToken)
    {
        lock (_gate)
        {
            return RefreshUsable(refreshToken, out _);
        }
    }

    internal AccessTokenState CheckAccessToken(string token)
    {
        if (!_access.TryGetValue(token, out var entry) || entry.Revoked)
        {
            return AccessTokenState.Unknown;
        }

        return entry.ExpiresAt <= _time.GetUtcNow() ? AccessTokenState.Expired : AccessTokenState.Valid;
    }

    internal FakeResponse HandleToken(FakeRequest request)
    {
        if (!ClientAuthenticated(request))
        {
            return FakeResponse.JsonBody(401, "{\"error\":\"invalid_client\"}");
        }

        var form = FakeRequest.ParseQuery(request.Body);
        var grantType = form.GetValueOrDefault("grant_type");
        lock (_gate)
        {
            switch (grantType)
            {
                case "authorization_code":
                    var code = form.GetValueOrDefault("code") ?? "";
                    if (!_codes.Remove(code))
                    {
                        return InvalidGrant();
                    }

                    return TokenResponse(Issue(Guid.NewGuid().ToString("N")));
                case "refresh_token":
                    var token = form.GetValueOrDefault("refresh_token") ?? "";
                    if (AlwaysInvalidGrant || _forcedInvalidGrants > 0 || !RefreshUsable(token, out var entry))
                    {
                        if (_forcedInvalidGrants > 0)
                        {
                            _forcedInvalidGrants--;
                        }

                        return InvalidGrant();
                    }

                    RefreshCount++;
                    var now = _time.GetUtcNow();
                    if (_options.RotateOnEveryRefresh)
                    {
                        if (entry.SupersededAt is null)
                        {
                            _refresh[token] = entry with { SupersededAt = now };
                        }

                        return TokenResponse(Issue(entry.GrantId));
                    }

                    _refresh[token] = entry with { ExpiresAt = now + _options.RefreshTokenLifetime };
                    return TokenResponse(IssueAccess(entry.GrantId, token, now + _options.RefreshTokenLifetime));
                default:
                    return FakeResponse.JsonBody(400, "{\"error\":\"unsupported_grant_type\"}");
            }
        }
    }

    /// <summary>The consent page: checks the client id, redirect URI and response type, and lists the companies to
    /// connect (a new one when there is none).</summary>
    internal FakeResponse HandleAuthorize(FakeRequest request, IReadOnlyList<string> realmIds)
    {
        var clientId = request.QueryValue("client_id");
        var redirectUri = request.QueryValue("redirect_uri");
        var state = request.QueryValue("state") ?? "";
        if (clientId != _options.ClientId || request.QueryValue("response_type") != "code"
            || !Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
        {
            return new FakeResponse(400, "text/html; charset=utf-8", "<!doctype html><title>Invalid request</title><p>invalid_request</p>");
        }

        static string e(string? value) => System.Net.WebUtility.HtmlEncode(value) ?? "";
        var options = new StringBuilder();
        foreach (var realmId in realmIds.Count == 0 ? ["(new company)"] : realmIds)
        {
            options.Append("<option value=\"").Append(e(realmIds.Count == 0 ? "" : realmId)).Append("\">").Append(e("Sandbox company " + realmId)).Append("</option>");
        }

        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Intuit (fake): connect QuickBooks</title></head><body>"
            + "<main><h1>Connect your QuickBooks company</h1><form method=\"get\" action=\"" + QuickBooksOnlineFake.AuthorizationPath + "/approve\">"
            + "<input type=\"hidden\" name=\"redirect_uri\" value=\"" + e(redirectUri) + "\">"
            + "<input type=\"hidden\" name=\"state\" value=\"" + e(state) + "\">"
            + "<label for=\"realmId\">Company</label> <select id=\"realmId\" name=\"realmId\">" + options + "</select> "
            + "<button type=\"submit\" name=\"decision\" value=\"allow\">Connect</button> "
            + "<button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form></main></body></html>";
        return new FakeResponse(200, "text/html; charset=utf-8", html);
    }

    /// <summary>The consent page's answer: redirects to the app with a one-time code (or <c>error=access_denied</c>).</summary>
    internal FakeResponse HandleApprove(FakeRequest request, Func<string, FakeCompany> company)
    {
        if (!Uri.TryCreate(request.QueryValue("redirect_uri"), UriKind.Absolute, out var redirect))
        {
            return new FakeResponse(400, "text/plain", "invalid_request");
        }

        var state = request.QueryValue("state") ?? "";
        string query;
        if (request.QueryValue("decision") == "deny")
        {
            query = "error=access_denied&state=" + Uri.EscapeDataString(state);
        }
        else
        {
            var realmId = request.QueryValue("realmId") is { Length: > 0 } chosen
                ? chosen
                : "93414" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(CultureInfo.InvariantCulture);
            company(realmId);
            query = "code=" + Uri.EscapeDataString(CreateAuthorizationCode(realmId)) + "&state=" + Uri.EscapeDataString(state) + "&realmId=" + Uri.EscapeDataString(realmId);
        }

        var builder = new UriBuilder(redirect);
        builder.Query = builder.Query.TrimStart('?') is { Length: > 0 } existing ? existing + "&" + query : query;
        return new FakeResponse(302, "text/plain", "", new Dictionary<string, string> { ["Location"] = builder.Uri.AbsoluteUri });
    }

    internal FakeResponse HandleRevoke(FakeRequest request)
    {
        if (!ClientAuthenticated(request))
        {
            return FakeResponse.JsonBody(401, "{\"error\":\"invalid_client\"}");
        }

        string? token = null;
        try
        {
            token = JsonNode.Parse(request.Body)?["token"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            token = FakeRequest.ParseQuery(request.Body).GetValueOrDefault("token");
        }

        lock (_gate)
        {
            string? grant = null;
            if (token is not null && _refresh.TryGetValue(token, out var r))
            {
                grant = r.GrantId;
            }
            else if (token is not null && _access.TryGetValue(token, out var a))
            {
                grant = a.GrantId;
            }

            if (grant is null)
            {
                return FakeResponse.JsonBody(400, "{\"error\":\"invalid_request\"}");
            }

            foreach (var key in _refresh.Keys.ToList())
            {
                if (_refresh[key].GrantId == grant)
                {
                    _refresh[key] = _refresh[key] with { Revoked = true };
                }
            }

            foreach (var pair in _access)
            {
                if (pair.Value.GrantId == grant)
                {
                    _access[pair.Key] = pair.Value with { Revoked = true };
                }
            }
        }

        return new FakeResponse(200, "text/plain", "");
    }

    private bool RefreshUsable(string token, out RefreshEntry entry)
    {
        if (!_refresh.TryGetValue(token, out entry!) || entry.Revoked)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (entry.ExpiresAt <= now)
        {
            return false;
        }

        return entry.SupersededAt is not { } superseded || now < superseded + _options.RotationGracePeriod;
    }

    private bool ClientAuthenticated(FakeRequest request)
    {
        var header = request.Header("Authorization");
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            return decoded == _options.ClientId + ":" + _options.ClientSecret;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private FakeTokenSet Issue(string grantId)
    {
        var now = _time.GetUtcNow();
        var refresh = "AB11" + RandomToken(36);
        var refreshExpires = now + _options.RefreshTokenLifetime;
        _refresh[refresh] = new RefreshEntry(grantId, refreshExpires, null, false);
        return IssueAccess(grantId, refresh, refreshExpires);
    }

    private FakeTokenSet IssueAccess(string grantId, string refresh, DateTimeOffset refreshExpires)
    {
        var now = _time.GetUtcNow();
        var access = "eyJfake." + RandomToken(48);
        var expires = now + _options.AccessTokenLifetime;
        _access[access] = new AccessEntry(expires, grantId, false);
        return new FakeTokenSet(access, refresh, expires, refreshExpires);
    }

    private FakeResponse TokenResponse(FakeTokenSet tokens)
    {
        var now = _time.GetUtcNow();
        var body = new JsonObject
        {
            ["x_refresh_token_expires_in"] = (long)(tokens.RefreshTokenExpiresAt - now).TotalSeconds,
            ["refresh_token"] = tokens.RefreshToken,
            ["access_token"] = tokens.AccessToken,
            ["token_type"] = "bearer",
            ["expires_in"] = (long)_options.AccessTokenLifetime.TotalSeconds,
        };
        return FakeResponse.JsonBody(200, body.ToJsonString());
    }

    private static FakeResponse InvalidGrant() =>
        FakeResponse.JsonBody(400, "{\"error_description\":\"Token invalid\",\"error\":\"invalid_grant\"}");

    private static string RandomToken(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).Replace('+', 'x').Replace('/', 'y').TrimEnd('=');

    private sealed record AccessEntry(DateTimeOffset ExpiresAt, string GrantId, bool Revoked);

    private sealed record RefreshEntry(string GrantId, DateTimeOffset ExpiresAt, DateTimeOffset? SupersededAt, bool Revoked);
}

/// <summary>Epoch helper.</summary>
internal static class EpochTime
{
    public static long Milliseconds(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
