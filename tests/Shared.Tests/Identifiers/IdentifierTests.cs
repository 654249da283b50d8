using FsCheck.Xunit;
using SystemDesign.Identifiers;

namespace SystemDesign.Tests.Identifiers;

public sealed class Base62Tests
{
    [Property(MaxTest = 500)]
    public bool Encode_then_decode_round_trips(ulong value) => Base62.Decode(Base62.Encode(value)) == value;

    [Property(MaxTest = 200)]
    public bool Encoding_preserves_order_at_fixed_width(ulong a, ulong b) =>
        Math.Sign(string.CompareOrdinal(Base62.Encode(a, 11), Base62.Encode(b, 11))) == a.CompareTo(b);

    [Fact]
    public void Known_values()
    {
        Assert.Equal("0", Base62.Encode(0));
        Assert.Equal("z", Base62.Encode(61));
        Assert.Equal("10", Base62.Encode(62));
        Assert.Equal("0000010", Base62.Encode(62, 7));
        Assert.Equal("LygHa16AHYF", Base62.Encode(ulong.MaxValue));
        Assert.Equal(3_521_614_606_208UL, Base62.Capacity(7));
        Assert.Equal(7, Base62.LengthFor(3_521_614_606_208UL));
        Assert.Equal(8, Base62.LengthFor(3_521_614_606_209UL));
        Assert.Equal(1, Base62.LengthFor(1));
        Assert.Equal(11, Base62.LengthFor(ulong.MaxValue));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => Base62.Decode("ab-c")).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => Base62.Decode("")).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Decode("LygHa16AHYG")).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Capacity(11)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Encode(1, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => Base62.LengthFor(0)).ParamName);
    }
}

public sealed class SnowflakeTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void Layout_figures()
    {
        Assert.Equal(63, SnowflakeGenerator.TimestampBits + SnowflakeGenerator.MachineBits + SnowflakeGenerator.SequenceBits);
        Assert.Equal(4096, SnowflakeGenerator.IdsPerMillisecond);
        Assert.Equal(1023, SnowflakeGenerator.MaxMachine);
        Assert.InRange(SnowflakeGenerator.LifetimeYears, 69.6, 69.8);
    }

    [Fact]
    public void Ids_decode_to_their_fields_and_increase()
    {
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(513, clock);
        long a = gen.Next(), b = gen.Next();
        clock.Advance(5);
        long c = gen.Next();
        Assert.True(a < b && b < c);
        Assert.Equal(new SnowflakeParts(Start, 513, 0), SnowflakeGenerator.Decode(a));
        Assert.Equal(new SnowflakeParts(Start, 513, 1), SnowflakeGenerator.Decode(b));
        Assert.Equal(new SnowflakeParts(Start + 5, 513, 0), SnowflakeGenerator.Decode(c));
    }

    [Fact]
    public void The_4097th_id_in_a_millisecond_waits_for_the_next()
    {
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(1, clock);
        var ids = Enumerable.Range(0, 4097).Select(_ => gen.Next()).ToArray();
        Assert.Equal(1, gen.Exhaustions);
        Assert.Equal(1, clock.Waits);
        Assert.Equal(Start + 1, clock.NowMs);
        Assert.Equal(new SnowflakeParts(Start, 1, 4095), SnowflakeGenerator.Decode(ids[4095]));
        Assert.Equal(new SnowflakeParts(Start + 1, 1, 0), SnowflakeGenerator.Decode(ids[4096]));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second));
    }

    [Property(MaxTest = 50)]
    public bool Ids_from_different_machines_never_collide(byte steps, ushort m1, ushort m2)
    {
        int a = m1 % 1024, b = m2 % 1024;
        if (a == b) b = (b + 1) % 1024;
        var clock = new VirtualClock(Start);
        var g1 = new SnowflakeGenerator(a, clock);
        var g2 = new SnowflakeGenerator(b, clock);
        var seen = new HashSet<long>();
        var random = new Random(steps);
        for (int i = 0; i < 300 + steps; i++)
        {
            if (random.Next(4) == 0) clock.Advance(random.Next(3));
            if (!seen.Add(g1.Next()) || !seen.Add(g2.Next())) return false;
        }
        return true;
    }

    [Fact]
    public void A_clock_that_steps_back_is_refused()
    {
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(1, clock);
        gen.Next();
        clock.Set(Start - 10);
        Assert.Throws<InvalidOperationException>(() => gen.Next());
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        var clock = new VirtualClock(Start);
        Assert.Equal("machine", Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(1024, clock)).ParamName);
        Assert.Equal("machine", Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(-1, clock)).ParamName);
        Assert.Equal("clock", Assert.Throws<ArgumentNullException>(() => new SnowflakeGenerator(1, null!)).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentOutOfRangeException>(() => SnowflakeGenerator.Decode(-1)).ParamName);
        Assert.Equal("ms", Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(-1)).ParamName);
        var before = new SnowflakeGenerator(1, new VirtualClock(1000));
        Assert.Throws<InvalidOperationException>(() => before.Next()); // before the epoch
    }
}

public sealed class UuidTests
{
    [Fact]
    public void Versions_and_order()
    {
        var random = new Random(7);
        var v4 = Uuid.V4(random);
        Assert.Equal(4, Uuid.Version(v4));
        Assert.Equal('4', v4.ToString()[14]);
        var a = Uuid.V7(1_700_000_000_000, random);
        var b = Uuid.V7(1_700_000_000_001, random);
        Assert.Equal(7, Uuid.Version(a));
        Assert.True(Uuid.SortKey(a) < Uuid.SortKey(b));
        // The first 12 hex digits of a v7 UUID are its millisecond timestamp.
        Assert.Equal(1_700_000_000_000L.ToString("x12"), a.ToString("N")[..12]);
        Assert.Equal((UInt128)42, Uuid.SortKey(42));
    }

    [Fact]
    public void Published_snowflake_ids_decode_to_their_documented_fields()
    {
        // Twitter::ID (metacpan) documents 474971393852182528 as timestamp 1402076979493, worker 129, sequence 0.
        Assert.Equal(new SnowflakeParts(1402076979493, 129, 0), SnowflakeGenerator.Decode(474971393852182528));
        // Discord's reference: 175928847299117063 is 2016-04-30T11:18:25.796Z, worker 1, process 0, increment 7.
        var d = SnowflakeGenerator.Decode(175928847299117063, epochMs: 1420070400000);
        Assert.Equal(DateTimeOffset.Parse("2016-04-30T11:18:25.796Z").ToUnixTimeMilliseconds(), d.TimestampMs);
        Assert.Equal((1 << 5) | 0, d.Machine);
        Assert.Equal(7, d.Sequence);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => Uuid.V4(null!)).ParamName);
        Assert.Equal("unixMs", Assert.Throws<ArgumentOutOfRangeException>(() => Uuid.V7(-1, new Random(1))).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentOutOfRangeException>(() => Uuid.SortKey(-1L)).ParamName);
    }
}
