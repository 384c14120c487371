using System.Globalization;
using System.Text;

namespace QbSync.Stores;

/// <summary>
/// The continuation token of <see cref="IAccountStore.ListAsync"/>: the (account name, account id) key of the last row
/// returned, as base64url of <c>v1:{name length}:{name}{id}</c>. Opaque to callers; public so that every store
/// implementation issues the same tokens.
/// </summary>
public static class AccountListToken
{
    private const string Prefix = "v1:";

    /// <summary>Encodes the key of the last row of a page.</summary>
    /// <param name="accountName">The last row's account name.</param>
    /// <param name="accountId">The last row's account id.</param>
    /// <returns>The token.</returns>
    public static string Encode(string accountName, string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountName);
        ArgumentNullException.ThrowIfNull(accountId);
        var text = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{accountName.Length}:{accountName}{accountId}");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a token; throws <see cref="ArgumentException"/> when it is not one a store issued.</summary>
    /// <param name="token">The token.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    /// <returns>The key of the last row of the previous page.</returns>
    public static (string AccountName, string AccountId) Decode(string token, string paramName)
    {
        if (TryDecode(token, out var name, out var id))
        {
            return (name, id);
        }

        throw new ArgumentException("The continuation token is not valid.", paramName);
    }

    private static bool TryDecode(string token, out string accountName, out string accountId)
    {
        accountName = string.Empty;
        accountId = string.Empty;
        if (string.IsNullOrEmpty(token) || token.Length > 16_384)
        {
            return false;
        }

        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = (base64.Length % 4) switch
        {
            2 => base64 + "==",
            3 => base64 + "=",
            _ => base64,
        };

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var colon = text.IndexOf(':', Prefix.Length);
        if (colon < 0
            || !int.TryParse(text.AsSpan(Prefix.Length, colon - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > text.Length - colon - 1)
        {
            return false;
        }

        accountName = text.Substring(colon + 1, length);
        accountId = text[(colon + 1 + length)..];
        return accountId.Length > 0;
    }
}
