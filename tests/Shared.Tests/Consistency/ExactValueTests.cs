using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

/// <summary>
/// Exact answers: closed forms where the maths gives one, and for seeded simulations the values the model produces
/// today (a change to the model that moves them must be deliberate). The behaviour tests beside these check
/// properties; these pin the arithmetic that the properties leave free.
/// </summary>
public sealed class ExactValueTests
{
    [Fact]
    public void Delays_sample_by_their_formulas_and_describe_themselves()
    {
        var a = new Random(9);
        var b = new Random(9);
        double u1 = 1.0 - b.NextDouble(), u2 = b.NextDouble();
        double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        Assert.Equal(2 * Math.Exp(0.5 * z), Delay.LogNormal(2, 0.5).Sample(a), 12);
        Assert.Equal(-4 * Math.Log(1.0 - b.NextDouble()), Delay.Exponential(4).Sample(a), 12);
        Assert.Equal(1 + 4 * b.NextDouble(), Delay.Uniform(1, 5).Sample(a), 12);
        Assert.Equal("lognormal(median 2 ms, σ 0.5)", Delay.LogNormal(2, 0.5).ToString());
        Assert.Equal("exponential(mean 4 ms)", Delay.Exponential(4).ToString());
        Assert.Equal("uniform(1–5 ms)", Delay.Uniform(1, 5).ToString());
    }

    [Fact]
    public void Delay_cdfs_are_exact_at_their_edges_and_inside()
    {
        var logNormal = Delay.LogNormal(2, 0.5);
        Assert.Equal(0, logNormal.Cdf(0));
        Assert.Equal(0, logNormal.Cdf(-1));
        Assert.Equal(0.5, logNormal.Cdf(2), 9);
        Assert.Equal(0.975, logNormal.Cdf(2 * Math.Exp(0.5 * 1.959963985)), 8);
        Assert.Equal(2 * Math.Exp(0.5 * -2.326347874), logNormal.Quantile(0.01), 8);
        var exp = Delay.Exponential(4);
        Assert.Equal(0, exp.Cdf(0));
        Assert.Equal(0, exp.Cdf(-1));
        Assert.Equal(1 - Math.Exp(-0.5), exp.Cdf(2), 12);
        Assert.Equal(4 * Math.Log(2), exp.Quantile(0.5), 12);
        var uniform = Delay.Uniform(1, 5);
        Assert.Equal(0, uniform.Cdf(1));
        Assert.Equal(0, uniform.Cdf(0));
        Assert.Equal(0.5, uniform.Cdf(3));
        Assert.Equal(1, uniform.Cdf(5));
        Assert.Equal(1, uniform.Cdf(6));
        Assert.Equal(2, uniform.Quantile(0.25));
    }

    [Fact]
    public void The_normal_quantile_and_cdf_match_tables_in_every_branch()
    {
        Assert.Equal(0, Delay.NormalQuantile(0.5), 12);
        Assert.Equal(-2.326347874, Delay.NormalQuantile(0.01), 7);          // lower tail branch
        Assert.Equal(2.326347874, Delay.NormalQuantile(0.99), 7);           // upper tail branch
        Assert.Equal(-3.090232306, Delay.NormalQuantile(0.001), 7);
        Assert.Equal(3.090232306, Delay.NormalQuantile(0.999), 7);
        Assert.Equal(-1.959963985, Delay.NormalQuantile(0.025), 7);         // central, just above the tail
        Assert.Equal(0, Delay.NormalCdf(-8.01));
        Assert.Equal(1, Delay.NormalCdf(8.01));
        Assert.InRange(Delay.NormalCdf(-8), 6.1e-16, 6.3e-16);
        Assert.Equal(0.5, Delay.NormalCdf(0), 12);
        Assert.Equal(0.975, Delay.NormalCdf(1.959963985), 9);
        Assert.Equal(0.01, Delay.NormalCdf(-2.326347874), 9);
    }

    [Fact]
    public void Stamps_order_by_timestamp_then_writer_and_a_tie_does_not_overwrite()
    {
        Assert.True(new Stamped(9, 5, 0).CompareTo(new Stamped(1, 5, 1)) < 0);
        Assert.True(new Stamped(1, 6, 0).CompareTo(new Stamped(9, 5, 1)) > 0);
        Assert.Equal(0, new Stamped(1, 5, 1).CompareTo(new Stamped(2, 5, 1)));
        var reg = new QuorumRegister(2);
        Assert.Equal(2, reg.Write(1, 5, 0, [0, 1]));
        Assert.Equal(1, reg.Write(2, 5, 1, [0]));                           // same time, higher writer wins
        Assert.Equal(0, reg.Write(3, 5, 1, [0]));                           // an equal stamp changes nothing
        Assert.Equal(0, reg.Write(4, 5, 0, [0]));
        Assert.Equal(new Stamped(2, 5, 1), reg.Read([1, 0]));
        Assert.Equal(new Stamped(2, 5, 1), reg.Read([0, 1]));
        Assert.Equal(1, reg[1].Value);                                      // no read repair unless asked
        Assert.Equal(2, reg.Replicas);
        Assert.Equal(new Stamped(0, 0, -1), new QuorumRegister(1)[0]);
    }

    [Fact]
    public void Quorum_arithmetic_has_exact_values()
    {
        Assert.Equal(1, Quorums.Majority(1));
        Assert.Equal(2, Quorums.Majority(2));
        Assert.Equal(3, Quorums.Majority(4));
        Assert.Equal(3, Quorums.Majority(5));
        Assert.Equal(10, Quorums.Binomial(5, 2));
        Assert.Equal(10, Quorums.Binomial(5, 3));
        Assert.Equal(120, Quorums.Binomial(10, 3));
        Assert.Equal(2_598_960, Quorums.Binomial(52, 5));
        Assert.Equal(1, Quorums.Binomial(5, 5));
        Assert.Equal(1, Quorums.Binomial(5, 0));
        Assert.Equal(0, Quorums.Binomial(5, 6));
        Assert.Equal(0, Quorums.Binomial(5, -1));
        Assert.Equal(0.875, Quorums.OrderStatisticCdf(3, 1, 0.5), 12);
        Assert.Equal(0.5, Quorums.OrderStatisticCdf(3, 2, 0.5), 12);
        Assert.Equal(0.125, Quorums.OrderStatisticCdf(3, 3, 0.5), 12);
        Assert.Equal(3 * 0.09 * 0.7 + 0.027, Quorums.OrderStatisticCdf(3, 2, 0.3), 12);
        // The max of 3 uniforms has median 0.5^(1/3).
        Assert.Equal(Math.Pow(0.5, 1.0 / 3), Quorums.LatencyQuantile(3, 3, 0.5, Delay.Uniform(0, 1)), 9);
        Assert.Equal(1 - Math.Pow(0.1, 1.0 / 3), Quorums.LatencyQuantile(3, 1, 0.9, Delay.Uniform(0, 1)), 9);
        // N = 3, W = R = 1, exponential delays: at t = mean·ln 2 each missing replica has the write with p = 1/2:
        // (1/4)(2/3) + (1/2)(1/3) = 1/3.
        Assert.Equal(1.0 / 3, Quorums.ExponentialStaleProbability(3, 1, 1, 10 * Math.Log(2), 10), 12);
        Assert.Equal(0.3, Quorums.ExponentialStaleProbability(5, 2, 2, 0, 10), 12);
        Assert.Equal(0, Quorums.StaleProbabilityAfter(3, 3, 1, 0, Delay.Exponential(1), 50, new Random(1)));
    }

    [Fact]
    public void Seeded_quorum_experiments_give_their_recorded_values()
    {
        Assert.Equal(new[] { 1, 0, 3 }, QuorumRegister.RandomSubset(5, 3, new Random(1)));
        Assert.Equal((311, 1000), Quorums.MeasureStaleReads(5, 2, 2, 1000, new Random(3)));
        Assert.Equal(0.268, Quorums.StaleProbabilityAfter(5, 2, 1, 8, Delay.Exponential(10), 1000, new Random(4)), 12);
        var latency = Quorums.SampleLatency(3, 2, Delay.Uniform(0, 1), 3, new Random(1));
        Assert.Equal(new[] { 0.24866858415709278, 0.657518893786482, 0.3540837636003661 }, latency);
        var sweep = Quorums.Sweep(2, 100, new Random(1));
        Assert.Equal(new QuorumCell(2, 1, 1, false, false, 0.5, 0.56, 56, 100), sweep[0]);
        Assert.Equal(new QuorumCell(2, 1, 2, true, true, 0, 0, 0, 100), sweep[1]);
        Assert.Equal(new QuorumCell(2, 2, 1, true, true, 0, 0, 0, 100), sweep[2]);
        var rows = Quorums.LatencyByLevel("get", Delay.Exponential(1), [3], 100, new Random(1));
        Assert.Equal(new[] { "One", "Quorum", "All" }, rows.Select(r => r.Level));
        Assert.Equal(new[] { 1, 2, 3 }, rows.Select(r => r.K));
        Assert.All(rows, r => Assert.Equal(("get", 3), (r.Op, r.N)));
        Assert.Equal(0.18735875467371021, rows[0].P50, 12);
        Assert.Equal(Math.Log(2) / 3, rows[0].P50Theory, 9);             // min of 3: exponential, mean 1/3
        Assert.Equal(1.2107739594478222, rows[0].P99, 12);
        Assert.Equal(1.5350567286626953, rows[0].P99Theory, 9);
        Assert.Equal(1.8, rows[0].CdfZ, 9);
        Assert.Equal(Math.Log(2), rows[1].P50Theory, 9);
        Assert.Equal(1.2, rows[1].CdfZ, 9);
        Assert.Equal(1.0050378152592125, rows[2].CdfZ, 9);
        var curve = Quorums.ExponentialStalenessCurve(3, 1, 1, [0, 10, 50], 10, 200, new Random(1));
        Assert.Equal((3, 1, 1), (curve.N, curve.W, curve.R));
        Assert.Equal(new[] { 0.0, 10, 50 }, curve.Times);
        Assert.Equal(new[] { 0.65, 0.29, 0.015 }, curve.Measured);
        Assert.Equal(0.24525296078096154, curve.Exact[1], 12);
        Assert.Equal(2, curve.Points);                      // 200 × 0.0045 < 10 expected: the last is left out
        Assert.Equal(1.4708604281223647, curve.WorstZ, 9);
        // Exactly 10 expected stale reads (0.5 × 20) is enough for a point.
        Assert.Equal(1, Quorums.ExponentialStalenessCurve(2, 1, 1, [0], 10, 20, new Random(1)).Points);
        var none = Quorums.ExponentialStalenessCurve(3, 1, 1, [500], 10, 10, new Random(1));
        Assert.Equal((0, 0.0), (none.Points, none.WorstZ));
    }

    [Fact]
    public void The_anomaly_runs_tell_their_steps()
    {
        var plain = QuorumAnomalies.PartialWrite(readRepair: false);
        Assert.Equal(0, plain.LastRead);
        Assert.Equal("t=10–20: client 1 reads replicas {0,1} → 1", plain.Steps[1]);
        Assert.Equal("t=30–40: client 2 reads replicas {1,2} → 0", plain.Steps[2]);
        Assert.True(plain.History[0].Pending);
        var repaired = QuorumAnomalies.PartialWrite(readRepair: true);
        Assert.Equal(1, repaired.LastRead);
        Assert.Equal("t=10–20: client 1 reads replicas {0,1} → 1 and writes it back to {0,1} before answering",
            repaired.Steps[1]);
        var skewed = QuorumAnomalies.SkewedClocks(16, 5);
        Assert.Equal(1, skewed.LastRead);
        Assert.Equal(new[]
        {
            "t=0–10: client 0 writes 1 to {0,1}, timestamp 5 ms (correct clock)",
            "t=15–25: client 1 writes 2 to {1,2}, timestamp 4 ms (clock 16 ms behind); replica 1 keeps 1",
            "t=35–45: client 2 reads {0,2} → 1",
        }, skewed.Steps);
        Assert.Equal(RegisterOp.Write(1, 2, 15, 25), skewed.History[1]);
        Assert.Equal(RegisterOp.Read(2, 1, 35, 45), skewed.History[2]);
        // Skew equal to the 10 ms + gap: equal timestamps, and the tie goes to the higher writer (client 1).
        Assert.Equal(2, QuorumAnomalies.SkewedClocks(15, 5).LastRead);
    }

    [Fact]
    public void The_checker_counts_its_states_and_honours_a_budget_of_exactly_that_many()
    {
        var overlap = new[] { RegisterOp.Write(0, 1, 0, 10), RegisterOp.Read(1, 0, 5, 6), RegisterOp.Read(2, 1, 7, 8) };
        Assert.Equal(4, ConsistencyChecker.Linearizable(overlap).StatesExplored);
        Assert.Equal(5, ConsistencyChecker.SequentiallyConsistent(overlap).StatesExplored);
        var inversion = new[]
        {
            RegisterOp.Write(0, 1, 0, 100), RegisterOp.Read(1, 1, 10, 20), RegisterOp.Read(2, 0, 30, 40),
        };
        Assert.Equal(2, ConsistencyChecker.Linearizable(inversion).StatesExplored);
        Assert.Equal(5, ConsistencyChecker.SequentiallyConsistent(inversion).StatesExplored);
        var h = Enumerable.Range(0, 6).Select(i => RegisterOp.Write(i, i + 1, 0, 100))
            .Append(RegisterOp.Read(99, 77, 200, 201)).ToArray();
        var v = ConsistencyChecker.Linearizable(h, maxStates: 192);
        Assert.False(v.Holds);
        Assert.Empty(v.Order);
        Assert.Equal(192, v.StatesExplored);                                   // every subset of writes × value, once
        Assert.Throws<InvalidOperationException>(() => ConsistencyChecker.Linearizable(h, maxStates: 191));
        Assert.Equal(192, ConsistencyChecker.SequentiallyConsistent(h, maxStates: 192).StatesExplored);
    }

    [Fact]
    public void The_checker_starts_from_the_initial_value_and_drops_what_never_took_effect()
    {
        var read5 = new[] { RegisterOp.Read(0, 5, 0, 1) };
        Assert.True(ConsistencyChecker.Linearizable(read5, initial: 5).Holds);
        Assert.False(ConsistencyChecker.Linearizable(read5).Holds);
        Assert.True(ConsistencyChecker.SequentiallyConsistent(read5, initial: 5).Holds);
        Assert.False(ConsistencyChecker.SequentiallyConsistent(read5).Holds);
        // A read that never returned constrains nothing, whatever it would have said.
        var lost = ConsistencyChecker.Linearizable([RegisterOp.Read(0, 99, 0, double.PositiveInfinity)]);
        Assert.True(lost.Holds);
        Assert.Empty(lost.Order);
        Assert.Equal(0, lost.StatesExplored);
        // A pending write is ordered only when a read needs it.
        var pending = RegisterOp.Write(0, 1, 0, double.PositiveInfinity);
        var unseen = ConsistencyChecker.Linearizable([pending, RegisterOp.Read(1, 0, 5, 6)]);
        Assert.Equal(new[] { 1 }, unseen.Order);
        var seen = ConsistencyChecker.Linearizable([pending, RegisterOp.Read(1, 1, 5, 6)]);
        Assert.Equal(new[] { 0, 1 }, seen.Order);
        // Touching intervals overlap: a read invoked as the write responds may still precede it; a moment later not.
        var write = RegisterOp.Write(0, 1, 0, 10);
        Assert.True(ConsistencyChecker.Linearizable([write, RegisterOp.Read(1, 0, 10, 12)]).Holds);
        Assert.False(ConsistencyChecker.Linearizable([write, RegisterOp.Read(1, 0, 10.01, 12)]).Holds);
        Assert.Equal("c0 W(1) [0, 10]", RegisterOp.Write(0, 1, 0, 10).ToString());
        Assert.Equal("c3 R(7) [1.5, ∞]", RegisterOp.Read(3, 7, 1.5, double.PositiveInfinity).ToString());
        Assert.False(RegisterOp.Read(3, 7, 1.5, 2).Pending);
    }

    [Fact]
    public void The_checker_handles_histories_longer_than_one_bit_word()
    {
        // 70 writes one after another, then reads of the last: one legal order, the history's own.
        var ops = Enumerable.Range(0, 70).Select(i => RegisterOp.Write(i % 3, i + 1, 2 * i, 2 * i + 1)).ToList();
        ops.Add(RegisterOp.Read(5, 70, 200, 201));
        var v = ConsistencyChecker.Linearizable(ops);
        Assert.True(v.Holds);
        Assert.Equal(Enumerable.Range(0, 71), v.Order);
        Assert.Equal(71, v.StatesExplored);
        Assert.True(ConsistencyChecker.SequentiallyConsistent(ops).Holds);
        ops[^1] = RegisterOp.Read(5, 69, 200, 201);
        Assert.False(ConsistencyChecker.Linearizable(ops).Holds);
        Assert.True(ConsistencyChecker.SequentiallyConsistent(ops).Holds);  // the read may come before write 70
        // Reversed in the list: the checker sorts by invocation, the order names the original indices.
        var reversed = ops.Take(70).Reverse().ToList();
        Assert.Equal(Enumerable.Range(0, 70).Reverse(), ConsistencyChecker.Linearizable(reversed).Order);
    }

    [Fact]
    public void Vector_clocks_compare_by_value()
    {
        var a = new VectorClock(3).Tick(0).Tick(2);
        var b = new VectorClock(3).Tick(2).Tick(0);
        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals(null));
        Assert.False(a.Equals((object?)null));
        Assert.False(a.Equals("[1,0,1]"));
        Assert.False(a.Equals(a.Tick(1)));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a.GetHashCode(), a.Tick(1).GetHashCode());
        Assert.Equal("[1,0,1]", a.ToString());
        Assert.Equal(3, a.Processes);
        Assert.Equal("[2,0,1]", a.Merge(new VectorClock(3).Tick(0).Tick(0)).ToString());
        Assert.Equal(Causality.Concurrent, a.Compare(new VectorClock(3).Tick(1)));
        Assert.Equal(Causality.Before, new VectorClock(3).Compare(a));
    }

    [Fact]
    public void A_seeded_causal_trace_is_reproduced_event_by_event()
    {
        var trace = CausalTrace.Generate(3, 12, 0.5, new Random(2));
        var got = trace.Events.Select(e => $"{e.Process}{e.Kind[0]}{e.From}:{e.Vector}:{e.Lamport}");
        Assert.Equal(new[]
        {
            "2s-1:[0,0,1]:1", "2s-1:[0,0,2]:2", "2s-1:[0,0,3]:3", "0s-1:[1,0,0]:1", "1r3:[1,1,0]:2", "2s-1:[0,0,4]:4",
            "0r1:[2,0,2]:3", "0l-1:[3,0,2]:4", "2l-1:[0,0,5]:5", "2s-1:[0,0,6]:6", "2l-1:[0,0,7]:7", "0r0:[4,0,2]:5",
        }, got);
        Assert.Equal(Enumerable.Range(0, 12), trace.Events.Select(e => e.Index));
        Assert.True(trace.HappenedBefore(3, 4));                             // a message
        Assert.True(trace.HappenedBefore(1, 11));                            // program order, then a message
        Assert.False(trace.HappenedBefore(4, 3));
        Assert.False(trace.HappenedBefore(5, 6));                            // sent after 1 was: concurrent
        Assert.Equal(Causality.Concurrent, trace.Truth(5, 6));
        Assert.Equal(Causality.Equal, trace.Truth(4, 4));
        Assert.Equal(Causality.After, trace.Truth(11, 0));
        Assert.Equal(new ClockComparison(14280, 0, 0, 5038, 4726),
            CausalTrace.Generate(4, 120, 0.4, new Random(3)).CompareClocks());
        // Never sending: every process counts alone, nothing crosses.
        var silent = CausalTrace.Generate(2, 70, 0, new Random(1));
        Assert.All(silent.Events, e => Assert.Equal("local", e.Kind));
        Assert.Equal(silent.Events[^1].Lamport, silent.Events.Count(e => e.Process == silent.Events[^1].Process));
    }

    [Fact]
    public void Seeded_zookeeper_elections_and_true_time_runs_give_their_recorded_values()
    {
        var all = ZooKeeperElection.Run(6, WatchStrategy.AllChildren, new Random(1));
        Assert.Equal((15, 2, true), (all.Notifications, all.LeaderChanges, all.AlwaysOneLeader));
        Assert.Equal(new long[] { 0, 2, 3 }, all.LeaderSequences);
        var pred = ZooKeeperElection.Run(6, WatchStrategy.Predecessor, new Random(1));
        Assert.Equal((3, 2, true), (pred.Notifications, pred.LeaderChanges, pred.AlwaysOneLeader));
        Assert.Equal(new long[] { 0, 2, 3 }, pred.LeaderSequences);
        var alone = ZooKeeperElection.Run(1, WatchStrategy.Predecessor, new Random(1));
        Assert.Equal((0, 0, true), (alone.Notifications, alone.LeaderChanges, alone.AlwaysOneLeader));
        Assert.Equal(new long[] { 0 }, alone.LeaderSequences);

        Assert.Equal(new TrueTimeRun(1000, 428, 0, 3.9939071672316215),
            TrueTime.Run(1000, 1, 7, 2, false, new Random(1)));
        var wait = TrueTime.Run(1000, 1, 7, 2, true, new Random(1));
        Assert.Equal(0, wait.Violations);
        Assert.Equal(7.987814334463322, wait.MeanWaitMs, 9);
        Assert.Equal(329, TrueTime.Run(1000, 1, 7, 1, 3, false, new Random(1)).Violations);
        Assert.Equal(0.3970447990256804, TrueTime.ViolationProbability(1, 7, 2), 12);
        Assert.Equal(0.39220041322314053, TrueTime.ViolationProbability(1, 7, 2, 2), 12);
        Assert.Equal(0.5, TrueTime.ViolationProbability(2, 4, 0, 3), 12);
        // Fixed ε = 3 (A = 6), gap uniform in [0, 3]: (1/3)∫(6 − g)²/72 dg = 7/24.
        Assert.Equal(7.0 / 24, TrueTime.ViolationProbability(3, 3, 3), 5);
        Assert.Equal(0.29166640624969475, TrueTime.ViolationProbability(3, 3, 3), 12);
        Assert.Equal(0, TrueTime.ViolationProbability(1, 1, 1e6));           // a gap beyond 2ε never inverts
    }
    [Fact]
    public void Seeded_raft_runs_give_their_recorded_values()
    {
        var o = new RaftOptions();
        Assert.Equal(new FailoverTiming(124.4927159489564, 2, 0), RaftExperiments.Failover(o, 1));
        Assert.Equal(new FailoverTiming(205.49471584078606, 1, 0), RaftExperiments.Failover(o, 2));
        var rf = RaftExperiments.RandomFaults(new RaftOptions { AppendInterval = 20 }, 1, 3000);
        Assert.Equal((3, 14, 21, 3),
            (rf.Elections.Count, rf.Candidacies.Count, rf.Grants.Count, rf.LeadershipEnds.Count));
        Assert.Equal((92, 3000.0, 1, 0),
            (rf.CommittedEntries, rf.Now, rf.MaxLeadersInOneTerm, rf.LostCommittedEntries()));
        Assert.Equal(new[] { 92, 92, 102, 100, 80 }, Enumerable.Range(0, 5).Select(rf.LogLength));
        Assert.Equal(new long[] { 11, 11, 11, 11, 9 }, Enumerable.Range(0, 5).Select(rf.Term));
        Assert.Equal(
            new[] { RaftRole.Candidate, RaftRole.Follower, RaftRole.Candidate, RaftRole.Follower, RaftRole.Follower },
            Enumerable.Range(0, 5).Select(rf.Role));
        Assert.DoesNotContain(Enumerable.Range(0, 5), rf.IsCrashed);
        Assert.Equal(new LeaderElected(1, 0, 203.86813770926938, 0, 0), rf.Elections[0]);
        Assert.Equal(new LeaderElected(4, 0, 1039.9559912751226, 0, 0), rf.Elections[1]);
        Assert.Equal(new LeaderElected(9, 2, 2119.0535429674455, 0, 0), rf.Elections[2]);
        Assert.Equal(new LeadershipEnded(1, 0, 803.8681377092694, true), rf.LeadershipEnds[0]);
        Assert.Equal(new LeadershipEnded(4, 0, 1948.6373274231505, false), rf.LeadershipEnds[1]);
        Assert.Equal(new LeadershipEnded(9, 2, 2719.0535429674455, true), rf.LeadershipEnds[2]);
        Assert.Empty(rf.BelievedLeaders());

        var writes = new RaftOptions { ClientWriteInterval = 50 };
        var fenced = RaftExperiments.ZombieLeader(writes, enforce: true, seed: 3);
        Assert.Equal((0, 1L, 2000.0), (fenced.PausedLeader, fenced.PausedTerm, fenced.Cluster.Now));
        Assert.Equal((37, 35, 1), (fenced.Cluster.Writes.Count, fenced.Cluster.Writes.Count(w => w.Accepted),
            fenced.Cluster.Writes.Count(w => w.Zombie)));
        var open = RaftExperiments.ZombieLeader(writes, enforce: false, seed: 3);
        Assert.Equal((37, 37), (open.Cluster.Writes.Count, open.Cluster.Writes.Count(w => w.Accepted)));

        Assert.Equal(new PartitionedLeaderRun(3000, 194.79575390917978, 117.38168918219469, 77.41406472698509, true),
            RaftExperiments.PartitionedLeader(o, 1, 3000));
        Assert.Equal(new PartitionedLeaderRun(3000, 3022.91879396975, 121.56981116373538, 2901.3489828060146, false),
            RaftExperiments.PartitionedLeader(o with { CheckQuorum = false }, 1, 3000));
        var rows = RaftExperiments.ElectionTiming(o, [0, 150], 20);
        Assert.Equal(new ElectionTimingRow(0, 20, 12, 151.19219241696038, 598.7756276514735, 5.9, 0.65, 0), rows[0]);
        Assert.Equal(new ElectionTimingRow(150, 20, 20, 178.65269110312335, 209.55492628335722, 0.05, 0.05, 0),
            rows[1]);
    }

    [Fact]
    public void Seeded_partition_runs_give_their_recorded_values()
    {
        var small = new PartitionOptions
        {
            Duration = 4000, PartitionStart = 1000, PartitionEnd = 3000, OpsPerSecond = 15, MaxClockSkew = 5,
        };
        var cp = PartitionSimulation.Run(ReplicationMode.CpMajority, small);
        Assert.Equal((306, 55, 55L, 0, true),
            (cp.Ops.Count, cp.AckedIncrements, cp.FinalCounter, cp.ConcurrentMerges, cp.Converged));
        Assert.Equal((0, 218, 229),
            (cp.Ops.Count(x => x.Stale), cp.Ops.Count(x => x.Ok), cp.Ops.Count(x => x.Kind == OpKind.Read)));
        Assert.Equal(
            new SimOp(2, 1, 0, OpKind.Write, 23.605584240024406, 28.40469802764153, 29.778251950215356, true, 1, 1,
                false),
            cp.Ops[2]);
        Assert.Equal(new[] { 38, 66, 43, 34, 87, 34 }, cp.Summary().Select(p => p.Requests));
        Assert.Equal(new PhaseSummary("CpMajority", "B", "during", 87, 0, 0), cp.Summary()[4]);

        var local = PartitionSimulation.Run(ReplicationMode.CpLocalReads, small);
        Assert.Equal((306, 55, 55L, 64, 284), (local.Ops.Count, local.AckedIncrements, local.FinalCounter,
            local.Ops.Count(x => x.Stale), local.Ops.Count(x => x.Ok)));
        Assert.Equal(new PhaseSummary("CpLocalReads", "B", "during", 87, 0.7471264367816092, 0.9846153846153847),
            local.Summary()[4]);

        var ap = PartitionSimulation.Run(ReplicationMode.Ap, small);
        Assert.Equal((330, 91, 58L, 33L, 154, true), (ap.Ops.Count, ap.AckedIncrements, ap.FinalCounter, ap.LostUpdates,
            ap.ConcurrentMerges, ap.Converged));
        Assert.Equal((68, 330, 239),
            (ap.Ops.Count(x => x.Stale), ap.Ops.Count(x => x.Ok), ap.Ops.Count(x => x.Kind == OpKind.Read)));
        Assert.Equal(new[] { 0.1282051282051282, 0.7843137254901961, 0.030303030303030304, 0.07407407407407407, 0.3,
            0.06896551724137931 }, ap.Summary().Select(p => p.StaleRate));
        Assert.Equal(
            new SimOp(0, 5, 1, OpKind.Read, 1.9091208474287396, 4.189561374108103, 7.918053849562097, true, 0, 0,
                false),
            ap.Ops[0]);
    }
    [Fact]
    public void Seeded_raft_faults_show_what_each_safety_rule_prevents()
    {
        // Without the up-to-date check the third leader is elected missing 32 committed entries.
        var noCheck = new RaftOptions { AppendInterval = 20, CheckLogUpToDate = false };
        var unsafeRun = RaftExperiments.RandomFaults(noCheck, 1, 3000);
        Assert.Equal((60, 20), (unsafeRun.CommittedEntries, unsafeRun.Grants.Count));
        Assert.Equal(new LeaderElected(3, 4, 1008.6978918307916, 0, 0), unsafeRun.Elections[1]);
        Assert.Equal(new LeaderElected(7, 1, 2100.2541501276446, 0, 32), unsafeRun.Elections[2]);
        // A quorum of 2 of 5: two leaders at once, and in one term.
        var minority = RaftExperiments.RandomFaults(new RaftOptions { Quorum = 2 }, 2, 3000);
        Assert.Equal(2, minority.MaxLeadersInOneTerm);
        Assert.Equal(new[] { 0, 1, 1, 1 }, minority.Elections.Select(e => e.OtherLeaders));
        // The paused leader's writes as it wakes at 1,500 ms, the zombie one and the next scheduled one: refused.
        var z = RaftExperiments.ZombieLeader(new RaftOptions { ClientWriteInterval = 50 }, true, 3);
        Assert.Equal(new[]
        {
            new LeaderWrite(1500, 0, 1, false, true, 2), new LeaderWrite(1500, 0, 1, false, false, 2),
        }, z.Cluster.Writes.Where(w => w.Zombie || !w.Accepted));
        Assert.Equal(new LeaderWrite(61.53689675197792, 0, 1, true, false, 1), z.Cluster.Writes[0]);
    }

    [Fact]
    public void A_paused_leader_believes_it_leads_until_it_wakes_and_hears_the_new_term()
    {
        var c = new RaftCluster(new RaftOptions(), 4);
        c.Campaign(0);
        c.RunUntil(500);
        c.Pause(0, 1000);
        c.RunUntil(1000);
        Assert.Equal(new[] { 0, 2 }, c.BelievedLeaders());
        Assert.Equal((RaftRole.Leader, 1L), (c.Role(0), c.Term(0)));
        Assert.Equal((RaftRole.Leader, 2L), (c.Role(2), c.Term(2)));
        c.RunUntil(1600);
        Assert.Equal(new[] { 2 }, c.BelievedLeaders());
        Assert.Equal(new LeadershipEnded(1, 0, 1500, false), Assert.Single(c.LeadershipEnds));
        Assert.Equal((RaftRole.Follower, 2L), (c.Role(0), c.Term(0)));
        Assert.Null(c.RunUntilLeader(1600, 5000));                            // no election while 2 leads
        Assert.Equal(5000, c.Now);
        c.Crash(1);
        Assert.True(c.IsCrashed(1));
        Assert.False(c.IsCrashed(0));
    }

    [Fact]
    public void Seeded_partition_windows_failures_and_histories_give_their_recorded_values()
    {
        var o = new PartitionOptions
        {
            Duration = 4000, PartitionStart = 1000, PartitionEnd = 3000, OpsPerSecond = 15, ReplicationDelayMean = 0,
            Seed = 2,
        };
        var ap = PartitionSimulation.Run(ReplicationMode.Ap, o);
        Assert.Equal((328, 102, 75L, 137, 54), (ap.Ops.Count, ap.AckedIncrements, ap.FinalCounter, ap.ConcurrentMerges,
            ap.Ops.Count(x => x.Stale)));
        Assert.Equal(new[] { new SideWindow(0, 0, 10, 10, 6, 0), new SideWindow(250, 0, 11, 11, 7, 0) },
            ap.Windows().Take(2));
        var cp = PartitionSimulation.Run(ReplicationMode.CpMajority, o);
        Assert.Equal(new[] { new SideWindow(1000, 1, 11, 0, 0, 0), new SideWindow(1250, 1, 5, 0, 0, 0) },
            cp.Windows().Where(x => x.Side == 1).Skip(4).Take(2));
        Assert.Equal(new SimOp(83, 4, 1, OpKind.Write, 1015.7898330434953, 1019.0251583549154, 1020.5388045088878,
            false, -1, -1, false), cp.Ops.First(x => !x.Ok));
        Assert.All(cp.Ops.Where(x => !x.Ok), x => Assert.Equal((-1L, -1L), (x.Version, x.Counter)));
        Assert.Equal(new[] { "c0 W(32) [1031.15, 1036.64]", "c0 R(32) [1062.73, 1067.18]", "c2 R(32) [1063.87, 1071.3]",
            "c0 R(32) [1084.54, 1092.53]" }, cp.RegisterHistory(1000, 1100).Select(x => x.ToString()));
        Assert.Equal(2.0 / 3, cp.Availability(1, 900, 1100), 12);
        Assert.Equal((0.0, 85), cp.StaleShare(0, 0, 4000));
        // With no margin the three phases cover the whole run.
        Assert.Equal(cp.Ops.Count, cp.Summary(0).Where(p => p.Side == "A").Sum(p => p.Requests)
            + cp.Summary(0).Where(p => p.Side == "B").Sum(p => p.Requests));
        Assert.True(cp.Summary(0).Sum(p => p.Requests) > cp.Summary(10).Sum(p => p.Requests));
    }
}
