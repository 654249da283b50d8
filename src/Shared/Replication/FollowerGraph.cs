namespace SystemDesign.Replication;

/// <summary>
/// Who follows whom. <see cref="PowerLaw"/> draws each account's follower count from a Pareto law (a few
/// celebrities, a long tail of small accounts) and picks that many distinct followers uniformly, so follower
/// counts are heavy-tailed while the number of accounts a user follows stays moderate, as on real networks.
/// </summary>
public sealed class FollowerGraph
{
    private readonly int[][] _followers;
    private readonly int[][] _followees;

    public FollowerGraph(int[][] followers)
    {
        Guard.NotNull(followers);
        Guard.That(followers.Length > 0, "a graph needs at least one user.", nameof(followers));
        int n = followers.Length;
        var counts = new int[n];
        for (int a = 0; a < n; a++)
        {
            Guard.NotNull(followers[a], "followers[a]");
            var seen = new HashSet<int>();
            foreach (int v in followers[a])
            {
                Guard.InRange(v, 0, n - 1, "follower");
                Guard.That(v != a && seen.Add(v), $"user {a}'s followers must be distinct and exclude {a}.", nameof(followers));
                counts[v]++;
            }
        }
        _followers = followers.Select(f => f.ToArray()).ToArray();
        _followees = counts.Select(c => new int[c]).ToArray();
        var fill = new int[n];
        for (int a = 0; a < n; a++)
            foreach (int v in _followers[a]) _followees[v][fill[v]++] = a;
        Edges = _followers.Sum(f => (long)f.Length);
    }

    public int Users => _followers.Length;
    public long Edges { get; }
    public IReadOnlyList<int> Followers(int author) => _followers[Guard.InRange(author, 0, Users - 1)];
    public IReadOnlyList<int> Followees(int user) => _followees[Guard.InRange(user, 0, Users - 1)];
    public int FollowerCount(int author) => _followers[Guard.InRange(author, 0, Users - 1)].Length;

    /// <summary>
    /// Follower counts ⌊m·U^(−1/α)⌋ capped at users − 1, so P(count ≥ k) = (m/k)^α exactly for integers
    /// m ≤ k ≤ users − 1; followers chosen uniformly without replacement.
    /// </summary>
    /// <param name="users">Number of accounts.</param>
    /// <param name="alpha">Pareto tail exponent (Twitter-like graphs have α ≈ 1 to 1.5).</param>
    /// <param name="minFollowers">m, the smallest follower count.</param>
    /// <param name="seed">Seed of the random choices.</param>
    public static FollowerGraph PowerLaw(int users, double alpha, int minFollowers, int seed)
    {
        Guard.InRange(users, 2, 1_000_000);
        Guard.InRange(alpha, 0.5, 5);
        Guard.InRange(minFollowers, 0, users - 1);
        var rng = new Random(seed);
        var pool = Enumerable.Range(0, users).ToArray();
        var followers = new int[users][];
        for (int a = 0; a < users; a++)
        {
            double x = minFollowers * Math.Pow(1 - rng.NextDouble(), -1 / alpha);
            int count = (int)Math.Min(users - 1, Math.Floor(x));
            // Partial Fisher–Yates over a permutation of all users, skipping the author.
            var chosen = new int[count];
            int got = 0;
            for (int k = 0; got < count; k++)
            {
                int j = k + rng.Next(users - k);
                (pool[k], pool[j]) = (pool[j], pool[k]);
                if (pool[k] != a) chosen[got++] = pool[k];
            }
            followers[a] = chosen;
        }
        return new FollowerGraph(followers);
    }

    /// <summary>The fraction of users with at least k followers.</summary>
    public double FractionWithAtLeast(int k) => (double)_followers.Count(f => f.Length >= k) / Users;
}
