using Microsoft.Extensions.Options;
using QbSync.Sync;

namespace QbSync.DependencyInjection;

/// <summary>Validates <see cref="QbSyncOptions"/>: attributes, and the durations that must be positive.</summary>
[OptionsValidator]
internal sealed partial class QbSyncOptionsAttributeValidator : IValidateOptions<QbSyncOptions>
{
}

/// <summary>Cross-field rules of <see cref="QbSyncOptions"/>.</summary>
internal sealed class QbSyncOptionsValidator(IOptions<QbSync.QuickBooks.QuickBooksClientOptions> client) : IValidateOptions<QbSyncOptions>
{
    /// <summary>The shortest lease: renewed every third of it, a lease must outlast a slow store call.</summary>
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(30);

    private readonly QbSyncOptionsAttributeValidator _attributes = new();

    public ValidateOptionsResult Validate(string? name, QbSyncOptions options)
    {
        var failures = new List<string>();
        var attributes = _attributes.Validate(name, options);
        if (attributes.Failed)
        {
            failures.AddRange(attributes.Failures);
        }

        foreach (var (setting, value) in new[]
                 {
                     (nameof(options.LeaseDuration), options.LeaseDuration),
                     (nameof(options.RetryBackoff), options.RetryBackoff),
                     (nameof(options.WorkerPollInterval), options.WorkerPollInterval),
                     (nameof(options.CustomerTypeCacheDuration), options.CustomerTypeCacheDuration),
                     (nameof(options.CustomerDirectoryCacheDuration), options.CustomerDirectoryCacheDuration),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{setting} must be positive.");
            }
        }

        // Settings that must agree with each other (and with the client's).
        if (options.LeaseDuration > TimeSpan.Zero && options.LeaseDuration < MinLeaseDuration)
        {
            failures.Add($"LeaseDuration must be at least {MinLeaseDuration.TotalSeconds} seconds: leases are renewed every third of it while work is in flight.");
        }

        if (options.CustomerDirectoryCacheDuration >= QbSync.Sync.Steps.CustomerDirectoryCache.FullReadAfter)
        {
            failures.Add($"CustomerDirectoryCacheDuration must be shorter than {QbSync.Sync.Steps.CustomerDirectoryCache.FullReadAfter.TotalDays} days (change data capture looks back 30 days).");
        }

        var perRealm = client.Value.MaxConcurrentRequestsPerRealm;
        if (options.MaxConcurrentAccountsPerRealm > perRealm)
        {
            failures.Add($"MaxConcurrentAccountsPerRealm ({options.MaxConcurrentAccountsPerRealm}) must not exceed the client's MaxConcurrentRequestsPerRealm ({perRealm}).");
        }

        if (options.RetryBackoff > TimeSpan.Zero && options.WorkerPollInterval > TimeSpan.Zero && options.RetryBackoff * Math.Pow(2, options.MaxAttempts - 1) > TimeSpan.FromDays(7))
        {
            failures.Add("RetryBackoff doubled MaxAttempts - 1 times exceeds 7 days: lower one of them.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
