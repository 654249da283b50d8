using SystemDesign.Probabilistic;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Probabilistic;

/// <summary>One test per public argument guard: the exception type and the parameter it names.</summary>
public sealed class ProbabilisticGuardTests
{
    [Fact]
    public void BloomFilter_sizing_helpers_reject_out_of_range_arguments()
    {
        OutOfRange("expectedItems", () => BloomFilter.OptimalBits(0, 0.01));
        OutOfRange("expectedItems", () => BloomFilter.OptimalBits((1L << 32) + 1, 0.01));
        OutOfRange("falsePositiveRate", () => BloomFilter.OptimalBits(100, 1.0));
        OutOfRange("bits", () => BloomFilter.OptimalHashes(0, 10));
        OutOfRange("expectedItems", () => BloomFilter.OptimalHashes(100, 0));
        OutOfRange("bits", () => BloomFilter.TheoreticalFalsePositiveRate(0, 1, 1));
        OutOfRange("items", () => BloomFilter.TheoreticalFalsePositiveRate(100, -1, 1));
        OutOfRange("hashes", () => BloomFilter.TheoreticalFalsePositiveRate(100, 1, 0));
        OutOfRange("hashes", () => BloomFilter.TheoreticalFalsePositiveRate(100, 1, 65));
    }

    [Fact]
    public void BloomFilter_IsSet_rejects_an_index_outside_the_bit_array()
    {
        var filter = new BloomFilter(128, 3);
        OutOfRange("index", () => filter.IsSet(-1));
        OutOfRange("index", () => filter.IsSet(128));
        Assert.False(filter.IsSet(127));
    }

    [Fact]
    public void BloomFilter_sizing_helpers_accept_their_boundaries()
    {
        Assert.Equal(8, BloomFilter.OptimalBits(1, 0.5));
        Assert.Equal(1, BloomFilter.OptimalHashes(1, 1));
        Assert.Equal(0.0, BloomFilter.TheoreticalFalsePositiveRate(1, 0, 1));
    }

    [Fact]
    public void MinHash_entries_reject_null_and_out_of_range_arguments()
    {
        var minHash = new MinHash(8, seed: 1);
        ulong[] sig = minHash.Signature(["a", "b"]);
        Null("items", () => minHash.Signature(null!));
        Null("item", () => minHash.Signature(["a", null!]));
        Null("a", () => MinHash.Similarity(null!, sig));
        Null("b", () => MinHash.Similarity(sig, null!));
        Invalid("b", () => MinHash.Similarity(sig, new ulong[4]));
        Invalid("b", () => MinHash.Similarity(Array.Empty<ulong>(), Array.Empty<ulong>()));
        Null("a", () => MinHash.Jaccard<int>(null!, new HashSet<int>()));
        Null("b", () => MinHash.Jaccard<int>(new HashSet<int>(), null!));
        OutOfRange("jaccard", () => MinHash.StandardError(1.5, 10));
        OutOfRange("jaccard", () => MinHash.StandardError(-0.1, 10));
        OutOfRange("hashes", () => MinHash.StandardError(0.5, 0));
        Null("a", () => MinHash.SharesBand(null!, sig, 2, 4));
        Null("b", () => MinHash.SharesBand(sig, null!, 2, 4));
        OutOfRange("bands", () => MinHash.SharesBand(sig, sig, 0, 4));
        OutOfRange("bands", () => MinHash.SharesBand(sig, sig, 4097, 1));
        OutOfRange("rows", () => MinHash.SharesBand(sig, sig, 2, 0));
        OutOfRange("rows", () => MinHash.SharesBand(sig, sig, 1, 4097));
        Invalid("b", () => MinHash.SharesBand(sig, sig, 3, 3));
        Invalid("b", () => MinHash.SharesBand(sig, new ulong[9], 2, 4));
        OutOfRange("similarity", () => MinHash.CandidateProbability(1.1, 2, 2));
        OutOfRange("bands", () => MinHash.CandidateProbability(0.5, 0, 2));
        OutOfRange("rows", () => MinHash.CandidateProbability(0.5, 2, 0));
        OutOfRange("hashes", () => new MinHash(0));
        OutOfRange("hashes", () => new MinHash(4097));
    }

    [Fact]
    public void MinHash_accepts_signatures_exactly_bands_times_rows_long()
    {
        var minHash = new MinHash(8, seed: 1);
        ulong[] sig = minHash.Signature(["a", "b"]);
        Assert.True(MinHash.SharesBand(sig, sig, 2, 4));
        Assert.True(MinHash.SharesBand(sig, sig, 4096 / 4096, 8));
    }

    [Fact]
    public void HyperLogLog_entries_reject_bad_precision_histograms_and_registers()
    {
        OutOfRange("precision", () => HyperLogLog.DenseBytes(3));
        OutOfRange("precision", () => HyperLogLog.DenseBytes(19));
        OutOfRange("precision", () => HyperLogLog.StandardError(3));
        OutOfRange("precision", () => HyperLogLog.StandardError(19));
        var good = new int[64 - 4 + 2];
        good[0] = 16;
        OutOfRange("precision", () => HyperLogLog.EstimateFromHistogram(3, good, HllEstimator.Classic));
        Null("histogram", () => HyperLogLog.EstimateFromHistogram(4, null!, HllEstimator.Classic));
        Invalid("histogram", () => HyperLogLog.EstimateFromHistogram(4, new int[61], HllEstimator.Classic));
        var wrongSum = (int[])good.Clone();
        wrongSum[1] = 1;
        Invalid("histogram", () => HyperLogLog.EstimateFromHistogram(4, wrongSum, HllEstimator.Classic));
        var negative = (int[])good.Clone();
        negative[0] = 17;
        negative[1] = -1;
        Invalid("histogram", () => HyperLogLog.EstimateFromHistogram(4, negative, HllEstimator.Classic));
        OutOfRange("estimator", () => HyperLogLog.EstimateFromHistogram(4, good, (HllEstimator)99));
        Assert.Equal(0.0, HyperLogLog.EstimateFromHistogram(4, good, HllEstimator.Classic));

        OutOfRange("precision", () => HyperLogLog.FromDenseRegisters(3, new byte[12]));
        Invalid("registers", () => HyperLogLog.FromDenseRegisters(4, new byte[11]));
        var tooHigh = new byte[HyperLogLog.DenseBytes(4)];
        tooHigh[0] = 0x3F; // register 0 = 63, above the cap 61 for p = 4
        Invalid("registers", () => HyperLogLog.FromDenseRegisters(4, tooHigh));
        var atCap = new byte[HyperLogLog.DenseBytes(4)];
        atCap[0] = 61;
        Assert.Equal(1, HyperLogLog.FromDenseRegisters(4, atCap).RegisterHistogram()[61]);

        var hll = new HyperLogLog(4);
        Null("other", () => hll.Merge(null!));
        Invalid("other", () => hll.Merge(new HyperLogLog(5)));
        Null("sketches", () => HyperLogLog.Union(null!));
        Invalid("sketches", () => HyperLogLog.Union());
        OutOfRange("precision", () => new HyperLogLog(3));
    }

    [Fact]
    public void CuckooFilter_entries_reject_out_of_range_and_non_power_of_two_sizes()
    {
        OutOfRange("buckets", () => new CuckooFilter(0));
        OutOfRange("buckets", () => new CuckooFilter((1L << 30) + 1));
        Invalid("buckets", () => new CuckooFilter(6));
        OutOfRange("fingerprintBits", () => new CuckooFilter(8, 3));
        OutOfRange("maxKicks", () => new CuckooFilter(8, 8, -1));
        OutOfRange("expectedItems", () => CuckooFilter.ForCapacity(0, 0.01));
        OutOfRange("expectedItems", () => CuckooFilter.ForCapacity((1L << 31) + 1, 0.01));
        OutOfRange("falsePositiveRate", () => CuckooFilter.ForCapacity(10, 0));
        OutOfRange("fingerprintBits", () => CuckooFilter.FalsePositiveBound(3));
        OutOfRange("fingerprintBits", () => CuckooFilter.FalsePositiveBound(17));
        Assert.Equal(8.0 / 16, CuckooFilter.FalsePositiveBound(4));
        Assert.Equal(8.0 / 65536, CuckooFilter.FalsePositiveBound(16));
    }

    [Fact]
    public void CountMinSketch_Merge_rejects_null_and_a_different_shape()
    {
        var sketch = new CountMinSketch(16, 3);
        Null("other", () => sketch.Merge(null!));
        Invalid("other", () => sketch.Merge(new CountMinSketch(16, 4)));
        Invalid("other", () => sketch.Merge(new CountMinSketch(32, 3)));
    }

    [Fact]
    public void FilterChecks_reject_null_and_oversized_filters()
    {
        var filter = new BloomFilter(64, 2);
        var added = new HashSet<string>();
        Null("filter", () => FilterChecks.FindFalsePositive(null!, added));
        Null("added", () => FilterChecks.FindFalsePositive(filter, null!));
        OutOfRange("candidates", () => FilterChecks.FindFalsePositive(filter, added, 0));
        OutOfRange("candidates", () => FilterChecks.FindFalsePositive(filter, added, 10_000_001));
        Null("filter", () => FilterChecks.Picture(null!, [], added));
        Null("tested", () => FilterChecks.Picture(filter, null!, added));
        OutOfRange("filter.Bits", () => FilterChecks.Picture(new BloomFilter(65_537, 1), [], added));
    }
}
