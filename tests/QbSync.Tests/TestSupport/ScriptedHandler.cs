using System.Collections.Concurrent;

namespace QbSync.Tests.TestSupport;

/// <summary>A primary handler that answers from a script, for transport failures WireMock cannot stage.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public ConcurrentQueue<(HttpRequestMessage Request, string? Body)> Requests { get; } = new();

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? Fallback { get; set; }

    public ScriptedHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public ScriptedHandler ThenHang() => Then(async (_, ct) =>
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    });

    public ScriptedHandler ThenDrop() => Then((_, _) => throw new HttpRequestException("The response ended prematurely."));

    public ScriptedHandler ThenRespond(int status, string body) => Then((_, _) =>
        Task.FromResult(new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body) }));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request, body));
        if (_script.TryDequeue(out var step))
        {
            return await step(request, cancellationToken);
        }

        return Fallback is not null
            ? await Fallback(request, cancellationToken)
            : throw new InvalidOperationException("The script ran out.");
    }
}
