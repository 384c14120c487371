using Spectre.Console;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>
/// Everything the command line touches outside its arguments: where it writes, what it reads when it asks for a
/// pasted URL, and where it looks up settings. The process passes the real console and environment; tests pass a
/// <c>TestConsole</c>, a <see cref="StringWriter"/> and a dictionary, and run the commands in-process.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Tables, progress and messages.</summary>
    public required IAnsiConsole Out { get; init; }

    /// <summary>Error messages (standard error).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Where a pasted redirect URL is read from (standard input).</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>Reads an environment variable (the process's environment by default).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Whether the app's keys may come from user secrets (<c>dotnet user-secrets</c>); off in tests.</summary>
    public bool UseUserSecrets { get; init; }

    /// <summary>The clock (connect's state expires).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The process's console, standard error and standard input, environment variables and user secrets.</summary>
    public static CliContext ForProcess() => new()
    {
        Out = AnsiConsole.Console,
        Error = Console.Error,
        Input = Console.In,
        UseUserSecrets = true,
    };
}
