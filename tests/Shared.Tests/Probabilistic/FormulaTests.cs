using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

/// <summary>
/// The predictions the notebooks' check cells compare against, pinned to values computed outside C# (Python's
/// math module, same formulas as the summaries state): a wrong operator in a σ passes every "within kσ" test
/// that uses it, since a larger σ only makes the test easier.
/// </summary>
public sealed class FormulaTests
{
    private const double Tol = 1e-12;

    [Theory]
    // tables, lookups, bits, hashes, keys per table → p, T·p, 1 + p(T − 1)/2, missing σ, present σ
    [InlineData(10, 1000, 9585, 7, 1000, 0.010039508236413728, 0.10039508236413727, 1.0451777870638619,
        0.010046153772650664, 0.011270358593446432)]
    [InlineData(4, 200, 2000, 3, 500, 0.14689159766038104, 0.5875663906415242, 1.2203373964905715,
        0.05119112436441944, 0.05495641725396838)]
    public void Lsm_lookup_predictions_are_the_documented_formulas(int tables, int lookups, long bits, int hashes,
        int keys, double p, double missing, double present, double missingSigma, double presentSigma)
    {
        var cost = new LsmLookupCost(tables, 0.01, lookups, 0, 0) { Bits = bits, Hashes = hashes, KeysPerTable = keys };
        Assert.Equal(p, cost.FilterRate, Tol);
        Assert.Equal(missing, cost.MissingTheory, Tol);
        Assert.Equal(present, cost.PresentTheory, Tol);
        // σ = √(T·p(1 − p)/L + T·s²), s = p·k·σ_fill/(1 − e^(−λ)), σ_fill = √(e^(−λ)(1 − (1 + λ)e^(−λ))/m)
        Assert.Equal(missingSigma, cost.MissingSigma, Tol);
        // σ = √((T − 1)·p/L) + (T − 1)/2 · s: an upper bound (binomial term over-counted, spread added linearly)
        Assert.Equal(presentSigma, cost.PresentSigma, Tol);
    }

    [Theory]
    // counts, width → σ of the mean overshoot: √(((n_items − 2)·Σf² + (Σf)²)·(1/w)·(1 − 1/w)) / n_items
    [InlineData(new long[] { 5, 3, 2 }, 4.0, 1.695582495781317)]
    [InlineData(new long[] { 7, 1, 1, 1 }, 8.0, 1.180902726730699)]
    public void Count_min_row_sigma_is_the_documented_formula(long[] counts, double width, double sigma)
        => Assert.Equal(sigma, new CountMinRowTest(4, counts.Length, counts.Sum(), 0).Sigma(counts, width), Tol);

    [Fact]
    public void Banding_sigma_is_the_binomial_standard_error_of_the_theory()
    {
        Assert.Equal(0.04, new BandingPoint(0.5, 100, 0.3, 0.2).Sigma, Tol);              // √(0.2·0.8/100)
        Assert.Equal(Math.Sqrt(1e-12 / 50), new BandingPoint(1, 50, 1, 1).Sigma, Tol);     // floor at θ = 1
    }

    [Fact]
    public void Cuckoo_memory_per_item_is_bytes_times_eight_over_items()
    {
        var m = new CuckooMemory(Buckets: 64, FingerprintBits: 12, Items: 100, LoadFactor: 0.39, AllocatedBytes: 400,
            PackedBytes: 150);
        Assert.Equal(32.0, m.AllocatedBitsPerItem, Tol);
        Assert.Equal(12.0, m.PackedBitsPerItem, Tol);
    }

    [Fact]
    public void Measured_bloom_memory_is_the_sized_bit_array_and_a_counting_filter_takes_more()
    {
        // m/n = −ln p / (ln 2)² = 9.585 bits per item at p = 1%; the object headers add well under 0.01 bit at 10⁵.
        double bloom = FilterChecks.BloomBitsPerItem(100_000, 0.01);
        Assert.InRange(bloom, 9.585, 9.60);
        double counting = FilterChecks.CountingBitsPerItem(100_000, 0.01);
        Assert.InRange(counting / bloom, 3.9, 8.1);   // 4- to 8-bit counters in place of bits
    }

    [Fact]
    public void Count_min_measurement_counts_the_overshoots_of_every_item()
    {
        long[] counts = [1000, .. Enumerable.Repeat(1L, 29)];   // who shares the heavy hitter's cell overshoots ε·N
        var m = SketchExperiments.CountMin(0.1, 0.5, counts);
        // The same sketch, rebuilt, and its overshoots counted by hand.
        var sketch = CountMinSketch.ForError(0.1, 0.5);
        for (int i = 0; i < counts.Length; i++) sketch.Add(SketchExperiments.ItemName(i), counts[i]);
        long[] over = counts.Select((c, i) => sketch.Estimate(SketchExperiments.ItemName(i)) - c).ToArray();
        double bound = 0.1 * sketch.TotalCount;
        Assert.Equal(0, m.Underestimates);
        Assert.Equal(over.Count(o => o > 0), m.Overestimates);
        Assert.Equal(over.Count(o => o > bound), m.BeyondBound);
        Assert.True(m.Overestimates is > 0 and < 30 && m.BeyondBound > 0,
            $"{m.Overestimates} over, {m.BeyondBound} beyond");
        Assert.Equal((double)over.Max() / sketch.TotalCount, m.MaxOvershootOverN, Tol);
        Assert.Equal(over.Average() / sketch.TotalCount, m.MeanOvershootOverN, Tol);
        long quantile = over.Order().ElementAt((int)Math.Ceiling(0.5 * 30) - 1);
        Assert.Equal(quantile / bound, m.QuantileOvershootOverBound, Tol);
    }
}
