using System.Numerics;

namespace SystemDesign.DataModels;

/// <summary>A (timestamp in seconds, value) sample.</summary>
public readonly record struct Sample(long Time, double Value);

/// <summary>Bits written for one series, split by part.</summary>
public sealed record GorillaSize(int Points, long TimestampBits, long ValueBits, long HeaderBits)
{
    /// <summary>Total size rounded up to whole bytes.</summary>
    public long Bytes => (TimestampBits + ValueBits + HeaderBits + 7) / 8;
    /// <summary>Bytes per (timestamp, value) point, header included.</summary>
    public double BytesPerPoint => (double)Bytes / Points;
}

/// <summary>
/// Gorilla compression (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series Database",
/// VLDB 2015, section 4.1). Timestamps: delta of delta D, written as '0' when D = 0, '10' + 7 bits for
/// D in [−63, 64], '110' + 9 bits for [−255, 256], '1110' + 12 bits for [−2047, 2048], else '1111' + 32 bits.
/// Values: XOR with the previous value, '0' when equal, else '1' then either '0' + the meaningful bits (when they
/// fit inside the previous window of leading/trailing zeros) or '1' + 5 bits of leading zeros + 6 bits of
/// length + the meaningful bits. Header: the first timestamp (64 bits) and first value (64 bits) raw; the paper
/// writes the first delta in 14 bits, we write it as a delta of delta from 0 (so a 60 s first delta costs 9 bits).
/// </summary>
public static class Gorilla
{
    /// <summary>Bits spent on a timestamp whose delta of delta is <paramref name="dod"/>.</summary>
    public static int TimestampBits(long dod) =>
        dod == 0 ? 1 : dod is >= -63 and <= 64 ? 2 + 7 : dod is >= -255 and <= 256 ? 3 + 9
        : dod is >= -2047 and <= 2048 ? 4 + 12 : 4 + 32;

    /// <summary>Encodes a series (timestamps strictly increasing, at most 2^31 s apart in delta of delta).</summary>
    public static (byte[] Data, GorillaSize Size) Encode(IReadOnlyList<Sample> samples)
    {
        Guard.NotEmpty(samples);
        var w = new BitWriter();
        long tsBits = 0, valBits = 0;
        w.Write((ulong)samples[0].Time, 64);
        w.Write(BitConverter.DoubleToUInt64Bits(samples[0].Value), 64);
        long prevT = samples[0].Time, prevDelta = 0;
        ulong prevV = BitConverter.DoubleToUInt64Bits(samples[0].Value);
        int prevLead = -1, prevTrail = 0;
        for (int i = 1; i < samples.Count; i++)
        {
            long delta = samples[i].Time - prevT;
            Guard.That(delta > 0, "timestamps must increase", nameof(samples));
            long dod = delta - prevDelta;
            long start = w.Length;
            if (dod == 0) w.Write(0, 1);
            else if (dod is >= -63 and <= 64) { w.Write(0b10, 2); w.Write((ulong)dod, 7); }
            else if (dod is >= -255 and <= 256) { w.Write(0b110, 3); w.Write((ulong)dod, 9); }
            else if (dod is >= -2047 and <= 2048) { w.Write(0b1110, 4); w.Write((ulong)dod, 12); }
            else
            {
                Guard.That(dod is >= int.MinValue and <= int.MaxValue, "delta of delta beyond 32 bits", nameof(samples));
                w.Write(0b1111, 4); w.Write((ulong)dod, 32);
            }
            tsBits += w.Length - start;
            prevDelta = delta; prevT = samples[i].Time;

            start = w.Length;
            ulong v = BitConverter.DoubleToUInt64Bits(samples[i].Value), x = v ^ prevV;
            if (x == 0) w.Write(0, 1);
            else
            {
                int lead = Math.Min(BitOperations.LeadingZeroCount(x), 31), trail = BitOperations.TrailingZeroCount(x);
                if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail)
                {
                    w.Write(0b10, 2);
                    w.Write(x >> prevTrail, 64 - prevLead - prevTrail);
                }
                else
                {
                    int len = 64 - lead - trail;
                    w.Write(0b11, 2); w.Write((ulong)lead, 5); w.Write((ulong)(len & 63), 6);
                    w.Write(x >> trail, len);
                    prevLead = lead; prevTrail = trail;
                }
            }
            valBits += w.Length - start;
            prevV = v;
        }
        return (w.ToArray(), new GorillaSize(samples.Count, tsBits, valBits, 128));
    }

    /// <summary>Decodes <paramref name="count"/> samples written by <see cref="Encode"/>.</summary>
    public static IReadOnlyList<Sample> Decode(byte[] data, int count)
    {
        Guard.NotNull(data);
        Guard.InRange(count, 1, int.MaxValue);
        var r = new BitReader(data);
        long t = (long)r.Read(64);
        ulong v = r.Read(64);
        var result = new List<Sample>(count) { new(t, BitConverter.UInt64BitsToDouble(v)) };
        long delta = 0;
        int lead = 0, trail = 0;
        for (int i = 1; i < count; i++)
        {
            long dod;
            if (r.Read(1) == 0) dod = 0;
            else if (r.Read(1) == 0) dod = Signed(r.Read(7), 7);
            else if (r.Read(1) == 0) dod = Signed(r.Read(9), 9);
            else if (r.Read(1) == 0) dod = Signed(r.Read(12), 12);
            else dod = (int)(uint)r.Read(32);
            delta += dod;
            t += delta;
            if (r.Read(1) == 1)
            {
                if (r.Read(1) == 1)
                {
                    lead = (int)r.Read(5);
                    int len = (int)r.Read(6);
                    if (len == 0) len = 64;
                    trail = 64 - lead - len;
                }
                v ^= r.Read(64 - lead - trail) << trail;
            }
            result.Add(new Sample(t, BitConverter.UInt64BitsToDouble(v)));
        }
        return result;
    }

    // Two's complement in `bits` bits, except that the top positive value (e.g. 64 in 7 bits) is kept positive:
    // the paper's ranges are [−63, 64], not [−64, 63] (Prometheus's chunkenc decodes the same way).
    private static long Signed(ulong raw, int bits) => raw > 1UL << (bits - 1) ? (long)raw - (1L << bits) : (long)raw;

    /// <summary>The three series of the notebook's chart, scraped every <paramref name="stepSeconds"/>.</summary>
    public static IReadOnlyList<Sample> Series(string kind, int points, int stepSeconds, int seed,
        double jitterProbability = 0)
    {
        Guard.InRange(points, 2, 10_000_000);
        Guard.InRange(stepSeconds, 1, 86_400);
        Guard.InRange(jitterProbability, 0, 1);
        var rng = new Random(seed);
        var list = new List<Sample>(points);
        long t = 1_700_000_000;
        double level = 50;
        for (int i = 0; i < points; i++)
        {
            double value = kind switch
            {
                "constant" => 42,
                // A gauge read at 0.1 resolution drifting slowly (CPU %, queue depth): the common case.
                "smooth" => Math.Round(level += (rng.NextDouble() - 0.5), 1),
                // A counter of requests: integer increments, as in most of Facebook's data (the paper's 51%
                // identical values and integer-valued doubles).
                "counter" => level += rng.Next(0, 20),
                "random" => rng.NextDouble() * 100,
                _ => throw new ArgumentException($"unknown kind {kind}", nameof(kind)),
            };
            list.Add(new Sample(t, value));
            t += stepSeconds + (rng.NextDouble() < jitterProbability ? rng.Next(-2, 3) : 0);
        }
        return list;
    }

    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = new();
        private int _used = 8;
        public long Length { get; private set; }
        public void Write(ulong value, int bits)
        {
            for (int i = bits - 1; i >= 0; i--)
            {
                if (_used == 8) { _bytes.Add(0); _used = 0; }
                if ((value >> i & 1) == 1) _bytes[^1] |= (byte)(0x80 >> _used);
                _used++;
                Length++;
            }
        }
        public byte[] ToArray() => _bytes.ToArray();
    }

    private sealed class BitReader(byte[] data)
    {
        private long _pos;
        public ulong Read(int bits)
        {
            ulong v = 0;
            for (int i = 0; i < bits; i++, _pos++)
            {
                Guard.That(_pos < data.Length * 8L, "read past the end of the data", nameof(data));
                v = v << 1 | (ulong)((uint)data[_pos >> 3] >> (7 - (int)(_pos & 7)) & 1u);
            }
            return v;
        }
    }
}
