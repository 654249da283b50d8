using System.IO.Hashing;
using System.Text;

namespace SystemDesign.LoadBalancing;

/// <summary>The algorithms this notebook compares, in simulation and on real load balancers.</summary>
public enum Algorithm
{
    RoundRobin,
    WeightedRoundRobin,
    Random,
    LeastConnections,
    /// <summary>Least response time: min over backends of peak-EWMA latency × (in-flight + 1), as Finagle
    /// and Linkerd score them.</summary>
    PeakEwma,
    /// <summary>Power of two choices: two backends at random, the one with fewer in flight.</summary>
    PowerOfTwo,
    /// <summary>A hash ring of the request's key (client id) with virtual nodes.</summary>
    ConsistentHash,
}

/// <summary>What a balancer may look at when it picks: per-backend in-flight counts, the request's key.</summary>
public sealed class BalancerView
{
    internal BalancerView(int backends) => InFlight = new int[backends];

    /// <summary>Requests sent to each backend and not yet answered (queued or in service).</summary>
    public int[] InFlight { get; }

    /// <summary>Current time in milliseconds (virtual in the simulation, wall clock on real sockets).</summary>
    public double NowMs { get; internal set; }
}

/// <summary>One load-balancing policy. Pick returns a backend index; OnComplete feeds latency back.</summary>
public abstract class Balancer
{
    protected Balancer(int backends) => Count = Guard.InRange(backends, 1, 10_000);

    /// <summary>Number of backends.</summary>
    public int Count { get; }

    /// <summary>Chooses the backend for a request with the given key.</summary>
    public abstract int Pick(BalancerView view, string key, Random rng);

    /// <summary>Whether Pick reads the request's key (only hashing does; the others get an empty one).</summary>
    public virtual bool UsesKey => false;

    /// <summary>Called when a request to <paramref name="backend"/> completes after latencyMs.</summary>
    public virtual void OnComplete(int backend, double latencyMs, double nowMs) { }

    /// <summary>A new balancer of the given kind over backends with the given weights (used by the
    /// weighted round robin; the others ignore them).</summary>
    public static Balancer Create(Algorithm algorithm, IReadOnlyList<int> weights, double ewmaTauMs = 100,
        int virtualNodes = 100)
    {
        Guard.NotNull(weights);
        Guard.That(weights.Count > 0 && weights.All(w => w >= 1), "weights must be ≥ 1", nameof(weights));
        return algorithm switch
        {
            Algorithm.RoundRobin => new RoundRobinBalancer(weights.Count),
            Algorithm.WeightedRoundRobin => new SmoothWeightedRoundRobin(weights),
            Algorithm.Random => new RandomBalancer(weights.Count),
            Algorithm.LeastConnections => new LeastConnectionsBalancer(weights.Count),
            Algorithm.PeakEwma => new PeakEwmaBalancer(weights.Count, ewmaTauMs),
            Algorithm.PowerOfTwo => new PowerOfTwoBalancer(weights.Count),
            Algorithm.ConsistentHash => new ConsistentHashBalancer(
                Enumerable.Range(0, weights.Count).Select(i => $"b{i}").ToArray(), virtualNodes),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown algorithm"),
        };
    }

    /// <summary>Index of the smallest score; ties go to a random one of the tied (so equal backends share).</summary>
    protected static int ArgMin(int n, Func<int, double> score, Random rng)
    {
        double best = double.MaxValue; int pick = 0, ties = 0;
        for (int i = 0; i < n; i++)
        {
            double s = score(i);
            if (s < best) { best = s; pick = i; ties = 1; }
            else if (s == best && rng.Next(++ties) == 0) pick = i;
        }
        return pick;
    }
}

/// <summary>Each backend in turn.</summary>
public sealed class RoundRobinBalancer(int backends) : Balancer(backends)
{
    private int next;
    public override int Pick(BalancerView view, string key, Random rng) => next++ % Count;
}

/// <summary>nginx's smooth weighted round robin: add each weight to its current value, pick the largest,
/// subtract the total from it. Weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c.</summary>
public sealed class SmoothWeightedRoundRobin : Balancer
{
    private readonly int[] weights;
    private readonly long[] current;
    private readonly long total;

    public SmoothWeightedRoundRobin(IReadOnlyList<int> weights) : base(Guard.NotNull(weights).Count)
    {
        Guard.That(weights.All(w => w >= 1), "weights must be ≥ 1", nameof(weights));
        this.weights = weights.ToArray();
        current = new long[this.weights.Length];
        total = this.weights.Sum(w => (long)w);
    }

    public override int Pick(BalancerView view, string key, Random rng)
    {
        int best = 0;
        for (int i = 0; i < Count; i++)
        {
            current[i] += weights[i];
            if (current[i] > current[best]) best = i;
        }
        current[best] -= total;
        return best;
    }
}

/// <summary>Uniformly at random.</summary>
public sealed class RandomBalancer(int backends) : Balancer(backends)
{
    public override int Pick(BalancerView view, string key, Random rng) => rng.Next(Count);
}

/// <summary>Fewest requests in flight (ties at random).</summary>
public sealed class LeastConnectionsBalancer(int backends) : Balancer(backends)
{
    public override int Pick(BalancerView view, string key, Random rng) =>
        ArgMin(Count, i => view.InFlight[i], rng);
}

/// <summary>Two distinct backends at random, the one with fewer in flight.</summary>
public sealed class PowerOfTwoBalancer(int backends) : Balancer(backends)
{
    public override int Pick(BalancerView view, string key, Random rng)
    {
        if (Count == 1) return 0;
        int a = rng.Next(Count), b = rng.Next(Count - 1);
        if (b >= a) b++;
        int fa = view.InFlight[a], fb = view.InFlight[b];
        return fa < fb ? a : fb < fa ? b : (rng.Next(2) == 0 ? a : b);
    }
}

/// <summary>Peak EWMA (Finagle, Linkerd): each backend's latency estimate decays towards new samples with
/// time constant τ, but jumps up at once to a sample above it; the score is estimate × (in flight + 1).
/// Backends without a sample yet score 0 so they get tried.</summary>
public sealed class PeakEwmaBalancer : Balancer
{
    private readonly double tauMs;
    private readonly double[] ewma, stamp;

    public PeakEwmaBalancer(int backends, double tauMs) : base(backends)
    {
        this.tauMs = Guard.Positive(tauMs);
        ewma = new double[backends];
        stamp = new double[backends];
    }

    /// <summary>The current latency estimate of each backend (ms).</summary>
    public IReadOnlyList<double> Estimates => ewma;

    public override int Pick(BalancerView view, string key, Random rng) =>
        ArgMin(Count, i => ewma[i] * (view.InFlight[i] + 1), rng);

    public override void OnComplete(int backend, double latencyMs, double nowMs)
    {
        if (latencyMs > ewma[backend]) ewma[backend] = latencyMs;
        else
        {
            double w = Math.Exp(-Math.Max(0, nowMs - stamp[backend]) / tauMs);
            ewma[backend] = ewma[backend] * w + latencyMs * (1 - w);
        }
        stamp[backend] = nowMs;
    }
}

/// <summary>A hash ring: each backend at <c>virtualNodes</c> points (XxHash64 of "name#i"); a key goes to
/// the first point clockwise of its hash. Removing a backend moves only the keys it held.</summary>
public sealed class ConsistentHashBalancer : Balancer
{
    private readonly ulong[] points;
    private readonly int[] owners;

    public ConsistentHashBalancer(IReadOnlyList<string> names, int virtualNodes = 100, ISet<int>? removed = null)
        : base(Guard.NotNull(names).Count)
    {
        Guard.InRange(virtualNodes, 1, 10_000);
        var ring = new List<(ulong Point, int Owner)>();
        for (int b = 0; b < names.Count; b++)
        {
            if (removed?.Contains(b) == true) continue;
            for (int v = 0; v < virtualNodes; v++) ring.Add((Hash($"{names[b]}#{v}"), b));
        }
        Guard.That(ring.Count > 0, "at least one backend must remain", nameof(removed));
        ring.Sort((x, y) => x.Point.CompareTo(y.Point));
        points = ring.Select(r => r.Point).ToArray();
        owners = ring.Select(r => r.Owner).ToArray();
    }

    /// <summary>The backend owning a key.</summary>
    public int Owner(string key)
    {
        int i = Array.BinarySearch(points, Hash(Guard.NotNull(key)));
        if (i < 0) i = ~i;
        return owners[i == points.Length ? 0 : i];
    }

    public override bool UsesKey => true;

    public override int Pick(BalancerView view, string key, Random rng) => Owner(key);

    internal static ulong Hash(string s) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(s));
}
