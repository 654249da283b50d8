using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// One Count-Min row (d = 1) of width w over a stream with item counts f: item i's overshoot is the sum of
/// the counts of the other items that share its counter. With a random hash each other item j lands there
/// with probability 1/w, so E[overshoot_i] = (N − f_i)/w, and the mean over all D items has expectation
/// (D − 1)·N/(D·w). The indicators X_ij = [h(i) = h(j)] are pairwise independent, and the total overshoot is
/// Σ_{i&lt;j} (f_i + f_j)·X_ij, so its variance is ((D − 2)·Σf² + N²)·(1/w)(1 − 1/w): a tight check of w.
/// </summary>
public sealed record CountMinRowTest(int Width, int Distinct, long Total, double MeanOvershoot)
{
    /// <summary>The expected mean overshoot per item if the row had <paramref name="width"/> counters.</summary>
    public double ExpectedMean(double width) => (Distinct - 1.0) * Total / (Distinct * Guard.InRange(width, 1, double.MaxValue));

    /// <summary>Standard deviation of the mean overshoot per item for a row of <paramref name="width"/> counters.</summary>
    public double Sigma(IReadOnlyList<long> counts, double width)
    {
        Guard.NotNull(counts);
        Guard.InRange(width, 1, double.MaxValue);
        double sumSquares = counts.Sum(f => (double)f * f), n = counts.Sum(f => (double)f);
        double variance = ((counts.Count - 2) * sumSquares + n * n) * (1 / width) * (1 - 1 / width);
        return Math.Sqrt(variance) / counts.Count;
    }
}

/// <summary>Count-Min and MinHash experiments that need more than a line or two of a notebook.</summary>
public static class SketchChecks
{
    /// <summary>
    /// Feeds the counts into a one-row sketch built by <see cref="CountMinSketch.ForError"/>(ε, δ) with a δ
    /// large enough for d = 1 (δ ≥ 1/e), and measures the mean overshoot per item.
    /// </summary>
    public static CountMinRowTest OneRow(double epsilon, IReadOnlyList<long> counts)
    {
        Guard.NotEmpty(counts);
        var sketch = CountMinSketch.ForError(epsilon, 0.5);
        return Measure(sketch, counts);
    }

    /// <summary>The same measurement on a one-row sketch of an explicit width (for a wrongly sized row).</summary>
    public static CountMinRowTest OneRow(int width, IReadOnlyList<long> counts)
    {
        Guard.NotEmpty(counts);
        return Measure(new CountMinSketch(width, 1), counts);
    }

    private static CountMinRowTest Measure(CountMinSketch sketch, IReadOnlyList<long> counts)
    {
        Guard.That(sketch.Depth == 1, $"a one-row test needs d = 1; got {sketch.Depth}", nameof(sketch));
        var names = Enumerable.Range(0, counts.Count).Select(i => Encoding.UTF8.GetBytes(SketchExperiments.ItemName(i))).ToArray();
        for (int i = 0; i < counts.Count; i++) sketch.Add(names[i], counts[i]);
        double overshoot = 0;
        for (int i = 0; i < counts.Count; i++) overshoot += sketch.Estimate(names[i]) - counts[i];
        return new CountMinRowTest(sketch.Width, counts.Count, sketch.TotalCount, overshoot / counts.Count);
    }

    /// <summary>
    /// A stream of events in random (seeded) order: item i (named <see cref="SketchExperiments.ItemName"/>)
    /// appears counts[i] times.
    /// </summary>
    public static string[] ShuffledEvents(IReadOnlyList<long> counts, int seed)
    {
        Guard.NotEmpty(counts);
        Guard.That(counts.All(c => c >= 0) && counts.Sum() <= 50_000_000, "counts must be non-negative and sum to at most 50,000,000", nameof(counts));
        var events = new string[counts.Sum()];
        int e = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            string name = SketchExperiments.ItemName(i);
            for (long c = 0; c < counts[i]; c++) events[e++] = name;
        }
        new Random(seed).Shuffle(events);
        return events;
    }

    /// <summary>Runs two <see cref="TopK"/> windows and ranks window 2's candidates by growth over window 1.</summary>
    public static IReadOnlyList<TrendingTopic> Trending(TopK before, TopK now)
    {
        Guard.NotNull(before);
        Guard.NotNull(now);
        return now.Items().Select(x =>
        {
            long was = before.Sketch.Estimate(x.Item);
            return new TrendingTopic(x.Item, was, x.Estimate, (double)x.Estimate / Math.Max(1, was));
        }).OrderByDescending(x => x.Growth).ToList();
    }

    /// <summary>
    /// MinHash estimates for pairs of 100-item sets with Jaccard similarity near each target: set A = w0..w99,
    /// set B shares c = round(200·J/(1 + J)) of them. For each of <paramref name="seeds"/> hash families of
    /// max(k) functions, records the estimate from the first k functions for every k.
    /// </summary>
    public static IReadOnlyList<MinHashEstimate> MinHashEstimates(IReadOnlyList<int> kValues, IReadOnlyList<double> targets, int seeds)
    {
        Guard.NotEmpty(kValues);
        Guard.NotEmpty(targets);
        Guard.InRange(seeds, 1, 1000);
        int family = kValues.Max();
        var result = new List<MinHashEstimate>();
        foreach (double target in targets)
        {
            var (a, b) = PairWithJaccard(100, Guard.InRange(target, 0, 1));
            double j = MinHash.Jaccard(a, b);
            for (int seed = 0; seed < seeds; seed++)
            {
                var mh = new MinHash(family, seed);
                ulong[] sa = mh.Signature(a), sb = mh.Signature(b);
                foreach (int k in kValues) result.Add(new MinHashEstimate(k, j, MinHash.Similarity(sa[..k], sb[..k])));
            }
        }
        return result;
    }

    /// <summary>Two sets of <paramref name="size"/> words sharing round(2·size·J/(1 + J)) of them.</summary>
    public static (HashSet<string> A, HashSet<string> B) PairWithJaccard(int size, double jaccard)
    {
        Guard.InRange(size, 1, 1_000_000);
        Guard.InRange(jaccard, 0, 1);
        int shared = (int)Math.Round(2 * size * jaccard / (1 + jaccard));
        var a = Enumerable.Range(0, size).Select(i => $"w{i}").ToHashSet();
        var b = Enumerable.Range(size - shared, size).Select(i => $"w{i}").ToHashSet();
        return (a, b);
    }

    /// <summary>
    /// LSH banding on top of MinHash: a signature of b·r functions is cut into b bands of r rows, and a pair
    /// becomes a candidate when at least one band agrees in all r rows. For each target similarity, a pair
    /// of <paramref name="setSize"/>-word sets is signed with <paramref name="families"/> independent hash
    /// families; the fraction of families in which the pair is a candidate estimates P = 1 − (1 − J^r)^b.
    /// </summary>
    public static IReadOnlyList<BandingPoint> Banding(IReadOnlyList<double> targets, int bands, int rows, int setSize, int families, int seed)
    {
        Guard.NotEmpty(targets);
        Guard.InRange(bands, 1, 512);
        Guard.InRange(rows, 1, 64);
        Guard.InRange(bands * rows, 1, 4096);
        Guard.InRange(families, 1, 10_000);
        var points = new List<BandingPoint>();
        foreach (double target in targets)
        {
            var (a, b) = PairWithJaccard(setSize, target);
            double j = MinHash.Jaccard(a, b);
            int candidates = 0;
            for (int f = 0; f < families; f++)
            {
                var mh = new MinHash(bands * rows, seed * 10_007 + f);
                if (MinHash.SharesBand(mh.Signature(a), mh.Signature(b), bands, rows)) candidates++;
            }
            points.Add(new BandingPoint(j, families, (double)candidates / families, MinHash.CandidateProbability(j, bands, rows)));
        }
        return points;
    }
}

/// <summary>A window-2 candidate with its window-1 estimate and its growth ratio.</summary>
public sealed record TrendingTopic(string Item, long Before, long Now, double Growth);

/// <summary>One MinHash estimate: k functions, true Jaccard J, estimate.</summary>
public sealed record MinHashEstimate(int K, double J, double Estimate)
{
    /// <summary>The error in units of its standard error √(J(1 − J)/k).</summary>
    public double Z => (Estimate - J) / MinHash.StandardError(J, K);
}

/// <summary>Measured and predicted candidate rate of LSH banding at one similarity.</summary>
public sealed record BandingPoint(double Jaccard, int Trials, double CandidateRate, double Theory)
{
    /// <summary>The binomial standard error of <see cref="CandidateRate"/> under the theory.</summary>
    public double Sigma => Math.Sqrt(Math.Max(Theory * (1 - Theory), 1e-12) / Trials);
}
