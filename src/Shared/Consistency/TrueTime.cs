namespace SystemDesign.Consistency;

/// <summary>The outcome of <c>TrueTime.Run</c>.</summary>
/// <param name="Violations">pairs where T2 started after T1 was acknowledged yet got a smaller or equal commit timestamp.</param>
/// <param name="MeanWaitMs">average commit wait (0 without waiting).</param>
/// <param name="MeanEpsilonMs">average clock uncertainty ε of the committing nodes.</param>
public sealed record TrueTimeRun(int Pairs, int Violations, double MeanWaitMs, double MeanEpsilonMs);

/// <summary>
/// Spanner's commit wait on a model of TrueTime: each node's clock is off by an unknown amount within ±ε, and
/// TT.now() returns the interval [clock − ε, clock + ε], which contains true time. A transaction takes the top of
/// the interval as its commit timestamp s and, with commit wait, acknowledges only once TT.now().earliest &gt; s:
/// then s is in the past everywhere, so any transaction that starts later gets a larger timestamp (external
/// consistency). The price is the wait: about 2ε.
/// </summary>
public static class TrueTime
{
    /// <summary>
    /// <paramref name="pairs"/> times: T1 commits on one node; T2 starts on another node a uniform 0–<paramref name="maxGapMs"/>
    /// after T1 is acknowledged. ε of each node is uniform in [<paramref name="epsilonMinMs"/>, <paramref name="epsilonMaxMs"/>]
    /// and its clock error uniform in ±ε.
    /// </summary>
    public static TrueTimeRun Run(int pairs, double epsilonMinMs, double epsilonMaxMs, double maxGapMs, bool commitWait, Random rng)
        => Run(pairs, epsilonMinMs, epsilonMaxMs, 0, maxGapMs, commitWait, rng);

    /// <summary>As <see cref="Run(int, double, double, double, bool, Random)"/>, with T2 starting a uniform
    /// <paramref name="minGapMs"/>–<paramref name="maxGapMs"/> after T1 is acknowledged (equal: a fixed gap).</summary>
    public static TrueTimeRun Run(int pairs, double epsilonMinMs, double epsilonMaxMs, double minGapMs, double maxGapMs,
        bool commitWait, Random rng)
    {
        Guard.InRange(pairs, 1, 10_000_000);
        Guard.InRange(epsilonMinMs, 0, 1000);
        Guard.InRange(epsilonMaxMs, epsilonMinMs, 1000);
        Guard.InRange(maxGapMs, 0, 1e6);
        Guard.InRange(minGapMs, 0, maxGapMs);
        Guard.NotNull(rng);
        int violations = 0;
        double waits = 0, epsilons = 0;
        for (int i = 0; i < pairs; i++)
        {
            double t0 = 1000 * rng.NextDouble();
            var a = Node(rng, epsilonMinMs, epsilonMaxMs);
            var b = Node(rng, epsilonMinMs, epsilonMaxMs);
            double s1 = a.Now(t0).Latest;
            double ack = t0;
            if (commitWait)
            {
                // Wait until the node's TT.now().earliest passes s1: earliest(t) = t + error − ε is increasing in t.
                ack = s1 - a.Error + a.Epsilon;
                ack = Math.Max(ack, t0);
                while (a.Now(ack).Earliest <= s1) ack = Math.BitIncrement(ack);
            }
            waits += ack - t0;
            epsilons += a.Epsilon;
            double start2 = ack + minGapMs + (maxGapMs - minGapMs) * rng.NextDouble();
            double s2 = b.Now(start2).Latest;
            if (s2 <= s1) violations++;
        }
        return new TrueTimeRun(pairs, violations, waits / pairs, epsilons / pairs);
    }

    private static Clock Node(Random rng, double epsMin, double epsMax)
    {
        double eps = epsMin + (epsMax - epsMin) * rng.NextDouble();
        return new Clock(eps, (2 * rng.NextDouble() - 1) * eps);
    }

    private readonly record struct Clock(double Epsilon, double Error)
    {
        public (double Earliest, double Latest) Now(double trueTime) => (trueTime + Error - Epsilon, trueTime + Error + Epsilon);
    }

    /// <summary>
    /// The exact probability that <c>Run</c> without commit wait records a violation: T1's timestamp is
    /// s₁ = t₀ + X₁ and T2's is s₂ = t₀ + G + X₂, where X = error + ε = 2εU (U uniform in [0, 1], ε uniform in
    /// [min, max]) and G is the uniform gap in [0, maxGap]; a violation is s₂ ≤ s₁, i.e. 2ε₁U₁ − 2ε₂U₂ ≥ G. For
    /// fixed A = 2ε₁, B = 2ε₂ and G the area of {A·u − B·v ≥ G} in the unit square is m(A − G) − m²/2 over AB,
    /// with m = min(B, A − G); the midpoint rule integrates it over ε₁, ε₂ and G (<paramref name="steps"/> points
    /// each). Independent of the simulation, so the measured rate can be checked against it.
    /// </summary>
    public static double ViolationProbability(double epsilonMinMs, double epsilonMaxMs, double maxGapMs, int steps = 200)
    {
        Guard.InRange(epsilonMinMs, 1e-6, 1000);
        Guard.InRange(epsilonMaxMs, epsilonMinMs, 1000);
        Guard.InRange(maxGapMs, 0, 1e6);
        Guard.InRange(steps, 2, 2000);
        double Mid(double lo, double hi, int i) => lo + (hi - lo) * (i + 0.5) / steps;
        int gapSteps = maxGapMs == 0 ? 1 : steps;
        double total = 0;
        for (int i = 0; i < steps; i++)
        {
            double a = 2 * Mid(epsilonMinMs, epsilonMaxMs, i);
            for (int j = 0; j < steps; j++)
            {
                double b = 2 * Mid(epsilonMinMs, epsilonMaxMs, j);
                for (int k = 0; k < gapSteps; k++)
                {
                    double g = maxGapMs == 0 ? 0 : maxGapMs * (k + 0.5) / gapSteps;
                    if (a <= g) continue;
                    double m = Math.Min(b, a - g);
                    total += (m * (a - g) - m * m / 2) / (a * b);
                }
            }
        }
        return total / ((double)steps * steps * gapSteps);
    }
}
