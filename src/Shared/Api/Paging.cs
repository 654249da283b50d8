using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SystemDesign.Api;

/// <summary>A position in the feed order (created_at DESC, id DESC): the last row a client has seen.</summary>
public readonly record struct FeedKey(long CreatedAt, long Id);

/// <summary>One page read: the ids returned, the SQLite VM steps (work done) or PostgreSQL rows read, and time.</summary>
public sealed record PageRead(IReadOnlyList<long> Ids, long Work, double Ms, FeedKey? Last);

/// <summary>How a client pages through the feed.</summary>
public enum PagingKind { Offset, KeysetTimestampOnly, KeysetComposite }

/// <summary>
/// A posts table in real SQLite (in memory): id, created_at (seconds; <c>RowsPerSecond</c> posts share each
/// second, so created_at alone is not unique), title; an index on (created_at, id). Pages go newest first.
/// </summary>
public sealed class SqliteFeed : IDisposable
{
    private static readonly Dictionary<(int, int), SqliteFeed> Cache = new();
    private readonly SqliteConnection _db;

    public int Rows { get; private set; }
    public int RowsPerSecond { get; }

    public SqliteFeed(int rows, int rowsPerSecond = 3)
    {
        Rows = Guard.InRange(rows, 1, 5_000_000);
        RowsPerSecond = Guard.InRange(rowsPerSecond, 1, 1000);
        _db = new SqliteConnection("Data Source=:memory:");
        _db.Open();
        // One statement builds the table (a recursive CTE), then the index: ~1 s for a million rows.
        Exec("CREATE TABLE nb11_feed (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT NOT NULL);"
           + $"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rows}) "
           + $"INSERT INTO nb11_feed SELECT x, 1700000000 + (x - 1) / {rowsPerSecond}, 'post ' || x FROM n;"
           + "CREATE INDEX nb11_feed_created ON nb11_feed (created_at, id);");
    }

    /// <summary>One table per size for the whole process (kernel): a million rows are built once, then reused.
    /// Callers must not insert into it; use a fresh <see cref="SqliteFeed"/> for that.</summary>
    public static SqliteFeed Shared(int rows, int rowsPerSecond = 3)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue((rows, rowsPerSecond), out var feed))
                Cache[(rows, rowsPerSecond)] = feed = new SqliteFeed(rows, rowsPerSecond);
            return feed;
        }
    }

    public const string OffsetSql = "SELECT id, created_at FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT $n OFFSET $off";
    public const string CompositeSql = "SELECT id, created_at FROM nb11_feed WHERE (created_at, id) < ($ts, $id) "
                                     + "ORDER BY created_at DESC, id DESC LIMIT $n";
    public const string TimestampOnlySql = "SELECT id, created_at FROM nb11_feed WHERE created_at < $ts "
                                         + "ORDER BY created_at DESC, id DESC LIMIT $n";

    /// <summary>Page by LIMIT/OFFSET.</summary>
    public PageRead Offset(long offset, int size) =>
        Run(OffsetSql, ("$n", Guard.InRange(size, 1, 10_000)), ("$off", Guard.InRange(offset, 0, long.MaxValue)));

    /// <summary>Page by keyset: rows strictly after <paramref name="after"/> (the first page when null).</summary>
    public PageRead Keyset(FeedKey? after, int size, bool composite = true)
    {
        Guard.InRange(size, 1, 10_000);
        if (after is not { } k) return Run("SELECT id, created_at FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT $n", ("$n", size));
        return composite ? Run(CompositeSql, ("$n", size), ("$ts", k.CreatedAt), ("$id", k.Id))
                         : Run(TimestampOnlySql, ("$n", size), ("$ts", k.CreatedAt));
    }

    /// <summary>The key of the row at position <paramref name="offset"/> (0 = newest): where a keyset client that
    /// had read that deep would hold its cursor.</summary>
    public FeedKey KeyAt(long offset)
    {
        var page = Offset(offset, 1);
        Guard.That(page.Last is not null, $"offset {offset} is beyond the table's {Rows} rows", nameof(offset));
        return page.Last!.Value;
    }

    /// <summary>Runs any SELECT returning (id, created_at) with the given parameters ($n, $ts, $id, $off …).</summary>
    public PageRead Run(string sql, params (string Name, long Value)[] parameters)
    {
        Guard.NotEmpty(sql);
        var sw = Stopwatch.StartNew();
        int rc = raw.sqlite3_prepare_v2(_db.Handle, sql, out sqlite3_stmt stmt);
        if (rc != raw.SQLITE_OK) throw new ArgumentException($"SQLite rejected the SQL: {raw.sqlite3_errmsg(_db.Handle).utf8_to_string()}", nameof(sql));
        try
        {
            foreach (var (name, value) in parameters)
            {
                int i = raw.sqlite3_bind_parameter_index(stmt, name);
                if (i > 0) raw.sqlite3_bind_int64(stmt, i, value);
            }
            var ids = new List<long>();
            FeedKey? last = null;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                long id = raw.sqlite3_column_int64(stmt, 0);
                ids.Add(id);
                last = new FeedKey(raw.sqlite3_column_count(stmt) > 1 ? raw.sqlite3_column_int64(stmt, 1) : 0, id);
            }
            if (rc != raw.SQLITE_DONE) throw new InvalidOperationException(raw.sqlite3_errmsg(_db.Handle).utf8_to_string());
            long steps = raw.sqlite3_stmt_status(stmt, raw.SQLITE_STMTSTATUS_VM_STEP, 0);
            return new PageRead(ids, steps, sw.Elapsed.TotalMilliseconds, last);
        }
        finally { raw.sqlite3_finalize(stmt); }
    }

    /// <summary>Median time and the work of one page at <paramref name="depth"/>, by offset and by composite keyset.</summary>
    public (PageRead Offset, PageRead Keyset) AtDepth(long depth, int size, int repeats = 3)
    {
        Guard.InRange(repeats, 1, 50);
        var cursor = depth == 0 ? (FeedKey?)null : KeyAt(depth - 1);
        PageRead Median(Func<PageRead> read)
        {
            var runs = Enumerable.Range(0, repeats).Select(_ => read()).OrderBy(r => r.Ms).ToArray();
            return runs[repeats / 2];
        }
        return (Median(() => Offset(depth, size)), Median(() => Keyset(cursor, size)));
    }

    /// <summary>Inserts <paramref name="count"/> posts newer than every row (as if written while a client pages).</summary>
    public void InsertNewest(int count)
    {
        Guard.InRange(count, 0, 100_000);
        if (count == 0) return;
        Exec($"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {count}) "
           + "INSERT INTO nb11_feed (created_at, title) SELECT (SELECT MAX(created_at) FROM nb11_feed) + 1, 'new' FROM n;");
        Rows += count;
    }

    /// <summary>Deletes the given posts (as if their authors deleted them while a client pages).</summary>
    public void Delete(IEnumerable<long> ids)
    {
        var list = Guard.NotNull(ids).ToArray();
        if (list.Length == 0) return;
        Exec($"DELETE FROM nb11_feed WHERE id IN ({string.Join(",", list)})");
        Rows -= list.Length;
    }

    /// <summary>Walks every page with <paramref name="kind"/> and returns the ids in the order seen.</summary>
    public IReadOnlyList<long> WalkAll(PagingKind kind, int size)
    {
        Guard.InRange(size, 1, 10_000);
        var seen = new List<long>();
        FeedKey? cursor = null;
        for (long offset = 0; ; offset += size)
        {
            var page = kind == PagingKind.Offset ? Offset(offset, size)
                     : Keyset(cursor, size, composite: kind == PagingKind.KeysetComposite);
            if (page.Ids.Count == 0) return seen;
            seen.AddRange(page.Ids);
            cursor = page.Last;
        }
    }

    private void Exec(string sql) { using var c = _db.CreateCommand(); c.CommandText = sql; c.ExecuteNonQuery(); }
    public void Dispose() => _db.Dispose();
}

/// <summary>What a client saw across two pages when the table changed between the requests.</summary>
public sealed record PagingAnomaly(string Change, PagingKind Kind, int Duplicates, int Skipped);

public static class PagingConsistency
{
    /// <summary>
    /// Reads page 1, applies the change (<paramref name="inserted"/> newer posts, or deleting
    /// <paramref name="deleted"/> posts of page 1), reads page 2, and counts ids seen twice and ids the client
    /// passed without seeing. A fresh SQLite table per run.
    /// </summary>
    public static PagingAnomaly Run(PagingKind kind, int rows, int pageSize, int inserted, int deleted)
    {
        Guard.InRange(pageSize, 1, 1000);
        Guard.InRange(rows, 2 * pageSize + inserted, 1_000_000);
        Guard.InRange(deleted, 0, pageSize);
        using var feed = new SqliteFeed(rows);
        var page1 = kind == PagingKind.Offset ? feed.Offset(0, pageSize) : feed.Keyset(null, pageSize, kind == PagingKind.KeysetComposite);
        feed.InsertNewest(inserted);
        feed.Delete(page1.Ids.Take(deleted));
        var page2 = kind == PagingKind.Offset ? feed.Offset(pageSize, pageSize)
                  : feed.Keyset(page1.Last, pageSize, kind == PagingKind.KeysetComposite);
        int dup = page2.Ids.Count(page1.Ids.Contains);
        // Skipped: rows still in the table that sort after page 1's last row and up to page 2's last row (so a
        // client reading pages in order has passed them) but were on neither page: it will never see them.
        var between = page1.Last is { } l1 && page2.Last is { } l2
            ? feed.Run("SELECT id, created_at FROM nb11_feed WHERE (created_at, id) < ($t1, $i1) AND (created_at, id) >= ($t2, $i2)",
                ("$t1", l1.CreatedAt), ("$i1", l1.Id), ("$t2", l2.CreatedAt), ("$i2", l2.Id)).Ids
            : Array.Empty<long>();
        int skipped = between.Count(id => !page2.Ids.Contains(id) && !page1.Ids.Contains(id));
        string change = inserted > 0 && deleted > 0 ? $"{inserted} inserted, {deleted} deleted"
                      : inserted > 0 ? $"{inserted} newer posts inserted" : deleted > 0 ? $"{deleted} posts of page 1 deleted" : "no change";
        return new PagingAnomaly(change, kind, dup, skipped);
    }
}

/// <summary>
/// An opaque cursor: the (created_at, id) of the last row, base64url-encoded with an HMAC so a client can neither
/// read meaning into it nor forge one (a forged cursor could page past filters or probe other tenants' rows).
/// </summary>
public static class OpaqueCursor
{
    private const int TagBytes = 8;

    public static string Encode(FeedKey key, byte[] secret)
    {
        Guard.That(Guard.NotNull(secret).Length >= 16, "the secret needs at least 16 bytes", nameof(secret));
        var body = new byte[16];
        BitConverter.TryWriteBytes(body.AsSpan(0, 8), key.CreatedAt);
        BitConverter.TryWriteBytes(body.AsSpan(8, 8), key.Id);
        var tag = HMACSHA256.HashData(secret, body).AsSpan(0, TagBytes);
        return Convert.ToBase64String([.. body, .. tag]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The key inside <paramref name="cursor"/>; <see cref="ArgumentException"/> when it was altered.</summary>
    public static FeedKey Decode(string cursor, byte[] secret)
    {
        Guard.NotEmpty(cursor);
        Guard.That(Guard.NotNull(secret).Length >= 16, "the secret needs at least 16 bytes", nameof(secret));
        string b64 = cursor.Replace('-', '+').Replace('_', '/');
        byte[] bytes;
        try { bytes = Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=')); }
        catch (FormatException) { throw new ArgumentException("the cursor is not base64url", nameof(cursor)); }
        if (bytes.Length != 16 + TagBytes) throw new ArgumentException("the cursor has the wrong length", nameof(cursor));
        var expected = HMACSHA256.HashData(secret, bytes.AsSpan(0, 16)).AsSpan(0, TagBytes);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(16)))
            throw new ArgumentException("the cursor was altered (its HMAC does not match)", nameof(cursor));
        return new FeedKey(BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
    }
}

/// <summary>One global page served from several shards, and what it cost.</summary>
public sealed record ShardPage(int Page, IReadOnlyList<long> Ids, long RowsFetched);

/// <summary>
/// The feed split over <c>shards</c> real SQLite databases by id (id mod shards). A global page in
/// (created_at DESC, id DESC) order is a k-way merge: with a keyset cursor each shard returns at most one page
/// after the cursor; with OFFSET each shard must return offset + size rows, since any of them could be global.
/// </summary>
public sealed class ShardedFeed : IDisposable
{
    private readonly SqliteConnection[] _shards;

    public ShardedFeed(int rows, int shards, int rowsPerSecond = 3)
    {
        Guard.InRange(rows, 1, 1_000_000);
        _shards = new SqliteConnection[Guard.InRange(shards, 1, 64)];
        for (int s = 0; s < shards; s++)
        {
            _shards[s] = new SqliteConnection("Data Source=:memory:");
            _shards[s].Open();
            using var c = _shards[s].CreateCommand();
            c.CommandText = "CREATE TABLE nb11_feed (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL);"
                + $"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rows}) "
                + $"INSERT INTO nb11_feed SELECT x, 1700000000 + (x - 1) / {rowsPerSecond} FROM n WHERE x % {shards} = {s};"
                + "CREATE INDEX nb11_feed_created ON nb11_feed (created_at, id);";
            c.ExecuteNonQuery();
        }
    }

    public int Shards => _shards.Length;

    /// <summary>Global pages 1..<paramref name="pages"/> of <paramref name="size"/> rows.</summary>
    public IReadOnlyList<ShardPage> Walk(PagingKind kind, int size, int pages)
    {
        Guard.InRange(size, 1, 1000);
        Guard.InRange(pages, 1, 10_000);
        Guard.That(kind != PagingKind.KeysetTimestampOnly, "shards are paged by offset or by the composite key", nameof(kind));
        var result = new List<ShardPage>();
        FeedKey? cursor = null;
        for (int p = 0; p < pages; p++)
        {
            long fetched = 0;
            var candidates = new List<FeedKey>();
            foreach (var shard in _shards)
            {
                using var c = shard.CreateCommand();
                if (kind == PagingKind.Offset)
                    c.CommandText = $"SELECT created_at, id FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT {(long)p * size + size}";
                else
                    c.CommandText = "SELECT created_at, id FROM nb11_feed "
                        + (cursor is { } k ? $"WHERE (created_at, id) < ({k.CreatedAt}, {k.Id}) " : "")
                        + $"ORDER BY created_at DESC, id DESC LIMIT {size}";
                using var r = c.ExecuteReader();
                while (r.Read()) { candidates.Add(new FeedKey(r.GetInt64(0), r.GetInt64(1))); fetched++; }
            }
            var merged = candidates.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id);
            var page = (kind == PagingKind.Offset ? merged.Skip(p * size) : merged).Take(size).ToArray();
            if (page.Length == 0) break;
            cursor = page[^1];
            result.Add(new ShardPage(p + 1, page.Select(k => k.Id).ToArray(), fetched));
        }
        return result;
    }

    public void Dispose() { foreach (var s in _shards) s.Dispose(); }
}
