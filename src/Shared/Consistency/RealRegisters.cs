using System.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace SystemDesign.Consistency;

/// <summary>
/// The notebook's claims run on real storage: fencing-token checks done by PostgreSQL and Redis themselves (a
/// conditional upsert, a Lua script), and client-observed histories of a single PostgreSQL row and a single Redis
/// key under concurrent clients, for <see cref="ConsistencyChecker"/> to judge. Tables are named by the caller
/// (nbNN_…) and keys carry the caller's prefix, and each method cleans up what it made.
/// </summary>
public static class RealRegisters
{
    /// <summary>
    /// Replays fenced writes on a PostgreSQL table: a write is applied only when its token is at least the stored
    /// one, in one statement (INSERT … ON CONFLICT DO UPDATE … WHERE), so the check and the write are atomic.
    /// Returns, per write, whether the database accepted it.
    /// </summary>
    public static IReadOnlyList<bool> FencedWritesOnPostgres(NpgsqlConnection connection, string table, IEnumerable<(string Value, long Token)> writes)
    {
        Guard.NotNull(connection);
        ValidateName(table);
        Guard.NotNull(writes);
        Exec(connection, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (key text PRIMARY KEY, value text NOT NULL, token bigint NOT NULL)");
        var accepted = new List<bool>();
        try
        {
            foreach (var (value, token) in writes)
            {
                Guard.InRange(token, 0, long.MaxValue, nameof(writes));
                using var cmd = new NpgsqlCommand(
                    $"INSERT INTO {table} (key, value, token) VALUES ('x', @v, @t) " +
                    $"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, token = EXCLUDED.token WHERE {table}.token <= EXCLUDED.token", connection);
                cmd.Parameters.AddWithValue("v", value);
                cmd.Parameters.AddWithValue("t", token);
                accepted.Add(cmd.ExecuteNonQuery() == 1);
            }
        }
        finally
        {
            Exec(connection, $"DROP TABLE IF EXISTS {table}");
        }
        return accepted;
    }

    private const string FencedSetScript = """
        local t = redis.call('HGET', KEYS[1], 'token')
        if t and tonumber(t) > tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], 'value', ARGV[1], 'token', ARGV[2])
        return 1
        """;

    /// <summary>The same fenced writes on Redis: a Lua script compares and sets atomically (Redis runs scripts one at a time).</summary>
    public static IReadOnlyList<bool> FencedWritesOnRedis(IDatabase db, string key, IEnumerable<(string Value, long Token)> writes)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        Guard.NotNull(writes);
        db.KeyDelete(key);
        var accepted = new List<bool>();
        try
        {
            foreach (var (value, token) in writes)
            {
                Guard.InRange(token, 0, long.MaxValue, nameof(writes));
                accepted.Add((long)db.ScriptEvaluate(FencedSetScript, [key], [value, token]) == 1);
            }
        }
        finally
        {
            db.KeyDelete(key);
        }
        return accepted;
    }

    /// <summary>
    /// <paramref name="clients"/> concurrent clients each run <paramref name="opsPerClient"/> reads or writes (unique
    /// values) on one PostgreSQL row, each with its own connection; invocation and response are read from one
    /// monotonic clock. The result is the history clients observed.
    /// </summary>
    public static IReadOnlyList<RegisterOp> PostgresHistory(string connectionString, string table, int clients, int opsPerClient, int seed)
    {
        Guard.NotEmpty(connectionString);
        ValidateName(table);
        ValidateLoad(clients, opsPerClient);
        using (var setup = new NpgsqlConnection(connectionString))
        {
            setup.Open();
            Exec(setup, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (key text PRIMARY KEY, value bigint NOT NULL); INSERT INTO {table} VALUES ('x', 0)");
        }
        try
        {
            return Concurrent(clients, opsPerClient, seed, client =>
            {
                var c = new NpgsqlConnection(connectionString);
                c.Open();
                var read = new NpgsqlCommand($"SELECT value FROM {table} WHERE key = 'x'", c);
                var write = new NpgsqlCommand($"UPDATE {table} SET value = @v WHERE key = 'x'", c);
                var p = write.Parameters.Add("v", NpgsqlTypes.NpgsqlDbType.Bigint);
                return (c, () => (long)read.ExecuteScalar()!, v => { p.Value = v; write.ExecuteNonQuery(); });
            });
        }
        finally
        {
            using var cleanup = new NpgsqlConnection(connectionString);
            cleanup.Open();
            Exec(cleanup, $"DROP TABLE IF EXISTS {table}");
        }
    }

    /// <summary>The same concurrent workload on one Redis key (GET / SET).</summary>
    public static IReadOnlyList<RegisterOp> RedisHistory(ConnectionMultiplexer redis, string key, int clients, int opsPerClient, int seed)
    {
        Guard.NotNull(redis);
        Guard.NotEmpty(key);
        ValidateLoad(clients, opsPerClient);
        var db = redis.GetDatabase();
        db.StringSet(key, 0);
        try
        {
            return Concurrent(clients, opsPerClient, seed, _ => (null, () => (long)db.StringGet(key), v => db.StringSet(key, v)));
        }
        finally
        {
            db.KeyDelete(key);
        }
    }

    private static IReadOnlyList<RegisterOp> Concurrent(int clients, int opsPerClient, int seed,
        Func<int, (IDisposable? Resource, Func<long> Read, Action<long> Write)> open)
    {
        var perClient = new List<RegisterOp>[clients];
        var sessions = Enumerable.Range(0, clients).Select(open).ToArray();
        var clock = Stopwatch.StartNew();
        double Ms() => clock.Elapsed.TotalMilliseconds;
        try
        {
            // Dedicated threads, not the thread pool: blocking calls on pool threads would starve it and stretch the run.
            var threads = Enumerable.Range(0, clients).Select(client => new Thread(() =>
            {
                var rng = new Random(seed * 1000 + client);
                var (_, read, write) = sessions[client];
                var list = new List<RegisterOp>(opsPerClient);
                for (int i = 0; i < opsPerClient; i++)
                {
                    if (rng.NextDouble() < 0.5)
                    {
                        long value = (long)(client + 1) * 1_000_000 + i + 1;
                        double inv = Ms();
                        write(value);
                        list.Add(RegisterOp.Write(client, value, inv, Ms()));
                    }
                    else
                    {
                        double inv = Ms();
                        long value = read();
                        list.Add(RegisterOp.Read(client, value, inv, Ms()));
                    }
                }
                perClient[client] = list;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        finally
        {
            foreach (var s in sessions) s.Resource?.Dispose();
        }
        return perClient.SelectMany(l => l).OrderBy(o => o.Invoke).ToList();
    }

    private static void ValidateLoad(int clients, int opsPerClient)
    {
        Guard.InRange(clients, 1, 32);
        Guard.InRange(opsPerClient, 1, 10_000);
    }

    private static void ValidateName(string table)
    {
        Guard.NotEmpty(table);
        Guard.That(table.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_') && char.IsAsciiLetterLower(table[0]),
            $"table must be a lower-case SQL identifier (letters, digits, _); got '{table}'.", nameof(table));
    }

    private static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }
}
