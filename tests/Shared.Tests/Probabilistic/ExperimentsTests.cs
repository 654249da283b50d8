using SystemDesign.Probabilistic;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Probabilistic;

public sealed class ExperimentsTests
{
    [Fact]
    public void A_stream_item_is_the_stream_id_then_the_index_little_endian()
    {
        Assert.Equal(new byte[] { 2, 1, 0, 0, 5, 4, 3, 0, 0, 0, 0, 0 }, StreamItems.Item(0x0102, 0x030405));
        var longer = new byte[14];
        longer[12] = 9;
        StreamItems.Write(longer, -1, -1);
        Assert.Equal(new byte[] { 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 9, 0 }, longer);
        OutOfRange("destination", () => StreamItems.Write(new byte[11], 1, 1));
    }

    [Fact]
    public void A_filter_measurement_derives_rate_theory_and_fill_spread_from_its_fields()
    {
        var m = new FilterMeasurement(Bits: 1000, Hashes: 2, Items: 100, Probes: 400, FalsePositives: 10, FalseNegatives: 0, Fill: 0.2);
        Assert.Equal(10.0, m.BitsPerItem);
        Assert.Equal(0.025, m.Rate);
        double fill = 1 - Math.Exp(-0.2);
        Assert.Equal(fill, m.FillTheory, 12);
        Assert.Equal(fill * fill, m.Theory, 12);
        Assert.Equal(0.04, m.ConditionalTheory, 12);
        double empty = Math.Exp(-0.2);
        Assert.Equal(Math.Sqrt(empty * (1 - 1.2 * empty) / 1000), m.FillSigma, 12);
    }

    [Fact]
    public void A_bloom_experiment_has_no_false_negatives_and_a_rate_near_its_conditional_theory()
    {
        var m = FilterExperiments.Bloom(bits: 8192, hashes: 4, items: 1000, probes: 20_000, seed: 3);
        Assert.Equal((8192L, 4, 1000, 20_000, 0), (m.Bits, m.Hashes, m.Items, m.Probes, m.FalseNegatives));
        Assert.Equal(m, FilterExperiments.Bloom(8192, 4, 1000, 20_000, 3)); // deterministic
        Assert.InRange(m.Fill, m.FillTheory - 5 * m.FillSigma, m.FillTheory + 5 * m.FillSigma);
        double p = m.ConditionalTheory, sigma = Math.Sqrt(p * (1 - p) / m.Probes);
        Assert.InRange(m.Rate, p - 5 * sigma, p + 5 * sigma);
        Assert.True(m.FalsePositives > 0);
        OutOfRange("items", () => FilterExperiments.Bloom(64, 1, 0, 1, 1));
        OutOfRange("probes", () => FilterExperiments.Bloom(64, 1, 1, 0, 1));
    }

    [Fact]
    public void A_cuckoo_filter_filled_to_its_first_refusal_is_over_90_percent_full_and_forgets_nothing()
    {
        var (load, rate, falseNegatives) = FilterExperiments.CuckooFill(buckets: 256, fingerprintBits: 8, probes: 20_000, seed: 2);
        Assert.Equal(0, falseNegatives);
        Assert.InRange(load, 0.9, 1.0);
        double bound = CuckooFilter.FalsePositiveBound(8) * load, sigma = Math.Sqrt(bound / 20_000);
        Assert.InRange(rate, 0.5 * bound - 5 * sigma, bound + 5 * sigma);
        OutOfRange("probes", () => FilterExperiments.CuckooFill(8, 8, 0, 1));
    }

    [Fact]
    public void An_lsm_lookup_reads_about_T_p_tables_for_a_missing_key_and_1_plus_p_T_minus_1_over_2_for_a_present_one()
    {
        var cost = FilterExperiments.LsmLookups(tables: 8, keysPerTable: 500, falsePositiveRate: 0.05, lookups: 4000, seed: 1);
        Assert.Equal((8, 0.05, 4000, 500), (cost.Tables, cost.FalsePositiveRate, cost.Lookups, cost.KeysPerTable));
        Assert.Equal(BloomFilter.OptimalBits(500, 0.05), cost.Bits);
        Assert.Equal(BloomFilter.OptimalHashes(cost.Bits, 500), cost.Hashes);
        Assert.Equal(8 * cost.FilterRate, cost.MissingTheory, 12);
        Assert.Equal(1 + cost.FilterRate * 3.5, cost.PresentTheory, 12);
        Assert.InRange(cost.TablesReadPerMissingKey, cost.MissingTheory - 5 * cost.MissingSigma, cost.MissingTheory + 5 * cost.MissingSigma);
        Assert.InRange(cost.TablesReadPerPresentKey, cost.PresentTheory - 5 * cost.PresentSigma, cost.PresentTheory + 5 * cost.PresentSigma);
        Assert.True(cost.TablesReadPerPresentKey >= 1); // the table holding the key is always read
        OutOfRange("tables", () => FilterExperiments.LsmLookups(0, 1, 0.1, 1, 1));
        OutOfRange("tables", () => FilterExperiments.LsmLookups(1001, 1, 0.1, 1, 1));
        OutOfRange("keysPerTable", () => FilterExperiments.LsmLookups(1, 0, 0.1, 1, 1));
        OutOfRange("falsePositiveRate", () => FilterExperiments.LsmLookups(1, 1, 0, 1, 1));
        OutOfRange("lookups", () => FilterExperiments.LsmLookups(1, 1, 0.1, 0, 1));
    }

    [Fact]
    public void Hll_experiments_record_one_sample_per_precision_or_checkpoint_and_trial()
    {
        var byP = HllExperiments.ByPrecision([4, 10], cardinality: 5000, trials: 2, seed: 1);
        Assert.Equal(new[] { (4, 0), (10, 0), (4, 1), (10, 1) }, byP.Select(s => (s.Precision, s.Trial)));
        Assert.All(byP, s => Assert.Equal(5000, s.Cardinality));
        Assert.All(byP.Where(s => s.Precision == 10), s => Assert.InRange(s.RelativeError(HllEstimator.Ertl), -5 * 0.0325, 5 * 0.0325));
        Assert.NotEqual(byP[0].Ertl, byP[2].Ertl); // trials are different streams

        var byN = HllExperiments.ByCardinality(12, [100, 1000, 10_000], trials: 2, seed: 1);
        Assert.Equal(new[] { (100L, 0), (1000L, 0), (10_000L, 0), (100L, 1), (1000L, 1), (10_000L, 1) }, byN.Select(s => (s.Cardinality, s.Trial)));
        Assert.All(byN, s => Assert.Equal(12, s.Precision));
        Assert.All(byN, s => Assert.InRange(s.RelativeError(HllEstimator.Classic), -5 * 0.0163, 5 * 0.0163));
        // same stream: the 10,000 checkpoint of ByCardinality equals a ByPrecision run of 10,000 on that stream
        var direct = HllExperiments.ByPrecision([12], 10_000, 1, 1).Single();
        Assert.Equal(direct.Ertl, byN[2].Ertl);
        Assert.Equal(direct.Raw, byN[2].Raw);

        var sample = new HllSample(4, 100, 0, Raw: 110, Classic: 90, Ertl: 105);
        Assert.Equal(0.1, sample.RelativeError(HllEstimator.Raw), 12);
        Assert.Equal(-0.1, sample.RelativeError(HllEstimator.Classic), 12);
        Assert.Equal(0.05, sample.RelativeError(HllEstimator.Ertl), 12);

        Invalid("precisions", () => HllExperiments.ByPrecision(Array.Empty<int>(), 10, 1, 1));
        OutOfRange("cardinality", () => HllExperiments.ByPrecision([4], 0, 1, 1));
        OutOfRange("trials", () => HllExperiments.ByPrecision([4], 10, 0, 1));
        Invalid("checkpoints", () => HllExperiments.ByCardinality(4, Array.Empty<long>(), 1, 1));
        Invalid("checkpoints", () => HllExperiments.ByCardinality(4, [5, 5], 1, 1));
        Invalid("checkpoints", () => HllExperiments.ByCardinality(4, [0, 5], 1, 1));
        OutOfRange("checkpoints[^1]", () => HllExperiments.ByCardinality(4, [100_000_001], 1, 1));
        OutOfRange("trials", () => HllExperiments.ByCardinality(4, [5], 0, 1));
    }

    [Fact]
    public void Zipf_counts_and_the_count_min_experiment_agree_with_their_definitions()
    {
        Assert.Equal(new long[] { 25, 25, 25, 25 }, SketchExperiments.ZipfCounts(4, 100, 0));
        Assert.Equal(new long[] { 67, 33 }, SketchExperiments.ZipfCounts(2, 100, 1));
        Assert.Equal("item-7", SketchExperiments.ItemName(7));
        OutOfRange("distinct", () => SketchExperiments.ZipfCounts(0, 10, 1));
        OutOfRange("total", () => SketchExperiments.ZipfCounts(10, 9, 1));
        OutOfRange("exponent", () => SketchExperiments.ZipfCounts(10, 100, 5.1));

        var counts = SketchExperiments.ZipfCounts(2000, 100_000, 1.0);
        var m = SketchExperiments.CountMin(0.01, 0.01, counts);
        Assert.Equal((272, 5, 2000, counts.Sum()), (m.Width, m.Depth, m.Distinct, m.Total));
        Assert.Equal(0, m.Underestimates);
        Assert.True(m.Overestimates > 0 && m.Overestimates <= 2000);
        Assert.True(m.BeyondBound <= m.Overestimates);
        Assert.Equal((double)m.BeyondBound / 2000, m.BeyondBoundFraction);
        Assert.InRange(m.BeyondBoundFraction, 0, 0.01);
        Assert.True(m.MaxOvershootOverN >= m.MeanOvershootOverN && m.MeanOvershootOverN > 0);
        Assert.InRange(m.QuantileOvershootOverBound, 0, 1);
        Invalid("counts", () => SketchExperiments.CountMin(0.01, 0.01, Array.Empty<long>()));
    }

    [Fact]
    public void MemoryProbe_counts_the_bytes_a_build_allocates()
    {
        long bytes = MemoryProbe.BytesAllocatedBy(() => new long[1000]);
        Assert.InRange(bytes, 8000, 8100);
        Assert.Equal("build", Assert.Throws<ArgumentNullException>(() => MemoryProbe.BytesAllocatedBy(null!)).ParamName);
    }
}
