namespace SystemDesign.Distribution;

/// <summary>
/// What two simultaneous node failures do to a ring with RF replicas (Cassandra SimpleStrategy placement):
/// every token range whose replica set contains both failed nodes has lost two copies, which at RF = 3 is
/// its quorum. Computed exactly over every pair of nodes and every range. This is the availability argument
/// behind CASSANDRA-13701 (lower default num_tokens): with many random tokens almost every pair of nodes shares
/// some range, so any two failures make some data unavailable at QUORUM; with few tokens most pairs share none.
/// </summary>
/// <param name="PairsSharingARange">Fraction of node pairs whose failure leaves some range with two replicas down.</param>
/// <param name="MeanDataLost">Fraction of the data (ring length) with two replicas down, averaged over all pairs.</param>
/// <param name="MeanDataLostWhenAny">The same averaged over the pairs that share a range: how much goes when it goes.</param>
/// <param name="Ranges">Token ranges on the ring.</param>
public sealed record QuorumLoss(int Nodes, int VirtualNodes, int ReplicationFactor, double PairsSharingARange,
    double MeanDataLost, double MeanDataLostWhenAny, int Ranges)
{
    /// <summary>Evaluates every pair of nodes of <paramref name="ring"/> with <paramref name="replicationFactor"/> replicas.</summary>
    public static QuorumLoss Of(HashRing ring, int replicationFactor)
    {
        Guard.NotNull(ring);
        int n = ring.Nodes.Count;
        Guard.InRange(replicationFactor, 2, n);
        var lost = new double[n, n];
        var arcs = ring.Arcs().ToArray();
        var owners = arcs.Select(a => a.Owner).ToArray();
        var seen = new int[n];
        int stamp = 0;
        var set = new int[replicationFactor];
        for (int i = 0; i < arcs.Length; i++)
        {
            stamp++;
            int count = 0;
            for (int k = 0; k < arcs.Length && count < replicationFactor; k++)
            {
                int o = owners[(i + k) % arcs.Length];
                if (seen[o] == stamp) continue;
                seen[o] = stamp;
                set[count++] = o;
            }
            double length = arcs.Length == 1 ? 1.0 : unchecked(arcs[i].End - arcs[i].Start) / 18446744073709551616.0;
            for (int a = 0; a < count; a++)
                for (int b = a + 1; b < count; b++)
                {
                    int x = Math.Min(set[a], set[b]), y = Math.Max(set[a], set[b]);
                    lost[x, y] += length;
                }
        }
        int pairs = 0, sharing = 0;
        double total = 0;
        for (int x = 0; x < n; x++)
            for (int y = x + 1; y < n; y++)
            {
                pairs++;
                total += lost[x, y];
                if (lost[x, y] > 0) sharing++;
            }
        return new QuorumLoss(n, ring.VirtualNodes, replicationFactor, (double)sharing / pairs, total / pairs,
            sharing == 0 ? 0 : total / sharing, arcs.Length);
    }

    /// <summary>
    /// With one token per node the replica sets are RF consecutive nodes, so the pairs that share one are those
    /// at most RF−1 apart: (RF−1)·N of the N(N−1)/2 pairs, 2(RF−1)/(N−1) (for N &gt; 2(RF−1)).
    /// </summary>
    public static double SingleTokenPairsSharing(int nodes, int replicationFactor)
    {
        Guard.InRange(replicationFactor, 2, 1000);
        Guard.InRange(nodes, 2 * replicationFactor - 1, 1_000_000);
        return 2.0 * (replicationFactor - 1) / (nodes - 1);
    }

    /// <summary>
    /// Random tokens, approximately: the replica set of the range ending at one of a's tokens holds a and the
    /// next RF−1 distinct nodes, which include b with probability ≈ (RF−1)/(N−1); a pair has 2V such chances
    /// (a's tokens and b's), roughly independent, so P(a and b share a range) ≈ 1 − (1 − (RF−1)/(N−1))^(2V).
    /// </summary>
    public static double RandomTokensPairsSharing(int nodes, int virtualNodes, int replicationFactor)
    {
        Guard.InRange(replicationFactor, 2, 1000);
        Guard.InRange(nodes, replicationFactor, 1_000_000);
        Guard.InRange(virtualNodes, 1, HashRing.MaxVirtualNodes);
        return 1 - Math.Pow(1 - (replicationFactor - 1.0) / (nodes - 1), 2.0 * virtualNodes);
    }
}
