using System.Buffers.Binary;

namespace SystemDesign.Identifiers;

/// <summary>
/// RFC 9562 UUIDs from a seeded generator (so experiments repeat), and the order a database index puts
/// ids in. Version 4 is 122 random bits; version 7 starts with a 48-bit Unix-millisecond timestamp, so it is
/// time-ordered like a Snowflake id.
/// </summary>
public static class Uuid
{
    /// <summary>A version-4 UUID: random bytes with the version (0100) and variant (10) bits set.</summary>
    public static Guid V4(Random random)
    {
        Guard.NotNull(random);
        Span<byte> b = stackalloc byte[16];
        random.NextBytes(b);
        b[6] = (byte)(b[6] & 0x0F | 0x40);
        b[8] = (byte)(b[8] & 0x3F | 0x80);
        return new Guid(b, bigEndian: true);
    }

    /// <summary>A version-7 UUID: 48-bit Unix milliseconds, then version, variant and random bits.</summary>
    public static Guid V7(long unixMs, Random random)
    {
        Guard.InRange(unixMs, 0, (1L << 48) - 1);
        Guard.NotNull(random);
        Span<byte> b = stackalloc byte[16];
        random.NextBytes(b);
        for (int i = 0; i < 6; i++) b[i] = (byte)(unixMs >> (8 * (5 - i)));
        b[6] = (byte)(b[6] & 0x0F | 0x70);
        b[8] = (byte)(b[8] & 0x3F | 0x80);
        return new Guid(b, bigEndian: true);
    }

    /// <summary>The RFC version nibble (4 or 7 here).</summary>
    public static int Version(Guid id) => id.ToByteArray(bigEndian: true)[6] >> 4;

    /// <summary>
    /// The id as an unsigned 128-bit number read big-endian: the byte order PostgreSQL's uuid type and a
    /// B-tree on it compare in. Integer ids (auto-increment, Snowflake) map to the same scale unchanged.
    /// </summary>
    public static UInt128 SortKey(Guid id) => BinaryPrimitives.ReadUInt128BigEndian(id.ToByteArray(bigEndian: true));

    /// <summary>A non-negative integer id on the same scale as <see cref="SortKey(Guid)"/>.</summary>
    public static UInt128 SortKey(long id) => (UInt128)(ulong)Guard.InRange(id, 0, long.MaxValue);
}

/// <summary>How a table's primary keys are generated, for the range-sharding experiment.</summary>
public enum IdScheme
{
    /// <summary>A database sequence: 1, 2, 3, …</summary>
    AutoIncrement,

    /// <summary>Twitter's layout, several machines, each with its own <see cref="SnowflakeGenerator"/>.</summary>
    Snowflake,

    /// <summary>RFC 9562 version 7: millisecond timestamp first, then random bits.</summary>
    UuidV7,

    /// <summary>RFC 9562 version 4: random.</summary>
    UuidV4,
}

/// <summary>
/// A table's history of inserts under one id scheme, on a virtual clock: <c>existing</c> rows written first
/// (over about <c>existing / ratePerMs</c> virtual milliseconds), then <c>inserted</c> rows written after them.
/// Ids come back as <see cref="Uuid.SortKey(Guid)"/> values so all schemes sort on one scale.
/// </summary>
public static class IdWorkload
{
    public static (UInt128[] Existing, UInt128[] Inserted) Generate(IdScheme scheme, int existing, int inserted,
        int seed, int machines = 8, long startMs = 1_700_000_000_000)
    {
        Guard.InRange(existing, 1, 10_000_000);
        Guard.InRange(inserted, 1, 10_000_000);
        Guard.InRange(machines, 1, SnowflakeGenerator.MaxMachine + 1);
        Guard.InRange(startMs, SnowflakeGenerator.TwitterEpochMs, (1L << 47));
        var random = new Random(seed);
        var clock = new VirtualClock(startMs);
        var generators = Enumerable.Range(0, machines).Select(m => new SnowflakeGenerator(m, clock)).ToArray();
        long sequence = 0;
        UInt128 Next()
        {
            if (random.Next(4) == 0) clock.Advance(1); // about 4 ids per virtual millisecond
            return scheme switch
            {
                IdScheme.AutoIncrement => Uuid.SortKey(++sequence),
                IdScheme.Snowflake => Uuid.SortKey(generators[random.Next(machines)].Next()),
                IdScheme.UuidV7 => Uuid.SortKey(Uuid.V7(clock.NowMs, random)),
                IdScheme.UuidV4 => Uuid.SortKey(Uuid.V4(random)),
                _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown id scheme"),
            };
        }
        var before = new UInt128[existing];
        for (int i = 0; i < existing; i++) before[i] = Next();
        var after = new UInt128[inserted];
        for (int i = 0; i < inserted; i++) after[i] = Next();
        return (before, after);
    }
}
