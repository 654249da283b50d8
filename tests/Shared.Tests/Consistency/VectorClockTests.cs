using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

public sealed class VectorClockTests
{
    [Fact]
    public void Compare_distinguishes_before_after_equal_and_concurrent()
    {
        var zero = new VectorClock(3);
        var a = zero.Tick(0);
        var b = a.Tick(1);
        var c = zero.Tick(2);
        Assert.Equal(Causality.Equal, a.Compare(zero.Tick(0)));
        Assert.Equal(Causality.Before, a.Compare(b));
        Assert.Equal(Causality.After, b.Compare(a));
        Assert.Equal(Causality.Concurrent, b.Compare(c));
        Assert.Equal(Causality.After, b.Merge(c).Compare(c));
        Assert.Equal("[1,1,0]", b.ToString());
        Assert.Equal(1, b[1]);
    }

    [Fact]
    public void Vector_clocks_match_ground_truth_happens_before_on_random_traces()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var trace = CausalTrace.Generate(4, 150, 0.4, new Random(seed));
            for (int i = 0; i < trace.Events.Count; i++)
                for (int j = 0; j < trace.Events.Count; j++)
                    Assert.Equal(trace.Truth(i, j), trace.Events[i].Vector.Compare(trace.Events[j].Vector));
        }
    }

    [Fact]
    public void Lamport_clocks_respect_happens_before_but_cannot_detect_concurrency()
    {
        var trace = CausalTrace.Generate(4, 200, 0.4, new Random(7));
        int concurrentButOrdered = 0;
        for (int i = 0; i < trace.Events.Count; i++)
            for (int j = 0; j < trace.Events.Count; j++)
            {
                if (trace.HappenedBefore(i, j)) Assert.True(trace.Events[i].Lamport < trace.Events[j].Lamport);
                if (trace.Truth(i, j) == Causality.Concurrent && trace.Events[i].Lamport < trace.Events[j].Lamport) concurrentButOrdered++;
            }
        Assert.True(concurrentButOrdered > 0);
    }

    [Fact]
    public void Compare_clocks_counts_every_ordered_pair()
    {
        var trace = CausalTrace.Generate(4, 120, 0.4, new Random(3));
        var c = trace.CompareClocks();
        Assert.Equal(120L * 119, c.Pairs);
        Assert.Equal(0, c.VectorDisagreements);
        Assert.Equal(0, c.LamportBackwards);
        Assert.True(c.ConcurrentPairs > 0 && c.LamportOrdersConcurrent > 0);
        Assert.True(c.LamportOrdersConcurrent <= c.ConcurrentPairs);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorClock(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorClock(2).Tick(2));
        Assert.Throws<ArgumentException>(() => new VectorClock(2).Compare(new VectorClock(3)));
        Assert.Throws<ArgumentException>(() => new VectorClock(2).Merge(new VectorClock(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalTrace.Generate(1, 10, 0.5, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalTrace.Generate(3, 10, 1.5, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalTrace.Generate(3, 10, 0.5, new Random(1)).HappenedBefore(0, 10));
    }
}
