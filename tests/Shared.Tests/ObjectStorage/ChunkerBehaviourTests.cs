using System.Security.Cryptography;
using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class ChunkerBehaviourTests
{
    private static string Sha(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public void Hash_is_the_lower_case_hex_sha256()
        => Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Chunking.Hash("abc"u8));

    [Fact]
    public void Random_bytes_are_the_seeded_generator_s_bytes()
    {
        var expected = new byte[40];
        new Random(7).NextBytes(expected);
        Assert.Equal(expected, Chunking.RandomBytes(40, 7));
        Assert.Empty(Chunking.RandomBytes(0, 7));
        Assert.NotEqual(expected, Chunking.RandomBytes(40, 8));
    }

    [Fact]
    public void Insert_puts_the_bytes_in_at_the_offset()
    {
        byte[] data = [1, 2, 3];
        Assert.Equal(new byte[] { 1, 9, 8, 2, 3 }, Chunking.Insert(data, 1, [9, 8]));
        Assert.Equal(new byte[] { 9, 1, 2, 3 }, Chunking.Insert(data, 0, [9]));
        Assert.Equal(new byte[] { 1, 2, 3, 9 }, Chunking.Insert(data, 3, [9]));
    }

    [Fact]
    public void Fixed_chunks_are_size_long_with_a_shorter_last_one_each_named_by_its_sha256()
    {
        var data = Chunking.RandomBytes(200, 3);
        var fixed64 = new FixedChunker(64);
        var chunks = fixed64.Split(data);
        Assert.Equal(new long[] { 0, 64, 128, 192 }, chunks.Select(c => c.Offset));
        Assert.Equal(new[] { 64, 64, 64, 8 }, chunks.Select(c => c.Length));
        Assert.All(chunks, c => Assert.Equal(Sha(data.AsSpan((int)c.Offset, c.Length)), c.Sha256));
        Assert.Equal(new[] { 64, 64 }, fixed64.Split(new byte[128]).Select(c => c.Length)); // no empty tail chunk
        Assert.Empty(fixed64.Split([]));
        Assert.Equal(64, fixed64.Size);
        Assert.Equal($"fixed {64:N0} B", fixed64.Name);
        Assert.Equal(1 << 26, new FixedChunker(1 << 26).Size);
    }

    [Fact]
    public void Gear_chunker_sizes_follow_the_average()
    {
        var g = new GearChunker(4096);
        Assert.Equal(4096, g.AverageSize);
        Assert.Equal(2048, g.MinSize);
        Assert.Equal(16384, g.MaxSize);
        Assert.Equal(1.0 / 2048, g.CutProbability);
        // MinSize + (1 − (1 − p)^(Max − Min)) / p, evaluated independently.
        Assert.Equal(4094.1356556333244, g.ExpectedLength, 9);
        Assert.Equal(255.88644372400086, new GearChunker(256).ExpectedLength, 9);
        Assert.Equal($"content-defined (Gear), avg ≈ {4096:N0} B", g.Name);
        Assert.Equal(1 << 24, new GearChunker(1 << 24).AverageSize);
    }

    [Fact]
    public void Gear_chunks_of_seeded_data_are_cut_at_fixed_places()
    {
        var data = Chunking.RandomBytes(6000, 5);
        var chunks = new GearChunker(256).Split(data);
        Assert.Equal(GoldenGearLengths, chunks.Select(c => c.Length));
        long at = 0;
        foreach (var c in chunks)
        {
            Assert.Equal(at, c.Offset);
            Assert.Equal(Sha(data.AsSpan((int)c.Offset, c.Length)), c.Sha256);
            at += c.Length;
        }
        // Another gear table (seed) cuts elsewhere.
        Assert.NotEqual(GoldenGearLengths, new GearChunker(256, seed: 1).Split(data).Select(c => c.Length));
    }

    private static readonly int[] GoldenGearLengths =
        [158, 311, 166, 202, 195, 142, 662, 393, 144, 168, 296, 400, 200, 231, 228, 144, 323, 286, 404, 169, 317, 398, 63];

    [Fact]
    public void Gear_data_without_cut_points_is_cut_at_the_maximum()
    {
        // Constant bytes: after 64 steps the hash is a constant that (for this table) never matches the mask.
        var chunks = new GearChunker(256).Split(new byte[3000]);
        Assert.Equal(new[] { 1024, 1024, 952 }, chunks.Select(c => c.Length));
    }

    [Fact]
    public void Gear_data_up_to_the_minimum_is_one_chunk()
    {
        var g = new GearChunker(256);
        Assert.Equal(new[] { 100 }, g.Split(Chunking.RandomBytes(100, 1)).Select(c => c.Length));
        Assert.Equal(new[] { 128 }, g.Split(Chunking.RandomBytes(128, 1)).Select(c => c.Length));
        Assert.Empty(g.Split([]));
    }

    [Fact]
    public void Gear_mean_chunk_length_on_random_data_is_the_expected_length()
    {
        var g = new GearChunker(1024);
        var chunks = g.Split(Chunking.RandomBytes(1 << 20, 9));
        double mean = chunks.SkipLast(1).Average(c => c.Length);
        // About 1,000 chunks with a standard deviation of ~512 B: standard error ~16 B; ±60 B is ~4 of them.
        Assert.InRange(mean, g.ExpectedLength - 60, g.ExpectedLength + 60);
        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, g.MinSize + 1, g.MaxSize));
    }

    [Fact]
    public void Dedup_counts_stored_chunks_and_uploads_each_new_chunk_once()
    {
        var original = Chunking.RandomBytes(256, 1);
        var block = Chunking.RandomBytes(64, 2);
        var edited = Chunking.Insert(original, 128, [.. block, .. block]);
        var chunker = new FixedChunker(64);
        var r = Chunking.Dedup(chunker, original, edited);
        Assert.Equal(chunker.Name, r.Chunker);
        Assert.Equal(6, r.Chunks);
        Assert.Equal(4, r.AlreadyStored);
        Assert.Equal(64, r.NewBytes);
        Assert.Equal(4.0 / 6, r.DedupRatio, 12);
        var fresh = Chunking.Dedup(chunker, original, Chunking.RandomBytes(200, 3));
        Assert.Equal((4, 0, 200L), (fresh.Chunks, fresh.AlreadyStored, fresh.NewBytes));
    }

    [Fact]
    public void Dedup_ratio_of_no_chunks_is_zero()
    {
        Assert.Equal(0, new DedupResult("x", 0, 0, 0).DedupRatio);
        Assert.Equal(0.75, new DedupResult("x", 4, 3, 0).DedupRatio);
    }

    [Fact]
    public void Chunking_guards_name_their_parameter()
    {
        OutOfRange("size", () => new FixedChunker(63));
        OutOfRange("size", () => new FixedChunker((1 << 26) + 1));
        OutOfRange("averageSize", () => new GearChunker(128));
        OutOfRange("averageSize", () => new GearChunker(1 << 25));
        Invalid("averageSize", () => new GearChunker(5000), "a power of two");
        Invalid("averageSize", () => new GearChunker(384), "a power of two");
        OutOfRange("length", () => Chunking.RandomBytes(-1, 1));
        OutOfRange("length", () => Chunking.RandomBytes((1 << 28) + 1, 1));
        Null("data", () => Chunking.Insert(null!, 0, [1]));
        OutOfRange("offset", () => Chunking.Insert([1, 2], -1, [1]));
        OutOfRange("offset", () => Chunking.Insert([1, 2], 3, [1]));
        Null("inserted", () => Chunking.Insert([1, 2], 0, null!));
        var c = new FixedChunker(64);
        Null("chunker", () => Chunking.Dedup(null!, [], []));
        Null("original", () => Chunking.Dedup(c, null!, []));
        Null("edited", () => Chunking.Dedup(c, [], null!));
    }
}
