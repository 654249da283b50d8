using System.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace SystemDesign.Caching;

/// <summary>A bounded in-process LRU map: the L1 of a multi-level cache.</summary>
public sealed class LruMap<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map = new();

    public int Capacity { get; } = Guard.InRange(capacity, 1, 100_000_000);
    public int Count => _map.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (_map.Remove(key, out var old)) _order.Remove(old);
        else if (_map.Count == Capacity)
        {
            _map.Remove(_order.Last!.Value.Key);
            _order.RemoveLast();
        }
        _map[key] = _order.AddFirst((key, value));
    }
}

/// <summary>Requests answered by one level, and their latency.</summary>
public sealed record LevelStats(string Level, int Answered, double ShareOfRequests, double MeanMicroseconds, double P99Microseconds);

/// <summary>
/// The product-catalog read path on real parts: L1 an in-process LRU, L2 Redis (key prefix, TTL), L3
/// PostgreSQL (a products table). A miss at a level reads the next one and fills the levels above it
/// (cache-aside). Each request is timed end to end, so a level's latency includes the levels it missed.
/// </summary>
public static class MultiLevelCache
{
    public const string Table = "nb07_products";

    /// <summary>Creates the products table (<paramref name="table"/>, <see cref="Table"/> by default; a test passes
    /// its own name so that concurrent runs do not drop each other's table).</summary>
    public static void CreateCatalog(NpgsqlConnection pg, int products, string table = Table)
    {
        Guard.NotNull(pg);
        Guard.InRange(products, 1, 1_000_000);
        CheckTable(table);
        using var cmd = pg.CreateCommand();
        cmd.CommandText = $"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (id int PRIMARY KEY, name text NOT NULL, price_cents int NOT NULL);
            INSERT INTO {table} SELECT i, 'product ' || i, 100 + i % 9900 FROM generate_series(0, {products - 1}) i;
            ANALYZE {table};
            """;
        cmd.ExecuteNonQuery();
    }

    public static void DropCatalog(NpgsqlConnection pg, string table = Table)
    {
        Guard.NotNull(pg);
        CheckTable(table);
        using var cmd = pg.CreateCommand();
        cmd.CommandText = $"DROP TABLE IF EXISTS {table}";
        cmd.ExecuteNonQuery();
    }

    /// <summary>The table name goes into SQL text: only a plain identifier (letters, digits, _; not first a digit).</summary>
    private static void CheckTable(string table, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(table))] string? name = null)
    {
        Guard.NotEmpty(table, name);
        Guard.That(table.Length <= 63 && !char.IsAsciiDigit(table[0]) && table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'),
            $"table must be a plain SQL identifier of at most 63 letters, digits or _ (not starting with a digit); got '{table}'.", name);
    }

    /// <summary>Deletes the Redis copies of the products in <paramref name="ids"/> (before and after a run).</summary>
    public static void Forget(IDatabase redis, string prefix, IEnumerable<int> ids)
    {
        Guard.NotNull(redis);
        Guard.NotEmpty(prefix);
        var keys = Guard.NotNull(ids).Distinct().Select(i => (RedisKey)$"{prefix}product:{i}").ToArray();
        foreach (var chunk in keys.Chunk(1000)) redis.KeyDelete(chunk);
    }

    /// <summary>
    /// Replays <paramref name="trace"/> (product ids) through L1 → L2 → L3, one request at a time; the first
    /// <paramref name="warmup"/> requests fill the caches and are not counted.
    /// </summary>
    public static IReadOnlyList<LevelStats> Replay(NpgsqlConnection pg, IDatabase redis, string prefix, int l1Capacity,
        IReadOnlyList<int> trace, TimeSpan redisTtl, int warmup = 0, string table = Table)
    {
        Guard.NotNull(pg);
        Guard.NotNull(redis);
        Guard.NotEmpty(prefix);
        Guard.NotNull(trace);
        Guard.InRange(warmup, 0, Math.Max(0, trace.Count - 1));
        CheckTable(table);
        var l1 = new LruMap<int, string>(l1Capacity);
        var times = new Dictionary<string, List<double>> { ["L1 in-process"] = [], ["L2 Redis"] = [], ["L3 PostgreSQL"] = [] };
        using var query = pg.CreateCommand();
        query.CommandText = $"SELECT name || ':' || price_cents FROM {table} WHERE id = $1";
        var id = new NpgsqlParameter<int> { TypedValue = 0 };
        query.Parameters.Add(id);
        query.Prepare();
        var sw = new Stopwatch();
        for (int i = 0; i < trace.Count; i++)
        {
            int product = trace[i];
            sw.Restart();
            string level;
            if (l1.TryGet(product, out _)) level = "L1 in-process";
            else
            {
                var key = (RedisKey)$"{prefix}product:{product}";
                var cached = redis.StringGet(key);
                if (cached.HasValue) { level = "L2 Redis"; l1.Set(product, cached!); }
                else
                {
                    id.TypedValue = product;
                    string row = (string)query.ExecuteScalar()!;
                    redis.StringSet(key, row, redisTtl);
                    l1.Set(product, row);
                    level = "L3 PostgreSQL";
                }
            }
            if (i >= warmup) times[level].Add(sw.Elapsed.TotalMicroseconds);
        }
        int counted = trace.Count - warmup;
        return times.Select(kv => new LevelStats(kv.Key, kv.Value.Count, (double)kv.Value.Count / counted,
            kv.Value.Count == 0 ? double.NaN : kv.Value.Average(),
            kv.Value.Count == 0 ? double.NaN : SystemDesign.Notebook.Stats.Percentile(kv.Value, 0.99))).ToList();
    }
}
