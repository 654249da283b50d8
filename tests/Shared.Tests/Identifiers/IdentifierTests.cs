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

public sealed class IdentifierEdgeTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void Decode_takes_the_largest_value_and_every_digit_class()
    {
        Assert.Equal(ulong.MaxValue, Base62.Decode("LygHa16AHYF"));
        Assert.Equal(ulong.MaxValue, Base62.Decode("00LygHa16AHYF")); // leading zeros do not overflow
        Assert.Equal(0UL, Base62.Decode("0"));
        Assert.Equal(9UL, Base62.Decode("9"));
        Assert.Equal(10UL, Base62.Decode("A"));
        Assert.Equal(35UL, Base62.Decode("Z"));
        Assert.Equal(36UL, Base62.Decode("a"));
        Assert.Equal(61UL, Base62.Decode("z"));
        Assert.Equal(62UL * 62 - 1, Base62.Decode("zz"));
        // The characters just outside each range are not digits.
        foreach (char c in "/:@[`{")
            Assert.Equal("text", Assert.Throws<ArgumentException>(() => Base62.Decode("1" + c)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Base62.Decode(null!)).ParamName);
    }

    [Fact]
    public void Widths_pad_to_exactly_the_width_and_the_limits_hold()
    {
        Assert.Equal("1", Base62.Encode(1));
        Assert.Equal("00000000001", Base62.Encode(1, 11));
        Assert.Equal("LygHa16AHYF", Base62.Encode(ulong.MaxValue, 2)); // wider than asked when needed
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Encode(1, 12)).ParamName);
        Assert.Equal(62UL, Base62.Capacity(1));
        Assert.Equal(839_299_365_868_340_224UL, Base62.Capacity(10));
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Capacity(0)).ParamName);
        Assert.Equal(1, Base62.LengthFor(62));
        Assert.Equal(2, Base62.LengthFor(63));
    }

    [Fact]
    public void The_virtual_clock_counts_only_real_waits()
    {
        var clock = new VirtualClock(100);
        clock.WaitUntil(100);
        clock.WaitUntil(50);
        Assert.Equal((0, 100L), (clock.Waits, clock.NowMs));
        clock.WaitUntil(101);
        Assert.Equal((1, 101L), (clock.Waits, clock.NowMs));
        clock.Advance(0);
        clock.Set(7);
        Assert.Equal(7, clock.NowMs);
        Assert.Equal("ms", Assert.Throws<ArgumentOutOfRangeException>(() => clock.Set(-1)).ParamName);
        clock.Set(long.MaxValue - 3);
        clock.Advance(3);
        Assert.Equal("ms", Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(1)).ParamName);
    }

    [Fact]
    public void The_system_clock_reads_unix_milliseconds_and_waits_until_then()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long now = SystemClock.Instance.NowMs;
        Assert.InRange(now, before, before + 1_000);
        SystemClock.Instance.WaitUntil(now + 2);
        Assert.True(SystemClock.Instance.NowMs >= now + 2);
    }

    [Fact]
    public void A_generator_keeps_its_machine_and_epoch_and_checks_them()
    {
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(1023, clock, epochMs: 1_000);
        Assert.Equal((1023, 1_000L), (gen.Machine, gen.EpochMs));
        Assert.Equal(new SnowflakeParts(Start, 1023, 0), SnowflakeGenerator.Decode(gen.Next(), 1_000));
        Assert.Equal(0, gen.Exhaustions);
        Assert.Equal(SnowflakeGenerator.TwitterEpochMs, new SnowflakeGenerator(0, clock).EpochMs);
        Assert.Equal("epochMs", Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(1, clock, -1)).ParamName);
        Assert.Equal("epochMs", Assert.Throws<ArgumentOutOfRangeException>(
            () => new SnowflakeGenerator(1, clock, long.MaxValue - SnowflakeGenerator.MaxTimestamp + 1)).ParamName);
        Assert.Equal(0L, SnowflakeGenerator.Decode(0).Sequence + SnowflakeGenerator.Decode(0).Machine);
    }

    [Fact]
    public void The_41_bits_run_out_exactly_after_the_last_millisecond()
    {
        var clock = new VirtualClock(SnowflakeGenerator.MaxTimestamp);
        var gen = new SnowflakeGenerator(3, clock, epochMs: 0);
        long last = gen.Next();
        Assert.Equal(new SnowflakeParts(SnowflakeGenerator.MaxTimestamp, 3, 0), SnowflakeGenerator.Decode(last, 0));
        Assert.Equal(long.MaxValue - 4095 - (1020L << 12), last); // 41 ones, machine 3, sequence 0
        clock.Advance(1);
        Assert.Throws<InvalidOperationException>(() => gen.Next());
        var atEpoch = new SnowflakeGenerator(0, new VirtualClock(5), epochMs: 5);
        Assert.Equal(0L, atEpoch.Next());
    }

    [Fact]
    public void The_same_millisecond_after_a_wait_restarts_the_sequence()
    {
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(2, clock);
        gen.Next();
        clock.Advance(1);
        gen.Next();
        long third = gen.Next();
        Assert.Equal(new SnowflakeParts(Start + 1, 2, 1), SnowflakeGenerator.Decode(third));
    }

    [Fact]
    public void Uuids_are_the_seeded_bytes_with_only_the_version_and_variant_bits_set()
    {
        var bytes = new byte[16];
        new Random(3).NextBytes(bytes);
        byte[] v4 = Uuid.V4(new Random(3)).ToByteArray(bigEndian: true);
        for (int i = 0; i < 16; i++)
        {
            if (i == 6) Assert.Equal(0x40 | (bytes[6] & 0x0F), v4[6]);
            else if (i == 8) Assert.Equal(0x80 | (bytes[8] & 0x3F), v4[8]);
            else Assert.Equal(bytes[i], v4[i]);
        }
        byte[] v7 = Uuid.V7(0x0102_0304_0506, new Random(3)).ToByteArray(bigEndian: true);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, v7[..6]);
        Assert.Equal(0x70 | (bytes[6] & 0x0F), v7[6]);
        Assert.Equal(0x80 | (bytes[8] & 0x3F), v7[8]);
        Assert.Equal(bytes[7], v7[7]);
        Assert.Equal(bytes[9..], v7[9..]);
        Assert.Equal((UInt128)0x0102_0304_0506 << 80, Uuid.SortKey(Uuid.V7(0x0102_0304_0506, new Random(3))) & ((UInt128)ulong.MaxValue << 80));
    }

    [Fact]
    public void Uuid_guards_name_their_parameters()
    {
        Assert.Equal("unixMs", Assert.Throws<ArgumentOutOfRangeException>(() => Uuid.V7(1L << 48, new Random(1))).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => Uuid.V7(0, null!)).ParamName);
        Assert.Equal(Uuid.SortKey(long.MaxValue), (UInt128)long.MaxValue);
        Assert.Equal(7, Uuid.Version(Uuid.V7((1L << 48) - 1, new Random(1))));
    }

    [Theory]
    [InlineData(IdScheme.AutoIncrement)]
    [InlineData(IdScheme.Snowflake)]
    [InlineData(IdScheme.UuidV7)]
    [InlineData(IdScheme.UuidV4)]
    public void Workloads_have_the_asked_sizes_and_distinct_ids(IdScheme scheme)
    {
        var (existing, inserted) = IdWorkload.Generate(scheme, 300, 200, seed: 4, machines: 3);
        Assert.Equal(300, existing.Length);
        Assert.Equal(200, inserted.Length);
        Assert.Equal(500, existing.Concat(inserted).Distinct().Count());
        var again = IdWorkload.Generate(scheme, 300, 200, seed: 4, machines: 3);
        Assert.Equal(existing, again.Existing);
        Assert.Equal(inserted, again.Inserted);
    }

    [Fact]
    public void Each_scheme_makes_its_own_kind_of_id()
    {
        var auto = IdWorkload.Generate(IdScheme.AutoIncrement, 3, 2, seed: 1);
        Assert.Equal(new UInt128[] { 1, 2, 3 }, auto.Existing);
        Assert.Equal(new UInt128[] { 4, 5 }, auto.Inserted);
        const long start = 1_700_000_000_000;
        var flakes = IdWorkload.Generate(IdScheme.Snowflake, 400, 1, seed: 2, machines: 2, startMs: start).Existing
            .Select(k => SnowflakeGenerator.Decode((long)k)).ToArray();
        Assert.Equal(new[] { 0, 1 }, flakes.Select(p => p.Machine).Distinct().Order());
        // About one tick in four ids: 400 ids advance the clock 100 ± 5σ (σ = √(400·¼·¾) ≈ 8.7).
        Assert.InRange(flakes.Max(p => p.TimestampMs) - start, 100 - 44, 100 + 44);
        Assert.True(flakes.Min(p => p.TimestampMs) >= start);
        var v7 = IdWorkload.Generate(IdScheme.UuidV7, 50, 50, seed: 3, startMs: start);
        Assert.All(v7.Existing.Concat(v7.Inserted), k => Assert.InRange((long)(k >> 80), start, start + 100));
        Assert.All(v7.Existing.Concat(v7.Inserted), k => Assert.Equal(7, (int)(k >> 76) & 0xF));
        var v4 = IdWorkload.Generate(IdScheme.UuidV4, 50, 50, seed: 3);
        Assert.All(v4.Existing.Concat(v4.Inserted), k => Assert.Equal(4, (int)(k >> 76) & 0xF));
    }

    [Fact]
    public void Workload_guards_name_their_parameters()
    {
        ArgumentOutOfRangeException Bad(Action a) => Assert.Throws<ArgumentOutOfRangeException>(a);
        Assert.Equal("existing", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 10_000_001, 1, 1)).ParamName);
        Assert.Equal("inserted", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 0, 1)).ParamName);
        Assert.Equal("inserted", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 10_000_001, 1)).ParamName);
        Assert.Equal("machines", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 1, 1, machines: 0)).ParamName);
        Assert.Equal("machines", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 1, 1, machines: 1025)).ParamName);
        Assert.Equal("startMs", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 1, 1,
            startMs: SnowflakeGenerator.TwitterEpochMs - 1)).ParamName);
        Assert.Equal("startMs", Bad(() => IdWorkload.Generate(IdScheme.UuidV4, 1, 1, 1, startMs: (1L << 47) + 1)).ParamName);
        Assert.Equal("scheme", Bad(() => IdWorkload.Generate((IdScheme)9, 1, 1, 1)).ParamName);
        Assert.Single(IdWorkload.Generate(IdScheme.UuidV4, 1, 1, 1, machines: 1024).Existing);
    }

    // Mutation testing left these alive: messages a reader sees, the first id of a clock at 0 and the exact lifetime.
    [Fact]
    public void Errors_tell_the_reader_what_went_wrong()
    {
        Assert.StartsWith("text must use only 0-9, A-Z and a-z; '-' at index 2 is not a base-62 digit.",
            Assert.Throws<ArgumentException>(() => Base62.Decode("ab-c")).Message);
        Assert.StartsWith($"text must decode to at most {ulong.MaxValue} (\"LygHa16AHYF\"); \"LygHa16AHYG\" is larger.",
            Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Decode("LygHa16AHYG")).Message);
        Assert.StartsWith("count must be at least 1; got 0", Assert.Throws<ArgumentException>(() => Base62.LengthFor(0)).Message);
        var clock = new VirtualClock(Start);
        var gen = new SnowflakeGenerator(1, clock);
        gen.Next();
        clock.Set(Start - 10);
        Assert.Equal($"the clock went back 10 ms; refusing to issue IDs that could repeat until it reaches {Start}.",
            Assert.Throws<InvalidOperationException>(() => gen.Next()).Message);
        var early = new SnowflakeGenerator(1, new VirtualClock(999), epochMs: 1000);
        Assert.Equal("the clock (999 ms) is outside the 41-bit range after the epoch 1000 ms.",
            Assert.Throws<InvalidOperationException>(() => early.Next()).Message);
        Assert.StartsWith("unknown id scheme", Assert.Throws<ArgumentOutOfRangeException>(
            () => IdWorkload.Generate((IdScheme)9, 1, 1, 1)).Message);
    }

    [Fact]
    public void A_clock_at_the_epoch_itself_gives_id_zero_then_one()
    {
        var gen = new SnowflakeGenerator(0, new VirtualClock(0), epochMs: 0);
        Assert.Equal(0L, gen.Next());
        Assert.Equal(1L, gen.Next());
        var one = new SnowflakeGenerator(0, new VirtualClock(1), epochMs: 0);
        Assert.Equal(new SnowflakeParts(1, 0, 0), SnowflakeGenerator.Decode(one.Next(), 0));
    }

    [Fact]
    public void The_lifetime_is_two_to_the_41_milliseconds_in_julian_years() =>
        Assert.Equal(2199023255552.0 / (365.25 * 24 * 3600 * 1000), SnowflakeGenerator.LifetimeYears);
}
