using System.Text.Json.Nodes;
using Plotly.NET;
using SystemDesign.Consistency;
using SystemDesign.Fencing;

namespace SystemDesign.Tests.Consistency;

/// <summary>
/// The edges the seeded runs of <see cref="ExactValueTests"/> do not reach: a cluster of one, a fail-over cut off
/// before anyone wins, partitions too short to elect, a side with no replicas, phases with no requests, and the
/// figures the CAP chart draws.
/// </summary>
public sealed class ConsistencyEdgeTests
{
    private static readonly RaftOptions Defaults = new();

    [Fact]
    public void A_cluster_of_one_leads_on_its_own_vote_without_sending_a_request()
    {
        var options = new RaftOptions { Nodes = 1 };
        var c = new RaftCluster(options, 1);
        Assert.Same(options, c.Options);
        Assert.Equal(1, c.Quorum);
        c.Campaign(0);
        c.RunUntil(10);
        Assert.Equal(new Candidacy(1, 0, 0), Assert.Single(c.Candidacies));
        Assert.Equal(new LeaderElected(1, 0, 0, 0, 0), Assert.Single(c.Elections));
        Assert.Empty(c.Grants);
        Assert.Equal(new[] { 0 }, c.BelievedLeaders());
    }

    [Fact]
    public void Events_at_the_deadline_itself_are_processed_and_an_election_must_come_after_the_given_time()
    {
        var until = new RaftCluster(new RaftOptions { Nodes = 1 }, 1);
        until.Campaign(0);
        until.RunUntil(0);
        Assert.Single(until.Elections);
        var notAfter = new RaftCluster(new RaftOptions { Nodes = 1 }, 1);
        notAfter.Campaign(0);
        Assert.Null(notAfter.RunUntilLeader(0, 0));                        // elected at 0, which is not after 0
        Assert.Single(notAfter.Elections);
        var after = new RaftCluster(new RaftOptions { Nodes = 1 }, 1);
        after.Campaign(0);
        Assert.Equal(new LeaderElected(1, 0, 0, 0, 0), after.RunUntilLeader(-1, 0));
    }

    [Fact]
    public void A_leader_that_hears_from_exactly_a_quorum_keeps_leading()
    {
        var c = new RaftCluster(new RaftOptions(), 2);
        c.Campaign(0);
        c.RunUntil(500);
        c.Partition([0, 1, 2]);                                             // 3 of 5, the leader among them
        c.RunUntil(2000);
        Assert.Equal(new[] { 0 }, c.BelievedLeaders());
        Assert.Empty(c.LeadershipEnds);
        Assert.True(c.Term(3) > 1 && c.Term(4) > 1);                       // the cut-off pair kept trying
    }

    [Fact]
    public void A_re_elected_leader_counts_only_answers_of_its_new_term_at_its_first_quorum_check()
    {
        // 0 leads term 1, campaigns again and wins term 2, and is cut off the moment it wins: the answers of
        // term 1 and the quorum checks scheduled for term 1 must not keep it leading, so it steps down at its
        // first check of term 2, one election timeout later.
        var c = new RaftCluster(new RaftOptions(), 1);
        c.Campaign(0);
        c.RunUntil(500);
        c.Campaign(0);
        var won = c.RunUntilLeader(500, 1000)!;
        Assert.Equal((2L, 0), (won.Term, won.Node));
        c.Partition([0]);
        c.RunUntil(won.Time + 400);
        Assert.Equal(new LeadershipEnded(2, 0, won.Time + 150, true), Assert.Single(c.LeadershipEnds));
    }

    [Fact]
    public void A_fresh_cluster_has_no_leader_until_a_timer_fires_and_then_one_elected_by_the_other_four()
    {
        var c = new RaftCluster(new RaftOptions(), 1);
        Assert.Equal((0, 0, 0), (c.MaxLeadersInOneTerm, c.LostCommittedEntries(), c.CommittedEntries));
        var first = c.RunUntilLeader(0, 2000);
        Assert.Equal(new LeaderElected(1, 1, 180.28768755834906, 0, 0), first);
        Assert.Equal(first!.Time, c.Now);                                   // it stops at the election
        Assert.Equal((1, 4), (c.Candidacies.Count, c.Grants.Count));
        Assert.Equal(1, c.MaxLeadersInOneTerm);
    }

    [Fact]
    public void Without_the_election_restriction_a_node_with_an_empty_log_leads_and_every_committed_entry_is_lost()
    {
        // Node 4 sits alone (its term climbing) while 0 leads 1–3 and commits; then 0 is cut off instead. Without
        // CheckQuorum 0 keeps leading term 1, and 4 wins term 7 with an empty log.
        var c = new RaftCluster(new RaftOptions { AppendInterval = 20, CheckLogUpToDate = false, CheckQuorum = false }, 1);
        c.Partition([4]);
        c.Campaign(0);
        c.RunUntil(1500);
        Assert.Equal((72, 0, 0), (c.CommittedEntries, c.LogLength(4), c.LostCommittedEntries()));
        c.Partition([0]);
        c.RunUntil(1900);
        Assert.Equal(new[] { 0, 4 }, c.BelievedLeaders());
        Assert.Equal((1L, 7L), (c.Term(0), c.Term(4)));
        Assert.Equal(new LeaderElected(7, 4, 1514.209630074077, 1, 72), c.Elections[^1]);
        // The newest leader's log is the one that counts: all 72 are gone from it.
        Assert.Equal((72, 72), (c.CommittedEntries, c.LostCommittedEntries()));
        Assert.Equal((94, 19), (c.LogLength(0), c.LogLength(4)));
        Assert.Equal(1, c.MaxLeadersInOneTerm);
        // With 4 crashed the only leader left is 0, whose log has them all (the followers of 4 do not count).
        c.Crash(4);
        Assert.Equal(new[] { 0 }, c.BelievedLeaders());
        Assert.Equal(0, c.LostCommittedEntries());
    }

    [Fact]
    public void The_normal_quantile_switches_formula_exactly_at_its_tail_edges_and_the_cdf_is_bisected_up_to_8()
    {
        // At p = 0.02425 (and 1 − 0.02425) the central rational function still applies; the tail's differs in the
        // last digits.
        Assert.Equal(-1.9729610490848712, Delay.NormalQuantile(0.02425));
        Assert.Equal(1.9729610490848712, Delay.NormalQuantile(1 - 0.02425));
        Assert.Equal(-1.972962808836173, Delay.NormalQuantile(0.0242499));         // the tail's formula
        Assert.Equal(1.9729628088361717, Delay.NormalQuantile(1 - 0.0242499));
        Assert.Equal(0.9999999999999993, Delay.NormalCdf(8));                      // bisected, not cut to 1
    }

    [Fact]
    public void Refusals_of_a_budget_a_mode_a_level_and_a_strategy_say_what_is_allowed()
    {
        var h = Enumerable.Range(0, 6).Select(i => RegisterOp.Write(i, i + 1, 0, 100))
            .Append(RegisterOp.Read(99, 77, 200, 201)).ToArray();
        Assert.Equal("the consistency search passed maxStates = 191; check a shorter history or raise the budget.",
            Assert.Throws<InvalidOperationException>(() => ConsistencyChecker.Linearizable(h, maxStates: 191)).Message);
        Assert.StartsWith("mode must be CpMajority, CpLocalReads or Ap.", Assert.Throws<ArgumentOutOfRangeException>(
            () => PartitionSimulation.Run((ReplicationMode)9, Small)).Message, StringComparison.Ordinal);
        Assert.StartsWith("level must be One, Quorum or All.", Assert.Throws<ArgumentOutOfRangeException>(
            () => Quorums.Replicas((ConsistencyLevel)3, 3)).Message, StringComparison.Ordinal);
        Assert.StartsWith("strategy must be AllChildren or Predecessor.", Assert.Throws<ArgumentOutOfRangeException>(
            () => ZooKeeperElection.Run(3, (WatchStrategy)5, new Random(1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_keeps_what_the_last_accepted_leader_wrote_under_its_name_and_term()
    {
        var o = new RaftOptions { ClientWriteInterval = 50 };
        string Kept(bool enforce)
        {
            var run = RaftExperiments.ZombieLeader(o, enforce, seed: 3);
            Assert.True(run.Store.TryRead("x", out var value, out long token));
            return $"{value} / {token}";
        }
        Assert.Equal(("node 2, term 2 / 2", "node 2, term 2 / 2"), (Kept(true), Kept(false)));
    }

    [Fact]
    public void Only_a_leader_that_is_alive_has_a_zombie_write_when_its_pause_ends()
    {
        var follower = new RaftCluster(new RaftOptions { ClientWriteInterval = 50 }, 3, new FencedStore<string>());
        follower.Campaign(0);
        follower.RunUntil(300);
        follower.Pause(1, 500);
        follower.RunUntil(1000);
        Assert.Equal((19, 0), (follower.Writes.Count, follower.Writes.Count(w => w.Zombie)));
        Assert.Equal(new[] { 0 }, follower.BelievedLeaders());

        var crashed = new RaftCluster(new RaftOptions { ClientWriteInterval = 50 }, 3, new FencedStore<string>());
        crashed.Campaign(0);
        crashed.RunUntil(300);
        crashed.Pause(0, 500);
        crashed.Crash(0);
        crashed.RunUntil(1000);
        Assert.Equal((16, 0), (crashed.Writes.Count, crashed.Writes.Count(w => w.Zombie)));
        Assert.Equal(new[] { 4 }, crashed.BelievedLeaders());
    }

    [Fact]
    public void A_failover_cut_off_before_anyone_wins_counts_its_lost_terms()
    {
        Assert.Equal(new FailoverTiming(null, 0, 0), RaftExperiments.Failover(Defaults, 0, capMs: 100));
        // Seed 0 at 150 ms: one node ran and had not won yet, so its term counts as split.
        Assert.Equal(new FailoverTiming(null, 1, 1), RaftExperiments.Failover(Defaults, 0, capMs: 150));
        Assert.Equal(new FailoverTiming(160.35424613503483, 1, 0), RaftExperiments.Failover(Defaults, 0, capMs: 200));
        var none = Assert.Single(RaftExperiments.ElectionTiming(Defaults, [150], 2, capMs: 1));
        Assert.Equal(new ElectionTimingRow(150, 2, 0, double.NaN, double.NaN, 0, 0, 0), none);
    }

    [Fact]
    public void A_quorum_of_one_elects_faster_than_the_window_of_a_vote_round_trip()
    {
        // Fixed 20 ms messages and no randomness in the timeout: a follower that needs no votes leads one
        // timeout after the last heartbeat reached it, up to H − 40 ms before the window's lower edge.
        var o = Defaults with { Quorum = 1, ElectionTimeoutWidth = 0, MessageDelayMin = 20, MessageDelayMax = 20 };
        var row = Assert.Single(RaftExperiments.ElectionTiming(o, [0], 10));
        Assert.Equal(new ElectionTimingRow(0, 10, 10, 144.10175042417922, 162.03593660007976, 0, 0, 8), row);
        Assert.Equal(new FailoverTiming(129.1337320204516, 1, 0), RaftExperiments.Failover(o, 0));
    }

    [Fact]
    public void A_partition_shorter_than_an_election_may_end_before_the_majority_elects()
    {
        // Healed before the majority's vote completed: the old leader heard the higher term afterwards.
        Assert.Equal(new PartitionedLeaderRun(100, 106.79617910589843, null, 0, false),
            RaftExperiments.PartitionedLeader(Defaults, 1, 100));
        // CheckQuorum stepped it down first, and nobody was elected before the heal.
        Assert.Equal(new PartitionedLeaderRun(100, 146.1802954772395, null, 0, true),
            RaftExperiments.PartitionedLeader(Defaults, 2, 100));
        // Elected after the old leader stepped down: the two never overlapped.
        Assert.Equal(new PartitionedLeaderRun(200, 165.56534090012565, 165.6893943123007, 0, true),
            RaftExperiments.PartitionedLeader(Defaults, 5, 200));
        Assert.Equal(new PartitionedLeaderRun(200, 209.05395111211283, null, 0, false),
            RaftExperiments.PartitionedLeader(Defaults, 3, 200));
    }

    [Fact]
    public void A_partition_nobody_notices_leaves_the_old_leader_leading_instead_of_throwing()
    {
        // 100-150 ms: shorter than CheckQuorum's window and than the majority's election timeout, so the old
        // leader never steps down. This threw "Sequence contains no matching element" before.
        var unnoticed = new PartitionedLeaderRun(100, double.PositiveInfinity, null, 0, false);
        Assert.Equal(unnoticed, RaftExperiments.PartitionedLeader(Defaults, 0, 100));
        Assert.Equal(unnoticed with { PartitionMs = 150 }, RaftExperiments.PartitionedLeader(Defaults, 3, 150));
    }

    [Fact]
    public void The_model_fail_over_times_for_etcds_timers_are_the_recorded_ones()
    {
        Assert.Equal(new[] { 701.8123383130003, 540.4400236458705, 738.7841013712268 },
            EtcdExperiments.ModelTimesToElect(500, 50, 3));
    }

    [Fact]
    public void Commit_wait_stops_at_the_first_instant_past_the_timestamp()
    {
        // Exact to the last bit: waiting one increment more or less moves the mean.
        var wait = TrueTime.Run(1000, 1, 7, 2, true, new Random(1));
        Assert.Equal(new TrueTimeRun(1000, 0, 7.987814334463322, 3.9939071672316215), wait);
    }

    [Fact]
    public void Empty_windows_and_phases_count_as_available_and_not_stale()
    {
        Assert.Equal((1.0, 0.0), (new SideWindow(0, 0, 0, 0, 0, 0).Availability, new SideWindow(0, 0, 0, 0, 0, 0).StaleRate));
        var w = new SideWindow(250, 1, 4, 3, 2, 1);
        Assert.Equal((0.75, 0.5), (w.Availability, w.StaleRate));
        var run = PartitionSimulation.Run(ReplicationMode.CpLocalReads, Small);
        // A margin as wide as each phase leaves every phase empty.
        Assert.All(run.Summary(600), p => Assert.Equal((0, 1.0, 0.0), (p.Requests, p.Availability, p.StaleRate)));
        Assert.Equal(new[] { "A", "A", "A", "B", "B", "B" }, run.Summary(600).Select(p => p.Side));
        Assert.Equal(new[] { "before", "during", "after" }, run.Summary(600).Take(3).Select(p => p.Phase));
        Assert.Equal(0.45901639344262296, run.StaleRate(1, 0, 2000), 15);
        Assert.Equal((0.45901639344262296, 61), run.StaleShare(1, 0, 2000));
        Assert.Equal(0.891566265060241, run.Availability(1, 0, 2000), 15);
    }

    private static readonly PartitionOptions Small =
        new() { Duration = 2000, PartitionStart = 500, PartitionEnd = 1500, OpsPerSecond = 15 };

    [Theory]
    [InlineData(ReplicationMode.Ap)]
    [InlineData(ReplicationMode.CpLocalReads)]
    [InlineData(ReplicationMode.CpMajority)]
    public void A_side_with_no_replicas_fails_every_request_while_partitioned(ReplicationMode mode)
    {
        foreach (var (sideB, cut) in new[] { (Array.Empty<int>(), "B"), (new[] { 0, 1, 2, 3, 4 }, "A") })
        {
            var run = PartitionSimulation.Run(mode, Small with { SideB = sideB });
            var during = run.Summary().Where(p => p.Phase == "during").ToDictionary(p => p.Side);
            Assert.True(during[cut].Requests > 30);
            Assert.Equal(0, during[cut].Availability);
            Assert.Equal(1, during[cut == "A" ? "B" : "A"].Availability);
            Assert.True(run.Converged);
        }
    }

    private static JsonObject Json(GenericChart chart)
    {
        GenericChart.getLayout(chart).RemoveProperty("template");
        return JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
    }

    [Fact]
    public void The_side_panel_plots_each_window_at_its_middle_in_seconds_and_percent()
    {
        var run = PartitionSimulation.Run(ReplicationMode.CpMajority,
            new PartitionOptions { Duration = 1000, PartitionStart = 200, PartitionEnd = 600, Window = 250, OpsPerSecond = 10 });
        var j = Json(PartitionCharts.SidePanel(run));
        var data = j["data"]!.AsArray();
        Assert.Equal(new[]
        {
            "CpMajority side A: availability", "CpMajority side A: stale reads", "CpMajority side B: availability",
            "CpMajority side B: stale reads", "partitioned",
        }, data.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(new[] { "lines+markers", "lines", "lines+markers", "lines", "lines" },
            data.Select(t => t!["mode"]!.GetValue<string>()));
        Assert.All(data.Take(4), t => Assert.Equal("[0.125,0.375,0.625,0.875]", t!["x"]!.ToJsonString()));
        Assert.Equal("[100.0,100.0,100.0,100.0]", data[0]!["y"]!.ToJsonString());
        Assert.Equal("[0.0,0.0,0.0,0.0]", data[1]!["y"]!.ToJsonString());
        Assert.Equal("[83.33333333333334,0.0,50.0,100.0]", data[2]!["y"]!.ToJsonString());
        Assert.Equal("[0.0,0.0,0.0,0.0]", data[3]!["y"]!.ToJsonString());
        Assert.Equal("[0.0,0.2,0.2,0.6,0.6,1.0]", data[4]!["x"]!.ToJsonString());
        Assert.Equal("[0.0,0.0,100.0,100.0,0.0,0.0]", data[4]!["y"]!.ToJsonString());
        Assert.Equal("dash", data[4]!["line"]!["dash"]!.GetValue<string>());
        var layout = j["layout"]!;
        Assert.Equal("CpMajority", layout["title"]!["text"]!.GetValue<string>());
        Assert.Equal("time (s)", layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("% of requests / % of reads", layout["yaxis"]!["title"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void The_panels_stack_one_side_panel_per_run_under_the_title()
    {
        var runs = new[] { ReplicationMode.Ap, ReplicationMode.CpLocalReads }
            .Select(m => PartitionSimulation.Run(m, Small)).ToList();
        var j = Json(PartitionCharts.Panels("both", runs));
        var layout = j["layout"]!;
        Assert.Equal("both", layout["title"]!["text"]!.GetValue<string>());
        Assert.Equal((2, 1), (layout["grid"]!["rows"]!.GetValue<int>(), layout["grid"]!["columns"]!.GetValue<int>()));
        Assert.Equal(2 * SystemDesign.Notebook.Charts.Height, layout["height"]!.GetValue<int>());
        var data = j["data"]!.AsArray();
        Assert.Equal(10, data.Count);
        Assert.Equal(("Ap side A: availability", "CpLocalReads side A: availability"),
            (data[0]!["name"]!.GetValue<string>(), data[5]!["name"]!.GetValue<string>()));
        Assert.Equal("y2", data[5]!["yaxis"]!.GetValue<string>());
    }
}
