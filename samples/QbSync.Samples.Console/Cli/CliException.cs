namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>Exit codes of the command line.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>QuickBooks Online or the store failed, or the firm is not connected.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: arguments, settings, a malformed CSV file, a state that does not allow the action.</summary>
    public const int BadInput = 2;

    /// <summary>An account or customer that does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>The user's role does not allow the action.</summary>
    public const int Refused = 4;
}

/// <summary>A failure the command line explains in one message; nothing was changed.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
