namespace SystemDesign.DataModels;

/// <summary>
/// A sorted set the way Redis implements one (t_zset.c): a skip list ordered by (score, member) with a span on
/// every forward link, so rank queries cost O(log N), plus a dictionary from member to score. Members with equal
/// scores are ordered by their bytes (ordinal comparison, as Redis's memcmp-based sdscmp), so
/// <see cref="RevRange"/> lists ties in reverse byte order. Levels are drawn with p = 1/4, at most 32.
/// </summary>
public sealed class SkipListSortedSet
{
    private const int MaxLevel = 32;
    private const double P = 0.25;

    private sealed class Node(string member, double score, int level)
    {
        public readonly string Member = member;
        public double Score = score;
        public Node? Backward;
        public readonly Node?[] Forward = new Node?[level];
        public readonly long[] Span = new long[level];
    }

    private readonly Node _head = new("", double.NegativeInfinity, MaxLevel);
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
    private readonly Random _rng;
    private int _level = 1;

    /// <summary>A new empty set; <paramref name="seed"/> fixes the node levels.</summary>
    public SkipListSortedSet(int seed = 1) => _rng = new Random(seed);

    /// <summary>Number of members (ZCARD).</summary>
    public long Count => _scores.Count;

    /// <summary>Height of the tallest node (for the cost argument; Redis caps it at 32).</summary>
    public int Levels => _level;

    /// <summary>Links followed by the last rank or insert search: the O(log N) cost made visible.</summary>
    public int LastSearchSteps { get; private set; }

    private static int Compare(double s1, string m1, double s2, string m2)
    {
        int c = s1.CompareTo(s2);
        return c != 0 ? c : string.CompareOrdinal(m1, m2);
    }

    private int RandomLevel()
    {
        int level = 1;
        while (level < MaxLevel && _rng.NextDouble() < P) level++;
        return level;
    }

    /// <summary>ZADD key score member: adds or updates; true when the member is new.</summary>
    public bool Add(string member, double score)
    {
        Guard.NotNull(member);
        Guard.That(!double.IsNaN(score), "score must be a number", nameof(score));
        if (_scores.TryGetValue(member, out double old))
        {
            if (old == score) return false;
            Delete(member, old);
            Insert(member, score);
            _scores[member] = score;
            return false;
        }
        Insert(member, score);
        _scores[member] = score;
        return true;
    }

    /// <summary>ZINCRBY key delta member: returns the new score.</summary>
    public double IncrementBy(string member, double delta)
    {
        Guard.NotNull(member);
        double score = (_scores.TryGetValue(member, out double old) ? old : 0) + delta;
        Add(member, score);
        return score;
    }

    /// <summary>ZREM key member: true when it was present.</summary>
    public bool Remove(string member)
    {
        Guard.NotNull(member);
        if (!_scores.Remove(member, out double score)) return false;
        Delete(member, score);
        return true;
    }

    /// <summary>ZSCORE key member, or null.</summary>
    public double? Score(string member) => _scores.TryGetValue(Guard.NotNull(member), out double s) ? s : null;

    private void Insert(string member, double score)
    {
        var update = new Node[MaxLevel];
        var rank = new long[MaxLevel];
        Node x = _head;
        int steps = 0;
        for (int i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.Forward[i] is { } next && Compare(next.Score, next.Member, score, member) < 0)
            {
                rank[i] += x.Span[i];
                x = next;
                steps++;
            }
            update[i] = x;
        }
        LastSearchSteps = steps;
        int level = RandomLevel();
        if (level > _level)
        {
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _head;
                update[i].Span[i] = _scores.Count;
            }
            _level = level;
        }
        var node = new Node(member, score, level);
        for (int i = 0; i < level; i++)
        {
            node.Forward[i] = update[i].Forward[i];
            update[i].Forward[i] = node;
            node.Span[i] = update[i].Span[i] - (rank[0] - rank[i]);
            update[i].Span[i] = rank[0] - rank[i] + 1;
        }
        for (int i = level; i < _level; i++) update[i].Span[i]++;
        node.Backward = update[0] == _head ? null : update[0];
        if (node.Forward[0] is { } after) after.Backward = node;
    }

    private void Delete(string member, double score)
    {
        var update = new Node[MaxLevel];
        Node x = _head;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Forward[i] is { } next && Compare(next.Score, next.Member, score, member) < 0) x = next;
            update[i] = x;
        }
        var target = x.Forward[0]!;
        for (int i = 0; i < _level; i++)
        {
            if (update[i].Forward[i] == target)
            {
                update[i].Span[i] += target.Span[i] - 1;
                update[i].Forward[i] = target.Forward[i];
            }
            else update[i].Span[i]--;
        }
        if (target.Forward[0] is { } after) after.Backward = target.Backward;
        while (_level > 1 && _head.Forward[_level - 1] is null) _level--;
    }

    /// <summary>ZRANK key member: 0-based rank from the lowest score, or null.</summary>
    public long? Rank(string member)
    {
        if (!_scores.TryGetValue(Guard.NotNull(member), out double score)) return null;
        long rank = 0;
        int steps = 0;
        Node x = _head;
        for (int i = _level - 1; i >= 0; i--)
            while (x.Forward[i] is { } next && Compare(next.Score, next.Member, score, member) <= 0)
            {
                rank += x.Span[i];
                x = next;
                steps++;
            }
        LastSearchSteps = steps;
        return rank - 1;
    }

    /// <summary>ZREVRANK key member: 0-based rank from the highest score, or null.</summary>
    public long? RevRank(string member) => Rank(member) is { } r ? Count - 1 - r : null;

    private Node? ByRank(long rank) // 1-based
    {
        long traversed = 0;
        Node x = _head;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Forward[i] is { } next && traversed + x.Span[i] <= rank)
            {
                traversed += x.Span[i];
                x = next;
            }
            if (traversed == rank) return x;
        }
        return null;
    }

    private (long Start, long Stop)? Normalize(long start, long stop)
    {
        long n = Count;
        if (start < 0) start = n + start;
        if (stop < 0) stop = n + stop;
        if (start < 0) start = 0;
        if (start > stop || start >= n) return null;
        if (stop >= n) stop = n - 1;
        return (start, stop);
    }

    /// <summary>ZRANGE key start stop WITHSCORES (ranks from the lowest; negative counts from the end).</summary>
    public IReadOnlyList<(string Member, double Score)> Range(long start, long stop)
    {
        var result = new List<(string, double)>();
        if (Normalize(start, stop) is not { } r) return result;
        var (a, b) = r;
        var x = ByRank(a + 1);
        for (long k = a; k <= b && x is not null; k++, x = x.Forward[0]) result.Add((x.Member, x.Score));
        return result;
    }

    /// <summary>ZREVRANGE key start stop WITHSCORES (ranks from the highest).</summary>
    public IReadOnlyList<(string Member, double Score)> RevRange(long start, long stop)
    {
        var result = new List<(string, double)>();
        if (Normalize(start, stop) is not { } r) return result;
        var (a, b) = r;
        var x = ByRank(Count - a);
        for (long k = a; k <= b && x is not null; k++, x = x.Backward) result.Add((x.Member, x.Score));
        return result;
    }
}
