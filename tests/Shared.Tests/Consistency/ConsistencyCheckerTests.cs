using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

public sealed class ConsistencyCheckerTests
{
    [Fact]
    public void A_read_that_overlaps_a_write_may_return_either_value()
    {
        var h = new[] { RegisterOp.Write(0, 1, 0, 10), RegisterOp.Read(1, 0, 5, 6), RegisterOp.Read(2, 1, 7, 8) };
        Assert.True(ConsistencyChecker.Linearizable(h).Holds);
    }

    [Fact]
    public void A_read_after_a_completed_write_must_see_it()
    {
        var h = new[] { RegisterOp.Write(0, 1, 0, 10), RegisterOp.Read(1, 0, 11, 12) };
        Assert.False(ConsistencyChecker.Linearizable(h).Holds);
        // Sequential consistency ignores real time: the read can be ordered first.
        Assert.True(ConsistencyChecker.SequentiallyConsistent(h).Holds);
    }

    [Fact]
    public void New_then_old_inversion_is_not_linearizable_but_is_sequentially_consistent()
    {
        var h = new[] { RegisterOp.Write(0, 1, 0, 100), RegisterOp.Read(1, 1, 10, 20), RegisterOp.Read(2, 0, 30, 40) };
        Assert.False(ConsistencyChecker.Linearizable(h).Holds);
        Assert.True(ConsistencyChecker.SequentiallyConsistent(h).Holds);
    }

    [Fact]
    public void Program_order_violations_break_sequential_consistency()
    {
        // One client reads 2 then 1, but 1 was written before 2 by one writer: no total order explains it.
        var h = new[] { RegisterOp.Write(0, 1, 0, 1), RegisterOp.Write(0, 2, 2, 3), RegisterOp.Read(1, 2, 4, 5), RegisterOp.Read(1, 1, 6, 7) };
        Assert.False(ConsistencyChecker.SequentiallyConsistent(h).Holds);
        Assert.False(ConsistencyChecker.Linearizable(h).Holds);
    }

    [Fact]
    public void A_pending_write_may_take_effect_or_not()
    {
        var seen = new[] { RegisterOp.Write(0, 1, 0, double.PositiveInfinity), RegisterOp.Read(1, 1, 50, 60) };
        var unseen = new[] { RegisterOp.Write(0, 1, 0, double.PositiveInfinity), RegisterOp.Read(1, 0, 50, 60) };
        Assert.True(ConsistencyChecker.Linearizable(seen).Holds);
        Assert.True(ConsistencyChecker.Linearizable(unseen).Holds);
    }

    [Fact]
    public void The_order_returned_is_a_legal_linearization()
    {
        var h = new[] { RegisterOp.Read(2, 2, 12, 20), RegisterOp.Write(0, 1, 0, 10), RegisterOp.Write(1, 2, 5, 15) };
        var v = ConsistencyChecker.Linearizable(h);
        Assert.True(v.Holds);
        Assert.Equal(new[] { 1, 2, 0 }, v.Order);
    }

    [Fact]
    public void Histories_of_an_atomic_register_are_always_linearizable()
    {
        // Each op takes effect at one instant inside [invoke, response]: the definition of linearizable.
        for (int seed = 0; seed < 50; seed++)
        {
            var rng = new Random(seed);
            long value = 0;
            var ops = new List<RegisterOp>();
            var free = new double[4];
            for (double t = 0; ops.Count < 60; t += rng.NextDouble())
            {
                int c = rng.Next(4);
                if (free[c] > t) continue;
                double inv = t - rng.NextDouble() * 0.5, resp = t + rng.NextDouble() * 2;
                inv = Math.Max(inv, free[c]);
                free[c] = resp + 0.01;
                if (rng.NextDouble() < 0.4) { value = ops.Count + 1; ops.Add(RegisterOp.Write(c, value, inv, resp)); }
                else ops.Add(RegisterOp.Read(c, value, inv, resp));
            }
            Assert.True(ConsistencyChecker.Linearizable(ops).Holds, $"seed {seed}");
        }
    }

    [Fact]
    public void Bad_histories_are_rejected_with_the_parameter_named()
    {
        var e = Assert.Throws<ArgumentException>(() => ConsistencyChecker.Linearizable([RegisterOp.Read(0, 0, 5, 4)]));
        Assert.Equal("history", e.ParamName);
        Assert.Throws<ArgumentException>(() => ConsistencyChecker.Linearizable([RegisterOp.Read(-1, 0, 0, 1)]));
        Assert.Throws<ArgumentException>(() => ConsistencyChecker.Linearizable([new RegisterOp(0, OpKind.Read, 0, double.NaN, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsistencyChecker.Linearizable([], maxStates: 0));
        Assert.Throws<ArgumentNullException>(() => ConsistencyChecker.SequentiallyConsistent(null!));
    }

    [Fact]
    public void The_search_budget_is_enforced()
    {
        var h = Enumerable.Range(0, 12).Select(i => RegisterOp.Write(i, i + 1, 0, 100)).Append(RegisterOp.Read(99, 77, 200, 201)).ToArray();
        Assert.Throws<InvalidOperationException>(() => ConsistencyChecker.Linearizable(h, maxStates: 100));
    }
}
