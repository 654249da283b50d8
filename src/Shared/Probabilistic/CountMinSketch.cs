using System.IO.Hashing;
using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// Count-Min sketch (Cormode and Muthukrishnan, 2005): d rows of w counters; an item adds its count to one
/// counter per row (row r hashes with XxHash64 seeded r) and its estimate is the minimum of its d counters.
/// Counters only ever receive an item's own count plus other items' collisions, so the estimate never falls
/// below the true count. Sized with w = ⌈e/ε⌉ and d = ⌈ln(1/δ)⌉, the estimate exceeds the true count by more
/// than ε·N (N = total count added) with probability at most δ: one row overshoots by more than ε·N with
/// probability ≤ 1/e (Markov), all d rows with probability ≤ e^−d ≤ δ.
/// </summary>
public sealed class CountMinSketch
{
    private readonly long[] _counters;

    /// <summary>Counters per row, w.</summary>
    public int Width { get; }

    /// <summary>Rows, d.</summary>
    public int Depth { get; }

    /// <summary>Sum of all counts added, N.</summary>
    public long TotalCount { get; private set; }

    public CountMinSketch(int width, int depth)
    {
        Width = Guard.InRange(width, 1, 1 << 26);
        Depth = Guard.InRange(depth, 1, 32);
        _counters = new long[(long)width * depth];
    }

    /// <summary>A sketch whose estimates exceed the truth by at most ε·N with probability at least 1 − δ.</summary>
    public static CountMinSketch ForError(double epsilon, double delta)
    {
        var (width, depth) = Dimensions(epsilon, delta);
        return new CountMinSketch(width, depth);
    }

    /// <summary>w = ⌈e/ε⌉ counters per row and d = ⌈ln(1/δ)⌉ rows.</summary>
    public static (int Width, int Depth) Dimensions(double epsilon, double delta)
    {
        Guard.InRange(epsilon, 1e-7, 1);
        Guard.OpenUnit(delta);
        return ((int)Math.Ceiling(Math.E / epsilon), Math.Max(1, (int)Math.Ceiling(Math.Log(1 / delta))));
    }

    /// <summary>The ε this width guarantees: e/w.</summary>
    public double Epsilon => Math.E / Width;

    /// <summary>The δ this depth guarantees: e^−d.</summary>
    public double Delta => Math.Exp(-Depth);

    /// <summary>The additive error bound ε·N at the current total.</summary>
    public double ErrorBound => Epsilon * TotalCount;

    /// <summary>Memory used by the counters (8 bytes each), in bytes.</summary>
    public long SizeInBytes => _counters.LongLength * sizeof(long);

    public void Add(string item, long count = 1) => Add(Encoding.UTF8.GetBytes(Guard.NotNull(item)), count);

    public void Add(ReadOnlySpan<byte> item, long count = 1)
    {
        Guard.InRange(count, 1, long.MaxValue / 4);
        for (int r = 0; r < Depth; r++) _counters[Cell(item, r)] += count;
        TotalCount += count;
    }

    /// <summary>The estimated count: never below the true count.</summary>
    public long Estimate(string item) => Estimate(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public long Estimate(ReadOnlySpan<byte> item)
    {
        long min = long.MaxValue;
        for (int r = 0; r < Depth; r++) min = Math.Min(min, _counters[Cell(item, r)]);
        return min;
    }

    /// <summary>Adds another sketch's counters (same width and depth): the sketch of both streams.</summary>
    public void Merge(CountMinSketch other)
    {
        Guard.NotNull(other);
        Guard.That(other.Width == Width && other.Depth == Depth, $"both sketches need the same shape; this one is {Width}×{Depth}, the other {other.Width}×{other.Depth}", nameof(other));
        for (long i = 0; i < _counters.LongLength; i++) _counters[i] += other._counters[i];
        TotalCount += other.TotalCount;
    }

    private long Cell(ReadOnlySpan<byte> item, int row) => (long)row * Width + (long)(XxHash64.HashToUInt64(item, row) % (ulong)Width);
}

/// <summary>
/// The k most frequent items of a stream (heavy hitters) in memory independent of the number of distinct
/// items: a <see cref="CountMinSketch"/> estimates each arriving item's count, and a table of k candidates
/// keeps the items with the largest estimates. This is the usual core of a "trending now" feature: one
/// instance per time window, ranked by count (or by growth against the previous window).
/// </summary>
public sealed class TopK
{
    private readonly CountMinSketch _sketch;
    private readonly Dictionary<string, long> _candidates;

    /// <summary>How many items are kept.</summary>
    public int K { get; }

    public TopK(int k, double epsilon, double delta)
    {
        K = Guard.InRange(k, 1, 10_000);
        _sketch = CountMinSketch.ForError(epsilon, delta);
        _candidates = new Dictionary<string, long>(k + 1);
    }

    /// <summary>The sketch behind the candidates (for its size and error bound).</summary>
    public CountMinSketch Sketch => _sketch;

    public void Add(string item, long count = 1)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Guard.NotNull(item));
        _sketch.Add(bytes, count);
        long estimate = _sketch.Estimate(bytes);
        if (_candidates.ContainsKey(item) || _candidates.Count < K)
        {
            _candidates[item] = estimate;
            return;
        }
        var weakest = _candidates.MinBy(c => c.Value);
        if (estimate > weakest.Value)
        {
            _candidates.Remove(weakest.Key);
            _candidates[item] = estimate;
        }
    }

    /// <summary>The candidates, largest estimate first.</summary>
    public IReadOnlyList<(string Item, long Estimate)> Items()
        => _candidates.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value)).ToList();
}
