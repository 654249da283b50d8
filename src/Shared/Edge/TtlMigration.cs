namespace SystemDesign.Edge;

/// <summary>
/// Moving a name to a new address: at time −lead the record's TTL is lowered from <c>oldTtl</c> to <c>newTtl</c>;
/// at time 0 the address changes. Busy resolvers refetch the record the moment their copy expires, each with its
/// own phase. A resolver serves the old address until the copy it holds at time 0 expires.
/// </summary>
public static class TtlMigration
{
    /// <summary>The longest any of <paramref name="resolvers"/> resolvers (random phases) serves the old address
    /// after the switch, in seconds.</summary>
    public static double MaxStaleSeconds(double oldTtl, double newTtl, double leadSeconds, int resolvers, int seed)
    {
        Guard.InRange(oldTtl, 1, 604_800);
        Guard.InRange(newTtl, 1, 604_800);
        Guard.InRange(leadSeconds, 0, 10_000_000);
        Guard.InRange(resolvers, 1, 1_000_000);
        var rng = new Random(seed);
        double worst = 0;
        for (int r = 0; r < resolvers; r++)
        {
            // The copy held when the TTL was lowered was fetched up to oldTtl earlier, with the old TTL.
            double fetched = -leadSeconds - rng.NextDouble() * oldTtl, ttl = oldTtl;
            while (fetched + ttl <= 0)
            {
                fetched += ttl;
                ttl = fetched >= -leadSeconds ? newTtl : oldTtl;
            }
            worst = Math.Max(worst, fetched + ttl);
        }
        return worst;
    }
}
