using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.DependencyInjection;

/// <summary>Validates <see cref="QuickBooksClientOptions"/> at start-up: attributes plus the rules that tie fields together.</summary>
[OptionsValidator]
internal sealed partial class QuickBooksClientOptionsAttributeValidator : IValidateOptions<QuickBooksClientOptions>
{
}

/// <summary>Cross-field rules of <see cref="QuickBooksClientOptions"/>.</summary>
internal sealed class QuickBooksClientOptionsValidator : IValidateOptions<QuickBooksClientOptions>
{
    /// <summary>QBO ends any request after 120 seconds.</summary>
    private static readonly TimeSpan QboRequestLimit = TimeSpan.FromSeconds(120);

    public ValidateOptionsResult Validate(string? name, QuickBooksClientOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{nameof(options.BaseUrl)} must be an absolute http(s) URL.");
        }

        if (!Enum.IsDefined(options.Environment))
        {
            failures.Add($"{nameof(options.Environment)} must be Sandbox or Production.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.AttemptTimeout > QboRequestLimit)
        {
            failures.Add($"{nameof(options.AttemptTimeout)} must be positive and at most 120 seconds (QBO's own request limit).");
        }

        if (options.TotalTimeout <= options.AttemptTimeout)
        {
            failures.Add($"{nameof(options.TotalTimeout)} must be longer than {nameof(options.AttemptTimeout)}.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.ThrottledRetryDelay < TimeSpan.Zero)
        {
            failures.Add("Retry delays cannot be negative.");
        }

        if (options.ThrottleWindow <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.ThrottleWindow)} must be positive.");
        }

        if (options.BatchRequestsPerWindowPerRealm > options.RequestsPerWindowPerRealm)
        {
            failures.Add($"{nameof(options.BatchRequestsPerWindowPerRealm)} cannot exceed {nameof(options.RequestsPerWindowPerRealm)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
