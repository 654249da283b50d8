using SystemDesign.Probabilistic;

namespace SystemDesign.Caching;

/// <summary>Where the requests for keys that do not exist ended up.</summary>
public sealed record PenetrationRun(string Defence, int Requests, int DatabaseHits, int ValidKeysRejected);

/// <summary>
/// Cache penetration: requests for keys that exist nowhere miss the cache every time and reach the
/// database. Defences compared on one trace of unknown-key requests (ids drawn from a pool of
/// <c>distinctUnknown</c>, at <c>ratePerSecond</c>): none; negative caching (remember "not found" for a short
/// TTL), which helps only when unknown ids repeat; and a Bloom filter of all valid ids in front, which lets
/// through only its false positives and never rejects a valid id (a Bloom filter has no false negatives).
/// </summary>
public static class PenetrationSimulation
{
    public static readonly string[] Defences = ["none", "negative cache", "Bloom filter"];

    public static PenetrationRun Run(string defence, int validKeys, int distinctUnknown, int requests,
        double ratePerSecond, double negativeTtlSeconds, double falsePositiveRate, int seed)
    {
        Guard.InRange(validKeys, 1, 10_000_000);
        Guard.InRange(distinctUnknown, 1, 100_000_000);
        Guard.InRange(requests, 1, 10_000_000);
        Guard.InRange(ratePerSecond, 1e-3, 1e9);
        Guard.InRange(negativeTtlSeconds, 0.0, 1e6);
        Guard.OpenUnit(falsePositiveRate);
        var rng = new Random(seed);
        BloomFilter? filter = null;
        int rejectedValid = 0;
        if (defence == "Bloom filter")
        {
            filter = BloomFilter.ForCapacity(validKeys, falsePositiveRate);
            for (int i = 0; i < validKeys; i++) filter.Add(ValidId(i));
            for (int i = 0; i < validKeys; i++) if (!filter.MightContain(ValidId(i))) rejectedValid++;
        }
        else if (defence != "none" && defence != "negative cache")
            throw new ArgumentOutOfRangeException(nameof(defence), defence,
                $"defence must be one of: {string.Join(", ", Defences)}; got '{defence}'.");
        var negative = new Dictionary<int, double>();
        int hits = 0;
        for (int i = 0; i < requests; i++)
        {
            double t = i / ratePerSecond;
            int id = rng.Next(distinctUnknown);
            if (filter is not null) { if (filter.MightContain($"missing:{id}")) hits++; continue; }
            if (defence == "negative cache" && negative.TryGetValue(id, out double until) && t < until) continue;
            hits++;
            if (defence == "negative cache") negative[id] = t + negativeTtlSeconds;
        }
        return new PenetrationRun(defence, requests, hits, rejectedValid);
    }

    private static string ValidId(int i) => $"product:{i}";
}
