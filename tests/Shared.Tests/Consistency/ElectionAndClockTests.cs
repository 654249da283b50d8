using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

public sealed class ElectionAndClockTests
{
    [Fact]
    public void Watching_the_predecessor_wakes_one_client_per_deletion_instead_of_all()
    {
        var all = ZooKeeperElection.Run(50, WatchStrategy.AllChildren, new Random(1));
        var pred = ZooKeeperElection.Run(50, WatchStrategy.Predecessor, new Random(1));
        Assert.Equal(50 * 49 / 2, all.Notifications);
        Assert.True(pred.Notifications <= 49);
        Assert.True(all.AlwaysOneLeader && pred.AlwaysOneLeader);
        Assert.Equal(all.LeaderChanges, pred.LeaderChanges);
        Assert.True(pred.LeaderSequences.Zip(pred.LeaderSequences.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void Commit_wait_of_two_epsilon_gives_external_consistency()
    {
        var wait = TrueTime.Run(20_000, 1, 7, 2, commitWait: true, new Random(1));
        var none = TrueTime.Run(20_000, 1, 7, 2, commitWait: false, new Random(1));
        Assert.Equal(0, wait.Violations);
        Assert.True(none.Violations > 0);
        Assert.Equal(2 * wait.MeanEpsilonMs, wait.MeanWaitMs, 6);
        Assert.Equal(0, none.MeanWaitMs);
    }

    [Fact]
    public void The_violation_rate_without_commit_wait_matches_the_exact_probability()
    {
        var none = TrueTime.Run(100_000, 1, 7, 2, commitWait: false, new Random(5));
        double exact = TrueTime.ViolationProbability(1, 7, 2);
        double sigma = Math.Sqrt(exact * (1 - exact) / none.Pairs);
        Assert.InRange((double)none.Violations / none.Pairs, exact - 4 * sigma, exact + 4 * sigma);
        // Closed forms: same ε, no gap: a tie in distribution, 1/2; fixed gap g: (1 − g/2ε)²/2.
        Assert.Equal(0.5, TrueTime.ViolationProbability(3, 3, 0), 3);
        var fixedGap = TrueTime.Run(100_000, 4, 4, 2, 2, commitWait: false, new Random(6));
        double closed = Math.Pow(1 - 2 / 8.0, 2) / 2;
        double s2 = Math.Sqrt(closed * (1 - closed) / fixedGap.Pairs);
        Assert.InRange((double)fixedGap.Violations / fixedGap.Pairs, closed - 4 * s2, closed + 4 * s2);
        Assert.True(TrueTime.ViolationProbability(1, 7, 10) < TrueTime.ViolationProbability(1, 7, 2));
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ZooKeeperElection.Run(0, WatchStrategy.Predecessor, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ZooKeeperElection.Run(3, (WatchStrategy)5, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrueTime.Run(10, 5, 1, 0, true, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrueTime.Run(0, 1, 5, 0, true, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrueTime.Run(10, 1, 5, 3, 2, true, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrueTime.ViolationProbability(0, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrueTime.ViolationProbability(1, 5, 1, 1));
    }
}
