using Microsoft.Extensions.Options;
using QbSync.Sync;

namespace QbSync.DependencyInjection;

/// <summary>Validates <see cref="QbSyncOptions"/>: attributes, and the durations that must be positive.</summary>
[OptionsValidator]
internal sealed partial class QbSyncOptionsAttributeValidator : IValidateOptions<QbSyncOptions>
{
}

/// <summary>Cross-field rules of <see cref="QbSyncOptions"/>.</summary>
internal sealed class QbSyncOptionsValidator : IValidateOptions<QbSyncOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
