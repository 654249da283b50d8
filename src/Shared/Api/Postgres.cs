using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace SystemDesign.Api;

/// <summary>What <c>EXPLAIN (ANALYZE, BUFFERS)</c> reported for one page query.</summary>
/// <param name="IndexRowsRead">rows the index scan produced (actual rows × loops): OFFSET rows are read, then discarded</param>
/// <param name="Buffers">shared buffers hit + read by the whole plan (8 KiB pages)</param>
public sealed record PgPagePlan(string Kind, long Depth, string ScanNode, long IndexRowsRead, long Returned, long Buffers, double ExecutionMs);

/// <summary>The feed table of <see cref="SqliteFeed"/> in PostgreSQL (nb11_feed), and its page plans.</summary>
public static class PgFeed
{
    /// <summary>Drops and creates nb11_feed with <paramref name="rows"/> rows (generate_series), its index, and ANALYZE.</summary>
    public static void Create(NpgsqlConnection db, int rows, int rowsPerSecond = 3)
    {
        Guard.NotNull(db);
        Guard.InRange(rows, 1, 5_000_000);
        Guard.InRange(rowsPerSecond, 1, 1000);
        Exec(db, "DROP TABLE IF EXISTS nb11_feed;"
            + "CREATE TABLE nb11_feed (id bigint PRIMARY KEY, created_at bigint NOT NULL, title text NOT NULL);"
            + $"INSERT INTO nb11_feed SELECT x, 1700000000 + (x - 1) / {rowsPerSecond}, 'post ' || x FROM generate_series(1, {rows}) x;"
            + "CREATE INDEX nb11_feed_created ON nb11_feed (created_at, id); ANALYZE nb11_feed;");
    }

    public static void Drop(NpgsqlConnection db) => Exec(Guard.NotNull(db), "DROP TABLE IF EXISTS nb11_feed");

    public static FeedKey KeyAt(NpgsqlConnection db, long offset)
    {
        using var c = new NpgsqlCommand($"SELECT created_at, id FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {Guard.InRange(offset, 0, long.MaxValue)}", Guard.NotNull(db));
        using var r = c.ExecuteReader();
        Guard.That(r.Read(), $"offset {offset} is beyond the table", nameof(offset));
        return new FeedKey(r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>The OFFSET page and the keyset page at <paramref name="depth"/>, each under EXPLAIN (ANALYZE, BUFFERS).</summary>
    public static (PgPagePlan Offset, PgPagePlan Keyset) AtDepth(NpgsqlConnection db, long depth, int size)
    {
        Guard.NotNull(db);
        Guard.InRange(size, 1, 10_000);
        string offsetSql = $"SELECT id, created_at, title FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT {size} OFFSET {depth}";
        string keysetSql = depth == 0
            ? $"SELECT id, created_at, title FROM nb11_feed ORDER BY created_at DESC, id DESC LIMIT {size}"
            : KeyAt(db, depth - 1) is var k
              ? $"SELECT id, created_at, title FROM nb11_feed WHERE (created_at, id) < ({k.CreatedAt}, {k.Id}) ORDER BY created_at DESC, id DESC LIMIT {size}"
              : "";
        return (Explain(db, "OFFSET", depth, offsetSql), Explain(db, "keyset", depth, keysetSql));
    }

    /// <summary>Runs <paramref name="sql"/> under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) and reads the plan.</summary>
    public static PgPagePlan Explain(NpgsqlConnection db, string kind, long depth, string sql)
    {
        using var c = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + Guard.NotEmpty(sql), Guard.NotNull(db));
        string json = (string)c.ExecuteScalar()!;
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement[0];
        var plan = root.GetProperty("Plan");
        var scan = Find(plan) ?? throw new InvalidOperationException("no scan node in the plan: " + json);
        long Blocks(JsonElement n) => n.GetProperty("Shared Hit Blocks").GetInt64() + n.GetProperty("Shared Read Blocks").GetInt64();
        return new PgPagePlan(kind, depth, scan.GetProperty("Node Type").GetString()!,
            (long)(scan.GetProperty("Actual Rows").GetDouble() * scan.GetProperty("Actual Loops").GetDouble()),
            (long)plan.GetProperty("Actual Rows").GetDouble(), Blocks(plan), root.GetProperty("Execution Time").GetDouble());
    }

    private static JsonElement? Find(JsonElement node)
    {
        string type = node.GetProperty("Node Type").GetString()!;
        if (type.Contains("Scan")) return node;
        if (node.TryGetProperty("Plans", out var children))
            foreach (var child in children.EnumerateArray())
                if (Find(child) is { } found) return found;
        return null;
    }

    internal static void Exec(NpgsqlConnection db, string sql) { using var c = new NpgsqlCommand(sql, db); c.ExecuteNonQuery(); }
}

/// <summary>An HTTP-like response of the payments API.</summary>
public sealed record PaymentResponse(int Status, string Body, bool Replayed);

/// <summary>Where the server "crashes" (its PostgreSQL session is terminated with pg_terminate_backend).</summary>
public enum CrashPoint { None, AfterEffectBeforeKey }

/// <summary>
/// A payments endpoint on real PostgreSQL (tables nb11_accounts, nb11_payments, nb11_idempotency). With
/// <c>oneTransaction</c> the key is claimed (<c>INSERT … ON CONFLICT DO NOTHING</c>), the charge is made and the
/// response stored in ONE transaction: a concurrent retry blocks on the key's unique index until the first commits,
/// then replays the stored response. Without it, the charge commits first and the key is recorded after.
/// </summary>
public sealed class PaymentsApi(string connectionString)
{
    private readonly string _cs = Guard.NotEmpty(connectionString);

    /// <summary>Drops and creates the three tables; account 1 holds <paramref name="balance"/> cents.</summary>
    public void Reset(long balance)
    {
        using var db = Open();
        PgFeed.Exec(db, "DROP TABLE IF EXISTS nb11_idempotency, nb11_payments, nb11_accounts;"
            + "CREATE TABLE nb11_accounts (id int PRIMARY KEY, balance bigint NOT NULL);"
            + "CREATE TABLE nb11_payments (id bigserial PRIMARY KEY, amount bigint NOT NULL, idem_key text NOT NULL);"
            + "CREATE TABLE nb11_idempotency (key text PRIMARY KEY, request_hash text NOT NULL, status int, body text,"
            + " created_at timestamptz NOT NULL DEFAULT now());"
            + $"INSERT INTO nb11_accounts VALUES (1, {Guard.InRange(balance, 0, long.MaxValue)});");
    }

    public void Drop() { using var db = Open(); PgFeed.Exec(db, "DROP TABLE IF EXISTS nb11_idempotency, nb11_payments, nb11_accounts"); }

    public void SetBalance(long balance) { using var db = Open(); PgFeed.Exec(db, $"UPDATE nb11_accounts SET balance = {balance} WHERE id = 1"); }

    /// <summary>Rows in nb11_payments: how many times the charge really happened.</summary>
    public long Charges(string? key = null)
    {
        using var db = Open();
        using var c = new NpgsqlCommand("SELECT count(*) FROM nb11_payments" + (key is null ? "" : " WHERE idem_key = @k"), db);
        if (key is not null) c.Parameters.AddWithValue("k", key);
        return (long)c.ExecuteScalar()!;
    }

    public NpgsqlConnection Open() { var db = new NpgsqlConnection(_cs); db.Open(); return db; }

    /// <summary>POST /payments {amount} with Idempotency-Key <paramref name="key"/>. Returns null when the server
    /// crashed at <paramref name="crash"/> (the client sees a dropped connection and will retry).</summary>
    public PaymentResponse? Pay(string key, long amount, bool oneTransaction = true, CrashPoint crash = CrashPoint.None,
        NpgsqlConnection? connection = null)
    {
        Guard.NotEmpty(key);
        Guard.InRange(amount, 1, long.MaxValue);
        var db = connection ?? Open();
        try { return oneTransaction ? Together(db, key, amount, crash) : Separate(db, key, amount, crash); }
        catch (Exception e) when (crash != CrashPoint.None && e is NpgsqlException or InvalidOperationException) { return null; }
        finally { if (connection is null) db.Dispose(); }
    }

    private PaymentResponse Together(NpgsqlConnection db, string key, long amount, CrashPoint crash)
    {
        using var tx = db.BeginTransaction();
        using (var claim = new NpgsqlCommand("INSERT INTO nb11_idempotency (key, request_hash) VALUES (@k, @h) ON CONFLICT (key) DO NOTHING", db, tx))
        {
            claim.Parameters.AddWithValue("k", key);
            claim.Parameters.AddWithValue("h", amount.ToString());
            if (claim.ExecuteNonQuery() == 0)                       // someone holds or finished this key
            {
                var replay = Stored(db, tx, key, amount);
                tx.Commit();
                return replay;
            }
        }
        var response = Effect(db, tx, key, amount);
        if (crash == CrashPoint.AfterEffectBeforeKey) Crash(db);
        Record(db, tx, key, amount, response, update: true);
        tx.Commit();
        return response;
    }

    private PaymentResponse Separate(NpgsqlConnection db, string key, long amount, CrashPoint crash)
    {
        if (Find(db, key) is { } found) return found;
        PaymentResponse response;
        using (var tx = db.BeginTransaction())
        {
            response = Effect(db, tx, key, amount);
            tx.Commit();                                            // the charge is durable here …
        }
        if (crash == CrashPoint.AfterEffectBeforeKey) Crash(db);    // … and the key is not yet
        using (var tx = db.BeginTransaction())
        {
            Record(db, tx, key, amount, response, update: false);
            tx.Commit();
        }
        return response;
    }

    private static PaymentResponse Effect(NpgsqlConnection db, NpgsqlTransaction tx, string key, long amount)
    {
        using var debit = new NpgsqlCommand("UPDATE nb11_accounts SET balance = balance - @a WHERE id = 1 AND balance >= @a", db, tx);
        debit.Parameters.AddWithValue("a", amount);
        if (debit.ExecuteNonQuery() == 0)
            return new PaymentResponse(402, "{\"error\":\"insufficient_funds\",\"amount\":" + amount + "}", false);
        using var pay = new NpgsqlCommand("INSERT INTO nb11_payments (amount, idem_key) VALUES (@a, @k) RETURNING id", db, tx);
        pay.Parameters.AddWithValue("a", amount);
        pay.Parameters.AddWithValue("k", key);
        long id = (long)pay.ExecuteScalar()!;
        return new PaymentResponse(201, "{\"payment_id\":" + id + ",\"amount\":" + amount + "}", false);
    }

    private static void Record(NpgsqlConnection db, NpgsqlTransaction tx, string key, long amount, PaymentResponse r, bool update)
    {
        using var c = new NpgsqlCommand(update
            ? "UPDATE nb11_idempotency SET status = @s, body = @b WHERE key = @k"
            : "INSERT INTO nb11_idempotency (key, request_hash, status, body) VALUES (@k, @h, @s, @b)", db, tx);
        c.Parameters.AddWithValue("k", key);
        c.Parameters.AddWithValue("h", amount.ToString());
        c.Parameters.AddWithValue("s", r.Status);
        c.Parameters.AddWithValue("b", r.Body);
        c.ExecuteNonQuery();
    }

    private static PaymentResponse Stored(NpgsqlConnection db, NpgsqlTransaction? tx, string key, long amount)
    {
        using var c = new NpgsqlCommand("SELECT request_hash, status, body FROM nb11_idempotency WHERE key = @k", db, tx);
        c.Parameters.AddWithValue("k", key);
        using var r = c.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException("the key vanished");
        if (r.GetString(0) != amount.ToString())
            return new PaymentResponse(422, "{\"error\":\"idempotency_key_reused_with_a_different_request\"}", false);
        if (r.IsDBNull(1)) return new PaymentResponse(409, "{\"error\":\"request_in_progress\"}", false);
        return new PaymentResponse(r.GetInt32(1), r.GetString(2), true);
    }

    /// <summary>The server process dies: its PostgreSQL session is terminated from another connection, so whatever
    /// it had not committed is rolled back by the server, exactly as after a crash.</summary>
    private void Crash(NpgsqlConnection victim)
    {
        using var admin = Open();
        using var c = new NpgsqlCommand($"SELECT pg_terminate_backend({victim.ProcessID})", admin);
        c.ExecuteNonQuery();
        Thread.Sleep(20);
        throw new InvalidOperationException("server crashed");
    }

    /// <summary><paramref name="clients"/> connections send the same payment with the same key at the same moment.</summary>
    public IReadOnlyList<PaymentResponse> ConcurrentRetries(string key, long amount, int clients)
    {
        Guard.InRange(clients, 2, 32);
        var conns = Enumerable.Range(0, clients).Select(_ => Open()).ToArray();
        try
        {
            using var start = new Barrier(clients);
            var tasks = conns.Select(db => Task.Factory.StartNew(() => { start.SignalAndWait(); return Pay(key, amount, connection: db)!; },
                TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(tasks);
            return tasks.Select(t => t.Result).ToArray();
        }
        finally { foreach (var c in conns) c.Dispose(); }
    }

    private static PaymentResponse? Find(NpgsqlConnection db, string key)
    {
        using var c = new NpgsqlCommand("SELECT status, body FROM nb11_idempotency WHERE key = @k", db);
        c.Parameters.AddWithValue("k", key);
        using var r = c.ExecuteReader();
        return r.Read() && !r.IsDBNull(0) ? new PaymentResponse(r.GetInt32(0), r.GetString(1), true) : null;
    }
}
