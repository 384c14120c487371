using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QbSync.QuickBooks.Authentication;

namespace QbSync.DataProtection;

/// <summary>Registration of token encryption at rest with ASP.NET Core Data Protection.</summary>
public static class DataProtectionQbSyncBuilderExtensions
{
    /// <summary>
    /// Encrypts stored QuickBooks tokens with ASP.NET Core Data Protection: registers
    /// <see cref="DataProtectionTokenProtector"/> as the <see cref="ITokenProtector"/> (replacing an earlier one), which
    /// the token stores apply to every access and refresh token they write (the SQLite store picks it up whatever the
    /// order of the calls). Adds Data Protection with its defaults if the host has not; configure its key ring (a
    /// persisted, shared one when several processes share the store) with <c>services.AddDataProtection()</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IQbSyncBuilder UseDataProtectionTokenProtection(this IQbSyncBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDataProtection();
        builder.Services.RemoveAll<ITokenProtector>();
        builder.Services.AddSingleton<ITokenProtector>(sp => new DataProtectionTokenProtector(sp.GetRequiredService<IDataProtectionProvider>()));
        return builder;
    }
}
