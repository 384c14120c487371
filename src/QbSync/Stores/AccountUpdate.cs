namespace QbSync.Stores;

/// <summary>One compare-and-swap of <see cref="IAccountStore.TryUpdateManyAsync"/>: the same arguments as
/// <see cref="IAccountStore.TryUpdateAsync"/>.</summary>
/// <param name="Record">The new state (its <see cref="SyncAccountRecord.Version"/> is ignored).</param>
/// <param name="ExpectedVersion">The version the caller read.</param>
/// <param name="History">A history entry to append with it, or <see langword="null"/>.</param>
public sealed record AccountUpdate(SyncAccountRecord Record, long ExpectedVersion, SyncHistoryEntry? History = null);
