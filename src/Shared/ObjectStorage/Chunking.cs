using System.Security.Cryptography;

namespace SystemDesign.ObjectStorage;

public sealed record Chunk(long Offset, int Length, string Sha256);

public interface IChunker
{
    string Name { get; }
    IReadOnlyList<Chunk> Split(ReadOnlySpan<byte> data);
}

/// <summary>Fixed-size chunks (Dropbox's 4 MB blocks), each named by its SHA-256.</summary>
public sealed class FixedChunker : IChunker
{
    public int Size { get; }
    public string Name => $"fixed {Size:N0} B";

    public FixedChunker(int size) { Size = Guard.InRange(size, 64, 1 << 26); }

    public IReadOnlyList<Chunk> Split(ReadOnlySpan<byte> data)
    {
        var chunks = new List<Chunk>();
        for (int at = 0; at < data.Length; at += Size)
        {
            int len = Math.Min(Size, data.Length - at);
            chunks.Add(new Chunk(at, len, Chunking.Hash(data.Slice(at, len))));
        }
        return chunks;
    }
}

/// <summary>
/// Content-defined chunking with a Gear rolling hash (the hash FastCDC uses): h = (h &lt;&lt; 1) + G[byte], a cut
/// where the top bits selected by the mask are all zero, so the boundary depends only on the last ~32 bytes
/// and an insert moves boundaries near it only. Minimum and maximum sizes bound the chunk lengths.
/// </summary>
public sealed class GearChunker : IChunker
{
    private readonly ulong[] gear = new ulong[256];
    private readonly ulong mask;
    public int MinSize { get; }
    public int AverageSize { get; }
    public int MaxSize { get; }
    /// <summary>Probability that a byte past the minimum ends a chunk.</summary>
    public double CutProbability { get; }

    /// <summary>The mean chunk length on random data: MinSize + E[min(geometric, MaxSize − MinSize)].</summary>
    public double ExpectedLength
    {
        get
        {
            double q = 1 - CutProbability;
            int span = MaxSize - MinSize;
            return MinSize + (1 - Math.Pow(q, span)) / CutProbability;
        }
    }
    public string Name => $"content-defined (Gear), avg ≈ {AverageSize:N0} B";

    public GearChunker(int averageSize, int seed = 17)
    {
        Guard.InRange(averageSize, 256, 1 << 24);
        Guard.That((averageSize & (averageSize - 1)) == 0, "a power of two", nameof(averageSize));
        AverageSize = averageSize;
        MinSize = averageSize / 2;
        MaxSize = averageSize * 4;
        // A cut has probability 2^-bits per byte after the minimum: lengths are MinSize + a geometric
        // variable of mean 2^bits = averageSize / 2 (truncated at MaxSize, which cuts off e^-7 of the mass).
        int bits = System.Numerics.BitOperations.Log2((uint)averageSize) - 1;
        CutProbability = Math.Pow(2, -bits);
        mask = ((1UL << bits) - 1) << (64 - bits);
        var rng = new Random(seed);
        var buf = new byte[8];
        for (int i = 0; i < 256; i++) { rng.NextBytes(buf); gear[i] = BitConverter.ToUInt64(buf); }
    }

    public IReadOnlyList<Chunk> Split(ReadOnlySpan<byte> data)
    {
        var chunks = new List<Chunk>();
        int start = 0;
        while (start < data.Length)
        {
            int len = Cut(data[start..]);
            chunks.Add(new Chunk(start, len, Chunking.Hash(data.Slice(start, len))));
            start += len;
        }
        return chunks;
    }

    private int Cut(ReadOnlySpan<byte> data)
    {
        if (data.Length <= MinSize) return data.Length;
        int end = Math.Min(data.Length, MaxSize);
        ulong h = 0;
        for (int i = MinSize; i < end; i++)
        {
            h = (h << 1) + gear[data[i]];
            if ((h & mask) == 0) return i + 1;
        }
        return end;
    }
}

public sealed record DedupResult(string Chunker, int Chunks, int AlreadyStored, long NewBytes)
{
    public double DedupRatio => Chunks == 0 ? 0 : (double)AlreadyStored / Chunks;
}

public static class Chunking
{
    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Seeded pseudo-random bytes (incompressible content: every dedup comes from chunking).</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        Guard.InRange(length, 0, 1 << 28);
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>The file with <c>inserted</c> bytes put in at <c>offset</c>.</summary>
    public static byte[] Insert(byte[] data, int offset, byte[] inserted)
    {
        Guard.NotNull(data);
        Guard.InRange(offset, 0, data.Length);
        Guard.NotNull(inserted);
        return [.. data.AsSpan(0, offset), .. inserted, .. data.AsSpan(offset)];
    }

    /// <summary>Chunks <c>edited</c> and counts how many of its chunks the store already holds from <c>original</c>,
    /// and the bytes a client must upload (the chunks it does not).</summary>
    public static DedupResult Dedup(IChunker chunker, byte[] original, byte[] edited)
    {
        Guard.NotNull(chunker);
        Guard.NotNull(original);
        Guard.NotNull(edited);
        var stored = chunker.Split(original).Select(c => c.Sha256).ToHashSet();
        var chunks = chunker.Split(edited);
        int hits = chunks.Count(c => stored.Contains(c.Sha256));
        long newBytes = chunks.Where(c => !stored.Contains(c.Sha256)).DistinctBy(c => c.Sha256).Sum(c => (long)c.Length);
        return new DedupResult(chunker.Name, chunks.Count, hits, newBytes);
    }
}
