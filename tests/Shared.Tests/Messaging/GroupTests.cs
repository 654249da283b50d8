using SystemDesign.Messaging;

namespace SystemDesign.Tests.Messaging;

/// <summary>Consumer groups: the assignors on hand-checked cases, moves between assignments, the cost of a
/// rebalance, and consumer lag as a queue.</summary>
public sealed class GroupTests
{
    private static Dictionary<string, List<TopicPartition>> Owned(params (string Member, string Topic, int[] Partitions)[] rows) =>
        rows.ToDictionary(r => r.Member, r => r.Partitions.Select(p => new TopicPartition(r.Topic, p)).ToList());

    [Fact]
    public void Topic_partitions_sort_by_ordinal_topic_then_partition_and_print_like_kafka()
    {
        Assert.True(new TopicPartition("B", 9).CompareTo(new TopicPartition("a", 0)) < 0);     // ordinal: upper case first
        Assert.True(new TopicPartition("a", 2).CompareTo(new TopicPartition("a", 10)) < 0);
        Assert.True(new TopicPartition("a", 10).CompareTo(new TopicPartition("a", 2)) > 0);
        Assert.True(new TopicPartition("b", 0).CompareTo(new TopicPartition("a", 5)) > 0);
        Assert.Equal(0, new TopicPartition("a", 3).CompareTo(new TopicPartition("a", 3)));
        Assert.Equal("orders-12", new TopicPartition("orders", 12).ToString());
        Assert.Equal(new[] { "a-0", "b-0", "b-1" },
            Assignors.Partitions(new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 }).Select(tp => tp.ToString()));
    }

    [Fact]
    public void Range_gives_the_first_members_one_extra_partition_each_in_member_id_order()
    {
        var a = Assignors.Assign(AssignorKind.Range, new[] { "m2", "m0", "m1" }, new Dictionary<string, int> { ["t"] = 7 });
        Assert.Equal("m0: [t-0, t-1, t-2]; m1: [t-3, t-4]; m2: [t-5, t-6]", Assignors.Describe(a));
        var two = Assignors.Assign(AssignorKind.Range, new[] { "b", "a", "c" }, new Dictionary<string, int> { ["y"] = 2, ["x"] = 1 });
        Assert.Equal("a: [x-0, y-0]; b: [y-1]; c: []", Assignors.Describe(two));
        Assert.Equal(2, Assignors.ActiveMembers(two));
    }

    [Fact]
    public void Round_robin_deals_the_sorted_partitions_in_turn()
    {
        var a = Assignors.Assign(AssignorKind.RoundRobin, new[] { "m2", "m0", "m1" }, new Dictionary<string, int> { ["t"] = 7 });
        Assert.Equal("m0: [t-0, t-3, t-6]; m1: [t-1, t-4]; m2: [t-2, t-5]", Assignors.Describe(a));
    }

    [Fact]
    public void Sticky_without_history_gives_each_partition_to_the_member_with_fewest()
    {
        var a = Assignors.Assign(AssignorKind.CooperativeSticky, new[] { "c", "a", "b" }, new Dictionary<string, int> { ["t"] = 7 });
        Assert.Equal("a: [t-0, t-3, t-6]; b: [t-1, t-4]; c: [t-2, t-5]", Assignors.Describe(a));
    }

    [Fact]
    public void Sticky_keeps_owners_up_to_their_quota_and_gives_the_extra_quota_to_the_biggest_owners()
    {
        // 7 partitions over 3 members: quotas 3, 2, 2. b owned 4 (keeps 3), a owned 3 (keeps 2), c gets the rest.
        var before = Owned(("a", "t", new[] { 0, 1, 2 }), ("b", "t", new[] { 3, 4, 5, 6 }));
        var topics = new Dictionary<string, int> { ["t"] = 7 };
        var members = new[] { "a", "b", "c" };
        var after = Assignors.Assign(AssignorKind.CooperativeSticky, members, topics, before);
        Assert.Equal("a: [t-0, t-1]; b: [t-3, t-4, t-5]; c: [t-2, t-6]", Assignors.Describe(after));
        Assert.Equal(2, Assignors.Moved(before, after));
        Assert.Equal(2, Assignors.MinimumMoves(before, members));
    }

    [Fact]
    public void Sticky_gives_the_extra_quota_to_the_smaller_member_id_when_owners_tie()
    {
        // 4 partitions over 3: quotas 2, 1, 1. a and b owned two each: a (smaller id) keeps both, b keeps t-2, c gets t-3.
        var before = Owned(("b", "t", new[] { 2, 3 }), ("a", "t", new[] { 0, 1 }));
        var after = Assignors.Assign(AssignorKind.CooperativeSticky, new[] { "c", "b", "a" }, new Dictionary<string, int> { ["t"] = 4 }, before);
        Assert.Equal("a: [t-0, t-1]; b: [t-2]; c: [t-3]", Assignors.Describe(after));
    }

    [Fact]
    public void Sticky_ignores_previous_partitions_that_no_longer_exist()
    {
        // 6 partitions over 3: quota 2 each. a keeps t-0, t-1; b keeps t-5 (x-0 is gone); the free ones go to the fewest.
        var before = Owned(("a", "t", new[] { 0, 1, 2, 3, 4 }), ("b", "t", new[] { 5 }));
        before["b"].Add(new TopicPartition("x", 0));
        var after = Assignors.Assign(AssignorKind.CooperativeSticky, new[] { "a", "b", "c" }, new Dictionary<string, int> { ["t"] = 6 }, before);
        Assert.Equal("a: [t-0, t-1]; b: [t-3, t-5]; c: [t-2, t-4]", Assignors.Describe(after));
    }

    [Fact]
    public void Moved_counts_partitions_whose_owner_changed_or_whose_owner_is_gone()
    {
        var before = Owned(("a", "t", new[] { 0, 1 }), ("gone", "t", new[] { 2 }));
        var after = Owned(("a", "t", new[] { 0 }), ("b", "t", new[] { 1, 2, 3 }));
        Assert.Equal(3, Assignors.Moved(before, after));      // t-1 a→b, t-2 gone→b, t-3 new
        Assert.Equal(0, Assignors.Moved(before, before));
    }

    [Fact]
    public void Minimum_moves_keeps_at_most_each_members_quota_of_what_it_owned()
    {
        var two = Owned(("a", "t", new[] { 0, 1, 2, 3, 4, 5 }), ("b", "t", new[] { 6, 7, 8, 9, 10, 11 }));
        Assert.Equal(4, Assignors.MinimumMoves(two, new[] { "a", "b", "c" }));     // quotas 4, 4, 4
        Assert.Equal(6, Assignors.MinimumMoves(two, new[] { "b", "c" }));          // a's six must move
        Assert.Equal(0, Assignors.MinimumMoves(two, new[] { "a", "b" }));
        var uneven = Owned(("a", "t", new[] { 0, 1, 2 }), ("b", "t", new[] { 3, 4, 5, 6 }));
        Assert.Equal(2, Assignors.MinimumMoves(uneven, new[] { "c", "a", "b" }));  // quotas 3, 2, 2: b keeps 3, a 2
        Assert.Equal(3, Assignors.MinimumMoves(uneven, new[] { "a", "b", "c", "d" }));  // quotas 2, 2, 2, 1
    }

    [Fact]
    public void Describe_lists_members_by_ordinal_id_with_their_partitions()
    {
        var a = Owned(("b", "t", new[] { 1 }), ("a", "t", new[] { 0, 2 }), ("C", "t", Array.Empty<int>()));
        Assert.Equal("C: []; a: [t-0, t-2]; b: [t-1]", Assignors.Describe(a));
        Assert.Equal(2, Assignors.ActiveMembers(a));
    }

    [Fact]
    public void Member_ids_are_c_and_two_digits_in_order()
    {
        Assert.Equal(new[] { "c00", "c01", "c02" }, Rebalance.Members(3));
        Assert.Equal("c11", Rebalance.Members(12)[^1]);
        Assert.Equal(new[] { "c00" }, Rebalance.Members(1));
    }

    [Fact]
    public void An_eager_join_pauses_every_partition_and_a_cooperative_one_only_the_moved()
    {
        // Range 3 → 4 members over 12 partitions moves t-3, t-6, t-7, t-9, t-10, t-11; sticky moves one per old member.
        var eager = Rebalance.Join(RebalanceProtocol.Eager, 12, 3, 2, 50);
        Assert.Equal(new RebalanceCost(RebalanceProtocol.Eager, 12, 12, 6, 2, 24, 1200), eager);
        var coop = Rebalance.Join(RebalanceProtocol.Cooperative, 12, 3, 2, 50);
        Assert.Equal(new RebalanceCost(RebalanceProtocol.Cooperative, 12, 3, 3, 2, 6, 300), coop);
        Assert.Equal(0, Rebalance.Join(RebalanceProtocol.Cooperative, 12, 3, 0, 50).RecordsDelayed);
    }

    [Fact]
    public void A_seeded_lag_run_with_a_burst_gives_these_samples()
    {
        // λ = 100/s (per 10 ms step: Poisson 1), 5000/s during [2, 4) (normal approximation), μ = min(2, 3) × 60.
        var t = ConsumerLag.Run(100, 5000, 2, 4, 2, 3, 60, 6, 11);
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5, 6 }, t.Seconds);
        Assert.Equal(new double[] { 0, 1, 0, 4863, 9748, 9729, 9695 }, t.Lag);
        Assert.Equal(new double[] { 0, 96, 100, 4989, 5015, 101, 86 }, t.ProducedPerSecond);
    }

    [Fact]
    public void A_seeded_lag_run_with_a_one_second_burst_at_30_per_step_gives_these_samples()
    {
        // No arrivals outside [1, 2); 3000/s is a per-step mean of exactly 30 (the last Poisson-sampled mean).
        var t = ConsumerLag.Run(0, 3000, 1, 2, 2, 3, 60, 4, 5);
        Assert.Equal(new double[] { 0, 0, 2904, 2783, 2661 }, t.Lag);
        Assert.Equal(new double[] { 0, 0, 3027, 0, 0 }, t.ProducedPerSecond);
    }

    [Fact]
    public void The_burst_window_includes_its_start_and_excludes_its_end()
    {
        // Only the step at t = 3.00 lies in [3, 3.005); the step at t = 4.00 is outside [3, 4).
        var one = ConsumerLag.Run(0, 1e6, 3, 3.005, 1, 1, 0, 5, 2);
        Assert.InRange(one.ProducedPerSecond[4], 9_000, 11_000);    // one step of mean 10,000
        Assert.Equal(0, one.ProducedPerSecond[3] + one.ProducedPerSecond[5]);
        var second = ConsumerLag.Run(0, 1e5, 3, 4, 1, 1, 0, 5, 2);
        Assert.Equal(new double[] { 0, 0, 0, 0 }, new[] { second.ProducedPerSecond[1], second.ProducedPerSecond[2], second.ProducedPerSecond[3], second.ProducedPerSecond[5] });
        Assert.InRange(second.ProducedPerSecond[4], 1e5 - 4 * 317, 1e5 + 4 * 317);
        // With no capacity the lag is everything produced so far.
        Assert.Equal(second.ProducedPerSecond[4], second.Lag[5]);
    }

    [Fact]
    public void Only_min_of_consumers_and_partitions_consume_so_lag_grows_at_lambda_minus_that_capacity()
    {
        // 8 consumers on 2 partitions: μ = 2 × 100 = 200/s against λ = 500/s, for 30 s: lag ≈ 9,000, σ ≈ √(30 × 700) ≈ 145.
        var t = ConsumerLag.Run(500, 500, 0, 0, 8, 2, 100, 30, 4);
        Assert.InRange(t.Lag[30], 9_000 - 4 * 145, 9_000 + 4 * 145);
        var mirrored = ConsumerLag.Run(500, 500, 0, 0, 2, 8, 100, 30, 4);
        Assert.InRange(mirrored.Lag[30], 9_000 - 4 * 145, 9_000 + 4 * 145);
        // Capacity above the rate: the lag stays small and never negative.
        var drained = ConsumerLag.Run(500, 500, 0, 0, 8, 8, 100, 30, 4);
        Assert.All(drained.Lag, l => Assert.InRange(l, 0, 100));
    }

    [Fact]
    public void Large_per_step_means_keep_the_poisson_mean_and_variance()
    {
        // 2·10⁵/s: per-step mean 2,000 (normal approximation); per second mean 2·10⁵ and variance 2·10⁵.
        var t = ConsumerLag.Run(2e5, 2e5, 0, 0, 1, 1, 0, 40, 6);
        var perSecond = t.ProducedPerSecond.Skip(1).ToArray();
        double mean = perSecond.Average(), variance = perSecond.Sum(x => (x - mean) * (x - mean)) / (perSecond.Length - 1);
        Assert.InRange(mean, 2e5 - 4 * Math.Sqrt(2e5 / 40), 2e5 + 4 * Math.Sqrt(2e5 / 40));
        Assert.InRange(variance, 0.3 * 2e5, 2.2 * 2e5);      // chi-square with 39 degrees of freedom, far tails
        // Small means (1 per step): per second mean 100, variance 100.
        var small = ConsumerLag.Run(100, 100, 0, 0, 1, 1, 0, 200, 6).ProducedPerSecond.Skip(1).ToArray();
        double m = small.Average(), v = small.Sum(x => (x - m) * (x - m)) / (small.Length - 1);
        Assert.InRange(m, 100 - 4 * Math.Sqrt(100.0 / 200), 100 + 4 * Math.Sqrt(100.0 / 200));
        Assert.InRange(v, 60, 150);
    }

    [Fact]
    public void Drain_time_is_lag_over_spare_capacity()
    {
        Assert.Equal(20, ConsumerLag.DrainSeconds(8000, 800, 1200), 12);
        Assert.Equal(0, ConsumerLag.DrainSeconds(0, 0, 1));
        Assert.Equal(4, ConsumerLag.DrainSeconds(10, 5, 7.5), 12);
    }
}
