using Microsoft.AspNetCore.DataProtection;
using QbSync.QuickBooks.Authentication;

namespace QbSync.DataProtection;

/// <summary>
/// An <see cref="ITokenProtector"/> over ASP.NET Core Data Protection: tokens are encrypted and authenticated with the
/// application's key ring under the purpose <see cref="Purpose"/>. Every process that shares a token store must share
/// the key ring (persist it, for example <c>PersistKeysToFileSystem</c> and <c>SetApplicationName</c>), or it cannot
/// read the tokens the others stored.
/// </summary>
public sealed class DataProtectionTokenProtector : ITokenProtector
{
    /// <summary>The Data Protection purpose string of QuickBooks tokens.</summary>
    public const string Purpose = "QbSync.QuickBooks.Tokens.v1";

    private readonly IDataProtector _protector;

    /// <summary>Creates the protector.</summary>
    /// <param name="provider">The application's Data Protection provider.</param>
    public DataProtectionTokenProtector(IDataProtectionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _protector = provider.CreateProtector(Purpose);
    }

    /// <inheritdoc/>
    public string Protect(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _protector.Protect(value);
    }

    /// <inheritdoc/>
    public string Unprotect(string protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        return _protector.Unprotect(protectedValue);
    }
}
