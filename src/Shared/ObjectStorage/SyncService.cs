namespace SystemDesign.ObjectStorage;

/// <summary>One entry of the metadata server's change journal.</summary>
public sealed record FileChange(long ChangeId, string Path, int Version, string Device, IReadOnlyList<string> ChunkHashes,
    bool Deleted = false);

public enum CommitOutcome { Committed, ConflictedCopy }

public sealed record CommitResult(CommitOutcome Outcome, string Path, int Version, int ChunksToUpload);

/// <summary>
/// The metadata side of a Dropbox-like sync service: a file tree (path → version and chunk list), a global
/// change journal with increasing ids, a chunk store keyed by SHA-256, and per-device cursors. A device commits
/// against the version it last saw; if the server has moved on, the edit is kept as a conflicted copy beside
/// the file (no data lost). A device catches up by asking for the changes after its cursor.
/// </summary>
public sealed class SyncService
{
    private readonly Dictionary<string, FileChange> files = new(StringComparer.Ordinal);
    private readonly List<FileChange> journal = [];
    private readonly HashSet<string> chunkStore = new(StringComparer.Ordinal);

    public long LastChangeId => journal.Count == 0 ? 0 : journal[^1].ChangeId;
    public int StoredChunks => chunkStore.Count;
    public IReadOnlyCollection<string> Paths => files.Keys;

    /// <summary>Which of these chunk hashes the server does not hold yet (step 2 of the guide's upload flow).</summary>
    public IReadOnlyList<string> Missing(IEnumerable<string> hashes)
    {
        Guard.NotNull(hashes);
        return hashes.Where(h => !chunkStore.Contains(h)).Distinct().ToList();
    }

    public int CurrentVersion(string path)
    {
        Guard.NotNull(path);
        return files.TryGetValue(path, out var f) && !f.Deleted ? f.Version : 0;
    }

    /// <summary>Commits a new version of <c>path</c> edited from <c>baseVersion</c> (0 for a new file).</summary>
    public CommitResult Commit(string device, string path, int baseVersion, IReadOnlyList<string> chunkHashes)
    {
        Guard.NotEmpty(device);
        Guard.NotEmpty(path);
        Guard.NonNegative(baseVersion);
        Guard.NotNull(chunkHashes);
        int toUpload = Missing(chunkHashes).Count;
        foreach (var h in chunkHashes) chunkStore.Add(h);
        int current = CurrentVersion(path);
        if (baseVersion == current)
            return Append(CommitOutcome.Committed, path, current + 1, device, chunkHashes, toUpload);
        string copy = ConflictedName(path, device);
        return Append(CommitOutcome.ConflictedCopy, copy, CurrentVersion(copy) + 1, device, chunkHashes, toUpload);
    }

    public void Delete(string device, string path)
    {
        Guard.NotEmpty(device);
        Guard.NotEmpty(path);
        Append(CommitOutcome.Committed, path, CurrentVersion(path) + 1, device, [], 0, deleted: true);
    }

    /// <summary>Changes after <c>cursor</c>, at most <c>limit</c>, and the new cursor (the delta a device pulls).</summary>
    public (IReadOnlyList<FileChange> Changes, long Cursor, bool HasMore) ChangesSince(long cursor, int limit = 1000)
    {
        Guard.InRange(cursor, 0L, long.MaxValue);
        Guard.InRange(limit, 1, 100_000);
        // Change ids are 1..N in order, so the journal is indexed by id − 1.
        int from = (int)Math.Min(cursor, journal.Count);
        var page = journal.Skip(from).Take(limit).ToList();
        long next = page.Count == 0 ? cursor : page[^1].ChangeId;
        return (page, next, next < LastChangeId);
    }

    public static string ConflictedName(string path, string device)
    {
        Guard.NotEmpty(path);
        Guard.NotEmpty(device);
        int slash = path.LastIndexOf('/'), dot = path.LastIndexOf('.');
        bool ext = dot > slash + 1;
        string stem = ext ? path[..dot] : path, suffix = ext ? path[dot..] : "";
        return $"{stem} ({device}'s conflicted copy){suffix}";
    }

    private CommitResult Append(CommitOutcome outcome, string path, int version, string device,
        IReadOnlyList<string> chunks, int toUpload, bool deleted = false)
    {
        var change = new FileChange(LastChangeId + 1, path, version, device, chunks.ToList(), deleted);
        journal.Add(change);
        files[path] = change;
        return new CommitResult(outcome, path, version, toUpload);
    }
}

/// <summary>A device's replica: the versions it has seen and its cursor into the journal.</summary>
public sealed class SyncDevice(string name)
{
    private readonly Dictionary<string, int> seen = new(StringComparer.Ordinal);
    public string Name { get; } = Guard.NotEmpty(name);
    public long Cursor { get; private set; }
    public int SeenVersion(string path) => seen.GetValueOrDefault(path);

    /// <summary>Pulls every change after the cursor, page by page; returns how many changes it applied.</summary>
    public int Pull(SyncService server, int pageSize = 1000)
    {
        Guard.NotNull(server);
        int applied = 0;
        while (true)
        {
            var (changes, cursor, more) = server.ChangesSince(Cursor, pageSize);
            foreach (var c in changes) { seen[c.Path] = c.Version; applied++; }
            Cursor = cursor;
            if (!more) return applied;
        }
    }

    public CommitResult Save(SyncService server, string path, IReadOnlyList<string> chunks)
    {
        Guard.NotNull(server);
        var r = server.Commit(Name, path, SeenVersion(path), chunks);
        seen[r.Path] = r.Version;
        return r;
    }
}
