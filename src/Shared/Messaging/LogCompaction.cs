namespace SystemDesign.Messaging;

/// <summary>A record of a compacted topic; a null value is a tombstone (delete).</summary>
public sealed record LogRecord(long Offset, string Key, string? Value, double Timestamp);

/// <summary>
/// A partition with <c>cleanup.policy=compact</c>: records go to an active segment of <c>segmentRecords</c>
/// records; the cleaner never touches the active segment. When the dirty share (records written since the last
/// clean, over all records) exceeds <c>minCleanableDirtyRatio</c> (Kafka's default 0.5), it rewrites the closed
/// segments keeping, for each key, only its latest record; tombstones are kept for <c>deleteRetention</c> seconds
/// after the clean that first saw them (delete.retention.ms, 24 h by default) so that slow readers see the delete,
/// then removed. Offsets never change: compaction leaves gaps.
/// </summary>
public sealed class CompactedLog
{
    private readonly List<LogRecord> _records = new();
    private readonly Dictionary<long, double> _tombstoneCleanTime = new();
    private readonly int _segmentRecords;
    private readonly double _dirtyRatio, _deleteRetention;
    private long _next;
    private int _cleanPrefix; // records [0, _cleanPrefix) are already compacted

    public CompactedLog(int segmentRecords, double minCleanableDirtyRatio = 0.5, double deleteRetentionSeconds = 86_400)
    {
        _segmentRecords = Guard.InRange(segmentRecords, 1, 10_000_000);
        _dirtyRatio = Guard.InRange(minCleanableDirtyRatio, 0, 1);
        _deleteRetention = Guard.InRange(deleteRetentionSeconds, 0, 1e9);
    }

    public int Count => _records.Count;
    public int Cleans { get; private set; }
    public IReadOnlyList<LogRecord> Records => _records;

    /// <summary>Append a record (null value = tombstone); run the cleaner when it is due.</summary>
    public void Append(string key, string? value, double now)
    {
        Guard.NotEmpty(key);
        _records.Add(new LogRecord(_next++, key, value, now));
        double dirty = (double)(_records.Count - _cleanPrefix) / _records.Count;
        if (ClosedCount() > _cleanPrefix && dirty > _dirtyRatio) Clean(now);
    }

    // Records in closed segments: everything before the active segment's base offset.
    private int ClosedCount()
    {
        long activeBase = _next / _segmentRecords * _segmentRecords;
        return _records.Count - (int)(_next - activeBase); // the active segment is never compacted
    }

    /// <summary>Compact the closed segments now.</summary>
    public void Clean(double now)
    {
        int closed = ClosedCount();
        var latest = new Dictionary<string, long>();
        foreach (var r in _records) latest[r.Key] = r.Offset;
        var kept = new List<LogRecord>();
        for (int i = 0; i < closed; i++)
        {
            var r = _records[i];
            if (latest[r.Key] != r.Offset) continue;
            if (r.Value is null)
            {
                if (!_tombstoneCleanTime.TryGetValue(r.Offset, out double first)) _tombstoneCleanTime[r.Offset] = first = now;
                if (now - first >= _deleteRetention) continue;
            }
            kept.Add(r);
        }
        _records.RemoveRange(0, closed);
        _records.InsertRange(0, kept);
        _cleanPrefix = kept.Count;
        Cleans++;
    }

    /// <summary>What a consumer that reads the log from offset 0 ends up with: the latest value per key,
    /// deleted keys absent.</summary>
    public Dictionary<string, string> Materialize() => Materialize(_records);

    /// <summary>Replay any sequence of records into a key → latest value map (tombstones delete).</summary>
    public static Dictionary<string, string> Materialize(IEnumerable<LogRecord> records)
    {
        var state = new Dictionary<string, string>();
        foreach (var r in Guard.NotNull(records))
            if (r.Value is null) state.Remove(r.Key); else state[r.Key] = r.Value;
        return state;
    }
}

/// <summary>Time-based retention of a delete-policy partition: segments roll at <c>segmentBytes</c>, and a closed
/// segment is deleted once its newest record is older than <c>retentionSeconds</c> (or the partition exceeds
/// <c>retentionBytes</c>, −1 = no limit: Kafka's default).</summary>
public static class Retention
{
    /// <summary>Bytes on disk sampled every hour while writing <paramref name="bytesPerSecond"/> for
    /// <paramref name="hours"/> hours.</summary>
    public static (double[] Hours, double[] Bytes) Run(double bytesPerSecond, long segmentBytes, double retentionSeconds,
        long retentionBytes, int hours)
    {
        Guard.InRange(bytesPerSecond, 1, 1e10);
        Guard.InRange(segmentBytes, 1, long.MaxValue);
        Guard.InRange(retentionSeconds, 1, 1e10);
        Guard.InRange(retentionBytes, -1, long.MaxValue);
        Guard.InRange(hours, 1, 100_000);
        var closed = new Queue<(double Newest, long Bytes)>();
        long active = 0;
        var xs = new double[hours + 1];
        var ys = new double[hours + 1];
        const int stepsPerHour = 60;
        double dt = 3600.0 / stepsPerHour;
        for (int h = 0; h < hours; h++)
        {
            for (int k = 1; k <= stepsPerHour; k++)
            {
                double now = h * 3600 + k * dt;
                active += (long)(bytesPerSecond * dt);
                while (active >= segmentBytes) { closed.Enqueue((now, segmentBytes)); active -= segmentBytes; }
                while (closed.Count > 0 && now - closed.Peek().Newest > retentionSeconds) closed.Dequeue();
                while (retentionBytes >= 0 && closed.Count > 0 && closed.Sum(c => c.Bytes) + active > retentionBytes
                       && closed.Sum(c => c.Bytes) + active - closed.Peek().Bytes >= retentionBytes) closed.Dequeue();
            }
            xs[h + 1] = h + 1;
            ys[h + 1] = closed.Sum(c => (double)c.Bytes) + active;
        }
        return (xs, ys);
    }
}
