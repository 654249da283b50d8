using SystemDesign.Replication;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Replication;

public sealed class RealSystemTests
{
    [Fact]
    public void Lsns_parse_into_byte_positions()
    {
        Assert.Equal(0x16_B374D848UL, PostgresReplication.ParseLsn("16/B374D848"));
        Assert.Equal(0UL, PostgresReplication.ParseLsn("0/0"));
        Assert.Equal("lsn", Assert.Throws<ArgumentException>(() => PostgresReplication.ParseLsn("16-B374D848")).ParamName);
        Assert.Equal("lsn", Assert.Throws<ArgumentException>(() => PostgresReplication.ParseLsn("1/2/3")).ParamName);
    }

    [SkippableFact]
    public void Postgres_subtracts_lsns_into_bytes_and_reports_its_replication_settings()
    {
        using var pg = RealSystem.RequirePostgres();
        var diff = PostgresReplication.WalAcrossCommits(pg, 10);
        Assert.Equal("numeric", diff.ServerType);
        Assert.Equal((decimal)diff.ParsedDifference, diff.ServerDifference);
        Assert.True(diff.ParsedDifference > 0);
        Assert.Equal(PostgresReplication.ParseLsn(diff.After) - PostgresReplication.ParseLsn(diff.Before),
            diff.ParsedDifference);
        Assert.True(diff.ParsedDifference > 10 * 100, $"{diff.ParsedDifference} bytes for 10 rows of 100 bytes");

        var wal = PostgresReplication.InsertWal(pg, 1000);
        Assert.True(wal.Records >= 1000 && wal.BytesPerRow > 100);
        Assert.Equal(1000, wal.Rows);
        Assert.Equal(wal.Bytes / 1000.0, wal.BytesPerRow);
        Assert.True(wal.FullPageImages >= 0);
        using (var exists = new Npgsql.NpgsqlCommand($"SELECT to_regclass('{PostgresReplication.Table}') IS NULL", pg))
            Assert.True((bool)exists.ExecuteScalar()!);                          // dropped after the probe

        var s = PostgresReplication.Settings(pg);
        Assert.Contains("remote_apply", s.SynchronousCommitLevels);
        Assert.Equal(-1, s.MaxStandbyStreamingDelayMin);
        Assert.False(s.InRecovery);
        Assert.Null(s.LastReplayLsn);
        Assert.Equal("on", s.SynchronousCommit);
        Assert.Equal(16L << 20, s.WalSegmentBytes);
        Assert.Equal("30s", s.MaxStandbyStreamingDelay);
        Assert.True(s.ServerVersionNum >= 130000, $"{s.ServerVersionNum}");
        Assert.Equal(new[] { "local", "remote_write", "remote_apply", "on", "off" }.Order(),
            s.SynchronousCommitLevels.Order());
        Assert.Equal(s.ServerVersionNum >= 160000, s.HasParallelApplySetting);

        var columns = PostgresReplication.StatReplicationColumns(pg);
        Assert.Contains(("replay_lag", "interval"), columns);
        Assert.Contains(("sent_lsn", "pg_lsn"), columns);
    }

    [SkippableFact]
    public void A_real_walsender_ships_a_backlog_in_messages_of_at_most_128_kB_and_a_single_commit_alone()
    {
        using var pg = RealSystem.RequirePostgres();
        var o = PostgresReplication.StreamWal(pg, SystemDesign.RealSystems.Servers.PostgresConnectionString, rows: 5000, liveCommits: 3);
        Assert.True(o.BacklogBytes > 3 * 131_072, $"the bulk insert wrote {o.BacklogBytes} bytes");
        Assert.True(o.StreamedBacklogBytes >= o.BacklogBytes);
        Assert.Equal(o.BacklogMessages.Sum(m => (long)m), o.StreamedBacklogBytes);
        Assert.True(o.BacklogRecords >= 5000, $"{o.BacklogRecords} WAL records for 5000 rows");
        Assert.All(o.BacklogMessages, m => Assert.InRange(m, 1, 131_072)); // MAX_SEND_SIZE = 16 × 8 kB pages
        Assert.Contains(131_072, o.BacklogMessages);
        Assert.True(o.BacklogMessages.Count < o.BacklogRecords, "many records per message, not one message per record");
        Assert.Equal(3, o.LiveMessages.Count);
        Assert.Equal("streaming", o.StatState);
        Assert.True(o.StatSentBytes >= o.BacklogBytes);
        Console.WriteLine($"{o.BacklogBytes} B, {o.BacklogRecords} records, messages [{string.Join(",", o.BacklogMessages)}], live [{string.Join(",", o.LiveMessages)}], {o.StatState} {o.StatSentBytes}");
    }

    [SkippableFact]
    public void Redis_push_timelines_return_the_simulators_feeds()
    {
        var redis = RealSystem.RequireRedis();
        var graph = FollowerGraph.PowerLaw(150, 1.1, 2, 4);
        var events = new FeedWorkload { ReadsPerUserPerDay = 3, PostsPerDay = 0.5, PostRateExponent = 0.3, Seed = 2 }.Generate(graph);
        var run = RedisTimelines.RunPush(redis.GetDatabase(), "nb03:test:", graph, events, feedSize: 10, timelineCap: 15);
        var sim = FeedSimulator.Run(graph, events, int.MaxValue, feedSize: 10, timelineCap: 15);
        Assert.Equal(sim.FeedHashes, run.FeedHashes);
        Assert.Equal(sim.Counts.TimelineWrites, run.TimelineWrites);
        Assert.All(run.TimelineLengths, l => Assert.InRange(l, 0, 15));
        Assert.False(redis.GetDatabase().KeyExists("nb03:test:tl:0"));
    }
}
