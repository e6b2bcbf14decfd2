using System.Globalization;
using Orleans.Storage;

namespace PrepaidPower.Persistence.Orleans;

/// <summary>
/// An Orleans grain storage provider on <see cref="GroupCommitGrainStateStore"/>: the same contract as the ADO.NET
/// provider (an int version as the ETag, <see cref="InconsistentStateException"/> on a lost version check, default
/// state when nothing is stored), with the writes and reads of many grains batched. Several named providers share
/// one store, so their writes share transactions too.
/// </summary>
internal sealed class GroupCommitGrainStorage(GroupCommitGrainStateStore store, IGrainStorageSerializer serializer, bool deleteStateOnClear) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var stored = await store.ReadAsync(key).ConfigureAwait(false);
        if (stored is { Payload: { } payload } row)
        {
            try
            {
                grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"The stored {key} (version {row.Version}) cannot be read as {typeof(T).Name}: {e.Message}. Restore the row from a backup or clear it deliberately.", e);
            }

            grainState.ETag = ETag(row.Version);
            grainState.RecordExists = true;
            return;
        }

        // Never written, deleted, or cleared (a row without payload keeps its version).
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = stored is { } cleared ? ETag(cleared.Version) : null;
        grainState.RecordExists = false;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var payload = serializer.Serialize(grainState.State).ToArray();
        try
        {
            var version = await store.WriteAsync(key, payload, Version(grainState.ETag)).ConfigureAwait(false);
            grainState.ETag = ETag(version);
            grainState.RecordExists = true;
        }
        catch (GrainStateVersionConflictException e)
        {
            throw Inconsistent(e, grainState.ETag);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (Version(grainState.ETag) is { } expected)
        {
            try
            {
                var version = await store.ClearAsync(key, expected, deleteStateOnClear).ConfigureAwait(false);
                grainState.ETag = version is { } v ? ETag(v) : null;
            }
            catch (GrainStateVersionConflictException e)
            {
                throw Inconsistent(e, grainState.ETag);
            }
        }

        // Nothing stored yet (no version) means there is nothing to clear.
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }

    // Without the inner exception: this one crosses silo and client boundaries, and only Orleans' own types serialize.
    private static InconsistentStateException Inconsistent(GrainStateVersionConflictException e, string? etag) =>
        new(e.Message, e.Stored is { } s ? ETag(s) : "", etag ?? "");

    private static GrainStateKey Key(string stateName, GrainId grainId) => new(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);

    private static string ETag(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static int? Version(string? etag) =>
        etag is null ? null
        : int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new InconsistentStateException($"ETag '{etag}' is not a version this storage wrote; the grain's state came from another provider. Reload the grain.", "", etag);
}
