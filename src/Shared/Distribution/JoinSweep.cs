using SystemDesign.Notebook;

namespace SystemDesign.Distribution;

/// <summary>One join of the sweep: N nodes before, what moved on the ring and with modulo.</summary>
public sealed record JoinRow(int N, double RingMoved, double NewcomerShare, double ModuloMoved, bool OnlyToNewcomer);

/// <summary>
/// Adds one node to rings (V random tokens) and modulo tables of N = from…to nodes and measures the fraction
/// of a fixed key set that changes owner, with the z-scores the notebook checks: modulo against N/(N+1)
/// (binomial), the ring against the newcomer's exact ring share (binomial), and that share against 1/(N+1)
/// (Beta law, <see cref="RingTheory.NewcomerShareRelativeSigma"/>).
/// </summary>
public sealed class JoinSweep
{
    private JoinSweep(int keys, int virtualNodes, IReadOnlyList<JoinRow> rows)
    {
        Keys = keys;
        VirtualNodes = virtualNodes;
        Rows = rows;
    }

    public int Keys { get; }

    public int VirtualNodes { get; }

    public IReadOnlyList<JoinRow> Rows { get; }

    /// <summary>Runs the sweep; the newcomer is named "node-N" like the nodes "node-0" … "node-(N−1)".</summary>
    public static JoinSweep Run(IReadOnlyList<string> keys, int from, int to, int virtualNodes)
    {
        Guard.NotEmpty(keys);
        Guard.InRange(from, 1, 1000);
        Guard.InRange(to, from, 1000);
        Guard.InRange(virtualNodes, 1, 10_000);
        // Each key is hashed once: ring and modulo both place its KeyHash.Hash64 (the same owners as
        // MoveReport over the keys, without hashing every key four times per join).
        var hashes = keys.Select(k => Hashing.KeyHash.Hash64(Guard.NotNull(k, nameof(keys)))).ToArray();
        var rows = new List<JoinRow>();
        for (int n = from; n <= to; n++)
        {
            var names = Enumerable.Range(0, n).Select(i => $"node-{i}").ToArray();
            string newcomer = $"node-{n}";
            var before = HashRing.Create(names, virtualNodes);
            var after = before.WithNode(newcomer);
            var modulo = new ModuloPlacement(names);
            var moduloAfter = modulo.WithNode(newcomer);
            int ringMoved = 0, moduloMoved = 0;
            bool onlyToNewcomer = true;
            foreach (ulong h in hashes)
            {
                string was = before.OwnerOfPosition(h), now = after.OwnerOfPosition(h);
                if (was != now)
                {
                    ringMoved++;
                    onlyToNewcomer &= now == newcomer;
                }
                if (modulo.OwnerOfHash(h) != moduloAfter.OwnerOfHash(h)) moduloMoved++;
            }
            rows.Add(new JoinRow(n, (double)ringMoved / hashes.Length, after.Ownership()[newcomer],
                (double)moduloMoved / hashes.Length, onlyToNewcomer));
        }
        return new JoinSweep(keys.Count, virtualNodes, rows);
    }

    /// <summary>Largest |z| of modulo's moved fraction against N/(N+1), binomial σ over the keys.</summary>
    public double WorstModuloZ => Rows.Max(r =>
        Math.Abs(r.ModuloMoved - r.N / (r.N + 1.0)) / Stats.ProportionStdErr(r.N / (r.N + 1.0), Keys));

    /// <summary>Largest |z| of the ring's moved fraction against the newcomer's ring share (key sampling).</summary>
    public double WorstRingZ => Rows.Max(r =>
        Math.Abs(r.RingMoved - r.NewcomerShare) / Stats.ProportionStdErr(r.NewcomerShare, Keys));

    /// <summary>Largest |z| of the newcomer's ring share against 1/(N+1), Beta-law σ.</summary>
    public double WorstShareZ => Rows.Max(r =>
        Math.Abs(r.NewcomerShare * (r.N + 1) - 1) / RingTheory.NewcomerShareRelativeSigma(r.N, VirtualNodes));

    /// <summary>Mean over the joins of moved × (N+1): 1 when a join moves 1/(N+1) on average.</summary>
    public double MeanMovedTimesNPlus1 => Rows.Average(r => r.RingMoved * (r.N + 1));

    /// <summary>
    /// σ of <see cref="MeanMovedTimesNPlus1"/>: per join, share scatter N/((N+1)V+1) plus key sampling N/K,
    /// averaged over independent joins.
    /// </summary>
    public double MeanMovedTimesNPlus1Sigma => Math.Sqrt(Rows.Sum(r =>
        Math.Pow(RingTheory.NewcomerShareRelativeSigma(r.N, VirtualNodes), 2) + (double)r.N / Keys)) / Rows.Count;
}
