using SystemDesign.DataModels;

namespace SystemDesign.Tests.DataModels;

public sealed class GorillaExactTests
{
    [Fact]
    public void A_constant_series_at_a_steady_step_costs_one_bit_per_part_after_the_first_delta()
    {
        var s = new List<Sample> { new(100, 5.0), new(160, 5.0), new(220, 5.0) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(new GorillaSize(3, 9 + 1, 1 + 1, 128), size);
        Assert.Equal(18, size.Bytes);
        Assert.Equal(6.0, size.BytesPerPoint);
        var expected = new byte[18];
        expected[7] = 100;
        BitConverter.GetBytes(BitConverter.DoubleToUInt64Bits(5.0)).Reverse().ToArray().CopyTo(expected, 8);
        expected[16] = 0b1001_1110; // '10' + 60 in 7 bits, then '0' (same value)
        expected[17] = 0b0000_0000; // dod 0, same value, padding
        Assert.Equal(expected, data);
        Assert.Equal(s, Gorilla.Decode(data, 3));
    }

    [Theory]
    [InlineData(-255, 12)]
    [InlineData(-256, 16)]
    [InlineData(256, 12)]
    [InlineData(257, 16)]
    [InlineData(-2047, 16)]
    [InlineData(-2048, 36)]
    [InlineData(2048, 16)]
    [InlineData(-63, 9)]
    [InlineData(-64, 12)]
    public void Delta_of_delta_bucket_edges_cost_the_papers_bits(long dod, int bits)
    {
        Assert.Equal(bits, Gorilla.TimestampBits(dod));
        var s = new List<Sample> { new(0, 1), new(3000, 1), new(6000 + dod, 1) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(36 + bits, size.TimestampBits);
        Assert.Equal(s, Gorilla.Decode(data, 3));
    }

    [Fact]
    public void A_xor_inside_the_previous_window_reuses_it_even_at_zero_leading_zeros()
    {
        // 1 -> -1 flips only the sign bit: lead 0, trail 63, 1 meaningful bit: '11' + 5 + 6 + 1 = 14 bits.
        // -1 -> 1 flips it back: same window, '10' + 1 bit = 3 bits.
        var s = new List<Sample> { new(0, 1.0), new(10, -1.0), new(20, 1.0) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(14 + 3, size.ValueBits);
        Assert.Equal(s, Gorilla.Decode(data, 3));
    }

    [Fact]
    public void A_xor_with_more_leading_and_trailing_zeros_reuses_the_window()
    {
        // 1.0 -> 3.0 xor 0x7FF8000000000000 (lead 1, trail 51, len 12): '11' + 5 + 6 + 12 = 25 bits;
        // 3.0 -> 2.0 xor 0x0008000000000000 (lead 12, trail 51) fits that window: '10' + 12 bits = 14.
        var s = new List<Sample> { new(0, 1.0), new(10, 3.0), new(20, 2.0) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(25 + 14, size.ValueBits);
        Assert.Equal(s, Gorilla.Decode(data, 3));
    }

    [Fact]
    public void Deltas_of_delta_at_the_32_bit_limits_round_trip()
    {
        long max = int.MaxValue;
        long t1 = max, t2 = t1 + 2 * max, t3 = t2 + (2 * max - (1L << 31));
        var s = new List<Sample> { new(0, 1), new(t1, 1), new(t2, 1), new(t3, 1) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(3 * 36, size.TimestampBits);
        Assert.Equal(s, Gorilla.Decode(data, 4));
    }

    [Fact]
    public void A_delta_of_delta_beyond_32_bits_is_rejected()
    {
        var s = new List<Sample> { new(0, 1), new(1L << 31, 1) };
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => Gorilla.Encode(s)).ParamName);
    }

    [Fact]
    public void Non_increasing_timestamps_are_rejected()
    {
        var s = new List<Sample> { new(10, 1), new(10, 2) };
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => Gorilla.Encode(s)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => Gorilla.Encode(new List<Sample>())).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentNullException>(() => Gorilla.Encode(null!)).ParamName);
    }

    [Fact]
    public void Decode_guards_its_arguments_and_stops_at_the_end_of_the_data()
    {
        var (data, _) = Gorilla.Encode(new List<Sample> { new(100, 5.0), new(160, 5.0), new(220, 5.0) });
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => Gorilla.Decode(null!, 1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Gorilla.Decode(data, 0)).ParamName);
        // 140 bits in 18 bytes: the 4 padding bits decode as two more repeats, then the reader runs out.
        Assert.Equal(5, Gorilla.Decode(data, 5).Count);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => Gorilla.Decode(data, 6)).ParamName);
    }

    [Fact]
    public void Series_guards_its_arguments()
    {
        Assert.Equal("points", Assert.Throws<ArgumentOutOfRangeException>(() => Gorilla.Series("constant", 1, 60, 1)).ParamName);
        Assert.Equal("stepSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Gorilla.Series("constant", 2, 0, 1)).ParamName);
        Assert.Equal("jitterProbability", Assert.Throws<ArgumentOutOfRangeException>(() => Gorilla.Series("constant", 2, 60, 1, 1.5)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => Gorilla.Series("sine", 2, 60, 1)).ParamName);
    }

    [Fact]
    public void Series_timestamps_follow_the_step_and_the_seeded_jitter()
    {
        var steady = Gorilla.Series("constant", 50, 60, seed: 3);
        Assert.Equal(50, steady.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => new Sample(1_700_000_000 + 60L * i, 42)), steady);

        var jittered = Gorilla.Series("constant", 200, 60, seed: 3, jitterProbability: 0.5);
        var rng = new Random(3);
        long t = 1_700_000_000;
        foreach (var s in jittered)
        {
            Assert.Equal(t, s.Time);
            t += 60 + (rng.NextDouble() < 0.5 ? rng.Next(-2, 3) : 0);
        }
        var steps = jittered.Zip(jittered.Skip(1), (a, b) => b.Time - a.Time).ToList();
        Assert.Contains(58, steps);
        Assert.Contains(62, steps);
        Assert.Contains(60, steps);
    }

    [Fact]
    public void Series_values_follow_their_kind()
    {
        var smooth = Gorilla.Series("smooth", 100, 60, seed: 5);
        var rng = new Random(5);
        double level = 50;
        foreach (var s in smooth)
        {
            Assert.Equal(Math.Round(level += rng.NextDouble() - 0.5, 1), s.Value);
            rng.NextDouble(); // the jitter draw
        }
        var counter = Gorilla.Series("counter", 500, 60, seed: 5).Select(s => s.Value).ToList();
        var increments = counter.Zip(counter.Skip(1), (a, b) => b - a).ToList();
        Assert.All(increments, d => Assert.InRange(d, 0, 19));
        Assert.Equal(19, increments.Max());
        Assert.True(counter[0] >= 50);
        var random = Gorilla.Series("random", 500, 60, seed: 5).Select(s => s.Value).ToList();
        Assert.All(random, v => Assert.InRange(v, 0, 100));
        Assert.True(random.Max() > 90);
    }
}
