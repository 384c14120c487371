using System.Diagnostics;

namespace QbSync.Diagnostics;

/// <summary>
/// The name shared by QbSync's <see cref="ActivitySource"/> and its meter (<see cref="QbSyncMetrics"/>), both
/// <c>QbSync</c>: subscribe with OpenTelemetry (<c>AddSource("QbSync")</c>, <c>AddMeter("QbSync")</c>). The activity
/// source is static, as .NET's guidance has it (there is no factory for sources); the meter comes from the host's
/// <c>IMeterFactory</c>.
/// </summary>
public static class QbSyncTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "QbSync";

    /// <summary>Spans: one per QBO request, and one per sync step (an action on an account, a run of pending work, a
    /// batch, a read of a realm's names). Tags carry firm, account and realm ids; names of the firm's clients only
    /// when the host opts in (<see cref="Sync.QbSyncOptions.IncludeNamesInTelemetry"/>).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);
}
