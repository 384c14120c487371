using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace QbSync.Testing.Tests;

/// <summary>Starts a fake per test class instance and drives it with a plain HttpClient.</summary>
public abstract class FakeTestBase : IDisposable
{
    protected const string Realm = "9130350000000001";

    protected FakeTestBase(Action<QuickBooksOnlineFakeOptions>? configure = null)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        Fake = QuickBooksOnlineFake.Start(o =>
        {
            o.TimeProvider = Clock;
            configure?.Invoke(o);
        });
        Http = new HttpClient { BaseAddress = new Uri(Fake.BaseUrl) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-access-token");
        Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Company = Fake.Company(Realm);
    }

    protected FakeTimeProvider Clock { get; }

    protected QuickBooksOnlineFake Fake { get; }

    protected HttpClient Http { get; }

    protected FakeCompany Company { get; }

    protected static string Api(string resource) => $"/v3/company/{Realm}/{resource}";

    protected async Task<(HttpStatusCode Status, JsonObject Body)> PostJson(string resource, object body)
    {
        var json = body is string s ? s : body is JsonNode n ? n.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body);
        using var response = await Http.PostAsync(Api(resource), new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await ReadJson(response));
    }

    protected async Task<(HttpStatusCode Status, JsonObject Body)> Get(string resourceAndQuery)
    {
        using var response = await Http.GetAsync(Api(resourceAndQuery));
        return (response.StatusCode, await ReadJson(response));
    }

    protected async Task<(HttpStatusCode Status, JsonObject Body)> Query(string query)
    {
        using var response = await Http.PostAsync(Api("query?minorversion=75"), new StringContent(query, Encoding.UTF8, "application/text"));
        return (response.StatusCode, await ReadJson(response));
    }

    protected async Task<JsonObject> CreateCustomer(string displayName)
    {
        var (status, body) = await PostJson("customer?minorversion=75", new JsonObject { ["DisplayName"] = displayName });
        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        return body["Customer"]!.AsObject();
    }

    protected static async Task<JsonObject> ReadJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)!.AsObject();
    }

    protected static JsonObject FirstError(JsonObject body) => body["Fault"]!["Error"]![0]!.AsObject();

    public void Dispose()
    {
        Http.Dispose();
        Fake.Dispose();
        GC.SuppressFinalize(this);
    }
}
