using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class TopKExactTests
{
    [Fact]
    public void TopK_admits_a_newcomer_only_when_its_estimate_beats_the_weakest_candidate()
    {
        var top = new TopK(2, 0.001, 0.01); // 2,719 counters a row: no collisions among four items here
        top.Add("a", 5);
        top.Add("b", 3);
        top.Add("c", 1);
        Assert.Equal(new[] { ("a", 5L), ("b", 3L) }, top.Items()); // 1 does not beat 3
        top.Add("c", 3);
        Assert.Equal(new[] { ("a", 5L), ("c", 4L) }, top.Items()); // 4 beats 3: b leaves
        top.Add("d", 4);
        Assert.Equal(new[] { ("a", 5L), ("c", 4L) }, top.Items()); // a tie does not displace
        top.Add("c", 1);
        Assert.Equal(new[] { ("a", 5L), ("c", 5L) }, top.Items()); // equal estimates: ordinal order of the names
    }

    [Fact]
    public void TopK_orders_by_estimate_descending_then_name()
    {
        var top = new TopK(3, 0.001, 0.01);
        top.Add("b", 2);
        top.Add("a", 2);
        top.Add("z", 7);
        Assert.Equal(new[] { ("z", 7L), ("a", 2L), ("b", 2L) }, top.Items());
    }

    [Fact]
    public void A_count_min_sketch_reports_its_error_bound_and_size()
    {
        var sketch = new CountMinSketch(100, 3);
        for (int i = 0; i < 50; i++) sketch.Add($"x{i}", 2);
        Assert.Equal(100, sketch.TotalCount);
        Assert.Equal(Math.E, sketch.ErrorBound, 12); // e/100 · 100
        Assert.Equal(100 * 3 * 8, sketch.SizeInBytes);
    }

    [Fact]
    public void Rows_of_a_count_min_sketch_are_independent_counters()
    {
        // Each of the 4 rows has its own 16 counters holding 40 in total; pinned for these fixed hashes (rows sharing
        // counters would hold 160 in 16 counters and overestimate far more).
        var sketch = new CountMinSketch(16, 4);
        for (int i = 0; i < 40; i++) sketch.Add($"x{i}");
        long sum = Enumerable.Range(0, 40).Sum(i => sketch.Estimate($"x{i}"));
        Assert.Equal(85, sum);
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(sketch.Estimate($"x{i}") >= 1));
    }
}
