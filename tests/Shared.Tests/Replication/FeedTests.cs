using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

public sealed class FeedTests
{
    private static readonly FollowerGraph Graph = FollowerGraph.PowerLaw(800, 1.1, 3, 7);
    private static readonly IReadOnlyList<FeedEvent> Events = new FeedWorkload { Days = 1, ReadsPerUserPerDay = 2, PostsPerDay = 0.1, PostRateExponent = 0.5, Seed = 3 }.Generate(Graph);

    [Fact]
    public void A_power_law_graph_has_distinct_followers_and_a_pareto_tail()
    {
        for (int a = 0; a < Graph.Users; a++)
        {
            var f = Graph.Followers(a);
            Assert.DoesNotContain(a, f);
            Assert.Equal(f.Count, f.Distinct().Count());
            Assert.True(f.Count >= 3);
        }
        Assert.Equal(Graph.Edges, Enumerable.Range(0, Graph.Users).Sum(u => (long)Graph.Followees(u).Count));
        var big = FollowerGraph.PowerLaw(5000, 1.1, 3, 1);
        double p = Math.Pow(3.0 / 50, 1.1), sigma = Math.Sqrt(p * (1 - p) / 5000);
        Assert.InRange(big.FractionWithAtLeast(50), p - 4 * sigma, p + 4 * sigma);
    }

    [Fact]
    public void Push_writes_once_per_follower_and_pull_fetches_once_per_followee()
    {
        int celebrity = Enumerable.Range(0, Graph.Users).MaxBy(Graph.FollowerCount);
        var push = new FeedSimulator(Graph, int.MaxValue);
        push.Post(celebrity);
        Assert.Equal(Graph.FollowerCount(celebrity), push.Counts.TimelineWrites);
        push.Read(0);
        Assert.Equal(1, push.Counts.Fetches);

        var pull = new FeedSimulator(Graph, 0);
        pull.Post(celebrity);
        Assert.Equal(0, pull.Counts.TimelineWrites);
        pull.Read(5);
        Assert.Equal(Graph.Followees(5).Count, pull.Counts.Fetches);
    }

    [Fact]
    public void Push_pull_and_hybrid_show_the_same_feeds_and_the_cost_model_predicts_their_counts()
    {
        var model = new FanoutCostModel(Graph, Events);
        FeedRun? reference = null;
        foreach (int threshold in new[] { 0, 1, 20, 100, int.MaxValue })
        {
            var run = FeedSimulator.Run(Graph, Events, threshold);
            var predicted = model.Predict(threshold);
            Assert.Equal(predicted.TimelineWrites, run.Counts.TimelineWrites);
            Assert.Equal(predicted.Fetches, run.Counts.Fetches);
            Assert.Equal(model.Reads, run.Counts.Reads);
            Assert.Equal(model.Posts, run.Counts.Posts);
            reference ??= run;
            Assert.Equal(reference.FeedHashes, run.FeedHashes);
        }
        var best = model.Best();
        Assert.True(best.Cost <= model.Cost(0) && best.Cost <= model.Cost(int.MaxValue));
        Assert.True(model.PerAuthorOptimum() <= model.Cost(best.Threshold) || best.Threshold == 0);
    }

    [Fact]
    public void Feeds_are_newest_first_and_at_most_the_feed_size()
    {
        var sim = new FeedSimulator(Graph, 50, feedSize: 5, timelineCap: 10);
        int author = Graph.Followees(1)[0];
        var ids = Enumerable.Range(0, 30).Select(_ => sim.Post(author)).ToArray();
        var feed = sim.Read(1);
        Assert.Equal(ids.Reverse().Take(5), feed);
        if (!sim.IsCelebrity(author)) Assert.Equal(10, sim.TimelineLength(1));
    }

    [Fact]
    public void Break_even_is_where_an_author_posts_as_often_as_each_follower_reads()
    {
        var w = new FeedWorkload { ReadsPerUserPerDay = 2, PostsPerDay = 0.1, PostRateExponent = 0.5 };
        double f = w.BreakEvenFollowers();
        Assert.Equal(399, f, 9);
        Assert.Equal(2, w.PostRate((int)f), 9);
        Assert.Equal("PostRateExponent", Assert.Throws<ArgumentException>(() => (w with { PostRateExponent = 0 }).BreakEvenFollowers()).ParamName);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => FollowerGraph.PowerLaw(1, 1.1, 0, 1)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => FollowerGraph.PowerLaw(10, 0, 1, 1)).ParamName);
        Assert.Equal("minFollowers", Assert.Throws<ArgumentOutOfRangeException>(() => FollowerGraph.PowerLaw(10, 1.1, 10, 1)).ParamName);
        Assert.Equal("followers", Assert.Throws<ArgumentException>(() => new FollowerGraph([[0]])).ParamName);
        Assert.Equal("celebrityThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedSimulator(Graph, -1)).ParamName);
        Assert.Equal("timelineCap", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedSimulator(Graph, 1, feedSize: 20, timelineCap: 10)).ParamName);
        Assert.Equal("user", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedSimulator(Graph, 1).Read(Graph.Users)).ParamName);
        Assert.Equal("Days", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedWorkload { Days = 0 }.Generate(Graph)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new FanoutCostModel(Graph, Events).Predict(-1)).ParamName);
    }
}

public sealed class FeedExpectationTests
{
    [Fact]
    public void Measured_costs_fall_within_four_sigma_of_the_expected_cost()
    {
        var graph = FollowerGraph.PowerLaw(1000, 1.1, 3, 2);
        var w = new FeedWorkload { ReadsPerUserPerDay = 2, PostsPerDay = 0.1, PostRateExponent = 0.5, Seed = 5 };
        var model = new FanoutCostModel(graph, w.Generate(graph));
        foreach (int t in new[] { 0, 10, 400, int.MaxValue })
        {
            var (mean, sd) = w.ExpectedCost(graph, t);
            Assert.InRange(model.Cost(t), mean - 4 * sd, mean + 4 * sd);
        }
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => w.ExpectedCost(graph, -1)).ParamName);
    }
}
