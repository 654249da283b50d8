namespace SystemDesign.Consistency;

/// <summary>A value with the timestamp last-write-wins orders it by; <see cref="Writer"/> breaks timestamp ties.</summary>
public readonly record struct Stamped(long Value, long Timestamp, int Writer) : IComparable<Stamped>
{
    public int CompareTo(Stamped other) => Timestamp != other.Timestamp ? Timestamp.CompareTo(other.Timestamp) : Writer.CompareTo(other.Writer);
}

/// <summary>
/// A Dynamo-style register on N replicas: a write lands on the replicas it reaches, a read asks R replicas and
/// keeps the value with the highest timestamp (last-write-wins). Nothing here coordinates: that is what lets the
/// notebook show both what quorum overlap buys (a read quorum meets every completed write quorum) and what it
/// does not (a write that reached too few replicas, or a timestamp from a skewed clock).
/// </summary>
public sealed class QuorumRegister
{
    private readonly Stamped[] _replicas;

    public QuorumRegister(int replicas, long initial = 0)
    {
        Guard.InRange(replicas, 1, 1000);
        _replicas = Enumerable.Repeat(new Stamped(initial, 0, -1), replicas).ToArray();
    }

    public int Replicas => _replicas.Length;

    public Stamped this[int replica] => _replicas[Guard.InRange(replica, 0, _replicas.Length - 1)];

    /// <summary>Stores the value on each listed replica that holds an older one; returns how many changed.</summary>
    public int Write(long value, long timestamp, int writer, IEnumerable<int> replicas)
    {
        Guard.NotNull(replicas);
        var incoming = new Stamped(value, timestamp, writer);
        int changed = 0;
        foreach (int r in replicas)
        {
            Guard.InRange(r, 0, _replicas.Length - 1, nameof(replicas));
            if (incoming.CompareTo(_replicas[r]) > 0)
            {
                _replicas[r] = incoming;
                changed++;
            }
        }
        return changed;
    }

    /// <summary>
    /// The newest value among the listed replicas. With <paramref name="readRepair"/> the reader writes it back to
    /// those replicas before returning — the step (as in the ABD algorithm) that stops a later reader from seeing
    /// an older value than an earlier one did.
    /// </summary>
    public Stamped Read(IEnumerable<int> replicas, bool readRepair = false)
    {
        Guard.NotNull(replicas);
        var list = replicas as int[] ?? replicas.ToArray();
        Guard.That(list.Length > 0, "a read must ask at least one replica", nameof(replicas));
        var best = _replicas[Guard.InRange(list[0], 0, _replicas.Length - 1, nameof(replicas))];
        for (int i = 1; i < list.Length; i++)
        {
            var s = _replicas[Guard.InRange(list[i], 0, _replicas.Length - 1, nameof(replicas))];
            if (s.CompareTo(best) > 0) best = s;
        }
        if (readRepair) Write(best.Value, best.Timestamp, best.Writer, list);
        return best;
    }

    /// <summary>k distinct replicas out of n, uniformly at random (a partial Fisher–Yates shuffle).</summary>
    public static int[] RandomSubset(int n, int k, Random rng)
    {
        Guard.InRange(n, 1, 1000);
        Guard.InRange(k, 0, n);
        Guard.NotNull(rng);
        var a = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = i + rng.Next(n - i);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a[..k];
    }
}

/// <summary>One (N, W, R) of a <see cref="Quorums.Sweep"/>.</summary>
/// <param name="Overlap">W + R &gt; N.</param>
/// <param name="AlwaysMeet">every W-set meets every R-set (by enumeration).</param>
/// <param name="Formula">C(N−W, R)/C(N, R).</param>
/// <param name="Measured">share of reads that missed the write just made.</param>
public sealed record QuorumCell(int N, int W, int R, bool Overlap, bool AlwaysMeet, double Formula, double Measured, int Stale, int Trials);

/// <summary>The consistency levels of Cassandra-style stores: how many replicas must answer.</summary>
public enum ConsistencyLevel
{
    One,
    Quorum,
    All,
}

/// <summary>
/// Quorum arithmetic and the experiments behind it: which (N, W, R) guarantee that a read meets the latest completed
/// write, how likely a stale read is when they do not, how that risk fades with time since the write (probabilistically
/// bounded staleness, Bailis et al. 2012), and what each consistency level costs in latency (the k-th fastest of N
/// replica responses).
/// </summary>
public static class Quorums
{
    /// <summary>The smallest majority of n: ⌊n/2⌋ + 1. Any two majorities share a replica; n − majority failures are survivable.</summary>
    public static int Majority(int n) => Guard.InRange(n, 1, 1000) / 2 + 1;

    /// <summary>How many replicas a consistency level waits for.</summary>
    public static int Replicas(ConsistencyLevel level, int n)
    {
        Guard.InRange(n, 1, 1000);
        return level switch
        {
            ConsistencyLevel.One => 1,
            ConsistencyLevel.Quorum => Majority(n),
            ConsistencyLevel.All => n,
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "level must be One, Quorum or All."),
        };
    }

    /// <summary>C(n, k) as a double (exact for the small n used here).</summary>
    public static double Binomial(int n, int k)
    {
        Guard.InRange(n, 0, 1000);
        if (k < 0 || k > n) return 0;
        double c = 1;
        for (int i = 1; i <= Math.Min(k, n - k); i++) c = c * (n - Math.Min(k, n - k) + i) / i;
        return Math.Round(c);
    }

    /// <summary>
    /// Probability that a read of R random replicas misses every one of the W replicas the last write reached, right
    /// after the write: C(N−W, R) / C(N, R). Zero exactly when W + R &gt; N.
    /// </summary>
    public static double StaleReadProbability(int n, int w, int r)
    {
        ValidateNwr(n, w, r);
        return Binomial(n - w, r) / Binomial(n, r);
    }

    /// <summary>
    /// Whether every set of W replicas meets every set of R replicas, decided by enumerating all pairs of subsets
    /// (n ≤ 12): the brute-force proof of the W + R &gt; N rule.
    /// </summary>
    public static bool AlwaysOverlap(int n, int w, int r)
    {
        Guard.InRange(n, 1, 12);
        ValidateNwr(n, w, r);
        var ws = Enumerable.Range(0, 1 << n).Where(m => System.Numerics.BitOperations.PopCount((uint)m) == w).ToArray();
        var rs = Enumerable.Range(0, 1 << n).Where(m => System.Numerics.BitOperations.PopCount((uint)m) == r).ToArray();
        return ws.All(a => rs.All(b => (a & b) != 0));
    }

    /// <summary>Every (W, R) for one N: the formula, the brute-force overlap, and a measurement of <paramref name="trials"/> write-then-read trials.</summary>
    public static IReadOnlyList<QuorumCell> Sweep(int n, int trials, Random rng)
    {
        Guard.InRange(n, 1, 12);
        Guard.InRange(trials, 1, 10_000_000);
        Guard.NotNull(rng);
        var cells = new List<QuorumCell>();
        for (int w = 1; w <= n; w++)
            for (int r = 1; r <= n; r++)
            {
                var (stale, t) = MeasureStaleReads(n, w, r, trials, rng);
                cells.Add(new QuorumCell(n, w, r, w + r > n, AlwaysOverlap(n, w, r), StaleReadProbability(n, w, r), (double)stale / t, stale, t));
            }
        return cells;
    }

    /// <summary>
    /// Measures stale reads on a <see cref="QuorumRegister"/>: each trial writes a new value to W random replicas,
    /// then reads R random replicas; a read that does not return that value is stale.
    /// </summary>
    public static (int Stale, int Trials) MeasureStaleReads(int n, int w, int r, int trials, Random rng)
    {
        ValidateNwr(n, w, r);
        Guard.InRange(trials, 1, 10_000_000);
        Guard.NotNull(rng);
        var reg = new QuorumRegister(n);
        int stale = 0;
        for (int t = 1; t <= trials; t++)
        {
            reg.Write(t, t, 0, QuorumRegister.RandomSubset(n, w, rng));
            if (reg.Read(QuorumRegister.RandomSubset(n, r, rng)).Value != t) stale++;
        }
        return (stale, trials);
    }

    /// <summary>
    /// Probabilistically bounded staleness by simulation: the write is sent to all N replicas, each arriving after a
    /// delay drawn from <paramref name="replication"/>; it completes when W have it. A read of R random replicas
    /// <paramref name="sinceCommit"/> ms after completion is stale if none of them has the write yet.
    /// </summary>
    public static double StaleProbabilityAfter(int n, int w, int r, double sinceCommit, Delay replication, int trials, Random rng)
    {
        ValidateNwr(n, w, r);
        Guard.NonNegative(sinceCommit);
        Guard.NotNull(replication);
        Guard.InRange(trials, 1, 10_000_000);
        Guard.NotNull(rng);
        var d = new double[n];
        int stale = 0;
        for (int t = 0; t < trials; t++)
        {
            for (int i = 0; i < n; i++) d[i] = replication.Sample(rng);
            var sorted = (double[])d.Clone();
            Array.Sort(sorted);
            double readAt = sorted[w - 1] + sinceCommit;
            bool seen = false;
            foreach (int i in QuorumRegister.RandomSubset(n, r, rng))
                if (d[i] <= readAt) { seen = true; break; }
            if (!seen) stale++;
        }
        return (double)stale / trials;
    }

    /// <summary>
    /// The exact probabilistically-bounded-staleness curve for exponential replication delays. Memorylessness makes the
    /// N − W replicas still missing the write at commit each receive it within t independently with probability
    /// p = 1 − e^(−t/mean); if k of them have, the read is stale with probability C(N−W−k, R)/C(N, R).
    /// </summary>
    public static double ExponentialStaleProbability(int n, int w, int r, double sinceCommit, double mean)
    {
        ValidateNwr(n, w, r);
        Guard.NonNegative(sinceCommit);
        Guard.Positive(mean);
        double p = 1 - Math.Exp(-sinceCommit / mean);
        int m = n - w;
        double total = 0;
        for (int k = 0; k <= m; k++)
            total += Binomial(m, k) * Math.Pow(p, k) * Math.Pow(1 - p, m - k) * Binomial(m - k, r) / Binomial(n, r);
        return total;
    }

    /// <summary>
    /// Latency samples of an operation that asks all N replicas and waits for the k fastest: each sample is the k-th
    /// smallest of N independent replica latencies.
    /// </summary>
    public static double[] SampleLatency(int n, int k, Delay replica, int count, Random rng)
    {
        Guard.InRange(n, 1, 1000);
        Guard.InRange(k, 1, n);
        Guard.NotNull(replica);
        Guard.InRange(count, 1, 10_000_000);
        Guard.NotNull(rng);
        var result = new double[count];
        var d = new double[n];
        for (int s = 0; s < count; s++)
        {
            for (int i = 0; i < n; i++) d[i] = replica.Sample(rng);
            Array.Sort(d);
            result[s] = d[k - 1];
        }
        return result;
    }

    /// <summary>P(k-th smallest of N ≤ x) when each replica is ≤ x with probability u: P(Binomial(N, u) ≥ k).</summary>
    public static double OrderStatisticCdf(int n, int k, double u)
    {
        Guard.InRange(n, 1, 1000);
        Guard.InRange(k, 1, n);
        Guard.InRange(u, 0, 1);
        double total = 0;
        for (int j = k; j <= n; j++) total += Binomial(n, j) * Math.Pow(u, j) * Math.Pow(1 - u, n - j);
        return total;
    }

    /// <summary>
    /// The exact q-quantile of the k-th order statistic of N replica latencies: find u with P(Binomial(N, u) ≥ k) = q
    /// (bisection), then map it through the replica distribution's quantile.
    /// </summary>
    public static double LatencyQuantile(int n, int k, double q, Delay replica)
    {
        Guard.InRange(n, 1, 1000);
        Guard.InRange(k, 1, n);
        Guard.OpenUnit(q);
        Guard.NotNull(replica);
        double lo = 0, hi = 1;
        for (int i = 0; i < 80; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (OrderStatisticCdf(n, k, mid) < q) lo = mid; else hi = mid;
        }
        return replica.Quantile(0.5 * (lo + hi));
    }

    private static void ValidateNwr(int n, int w, int r)
    {
        Guard.InRange(n, 1, 1000);
        Guard.InRange(w, 1, n);
        Guard.InRange(r, 1, n);
    }

    /// <summary>
    /// The PACELC latency table: for each N and consistency level (ONE, QUORUM, ALL) an operation waits for the
    /// k fastest of N replicas with latency <paramref name="replica"/>; <paramref name="samples"/> simulated
    /// requests give p50 and p99, beside the exact order-statistic quantiles. <see cref="LevelLatency.CdfZ"/> compares
    /// them in probability space: the share of samples below the exact q-quantile is q with binomial σ
    /// √(q(1−q)/samples), and CdfZ is the larger of the two deviations (p50, p99) in units of that σ.
    /// </summary>
    public static IReadOnlyList<LevelLatency> LatencyByLevel(string operation, Delay replica, IReadOnlyList<int> ns,
        int samples, Random rng)
    {
        Guard.NotEmpty(operation);
        Guard.NotNull(replica);
        Guard.NotNull(ns);
        Guard.InRange(samples, 10, 10_000_000);
        Guard.NotNull(rng);
        var rows = new List<LevelLatency>();
        foreach (int n in ns)
            foreach (var level in Enum.GetValues<ConsistencyLevel>())
            {
                int k = Replicas(level, n);
                var x = SampleLatency(n, k, replica, samples, rng);
                double t50 = LatencyQuantile(n, k, 0.5, replica), t99 = LatencyQuantile(n, k, 0.99, replica);
                double Z(double t, double q) => Math.Abs(x.Count(v => v <= t) / (double)samples - q)
                    / Notebook.Stats.ProportionStdErr(q, samples);
                rows.Add(new LevelLatency(operation, n, level.ToString(), k, Notebook.Stats.Percentile(x, 0.5), t50,
                    Notebook.Stats.Percentile(x, 0.99), t99, Math.Max(Z(t50, 0.5), Z(t99, 0.99))));
            }
        return rows;
    }

    /// <summary>
    /// A simulated probabilistically-bounded-staleness curve for exponential replication delays (mean
    /// <paramref name="meanMs"/>) beside the exact one: <paramref name="trials"/> reads at each time.
    /// <see cref="StalenessCurve.WorstZ"/> is the largest |simulated − exact| in binomial σ at the exact value,
    /// over the <see cref="StalenessCurve.Points"/> times where at least 10 stale reads are expected (where the
    /// normal approximation holds).
    /// </summary>
    public static StalenessCurve ExponentialStalenessCurve(int n, int w, int r, IReadOnlyList<double> times, double meanMs,
        int trials, Random rng)
    {
        ValidateNwr(n, w, r);
        Guard.NotNull(times);
        Guard.Positive(meanMs);
        Guard.InRange(trials, 1, 10_000_000);
        Guard.NotNull(rng);
        var measured = times.Select(t => StaleProbabilityAfter(n, w, r, t, Delay.Exponential(meanMs), trials, rng)).ToArray();
        var exact = times.Select(t => ExponentialStaleProbability(n, w, r, t, meanMs)).ToArray();
        var usable = measured.Zip(exact).Where(p => p.Second * trials >= 10).ToList();
        double worst = usable.Count == 0 ? 0
            : usable.Max(p => Math.Abs(p.First - p.Second) / Notebook.Stats.ProportionStdErr(p.Second, trials));
        return new StalenessCurve(n, w, r, times.ToArray(), measured, exact, worst, usable.Count);
    }
}

/// <summary>One row of <see cref="Quorums.LatencyByLevel"/> (latencies in ms).</summary>
public sealed record LevelLatency(string Op, int N, string Level, int K, double P50, double P50Theory, double P99,
    double P99Theory, double CdfZ);

/// <summary>The outcome of <see cref="Quorums.ExponentialStalenessCurve"/>.</summary>
public sealed record StalenessCurve(int N, int W, int R, double[] Times, double[] Measured, double[] Exact,
    double WorstZ, int Points);
