using System.Security.Cryptography;
using System.Text;

namespace QbSync.QuickBooks.Webhooks;

/// <summary>Checks the <c>intuit-signature</c> header of a QuickBooks Online webhook request.</summary>
/// <remarks>
/// The signature is <c>base64(HMAC-SHA256(key: UTF-8 of the app's verifier token, data: the raw request body))</c>.
/// Verify the bytes exactly as received, before any parsing or re-encoding.
/// </remarks>
public static class QuickBooksWebhookVerifier
{
    /// <summary>The name of the HTTP header that carries the signature.</summary>
    public const string SignatureHeaderName = "intuit-signature";

    private const int HashSize = 32;

    /// <summary>Whether <paramref name="intuitSignatureHeader"/> is the signature of <paramref name="body"/>.</summary>
    /// <param name="verifierToken">The webhook verifier token from the Intuit developer portal (not the client secret).</param>
    /// <param name="body">The raw request body, exactly as received.</param>
    /// <param name="intuitSignatureHeader">The value of the <c>intuit-signature</c> header, or <see langword="null"/> if absent.</param>
    /// <returns>
    /// <see langword="true"/> only when the header is valid base64 of the expected HMAC; a missing, malformed or wrong
    /// header gives <see langword="false"/> and never throws. The comparison takes constant time.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="verifierToken"/> is <see langword="null"/> or empty.</exception>
    public static bool Verify(string verifierToken, ReadOnlySpan<byte> body, string? intuitSignatureHeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(verifierToken);
        if (string.IsNullOrWhiteSpace(intuitSignatureHeader) || intuitSignatureHeader.Length > 128)
        {
            return false;
        }

        Span<byte> received = stackalloc byte[96];
        if (!Convert.TryFromBase64String(intuitSignatureHeader.Trim(), received, out var written) || written != HashSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashSize];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifierToken), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received[..written]);
    }

    /// <summary>
    /// Whether <paramref name="intuitSignatureHeader"/> is the signature of <paramref name="body"/>, with the body given as
    /// text (it is encoded as UTF-8, which is what QuickBooks Online sends). Prefer the byte overload when the raw bytes
    /// are at hand.
    /// </summary>
    /// <param name="verifierToken">The webhook verifier token from the Intuit developer portal (not the client secret).</param>
    /// <param name="body">The request body.</param>
    /// <param name="intuitSignatureHeader">The value of the <c>intuit-signature</c> header, or <see langword="null"/> if absent.</param>
    /// <returns><see langword="true"/> when the signature matches; otherwise <see langword="false"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="verifierToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    public static bool Verify(string verifierToken, string body, string? intuitSignatureHeader)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Verify(verifierToken, Encoding.UTF8.GetBytes(body), intuitSignatureHeader);
    }
}
