using SystemDesign.Consistency;
using SystemDesign.Fencing;

namespace SystemDesign.Tests.Consistency;

public sealed class RaftTests
{
    [Fact]
    public void A_campaigning_node_is_elected_and_followers_stay_followers()
    {
        var c = new RaftCluster(new RaftOptions(), seed: 1);
        c.Campaign(0);
        c.RunUntil(2000);
        Assert.Equal(new[] { 0 }, c.BelievedLeaders());
        Assert.Single(c.Elections);
        Assert.All(Enumerable.Range(0, 5), v => Assert.Equal(1, c.Term(v)));
    }

    [Fact]
    public void After_a_crash_a_new_leader_arrives_within_the_timing_bounds()
    {
        var o = new RaftOptions();
        for (int seed = 0; seed < 40; seed++)
        {
            var f = RaftExperiments.Failover(o, seed);
            Assert.NotNull(f.TimeToElect);
            if (f.SplitTerms == 0)
                Assert.InRange(f.TimeToElect!.Value, o.ElectionTimeoutMin - o.HeartbeatInterval + 3 * o.MessageDelayMin,
                    o.ElectionTimeoutMin + o.ElectionTimeoutWidth + 3 * o.MessageDelayMax);
        }
    }

    [Fact]
    public void Majority_quorums_never_elect_two_leaders_in_one_term()
    {
        for (int seed = 0; seed < 30; seed++)
            Assert.True(RaftExperiments.RandomFaults(new RaftOptions(), seed, 3000).MaxLeadersInOneTerm <= 1, $"seed {seed}");
    }

    [Fact]
    public void A_minority_quorum_does_elect_two_leaders_in_one_term()
    {
        Assert.Contains(Enumerable.Range(0, 30), seed => RaftExperiments.RandomFaults(new RaftOptions { Quorum = 2 }, seed, 3000).MaxLeadersInOneTerm > 1);
    }

    [Fact]
    public void The_election_restriction_keeps_every_committed_entry_in_every_new_leaders_log()
    {
        int missingWith = 0, missingWithout = 0, committed = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var safe = RaftExperiments.RandomFaults(new RaftOptions { AppendInterval = 20 }, seed, 3000);
            var unsafeRun = RaftExperiments.RandomFaults(new RaftOptions { AppendInterval = 20, CheckLogUpToDate = false }, seed, 3000);
            missingWith += safe.Elections.Sum(e => e.MissingCommitted) + safe.LostCommittedEntries();
            missingWithout += unsafeRun.Elections.Sum(e => e.MissingCommitted);
            committed += safe.CommittedEntries;
            // A node grants at most one candidate per term.
            Assert.All(safe.Grants.GroupBy(g => (g.Term, g.Voter)), g => Assert.Single(g.Select(x => x.Candidate).Distinct()));
        }
        Assert.True(committed > 1000);
        Assert.Equal(0, missingWith);
        Assert.True(missingWithout > 0);
    }

    [Fact]
    public void Without_CheckQuorum_a_partitioned_old_leader_keeps_believing_until_the_heal()
    {
        var c = new RaftCluster(new RaftOptions { CheckQuorum = false }, seed: 2);
        c.Campaign(0);
        c.RunUntil(500);
        c.Partition([0, 1], [2, 3, 4]);
        c.RunUntil(1500);
        var leaders = c.BelievedLeaders();
        Assert.Equal(2, leaders.Count);
        Assert.Contains(0, leaders);
        Assert.NotEqual(c.Term(leaders[0]), c.Term(leaders[1]));
        c.Heal();
        c.RunUntil(2500);
        Assert.Single(c.BelievedLeaders());
        Assert.Equal(1, c.MaxLeadersInOneTerm);
        Assert.Contains(c.LeadershipEnds, e => e.Node == 0 && e.Term == 1 && !e.LostQuorum && e.Time > 1500);
    }

    [Fact]
    public void With_CheckQuorum_a_partitioned_leader_steps_down_within_two_election_timeouts()
    {
        var o = new RaftOptions();
        Assert.True(o.CheckQuorum); // etcd's server always enables it
        var c = new RaftCluster(o, seed: 2);
        c.Campaign(0);
        c.RunUntil(500);
        c.Partition([0, 1], [2, 3, 4]);
        c.RunUntil(1500);
        var leaders = c.BelievedLeaders();
        Assert.Single(leaders);
        Assert.True(leaders[0] >= 2 && c.Term(leaders[0]) > 1);
        var end = Assert.Single(c.LeadershipEnds, e => e.Node == 0 && e.Term == 1);
        Assert.True(end.LostQuorum);
        Assert.InRange(end.Time - 500, o.ElectionTimeoutMin - o.HeartbeatInterval - 2 * o.MessageDelayMax,
            2 * o.ElectionTimeoutMin);
        // The leader of the majority side keeps leading: it hears from a quorum.
        Assert.DoesNotContain(c.LeadershipEnds, e => e.Node == leaders[0]);
    }

    [Fact]
    public void Partitioned_leader_runs_stay_inside_the_CheckQuorum_window_and_without_it_last_the_partition()
    {
        var o = new RaftOptions();
        for (int seed = 0; seed < 40; seed++)
        {
            var run = RaftExperiments.PartitionedLeader(o, seed, 3000);
            Assert.True(run.LostQuorum);
            Assert.InRange(run.OldLeaderLedFor, o.ElectionTimeoutMin - o.HeartbeatInterval - 2 * o.MessageDelayMax,
                2 * o.ElectionTimeoutMin);
            Assert.NotNull(run.NewLeaderAfter);
            Assert.InRange(run.TwoLeadersFor, 0, run.OldLeaderLedFor);
            var off = RaftExperiments.PartitionedLeader(o with { CheckQuorum = false }, seed, 3000);
            Assert.False(off.LostQuorum);
            Assert.True(off.OldLeaderLedFor >= 3000);
            Assert.True(off.TwoLeadersFor > 3000 - 2 * (o.ElectionTimeoutMin + o.ElectionTimeoutWidth));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => RaftExperiments.PartitionedLeader(o with { Nodes = 2 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RaftExperiments.PartitionedLeader(o, 1, 0));
    }

    [Fact]
    public void The_election_timing_sweep_summarises_failovers()
    {
        var rows = RaftExperiments.ElectionTiming(new RaftOptions(), [0, 150], 20);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(0, r.OutsideWindow));
        Assert.Equal(20, rows[1].Elected);
        Assert.True(rows[0].ShareWithSplit > rows[1].ShareWithSplit);
        Assert.True(rows[1].MedianMs <= rows[1].P90Ms);
        Assert.Throws<ArgumentOutOfRangeException>(() => RaftExperiments.ElectionTiming(new RaftOptions(), [-1], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RaftExperiments.ElectionTiming(new RaftOptions(), [0], 0));
    }

    [Fact]
    public void A_paused_leaders_late_write_is_fenced_off_only_when_the_store_checks_tokens()
    {
        var o = new RaftOptions { ClientWriteInterval = 50 };
        var fenced = RaftExperiments.ZombieLeader(o, enforce: true, seed: 3);
        var open = RaftExperiments.ZombieLeader(o, enforce: false, seed: 3);
        var staleFenced = fenced.Cluster.Writes.Where(w => w.Term < w.NewestTerm).ToList();
        var staleOpen = open.Cluster.Writes.Where(w => w.Term < w.NewestTerm).ToList();
        Assert.NotEmpty(staleFenced);
        Assert.All(staleFenced, w => Assert.False(w.Accepted));
        Assert.NotEmpty(staleOpen);
        Assert.All(staleOpen, w => Assert.True(w.Accepted));
        Assert.Contains(staleFenced, w => w.Zombie && w.Node == fenced.PausedLeader);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftCluster(new RaftOptions { Nodes = 0 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftCluster(new RaftOptions { Quorum = 6 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftCluster(new RaftOptions { AppendInterval = -1 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftCluster(new RaftOptions { HeartbeatInterval = 500 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftCluster(new RaftOptions { MessageDelayMax = 0.5 }, 1));
        Assert.Throws<ArgumentException>(() => new RaftCluster(new RaftOptions { ClientWriteInterval = 10 }, 1));
        var c = new RaftCluster(new RaftOptions(), 1, new FencedStore<string>());
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Crash(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Partition([0, 7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Pause(0, -1));
        c.RunUntil(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.RunUntil(5));
        Assert.Throws<ArgumentException>(() => RaftExperiments.ZombieLeader(new RaftOptions(), true, 1));
    }
}
