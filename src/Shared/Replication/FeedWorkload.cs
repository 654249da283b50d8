namespace SystemDesign.Replication;

public enum FeedEventKind { Post, Read }

/// <summary>One user action at a time (days): publish a post, or open the home feed.</summary>
public readonly record struct FeedEvent(double Time, FeedEventKind Kind, int User);

/// <summary>
/// The activity on a <see cref="FollowerGraph"/>: every user opens the feed as a Poisson process of
/// <see cref="ReadsPerUserPerDay"/>; author a posts as a Poisson process of
/// <see cref="PostsPerDay"/>·(1 + followers(a))^<see cref="PostRateExponent"/>. An exponent of 0 makes every
/// account post equally often; a positive one lets large accounts post more, which is what makes a
/// follower-count threshold a good proxy for the choice between pushing and pulling.
/// </summary>
public sealed record FeedWorkload
{
    public double Days { get; init; } = 1;
    public double ReadsPerUserPerDay { get; init; } = 2;
    public double PostsPerDay { get; init; } = 0.1;
    public double PostRateExponent { get; init; } = 0.5;
    public int Seed { get; init; } = 1;

    /// <summary>Posts per day of an author with the given number of followers.</summary>
    public double PostRate(int followers) => PostsPerDay * Math.Pow(1 + Guard.NonNegative(followers), PostRateExponent);

    /// <summary>
    /// With equal write and fetch costs, pushing author a costs posts·followers writes, pulling it costs one
    /// fetch per follower read: push wins exactly when the author posts less often than each follower reads.
    /// Solving PostRate(f) = ReadsPerUserPerDay·fetchCost/writeCost gives the break-even follower count.
    /// </summary>
    public double BreakEvenFollowers(double writeCost = 1, double fetchCost = 1)
    {
        Guard.Positive(writeCost);
        Guard.Positive(fetchCost);
        Guard.That(PostRateExponent > 0, "with PostRateExponent = 0 the post rate does not depend on followers, so no follower count is a break-even.", nameof(PostRateExponent));
        return Math.Pow(ReadsPerUserPerDay * fetchCost / (writeCost * PostsPerDay), 1 / PostRateExponent) - 1;
    }

    /// <summary>
    /// Expected total cost of a celebrity threshold over the period, and its standard deviation. Post counts
    /// and read counts are independent Poisson variables, so with h = 1 unless the system is pure pull:
    /// mean = c_w·Σ_{pushed a} f_a·p_a·D + c_f·Σ_v r·D·(h + pulled followees of v), and the variance is the same
    /// sums with the coefficients squared.
    /// </summary>
    public (double Mean, double StdDev) ExpectedCost(FollowerGraph graph, int threshold, double writeCost = 1, double fetchCost = 1)
    {
        Guard.NotNull(graph);
        Guard.NonNegative(threshold);
        Guard.NonNegative(writeCost);
        Guard.NonNegative(fetchCost);
        double mean = 0, variance = 0;
        for (int a = 0; a < graph.Users; a++)
        {
            int f = graph.FollowerCount(a);
            if (f >= threshold) continue;
            double posts = PostRate(f) * Days, cost = writeCost * f;
            mean += cost * posts;
            variance += cost * cost * posts;
        }
        double reads = ReadsPerUserPerDay * Days;
        for (int v = 0; v < graph.Users; v++)
        {
            double cost = fetchCost * ((threshold == 0 ? 0 : 1) + graph.Followees(v).Count(a => graph.FollowerCount(a) >= threshold));
            mean += cost * reads;
            variance += cost * cost * reads;
        }
        return (mean, Math.Sqrt(variance));
    }

    /// <summary>All posts and feed reads of the period, in time order.</summary>
    public IReadOnlyList<FeedEvent> Generate(FollowerGraph graph)
    {
        Guard.NotNull(graph);
        Guard.InRange(Days, 1e-6, 3650, nameof(Days));
        Guard.InRange(ReadsPerUserPerDay, 0, 1e5, nameof(ReadsPerUserPerDay));
        Guard.InRange(PostsPerDay, 0, 1e5, nameof(PostsPerDay));
        Guard.InRange(PostRateExponent, 0, 2, nameof(PostRateExponent));
        double expected = graph.Users * ReadsPerUserPerDay * Days
                          + Enumerable.Range(0, graph.Users).Sum(a => PostRate(graph.FollowerCount(a))) * Days;
        Guard.That(expected <= 5_000_000, $"the workload would hold about {expected:N0} events; keep it at most 5,000,000.", nameof(Days));
        var rng = new Random(Seed);
        var events = new List<FeedEvent>();
        for (int u = 0; u < graph.Users; u++)
        {
            Add(rng, events, PostRate(graph.FollowerCount(u)), FeedEventKind.Post, u);
            Add(rng, events, ReadsPerUserPerDay, FeedEventKind.Read, u);
        }
        events.Sort((x, y) => x.Time.CompareTo(y.Time));
        return events;
    }

    private void Add(Random rng, List<FeedEvent> events, double rate, FeedEventKind kind, int user)
    {
        if (rate <= 0) return;
        for (double t = ReplicationSimulator.Exponential(rng, rate); t < Days; t += ReplicationSimulator.Exponential(rng, rate))
            events.Add(new FeedEvent(t, kind, user));
    }
}
