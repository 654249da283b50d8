using System.Diagnostics;
using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.DistributedTransactions;

/// <summary>What the real two-phase commit did, times in ms from the moment both participants had prepared.</summary>
/// <param name="PreparedAfterRestart">rows of pg_prepared_xacts (both databases) after the server restart</param>
/// <param name="WriterBlockedWhileInDoubt">a concurrent UPDATE of the prepared row was waiting on a lock</param>
/// <param name="ReaderSawBefore">a concurrent reader saw the balance from before the transaction</param>
/// <param name="RestartMs">the server's kill + restart, until it accepted connections</param>
/// <param name="ResolveSentAtMs">when the recovering coordinator sent its COMMIT/ROLLBACK PREPARED</param>
/// <param name="ResolvedAtMs">when the recovering coordinator's COMMIT/ROLLBACK PREPARED returned</param>
/// <param name="WriterDoneAtMs">when the concurrent writer's UPDATE returned</param>
/// <param name="WriterStartAtMs">when the writer sent its UPDATE</param>
public sealed record RealTwoPcResult(bool Committed, int PreparedAfterRestart, bool WriterBlockedWhileInDoubt,
    bool ReaderSawBefore, double RestartMs, double WriterStartAtMs, double ResolveSentAtMs, double ResolvedAtMs, double WriterDoneAtMs,
    int BalanceA, int BalanceB, int PreparedAtEnd, int LeftoversCleared);

/// <summary>
/// Two-phase commit on a real PostgreSQL (<c>max_prepared_transactions</c> &gt; 0): databases <c>nb15_a</c> and
/// <c>nb15_b</c> are the participants, each with a table <c>nb15_accounts</c> (row 1, balance 100). The coordinator
/// moves 30 from A to B: UPDATE + <c>PREPARE TRANSACTION</c> in both, optionally writes its decision to its own log
/// (table <c>nb15_coordinator_log</c> in the server's database <c>sdn</c>), then "crashes": its sessions end and the server is
/// killed (SIGKILL) and restarted. After the restart a writer tries to update the prepared row and a reader reads
/// it; <c>coordinatorDownMs</c> after the writer's UPDATE the recovering coordinator reads its log and issues COMMIT PREPARED (decision
/// found) or ROLLBACK PREPARED (none: presumed abort). Leftover <c>nb15-</c> prepared transactions are rolled
/// back at the start.
/// </summary>
public static class PostgresTwoPhase
{
    /// <summary>The registry service the experiment crashes: a PostgreSQL server of its own, so that no other
    /// notebook or test loses its server while this one is down.</summary>
    public const string Service = "postgres-2pc";

    public static RealTwoPcResult Run(string connectionString, bool decisionLogged, int coordinatorDownMs)
    {
        Guard.NotEmpty(connectionString);
        Guard.InRange(coordinatorDownMs, 0, 10_000);
        using var fx = Faults.Experiment(Service, check: () => Health(connectionString));
        int cleared = Prepare(connectionString);
        string a = Db(connectionString, "nb15_a"), b = Db(connectionString, "nb15_b");
        var watch = new Stopwatch();
        using (var ca = Open(a))
        using (var cb = Open(b))
        {
            Exec(ca, "BEGIN; UPDATE nb15_accounts SET balance = balance - 30 WHERE id = 1; PREPARE TRANSACTION 'nb15-a'");
            Exec(cb, "BEGIN; UPDATE nb15_accounts SET balance = balance + 30 WHERE id = 1; PREPARE TRANSACTION 'nb15-b'");
        }
        watch.Start();
        if (decisionLogged)
            using (var log = Open(connectionString)) Exec(log, "INSERT INTO nb15_coordinator_log VALUES ('nb15', 'commit')");
        // the coordinator crashes, and the server with it
        Faults.KillWithChildren(Service, "primary");
        Faults.Restart(Service, TimeSpan.FromSeconds(60), () => Health(connectionString));
        NpgsqlConnection.ClearAllPools();
        double restart = watch.Elapsed.TotalMilliseconds;
        int prepared = Scalar(a, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'nb15-%'");
        bool readerBefore = Scalar(a, "SELECT balance FROM nb15_accounts WHERE id = 1") == 100;
        using var writer = Open(a);
        int writerPid = Convert.ToInt32(new NpgsqlCommand("SELECT pg_backend_pid()", writer).ExecuteScalar());
        double writerStart = watch.Elapsed.TotalMilliseconds;
        var update = Task.Run(() =>
        {
            Exec(writer, "UPDATE nb15_accounts SET balance = balance + 1 WHERE id = 1");
            return watch.Elapsed.TotalMilliseconds;
        });
        // The coordinator stays down at least until the writer is seen waiting on the prepared row's lock (≤ 10 s:
        // just after a restart, on a loaded machine, the UPDATE can take longer than the downtime to get there).
        bool blocked = WaitBlocked(a, writerPid, TimeSpan.FromSeconds(10));
        // the coordinator stays down until coordinatorDownMs after the writer's UPDATE was sent
        Thread.Sleep(Math.Max(0, (int)Math.Ceiling(coordinatorDownMs - (watch.Elapsed.TotalMilliseconds - writerStart))));
        // the coordinator is back: it reads its log
        bool commit = Scalar(connectionString, "SELECT count(*) FROM nb15_coordinator_log WHERE gid = 'nb15' AND decision = 'commit'") == 1;
        string verb = commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED";
        using var ra = Open(a);
        using var rb = Open(b);
        double commitSent = watch.Elapsed.TotalMilliseconds;
        Exec(ra, $"{verb} 'nb15-a'");
        Exec(rb, $"{verb} 'nb15-b'");
        double resolved = watch.Elapsed.TotalMilliseconds;
        double writerDone = update.Wait(TimeSpan.FromSeconds(30)) ? update.Result : double.NaN;
        int balA = Scalar(a, "SELECT balance FROM nb15_accounts WHERE id = 1");
        int balB = Scalar(b, "SELECT balance FROM nb15_accounts WHERE id = 1");
        int left = Scalar(a, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'nb15-%'");
        fx.EnsureHealthy(() => Health(connectionString));
        return new RealTwoPcResult(commit, prepared, blocked, readerBefore, restart, writerStart, commitSent, resolved, writerDone,
            balA, balB, left, cleared);
    }

    /// <summary>Creates the participant databases if missing, rolls back leftover nb15- prepared transactions
    /// (from an interrupted run), resets the tables; returns how many leftovers it rolled back.</summary>
    public static int Prepare(string connectionString)
    {
        Guard.NotEmpty(connectionString);
        using (var admin = Open(connectionString))
        {
            foreach (var db in new[] { "nb15_a", "nb15_b" })
                if (Convert.ToInt32(new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{db}'", admin).ExecuteScalar()) == 0)
                    Exec(admin, $"CREATE DATABASE {db}");
            Exec(admin, "DROP TABLE IF EXISTS nb15_coordinator_log; CREATE TABLE nb15_coordinator_log (gid text, decision text)");
        }
        int cleared = 0;
        foreach (var db in new[] { "nb15_a", "nb15_b" })
        {
            using var c = Open(Db(connectionString, db));
            var gids = new List<string>();
            using (var r = new NpgsqlCommand("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'nb15-%' AND database = current_database()", c).ExecuteReader())
                while (r.Read()) gids.Add(r.GetString(0));
            foreach (var gid in gids) { Exec(c, $"ROLLBACK PREPARED '{gid}'"); cleared++; }
            Exec(c, "DROP TABLE IF EXISTS nb15_accounts; CREATE TABLE nb15_accounts (id int PRIMARY KEY, balance int NOT NULL); " +
                    "INSERT INTO nb15_accounts VALUES (1, 100)");
        }
        return cleared;
    }

    /// <summary>The connection string of the <c>postgres-2pc</c> server (<see cref="Servers.PostgresTwoPc"/>), or
    /// null after one line saying why not: it is down, or runs with max_prepared_transactions = 0.</summary>
    public static string? Server()
    {
        using var pg = Servers.PostgresTwoPc();
        if (pg is null) return null;
        if (MaxPreparedTransactions(pg) > 0) return Servers.PostgresTwoPcConnectionString;
        (Servers.Out ?? Console.Out).WriteLine("The PostgreSQL server for two-phase commit runs with max_prepared_transactions = 0 " +
            "(not the one scripts/services.d/postgres-2pc.sh starts): `./scripts/services.sh stop postgres-2pc && ./scripts/services.sh start postgres-2pc`");
        return null;
    }

    /// <summary>The registry's check of the service (its one member answers), in process: null when a
    /// connection opens and answers, else why not.</summary>
    private static string? Health(string cs)
    {
        try { return Scalar(cs, "SELECT 1") == 1 ? null : "no answer"; }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException) { return e.Message; }
    }

    /// <summary>The server's max_prepared_transactions (0 disables PREPARE TRANSACTION).</summary>
    public static int MaxPreparedTransactions(NpgsqlConnection connection) =>
        int.Parse((string)new NpgsqlCommand("SHOW max_prepared_transactions", Guard.NotNull(connection)).ExecuteScalar()!,
            System.Globalization.CultureInfo.InvariantCulture);

    private static bool WaitBlocked(string cs, int pid, TimeSpan max)
    {
        var w = Stopwatch.StartNew();
        while (w.Elapsed < max)
        {
            if (Scalar(cs, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND wait_event_type = 'Lock'") == 1) return true;
            Thread.Sleep(10);
        }
        return false;
    }

    internal static string Db(string cs, string db) => new NpgsqlConnectionStringBuilder(cs) { Database = db }.ConnectionString;

    private static NpgsqlConnection Open(string cs)
    {
        var c = new NpgsqlConnection(cs);
        c.Open();
        return c;
    }

    private static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    private static int Scalar(string cs, string sql)
    {
        using var c = Open(cs);
        return Convert.ToInt32(new NpgsqlCommand(sql, c).ExecuteScalar());
    }
}
