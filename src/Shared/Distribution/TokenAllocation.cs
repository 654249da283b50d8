namespace SystemDesign.Distribution;

/// <summary>
/// Chooses token positions for a joining node instead of hashing them: every token carves its share out of
/// the largest arc of the node that currently owns the most, until the newcomer owns about 1/(N+1).
/// Greedy and simple; it shows why a system that allocates tokens (Cassandra ≥ 4.0) can use far fewer of them
/// than one that places them at random.
/// </summary>
internal static class TokenAllocation
{
    private const double RingSize = 18446744073709551616.0; // 2⁶⁴

    public static ulong[] Allocate(HashRing ring, int tokens)
    {
        double target = 1.0 / (ring.Nodes.Count + 1);
        double[] share = ring.OwnershipByIndex();
        var arcs = ring.Arcs().Select(a => (a.Start, Length: a.End - a.Start == 0 ? ulong.MaxValue : a.End - a.Start, a.Owner)).ToList();
        var result = new List<ulong>(tokens);
        double taken = 0;
        for (int t = 0; t < tokens; t++)
        {
            double need = (target - taken) / (tokens - t);
            int owner = ArgMax(share);
            int ai = -1;
            for (int i = 0; i < arcs.Count; i++)
                if (arcs[i].Owner == owner && (ai < 0 || arcs[i].Length > arcs[ai].Length)) ai = i;
            var arc = arcs[ai];
            // Take an equal part of what is still missing from the busiest node, even if that leaves it a little
            // below 1/(N+1): with fewer tokens than nodes the newcomer cannot take from everyone.
            if (need <= 0 || arc.Length < 2) break;
            ulong take = Math.Min((ulong)Math.Min(need * RingSize, 1.8e19), arc.Length - 1);
            ulong position = unchecked(arc.Start + take);
            result.Add(position);
            arcs[ai] = (position, arc.Length - take, owner);
            arcs.Add((arc.Start, take, -1));
            double fraction = take / RingSize;
            share[owner] -= fraction;
            taken += fraction;
        }
        if (result.Count == 0) result.Add(HashRing.TokenPosition("allocated", ring.TokenCount)); // degenerate ring: one hashed token
        return result.ToArray();
    }

    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
