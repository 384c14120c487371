using System.Text;
using QbSync.QuickBooks.Webhooks;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.Webhooks;

public class QuickBooksWebhookVerifierTests
{
    private static (string Signature, string Token) ReadPair(string name)
    {
        var lines = Payload.Read($"webhooks/{name}.verification.txt")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string Value(string key) => lines.Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
        return (Value("intuit-signature"), Value("verifier-token"));
    }

    [Theory]
    [InlineData("legacy-dotnet-sdk-test")]
    [InlineData("legacy-java-sdk-test")]
    public void Real_signature_pair_verifies(string name)
    {
        var (signature, token) = ReadPair(name);
        var body = Payload.ReadBytes($"webhooks/{name}.json");

        QuickBooksWebhookVerifier.Verify(token, body, signature).Should().BeTrue();
        QuickBooksWebhookVerifier.Verify(token, Encoding.UTF8.GetString(body), signature).Should().BeTrue();
    }

    [Theory]
    [InlineData("legacy-dotnet-sdk-test")]
    [InlineData("legacy-java-sdk-test")]
    public void Tampered_body_does_not_verify(string name)
    {
        var (signature, token) = ReadPair(name);
        var body = Payload.ReadBytes($"webhooks/{name}.json");
        var tampered = (byte[])body.Clone();
        tampered[^3] ^= 0x01;

        QuickBooksWebhookVerifier.Verify(token, tampered, signature).Should().BeFalse();
        QuickBooksWebhookVerifier.Verify(token, body.Concat("\n"u8.ToArray()).ToArray(), signature).Should().BeFalse();
    }

    [Theory]
    [InlineData("legacy-dotnet-sdk-test")]
    [InlineData("legacy-java-sdk-test")]
    public void Wrong_verifier_token_does_not_verify(string name)
    {
        var (signature, token) = ReadPair(name);
        var body = Payload.ReadBytes($"webhooks/{name}.json");

        QuickBooksWebhookVerifier.Verify(token + "x", body, signature).Should().BeFalse();
        QuickBooksWebhookVerifier.Verify("00faeec4-0000-0000-0000-698ae19f0149", body, signature).Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not base64 at all!!")]
    [InlineData("6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM")]
    [InlineData("AAAA")]
    [InlineData("6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=")]
    public void Missing_or_malformed_signature_is_rejected_without_throwing(string? header)
    {
        var body = Payload.ReadBytes("webhooks/legacy-dotnet-sdk-test.json");

        var verify = () => QuickBooksWebhookVerifier.Verify("00faeec4-08d0-4996-bb37-698ae19f0149", body, header);

        verify.Should().NotThrow().Which.Should().BeFalse();
    }

    [Fact]
    public void Very_long_signature_header_is_rejected()
    {
        var header = Convert.ToBase64String(new byte[4096]);

        QuickBooksWebhookVerifier.Verify("token", "{}"u8, header).Should().BeFalse();
    }

    [Fact]
    public void Signature_with_surrounding_whitespace_still_verifies()
    {
        var (signature, token) = ReadPair("legacy-java-sdk-test");

        QuickBooksWebhookVerifier.Verify(token, Payload.ReadBytes("webhooks/legacy-java-sdk-test.json"), " " + signature + " ").Should().BeTrue();
    }

    [Fact]
    public void Empty_verifier_token_is_a_programming_error()
    {
        var verify = () => QuickBooksWebhookVerifier.Verify("", "{}"u8, "AAAA");

        verify.Should().Throw<ArgumentException>();
    }
}
