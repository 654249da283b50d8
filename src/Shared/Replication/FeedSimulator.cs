using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SystemDesign.Replication;

/// <summary>Work done by a feed system: timeline writes at post time, list fetches and items read at feed-read time.</summary>
public sealed record FeedCounts(long Posts, long Reads, long TimelineWrites, long Fetches, long ItemsRead)
{
    public double WritesPerPost => Posts == 0 ? 0 : (double)TimelineWrites / Posts;
    public double FetchesPerRead => Reads == 0 ? 0 : (double)Fetches / Reads;
    /// <summary>Total work with a price per timeline write and per list fetch.</summary>
    public double Cost(double writeCost = 1, double fetchCost = 1)
        => Guard.NonNegative(writeCost) * TimelineWrites + Guard.NonNegative(fetchCost) * Fetches;
}

/// <summary>The counts of a run and a hash of every feed it returned (to prove two strategies show the same feeds).</summary>
public sealed record FeedRun(int Threshold, FeedCounts Counts, IReadOnlyList<ulong> FeedHashes);

/// <summary>
/// A home-feed service with a celebrity threshold. Posts by authors with fewer followers than the threshold
/// are pushed (fan-out on write: one timeline insert per follower, each home timeline capped like a Redis
/// sorted set trimmed with ZREMRANGEBYRANK); posts by the others stay in the author's own list and are pulled
/// at read time (fan-out on read: one fetch per such followee, then a k-way merge of the newest entries).
/// Threshold 0 is pure pull, <see cref="int.MaxValue"/> pure push. Post ids grow with time, so "newest" is
/// "largest id".
/// </summary>
public sealed class FeedSimulator
{
    private readonly FollowerGraph _graph;
    private readonly List<long>[] _home;
    private readonly List<long>[] _own;
    private readonly int[][] _pulled;
    private long _nextId, _posts, _reads, _writes, _fetches, _items;

    public FeedSimulator(FollowerGraph graph, int celebrityThreshold, int feedSize = 20, int timelineCap = 800)
    {
        _graph = Guard.NotNull(graph);
        Threshold = Guard.NonNegative(celebrityThreshold);
        FeedSize = Guard.InRange(feedSize, 1, 10_000);
        TimelineCap = Guard.InRange(timelineCap, feedSize, 1_000_000);
        _home = Enumerable.Range(0, graph.Users).Select(_ => new List<long>()).ToArray();
        _own = Enumerable.Range(0, graph.Users).Select(_ => new List<long>()).ToArray();
        _pulled = Enumerable.Range(0, graph.Users)
            .Select(u => graph.Followees(u).Where(IsCelebrity).ToArray()).ToArray();
    }

    public int Threshold { get; }
    public int FeedSize { get; }
    public int TimelineCap { get; }
    public bool PureFanoutOnRead => Threshold == 0;
    public bool IsCelebrity(int author) => _graph.FollowerCount(author) >= Threshold;

    public FeedCounts Counts => new(_posts, _reads, _writes, _fetches, _items);

    /// <summary>Publishes a post and returns its id; pushes it to every follower's timeline unless the author is a celebrity.</summary>
    public long Post(int author)
    {
        Guard.InRange(author, 0, _graph.Users - 1);
        long id = _nextId++;
        _posts++;
        _own[author].Add(id);
        if (!IsCelebrity(author))
        {
            foreach (int follower in _graph.Followers(author))
            {
                var timeline = _home[follower];
                timeline.Add(id);
                _writes++;
                if (timeline.Count >= 2 * TimelineCap) timeline.RemoveRange(0, timeline.Count - TimelineCap); // amortised trim
            }
        }
        return id;
    }

    /// <summary>The user's home feed, newest first: at most <see cref="FeedSize"/> post ids.</summary>
    public long[] Read(int user)
    {
        Guard.InRange(user, 0, _graph.Users - 1);
        _reads++;
        var sources = new List<List<long>>();
        if (!PureFanoutOnRead) sources.Add(_home[user]);
        foreach (int author in _pulled[user]) sources.Add(_own[author]);
        var heap = new PriorityQueue<(int Source, int Position), long>();
        for (int s = 0; s < sources.Count; s++)
        {
            _fetches++;
            int len = sources[s].Count;
            _items += Math.Min(len, FeedSize);
            if (len > 0) heap.Enqueue((s, len - 1), -sources[s][len - 1]);
        }
        var feed = new List<long>(FeedSize);
        while (feed.Count < FeedSize && heap.TryDequeue(out var top, out _))
        {
            feed.Add(sources[top.Source][top.Position]);
            int next = top.Position - 1;
            // Only the newest FeedSize entries of each list were fetched.
            if (next >= 0 && sources[top.Source].Count - next <= FeedSize)
                heap.Enqueue((top.Source, next), -sources[top.Source][next]);
        }
        return feed.ToArray();
    }

    /// <summary>Entries in the user's home timeline as a capped sorted set would hold them.</summary>
    public int TimelineLength(int user) => Math.Min(_home[Guard.InRange(user, 0, _graph.Users - 1)].Count, TimelineCap);

    /// <summary>Replays a workload under one threshold, hashing every feed returned.</summary>
    public static FeedRun Run(FollowerGraph graph, IReadOnlyList<FeedEvent> events, int celebrityThreshold, int feedSize = 20, int timelineCap = 800)
    {
        Guard.NotNull(events);
        var sim = new FeedSimulator(graph, celebrityThreshold, feedSize, timelineCap);
        var hashes = new List<ulong>();
        foreach (var e in events)
        {
            if (e.Kind == FeedEventKind.Post) sim.Post(e.User);
            else hashes.Add(Hash(sim.Read(e.User)));
        }
        return new FeedRun(celebrityThreshold, sim.Counts, hashes);
    }

    /// <summary>A fingerprint of a feed (its ids in order).</summary>
    public static ulong Hash(ReadOnlySpan<long> feed) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(feed));
}

/// <summary>
/// The work of every threshold from one pass over a workload. Pushing author a costs posts(a)·followers(a)
/// writes; pulling it costs one fetch per feed read of each of its followers; every read also fetches the
/// home timeline unless the system is pure pull. Sums of these per-author terms equal what
/// <see cref="FeedSimulator"/> counts, which the notebook checks.
/// </summary>
public sealed class FanoutCostModel
{
    private readonly FollowerGraph _graph;
    private readonly long[] _posts, _followerReads;

    public FanoutCostModel(FollowerGraph graph, IReadOnlyList<FeedEvent> events)
    {
        _graph = Guard.NotNull(graph);
        Guard.NotNull(events);
        _posts = new long[graph.Users];
        var reads = new long[graph.Users];
        foreach (var e in events)
        {
            Guard.InRange(e.User, 0, graph.Users - 1, "event.User");
            if (e.Kind == FeedEventKind.Post) _posts[e.User]++; else reads[e.User]++;
        }
        Reads = reads.Sum();
        Posts = _posts.Sum();
        _followerReads = Enumerable.Range(0, graph.Users).Select(a => graph.Followers(a).Sum(v => reads[v])).ToArray();
    }

    public long Reads { get; }
    public long Posts { get; }

    /// <summary>The writes and fetches a <see cref="FeedSimulator"/> with this threshold would count (items are not modelled).</summary>
    public FeedCounts Predict(int threshold)
    {
        Guard.NonNegative(threshold);
        long writes = 0, fetches = threshold == 0 ? 0 : Reads;
        for (int a = 0; a < _graph.Users; a++)
        {
            if (_graph.FollowerCount(a) < threshold) writes += _posts[a] * _graph.FollowerCount(a);
            else fetches += _followerReads[a];
        }
        return new FeedCounts(Posts, Reads, writes, fetches, ItemsRead: 0);
    }

    public double Cost(int threshold, double writeCost = 1, double fetchCost = 1) => Predict(threshold).Cost(writeCost, fetchCost);

    /// <summary>0 (pure pull), every distinct follower count + 1, and <see cref="int.MaxValue"/> (pure push): the thresholds at which the cost can change.</summary>
    public IReadOnlyList<int> CandidateThresholds()
        => new[] { 0 }.Concat(Enumerable.Range(0, _graph.Users).Select(a => _graph.FollowerCount(a) + 1).Distinct().Order())
            .Append(int.MaxValue).Distinct().ToArray();

    /// <summary>The threshold with the least cost, and that cost.</summary>
    public (int Threshold, double Cost) Best(double writeCost = 1, double fetchCost = 1)
        => CandidateThresholds().Select(t => (t, Cost(t, writeCost, fetchCost))).MinBy(x => x.Item2);

    /// <summary>
    /// A lower bound for any threshold rule: each author pushed or pulled, whichever costs less for that
    /// author, plus one home-timeline fetch per read. (Pure pull can be cheaper, as it skips that fetch.)
    /// </summary>
    public double PerAuthorOptimum(double writeCost = 1, double fetchCost = 1)
    {
        double cost = fetchCost * Reads;
        for (int a = 0; a < _graph.Users; a++)
            cost += Math.Min(writeCost * _posts[a] * _graph.FollowerCount(a), fetchCost * _followerReads[a]);
        return cost;
    }
}
