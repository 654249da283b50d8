using System.Globalization;
using System.Text.Json;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;

namespace SystemDesign.Replication;

/// <summary>The replication-related facts of a PostgreSQL server that the guide's advice depends on.</summary>
/// <param name="ServerVersionNum">server_version_num, e.g. 150018.</param>
/// <param name="SynchronousCommit">This session's synchronous_commit.</param>
/// <param name="SynchronousCommitLevels">The values synchronous_commit accepts (pg_settings.enumvals).</param>
/// <param name="SynchronousStandbyNames">Empty when no standby is synchronous: then every level commits like local.</param>
/// <param name="WalSegmentBytes">Size of one WAL segment file.</param>
/// <param name="MaxStandbyStreamingDelay">The current max_standby_streaming_delay.</param>
/// <param name="MaxStandbyStreamingDelayMin">The smallest value the setting accepts: −1 means "wait forever".</param>
/// <param name="InRecovery">pg_is_in_recovery(): true on a standby.</param>
/// <param name="LastReplayLsn">pg_last_wal_replay_lsn(): null on a server that is not a standby.</param>
/// <param name="HasParallelApplySetting">Whether max_parallel_apply_workers_per_subscription exists (parallel apply of logical replication).</param>
public sealed record ReplicationSettings(int ServerVersionNum, string SynchronousCommit, IReadOnlyList<string> SynchronousCommitLevels,
    string SynchronousStandbyNames, long WalSegmentBytes, string MaxStandbyStreamingDelay, int MaxStandbyStreamingDelayMin,
    bool InRecovery, string? LastReplayLsn, bool HasParallelApplySetting);

/// <summary>WAL written by one statement, as EXPLAIN (ANALYZE, WAL) reports it: per statement, so other sessions' traffic does not count.</summary>
public sealed record WalUsage(int Rows, long Records, long FullPageImages, long Bytes)
{
    public double BytesPerRow => (double)Bytes / Rows;
}

/// <summary>Two WAL positions read from the server and their difference, computed by us and by the server's pg_lsn minus operator.</summary>
public sealed record LsnDifference(string Before, string After, ulong ParsedDifference, decimal ServerDifference, string ServerType);

/// <summary>
/// What a real walsender sent to a replication client: the sizes of its WAL data messages ('w' CopyData)
/// while it caught up on a backlog, and after single-row commits once it was caught up.
/// </summary>
/// <param name="BacklogBytes">WAL between the start position and the end of the bulk INSERT (server LSN difference).</param>
/// <param name="BacklogRecords">WAL records the bulk INSERT wrote (EXPLAIN (ANALYZE, WAL)).</param>
/// <param name="BacklogMessages">Sizes of the messages that carried the backlog, bytes of WAL each.</param>
/// <param name="LiveMessages">Sizes of the first message after each single-row commit, bytes.</param>
/// <param name="StatState">pg_stat_replication.state for this client while it streamed (null if no row).</param>
/// <param name="StatSentBytes">pg_stat_replication.sent_lsn minus the start position, bytes.</param>
public sealed record WalStreamObservation(long BacklogBytes, long BacklogRecords, IReadOnlyList<int> BacklogMessages,
    IReadOnlyList<int> LiveMessages, string? StatState, long StatSentBytes)
{
    public long StreamedBacklogBytes => BacklogMessages.Sum(m => (long)m);
}

/// <summary>
/// Read-only probes of a real PostgreSQL server for the replication notebook. The server these notebooks
/// use is a single primary (no standby), so what can be observed is the primary's side: WAL positions, the
/// WAL a write produces, the settings and the shape of pg_stat_replication. Tables are named nb03_*.
/// </summary>
public static class PostgresReplication
{
    public const string Table = "nb03_wal";

    /// <summary>Parses a pg_lsn ("16/B374D848": high and low 32 bits in hex) into a byte position.</summary>
    public static ulong ParseLsn(string lsn)
    {
        Guard.NotEmpty(lsn);
        var parts = lsn.Split('/');
        Guard.That(parts.Length == 2
                   && uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)
                   && uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _),
            $"an LSN looks like 16/B374D848 (two hexadecimal 32-bit halves); got '{lsn}'.", nameof(lsn));
        return ((ulong)uint.Parse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) << 32)
               | uint.Parse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public static string CurrentLsn(NpgsqlConnection connection)
        => (string)Scalar(Guard.NotNull(connection), "SELECT pg_current_wal_lsn()::text")!;

    /// <summary>
    /// Reads pg_current_wal_lsn(), runs <paramref name="rows"/> single-row commits on nb03_wal, reads it again
    /// and lets the server subtract the two: the pg_lsn minus operator returns a byte count.
    /// </summary>
    public static LsnDifference WalAcrossCommits(NpgsqlConnection connection, int rows)
    {
        Guard.NotNull(connection);
        Guard.InRange(rows, 1, 10_000);
        Reset(connection);
        string before = CurrentLsn(connection);
        for (int i = 0; i < rows; i++)
            Execute(connection, $"INSERT INTO {Table}(payload) VALUES (repeat('x', 100))");
        string after = CurrentLsn(connection);
        using var cmd = new NpgsqlCommand("SELECT ($1::pg_lsn - $2::pg_lsn), pg_typeof($1::pg_lsn - $2::pg_lsn)::text", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = after });
        cmd.Parameters.Add(new NpgsqlParameter { Value = before });
        using var r = cmd.ExecuteReader();
        r.Read();
        var result = new LsnDifference(before, after, ParseLsn(after) - ParseLsn(before), r.GetDecimal(0), r.GetString(1));
        r.Close();
        Drop(connection);
        return result;
    }

    /// <summary>The WAL an INSERT of <paramref name="rows"/> rows of about 100 bytes writes (EXPLAIN (ANALYZE, WAL), PostgreSQL 13+).</summary>
    public static WalUsage InsertWal(NpgsqlConnection connection, int rows)
    {
        Guard.NotNull(connection);
        Guard.InRange(rows, 1, 1_000_000);
        Reset(connection);
        string json = (string)Scalar(connection,
            $"EXPLAIN (ANALYZE, WAL, FORMAT JSON) INSERT INTO {Table}(payload) SELECT repeat('x', 100) FROM generate_series(1, {rows})")!;
        Drop(connection);
        var plan = JsonDocument.Parse(json).RootElement[0].GetProperty("Plan");
        return new WalUsage(rows, plan.GetProperty("WAL Records").GetInt64(), plan.GetProperty("WAL FPI").GetInt64(), plan.GetProperty("WAL Bytes").GetInt64());
    }

    public static ReplicationSettings Settings(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = new NpgsqlCommand("""
            SELECT current_setting('server_version_num')::int,
                   current_setting('synchronous_commit'),
                   (SELECT enumvals FROM pg_settings WHERE name = 'synchronous_commit'),
                   current_setting('synchronous_standby_names'),
                   pg_size_bytes(current_setting('wal_segment_size')),
                   current_setting('max_standby_streaming_delay'),
                   (SELECT min_val::int FROM pg_settings WHERE name = 'max_standby_streaming_delay'),
                   pg_is_in_recovery(),
                   pg_last_wal_replay_lsn()::text,
                   EXISTS (SELECT 1 FROM pg_settings WHERE name = 'max_parallel_apply_workers_per_subscription')
            """, connection);
        using var r = cmd.ExecuteReader();
        r.Read();
        return new ReplicationSettings(r.GetInt32(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetString(3), r.GetInt64(4),
            r.GetString(5), r.GetInt32(6), r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetBoolean(9));
    }

    /// <summary>The columns of pg_stat_replication and their types.</summary>
    public static IReadOnlyList<(string Name, string Type)> StatReplicationColumns(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = new NpgsqlCommand("""
            SELECT attname::text, format_type(atttypid, atttypmod)
            FROM pg_attribute WHERE attrelid = 'pg_stat_replication'::regclass AND attnum > 0 ORDER BY attnum
            """, connection);
        using var r = cmd.ExecuteReader();
        var columns = new List<(string, string)>();
        while (r.Read()) columns.Add((r.GetString(0), r.GetString(1)));
        return columns;
    }

    /// <summary>
    /// Connects to the server as a physical replication client (the protocol a standby's walreceiver speaks,
    /// without a slot), asks its walsender to stream from just before a bulk INSERT of
    /// <paramref name="rows"/> rows, and records the size of every WAL data message until the INSERT's WAL
    /// has arrived; then makes <paramref name="liveCommits"/> single-row commits and records the message that
    /// carries each. Needs a role with REPLICATION and a pg_hba entry for replication connections (the
    /// notebooks' server has both). Throws <see cref="TimeoutException"/> if the stream stalls.
    /// </summary>
    public static WalStreamObservation StreamWal(NpgsqlConnection connection, string connectionString, int rows = 5000,
        int liveCommits = 5, double timeoutSeconds = 10)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(connectionString);
        Guard.InRange(rows, 1, 200_000);
        Guard.InRange(liveCommits, 0, 100);
        Guard.InRange(timeoutSeconds, 0.5, 120);
        return StreamWalAsync(connection, connectionString, rows, liveCommits, timeoutSeconds).GetAwaiter().GetResult();
    }

    private static async Task<WalStreamObservation> StreamWalAsync(NpgsqlConnection connection, string connectionString,
        int rows, int liveCommits, double timeoutSeconds)
    {
        Reset(connection);
        string before = CurrentLsn(connection);
        string json = (string)Scalar(connection,
            $"EXPLAIN (ANALYZE, WAL, FORMAT JSON) INSERT INTO {Table}(payload) SELECT repeat('x', 100) FROM generate_series(1, {rows})")!;
        long records = JsonDocument.Parse(json).RootElement[0].GetProperty("Plan").GetProperty("WAL Records").GetInt64();
        ulong start = ParseLsn(before), end = ParseLsn(CurrentLsn(connection));
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "nb03_stream" };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await using var replication = new PhysicalReplicationConnection(builder.ConnectionString);
        await replication.Open(cts.Token);
        var backlog = new List<int>();
        var live = new List<int>();
        string? state = null;
        long statSent = 0;
        var stream = replication.StartReplication(new NpgsqlLogSequenceNumber(start), cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            ulong received = start;
            async Task<int> Next()
            {
                if (!await stream.MoveNextAsync()) throw new InvalidOperationException("the walsender ended the stream.");
                var m = stream.Current;
                long length = 0;
                var buffer = new byte[8192];
                int n;
                while ((n = await m.Data.ReadAsync(buffer, cts.Token)) > 0) length += n;
                received = Math.Max(received, (ulong)m.WalStart + (ulong)length);
                return (int)length;
            }
            while (received < end) backlog.Add(await Next());
            for (int k = 0; k < liveCommits; k++)
            {
                Execute(connection, $"INSERT INTO {Table}(payload) VALUES (repeat('y', 100))");
                ulong target = ParseLsn(CurrentLsn(connection));
                int first = await Next();
                live.Add(first);
                while (received < target) await Next();
            }
            using var cmd = new NpgsqlCommand(
                "SELECT state, (sent_lsn - $1::pg_lsn)::bigint FROM pg_stat_replication WHERE application_name = 'nb03_stream'", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = before });
            using (var r = cmd.ExecuteReader())
                if (r.Read()) { state = r.GetString(0); statSent = r.IsDBNull(1) ? 0 : r.GetInt64(1); }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the WAL stream stalled: no data within {timeoutSeconds} s.");
        }
        finally
        {
            cts.Cancel();
            try { await stream.DisposeAsync(); } catch (OperationCanceledException) { } catch (NpgsqlException) { }
            Drop(connection);
        }
        return new WalStreamObservation((long)(end - start), records, backlog, live, state, statSent);
    }

    /// <summary>Drops nb03_wal (cells call it first and last, so re-running is safe).</summary>
    public static void Drop(NpgsqlConnection connection) => Execute(Guard.NotNull(connection), $"DROP TABLE IF EXISTS {Table}");

    private static void Reset(NpgsqlConnection connection)
    {
        Drop(connection);
        Execute(connection, $"CREATE TABLE {Table}(id bigserial PRIMARY KEY, payload text NOT NULL)");
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        return cmd.ExecuteScalar();
    }
}
