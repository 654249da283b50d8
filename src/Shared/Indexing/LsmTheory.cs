namespace SystemDesign.Indexing;

/// <summary>
/// Back-of-the-envelope write amplification of LSM compaction, to set beside the measured values.
/// Counts exclude the WAL (one more write of every byte in both styles).
/// </summary>
public static class LsmTheory
{
    /// <summary>
    /// Tiered: an entry is written once by the flush and once per merge it takes part in; a run in tier j holds
    /// T^j flushes, so after F flushes no entry has been merged more than ⌊log_T F⌋ times. Upper bound 1 + ⌊log_T F⌋.
    /// </summary>
    public static int TieredBound(long flushes, int sizeRatio)
    {
        Guard.InRange(flushes, 1, long.MaxValue / 2);
        Guard.InRange(sizeRatio, 2, 1000);
        int merges = 0;
        for (long runs = sizeRatio; runs <= flushes; runs *= sizeRatio) merges++;
        return 1 + merges;
    }

    /// <summary>
    /// Leveled, textbook worst case: the flush writes 1; L0 → L1 merges a batch with an L1 of the same size (2);
    /// each deeper level rewrites up to T bytes per byte it receives, plus the partly overlapped files at both
    /// ends of the key range (T + 3 counting the byte itself). Total 3 + (L − 1)(T + 3) for L levels below L0.
    /// </summary>
    public static double LeveledWorstCase(int levels, int sizeRatio)
    {
        Guard.InRange(levels, 1, 40);
        Guard.InRange(sizeRatio, 2, 1000);
        return 3 + (levels - 1) * (sizeRatio + 3.0);
    }

    /// <summary>
    /// Leveled, the usual rough estimate T·L/2: a level is on average half full when data arrives from above, so
    /// each byte is rewritten about T/2 times per level.
    /// </summary>
    public static double LeveledEstimate(int levels, int sizeRatio)
    {
        Guard.InRange(levels, 1, 40);
        Guard.InRange(sizeRatio, 2, 1000);
        return sizeRatio * levels / 2.0;
    }

    /// <summary>
    /// Leveled, a lower bound read off the final tree: an entry now in level l was written at least l + 1 times
    /// (the flush into L0, then one compaction into each level 1…l; this tree never moves a file down without
    /// rewriting it). Lower bound Σ (l + 1)·entries(l) / entries ingested.
    /// </summary>
    public static double LeveledLowerBound(LsmStats stats)
    {
        Guard.NotNull(stats);
        Guard.That(stats.Puts > 0, "the tree has ingested nothing", nameof(stats));
        double written = 0;
        for (int l = 0; l < stats.EntriesPerLevel.Count; l++) written += (l + 1.0) * stats.EntriesPerLevel[l];
        return written / stats.Puts;
    }
}
