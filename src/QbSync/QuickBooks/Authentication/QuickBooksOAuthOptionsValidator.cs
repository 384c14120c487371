using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Authentication;

/// <summary>The DataAnnotations rules of <see cref="QuickBooksOAuthOptions"/>, validated without reflection.</summary>
[OptionsValidator]
internal sealed partial class QuickBooksOAuthOptionsDataAnnotationsValidator : IValidateOptions<QuickBooksOAuthOptions>
{
}

/// <summary>Rules of <see cref="QuickBooksOAuthOptions"/> that DataAnnotations cannot express. Never echoes the secret.</summary>
internal sealed class QuickBooksOAuthOptionsValidator : IValidateOptions<QuickBooksOAuthOptions>
{
    private readonly QuickBooksOAuthOptionsDataAnnotationsValidator _annotations = new();

    public ValidateOptionsResult Validate(string? name, QuickBooksOAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_annotations.Validate(name, options));

        if (options.ClientId is not null && string.IsNullOrWhiteSpace(options.ClientId))
        {
            builder.AddError("must not be blank.", nameof(options.ClientId));
        }

        if (options.ClientSecret is not null && string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            builder.AddError("must not be blank.", nameof(options.ClientSecret));
        }

        CheckEndpoint(builder, options.AuthorizationEndpoint, nameof(options.AuthorizationEndpoint));
        CheckEndpoint(builder, options.TokenEndpoint, nameof(options.TokenEndpoint));
        CheckEndpoint(builder, options.RevocationEndpoint, nameof(options.RevocationEndpoint));
        if (options.RedirectUri is not null)
        {
            CheckEndpoint(builder, options.RedirectUri, nameof(options.RedirectUri));
        }

        foreach (var scope in options.Scopes)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Any(char.IsWhiteSpace))
            {
                builder.AddError("must not contain blank scopes or scopes with white space.", nameof(options.Scopes));
                break;
            }
        }

        if (options.AccessTokenRefreshSkew < TimeSpan.Zero || options.AccessTokenRefreshSkew >= TimeSpan.FromMinutes(30))
        {
            builder.AddError("must be between zero and 30 minutes.", nameof(options.AccessTokenRefreshSkew));
        }

        return builder.Build();
    }

    private static void CheckEndpoint(ValidateOptionsResultBuilder builder, Uri? uri, string property)
    {
        if (uri is null)
        {
            return; // Reported by [Required].
        }

        if (!uri.IsAbsoluteUri)
        {
            builder.AddError("must be an absolute URI.", property);
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            builder.AddError("must use https (http is allowed only for loopback hosts).", property);
        }
    }
}
