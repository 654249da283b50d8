using SystemDesign.Distribution;
using SystemDesign.Identifiers;

namespace SystemDesign.Tests.Distribution;

public sealed class RingTheoryTests
{
    [Fact]
    public void Formulas_match_hand_values()
    {
        Assert.Equal(Math.Sqrt(9.0 / 1501), RingTheory.ShareCv(10, 150), 12);
        Assert.Equal(Math.Sqrt(10.0 / (11 * 150 + 1)), RingTheory.NewcomerShareRelativeSigma(10, 150), 12);
        double p = 1.0 / 11;
        Assert.Equal(Math.Sqrt(p * p * 10.0 / 1651 + p * (1 - p) / 20_000), RingTheory.JoinMovedSigma(10, 150, 20_000), 12);
        Assert.Equal(0.5642, RingTheory.MaxOfStandardNormals(2).Mean, 3);
        Assert.Equal(Math.Sqrt(1 - 1 / Math.PI), RingTheory.MaxOfStandardNormals(2).StdDev, 3);
        Assert.Equal(1.5388, RingTheory.MaxOfStandardNormals(10).Mean, 3);
        Assert.Equal(0.5868, RingTheory.MaxOfStandardNormals(10).StdDev, 3);
        Assert.Equal(0, RingTheory.MaxOfStandardNormals(1).Mean, 4);
    }

    [Fact]
    public void Hot_key_holder_share_matches_a_simulation()
    {
        var w = HotKeys.ZipfWeights(2000, 1.0);
        var keys = Data.Keys(2000);
        double expected = RingTheory.HotKeyHolderShare(w, 10), sigma = RingTheory.HotKeyHolderSigma(w, 10, 64);
        var shares = Enumerable.Range(0, 64).Select(r =>
        {
            var ring = HashRing.Create(Enumerable.Range(0, 10).Select(i => $"s{r}-{i}"), 64);
            return ring.Loads(keys, w)[ring.Owner(keys[0])];
        }).ToArray();
        Assert.InRange(shares.Average(), expected - 4 * sigma / 8, expected + 4 * sigma / 8);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("nodes", Assert.Throws<ArgumentOutOfRangeException>(() => RingTheory.ShareCv(0, 1)).ParamName);
        Assert.Equal("virtualNodes", Assert.Throws<ArgumentOutOfRangeException>(() => RingTheory.ShareCv(3, 0)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentOutOfRangeException>(() => RingTheory.JoinMovedSigma(3, 1, 0)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => RingTheory.MaxOfStandardNormals(0)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => RingTheory.HotKeyHolderShare([], 3)).ParamName);
    }
}

public sealed class JoinSweepTests
{
    [Fact]
    public void Ring_moves_only_to_the_newcomer_and_modulo_moves_most()
    {
        var sweep = JoinSweep.Run(Data.Keys(2000), 2, 12, 50);
        Assert.Equal(11, sweep.Rows.Count);
        Assert.All(sweep.Rows, r => Assert.True(r.OnlyToNewcomer));
        Assert.All(sweep.Rows, r => Assert.True(r.ModuloMoved > r.RingMoved));
        Assert.True(sweep.WorstModuloZ < 4.5 && sweep.WorstRingZ < 4.5 && sweep.WorstShareZ < 4.5);
        Assert.InRange(sweep.MeanMovedTimesNPlus1, 1 - 4 * sweep.MeanMovedTimesNPlus1Sigma, 1 + 4 * sweep.MeanMovedTimesNPlus1Sigma);
    }

    [Fact]
    public void Agrees_with_move_reports_over_the_same_keys()
    {
        var keys = Data.Keys(1500, 3);
        var row = JoinSweep.Run(keys, 7, 7, 20).Rows.Single();
        var before = HashRing.Create(Data.Nodes(7), 20);
        Assert.Equal(MoveReport.Between(keys, before, before.WithNode("node-7")).FractionMoved, row.RingMoved);
        var modulo = new ModuloPlacement(Data.Nodes(7));
        Assert.Equal(MoveReport.Between(keys, modulo, modulo.WithNode("node-7")).FractionMoved, row.ModuloMoved);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => JoinSweep.Run(Data.Keys(5), 5, 4, 10)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentException>(() => JoinSweep.Run([], 2, 4, 10)).ParamName);
    }
}

public sealed class VnodeBalanceTests
{
    [Fact]
    public void Random_tokens_follow_the_beta_law_and_allocation_beats_it()
    {
        var rows = VnodeBalance.Sweep(10, [1, 16, 256], 16);
        foreach (var r in rows) Assert.InRange(r.Cv, r.CvTheory - 4 * r.CvStdError, r.CvTheory + 4 * r.CvStdError);
        Assert.True(rows[0].CvStdError > 0 && rows[0].MaxOverMean > rows[2].MaxOverMean);
        var allocated = VnodeBalance.Measure(10, 16, 8, allocated: true);
        Assert.True(allocated.Allocated && allocated.Cv < rows[2].Cv);
        // The busiest node of 10 with 256 random tokens, averaged over 16 rings, against the normal theory.
        var (mean, sd) = RingTheory.BusiestOverMean(10, 256);
        Assert.InRange(rows[2].MaxOverMean, mean - 4 * sd / 4, mean + 4 * sd / 4);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("rings", Assert.Throws<ArgumentOutOfRangeException>(() => VnodeBalance.Measure(10, 4, 1)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentOutOfRangeException>(() => VnodeBalance.Measure(1, 4, 4)).ParamName);
    }
}

public sealed class QuorumLossTests
{
    [Theory]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(40)]
    public void One_token_per_node_loses_quorum_only_for_neighbouring_pairs(int n)
    {
        var loss = QuorumLoss.Of(HashRing.Create(Data.Nodes(n), 1), 3);
        Assert.Equal(QuorumLoss.SingleTokenPairsSharing(n, 3), loss.PairsSharingARange, 12);
        // Each range has C(3,2) = 3 pairs, so the data lost summed over all pairs is 3: mean 6/(N(N−1)).
        Assert.Equal(6.0 / (n * (n - 1)), loss.MeanDataLost, 9);
    }

    [Fact]
    public void Many_tokens_make_almost_every_pair_share_a_range()
    {
        var few = QuorumLoss.Of(HashRing.Create(Data.Nodes(30), 4), 3);
        var many = QuorumLoss.Of(HashRing.Create(Data.Nodes(30), 256), 3);
        Assert.True(many.PairsSharingARange > 0.99 && few.PairsSharingARange < many.PairsSharingARange);
        Assert.Equal(many.MeanDataLost, few.MeanDataLost, 9);
        Assert.True(many.MeanDataLostWhenAny < few.MeanDataLostWhenAny);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("replicationFactor", Assert.Throws<ArgumentOutOfRangeException>(() => QuorumLoss.Of(HashRing.Create(Data.Nodes(3), 2), 4)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentOutOfRangeException>(() => QuorumLoss.SingleTokenPairsSharing(4, 3)).ParamName);
    }
}

public sealed class RangeShardTests
{
    [Fact]
    public void Monotonic_ids_fill_the_last_range_and_random_ones_spread()
    {
        foreach (var scheme in new[] { IdScheme.AutoIncrement, IdScheme.Snowflake, IdScheme.UuidV7 })
        {
            var (existing, inserted) = IdWorkload.Generate(scheme, 20_000, 2_000, seed: 1);
            var counts = RangeShards.SplitEvenly(existing, 8).Count(inserted);
            Assert.Equal(2_000, counts[^1]);
        }
        var (e4, i4) = IdWorkload.Generate(IdScheme.UuidV4, 20_000, 8_000, seed: 1);
        var c4 = RangeShards.SplitEvenly(e4, 8).Count(i4);
        Assert.All(c4, c => Assert.InRange(c, 1000 - 4 * 31, 1000 + 4 * 31)); // binomial σ ≈ √(8000·⅛·⅞) ≈ 30
    }

    [Fact]
    public void Range_of_respects_split_points()
    {
        var shards = RangeShards.SplitEvenly([10, 20, 30, 40], 2);
        Assert.Equal(2, shards.Ranges);
        Assert.Equal(0, shards.RangeOf(29));
        Assert.Equal(1, shards.RangeOf(30));
        Assert.Equal(1, shards.RangeOf(1000));
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("existing", Assert.Throws<ArgumentException>(() => RangeShards.SplitEvenly([], 2)).ParamName);
        Assert.Equal("ranges", Assert.Throws<ArgumentOutOfRangeException>(() => RangeShards.SplitEvenly([1, 2], 3)).ParamName);
        Assert.Equal("existing", Assert.Throws<ArgumentOutOfRangeException>(() => IdWorkload.Generate(IdScheme.UuidV4, 0, 1, 1)).ParamName);
    }
}

public sealed class QuorumLossApproximationTests
{
    [Fact]
    public void The_random_token_approximation_tracks_the_exact_count_on_a_large_ring()
    {
        foreach (int v in new[] { 1, 4, 16, 64 })
        {
            var exact = QuorumLoss.Of(HashRing.Create(Data.Nodes(100), v), 3).PairsSharingARange;
            double approx = QuorumLoss.RandomTokensPairsSharing(100, v, 3);
            Assert.InRange(exact, approx - 4 * Math.Sqrt(approx * (1 - approx) / 4950) - 1e-3,
                approx + 4 * Math.Sqrt(approx * (1 - approx) / 4950) + 1e-3);
        }
        Assert.Equal("virtualNodes", Assert.Throws<ArgumentOutOfRangeException>(() => QuorumLoss.RandomTokensPairsSharing(10, 0, 3)).ParamName);
    }
}

public sealed class BoundedLoadTests
{
    [Fact]
    public void Caps_the_busiest_node_and_spreads_the_hot_key()
    {
        var ring = HashRing.Create(Data.Nodes(10), 64);
        var keys = Data.Keys(2000);
        var w = HotKeys.ZipfWeights(2000, 1.0);
        var plain = BoundedLoad.Run(ring, keys, w, 20_000, double.PositiveInfinity, 1);
        var bounded = BoundedLoad.Run(ring, keys, w, 20_000, 1.25, 1);
        Assert.Equal(0, plain.Forwarded);
        Assert.Equal(1, plain.NodesServingHottest);
        Assert.True(bounded.MaxOverMean <= 1.25 + 10.0 / 20_000);
        Assert.True(bounded.NodesServingHottest >= 2 && bounded.Forwarded > 0);
        Assert.Equal(20_000, bounded.Loads.Sum());
        // A sweep over several c replays the same stream: its runs equal the single runs.
        var sweep = BoundedLoad.Sweep(ring, keys, w, 20_000, [double.PositiveInfinity, 1.25], 1);
        Assert.Equal(plain.Loads, sweep[0].Loads);
        Assert.Equal(bounded.Loads, sweep[1].Loads);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        var ring = HashRing.Create(Data.Nodes(3), 4);
        Assert.Equal("capacity", Assert.Throws<ArgumentException>(() => BoundedLoad.Run(ring, ["a"], [1.0], 10, 0.5, 1)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => BoundedLoad.Run(ring, ["a"], [1.0, 2.0], 10, 2, 1)).ParamName);
        Assert.Equal("requests", Assert.Throws<ArgumentOutOfRangeException>(() => BoundedLoad.Run(ring, ["a"], [1.0], 0, 2, 1)).ParamName);
    }
}
