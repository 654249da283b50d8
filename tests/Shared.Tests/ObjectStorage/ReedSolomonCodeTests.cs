using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class ReedSolomonCodeTests
{
    private static byte[,] Multiply(byte[,] a, byte[,] b)
    {
        int n = a.GetLength(0);
        var c = new byte[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) c[i, j] ^= GF256.MulSlow(a[i, k], b[k, j]);
        return c;
    }

    private static bool IsIdentity(byte[,] m)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                if (m[i, j] != (i == j ? 1 : 0)) return false;
        return true;
    }

    [Fact]
    public void Field_operations_have_their_known_values()
    {
        Assert.Equal(0x99, GF256.Add(0x53, 0xCA));
        Assert.Equal(0x1D, GF256.Mul(2, 128)); // x · x^7 = x^8 = x^4 + x^3 + x^2 + 1
        Assert.Equal(0x1D, GF256.MulSlow(2, 128));
        Assert.Equal(1, GF256.Inverse(1));
        Assert.Equal(0x8E, GF256.Inverse(2));
        Assert.Equal(0xF4, GF256.Inverse(3));
        for (int a = 0; a < 256; a++)
            for (int b = 1; b < 256; b += 7)
                Assert.Equal(a, GF256.Div(GF256.Mul((byte)a, (byte)b), (byte)b));
        Assert.Equal("0 has no inverse in GF(256)", Assert.Throws<DivideByZeroException>(() => GF256.Inverse(0)).Message);
        Assert.Throws<DivideByZeroException>(() => GF256.Div(5, 0));
    }

    [Fact]
    public void Invert_gives_the_inverse_swapping_rows_when_a_pivot_is_zero()
    {
        byte[,] m = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 10 } };
        Assert.True(IsIdentity(Multiply(m, GF256.Invert(m))));
        byte[,] swap = { { 0, 1 }, { 1, 0 } };
        Assert.Equal(swap, GF256.Invert(swap));
        byte[,] zeroPivot = { { 0, 3, 1 }, { 2, 0, 0 }, { 5, 7, 0 } };
        Assert.True(IsIdentity(Multiply(zeroPivot, GF256.Invert(zeroPivot))));
        Assert.Equal(new byte[,] { { 0x8E } }, GF256.Invert(new byte[,] { { 2 } }));
        // The input is left as it was.
        Assert.Equal(new byte[,] { { 0, 1 }, { 1, 0 } }, swap);
    }

    [Fact]
    public void Invert_refuses_a_singular_matrix()
    {
        Assert.Equal("singular matrix",
            Assert.Throws<InvalidOperationException>(() => GF256.Invert(new byte[,] { { 1, 1 }, { 1, 1 } })).Message);
        Assert.Throws<InvalidOperationException>(() => GF256.Invert(new byte[,] { { 0, 0 }, { 0, 1 } }));
        Assert.Throws<InvalidOperationException>(() => GF256.Invert(new byte[,] { { 1, 0 }, { 0, 0 } }));
    }

    [Fact]
    public void Code_shape_and_overhead()
    {
        var code = new ReedSolomon(4, 2);
        Assert.Equal((4, 2, 6), (code.DataShards, code.ParityShards, code.TotalShards));
        Assert.Equal(1.5, code.StorageOverhead, 12);
        Assert.Equal(255, new ReedSolomon(200, 55).TotalShards);
    }

    [Fact]
    public void Encode_keeps_the_data_and_appends_cauchy_parity()
    {
        var code = new ReedSolomon(2, 2);
        var shards = code.Encode([1, 2, 3, 4]);
        Assert.Equal(4, shards.Length);
        Assert.Equal(new byte[] { 1, 2 }, shards[0]);
        Assert.Equal(new byte[] { 3, 4 }, shards[1]);
        // Parity i = Σ_j d_j / ((k + i) xor j), computed independently.
        Assert.Equal(new byte[] { 143, 246 }, shards[2]);
        Assert.Equal(new byte[] { 123, 247 }, shards[3]);
    }

    [Fact]
    public void Encode_pads_the_last_data_shards_with_zeros()
    {
        var code = new ReedSolomon(3, 1);
        var shards = code.Encode([1, 2, 3, 4, 5, 6, 7]);
        Assert.Equal(new byte[] { 1, 2, 3 }, shards[0]);
        Assert.Equal(new byte[] { 4, 5, 6 }, shards[1]);
        Assert.Equal(new byte[] { 7, 0, 0 }, shards[2]);
        var tiny = new ReedSolomon(4, 1).Encode([9]);
        Assert.Equal(new byte[][] { [9], [0], [0], [0] }, tiny.Take(4));
        Assert.All(new ReedSolomon(3, 2).Encode([]), s => Assert.Equal(new byte[1], s));
    }

    [Fact]
    public void Reconstruct_rebuilds_lost_data_and_parity_shards_in_place()
    {
        var code = new ReedSolomon(3, 2);
        var data = Chunking.RandomBytes(30, 4);
        var encoded = code.Encode(data);
        var shards = encoded.Select(s => (byte[]?)s.ToArray()).ToArray();
        shards[0] = null;
        shards[4] = null;
        code.Reconstruct(shards);
        Assert.Equal(encoded, shards);
        var complete = encoded.Select(s => (byte[]?)s).ToArray();
        code.Reconstruct(complete);
        Assert.Equal(encoded, complete);
        Assert.Equal(data, code.Join(shards, data.Length));
        Assert.Equal(data.Take(12).ToArray(), code.Join(shards, 12));
    }

    [Fact]
    public void Too_few_shards_cannot_be_reconstructed()
    {
        var code = new ReedSolomon(4, 2);
        var shards = code.Encode(Chunking.RandomBytes(40, 1)).Select(s => (byte[]?)s).ToArray();
        shards[1] = shards[2] = shards[5] = null;
        Assert.Equal("only 3 of 6 shards survive; 4 are needed",
            Assert.Throws<InvalidOperationException>(() => code.Reconstruct(shards)).Message);
    }

    [Fact]
    public void Join_needs_the_data_shards_it_reads()
    {
        var code = new ReedSolomon(2, 1);
        var shards = code.Encode([1, 2, 3, 4]).Select(s => (byte[]?)s).ToArray();
        shards[1] = null;
        Assert.Equal(new byte[] { 1, 2 }, code.Join(shards, 2));
        Invalid("shards", () => code.Join(shards, 3), "a data shard is missing");
        Assert.Empty(code.Join(shards, 0));
    }

    [Fact]
    public void Random_losses_of_a_seeded_experiment_are_fixed()
    {
        var code = new ReedSolomon(4, 2);
        var data = Chunking.RandomBytes(100, 1);
        var trials = ErasureExperiments.RandomLosses(code, data, 2, 5, seed: 3);
        Assert.Equal(GoldenLostShards, trials.Select(t => t.LostShards));
        Assert.All(trials, t => Assert.Equal(2, t.Lost));
        Assert.All(trials, t => Assert.True(t.Recovered));
        var none = Assert.Single(ErasureExperiments.RandomLosses(code, data, 0, 1, seed: 3));
        Assert.Equal(new ErasureExperiments.LossTrial(0, true, ""), none);
        var all = Assert.Single(ErasureExperiments.RandomLosses(code, data, 6, 1, seed: 3));
        Assert.Equal(new ErasureExperiments.LossTrial(6, false, "0,1,2,3,4,5"), all);
    }

    private static readonly string[] GoldenLostShards = ["3,5", "0,2", "1,2", "2,5", "1,4"];

    [Fact]
    public void Reed_solomon_guards_name_their_parameter()
    {
        Null("m", () => GF256.Invert(null!));
        Invalid("m", () => GF256.Invert(new byte[2, 3]), "a square matrix");
        OutOfRange("dataShards", () => new ReedSolomon(201, 2));
        OutOfRange("parityShards", () => new ReedSolomon(2, 0));
        OutOfRange("parityShards", () => new ReedSolomon(2, 56));
        var code = new ReedSolomon(2, 1);
        Null("data", () => code.Encode(null!));
        Null("shards", () => code.Reconstruct(null!));
        Invalid("shards", () => code.Reconstruct(new byte[4][]), "3 shards (nulls for lost ones)");
        Null("shards", () => code.Join(null!, 1));
        OutOfRange("length", () => code.Join(new byte[3][], -1));
        Null("code", () => ErasureExperiments.RandomLosses(null!, [1], 1, 1, 1));
        Null("data", () => ErasureExperiments.RandomLosses(code, null!, 1, 1, 1));
        OutOfRange("lose", () => ErasureExperiments.RandomLosses(code, [1], -1, 1, 1));
        OutOfRange("lose", () => ErasureExperiments.RandomLosses(code, [1], 4, 1, 1));
        OutOfRange("trials", () => ErasureExperiments.RandomLosses(code, [1], 1, 0, 1));
        OutOfRange("trials", () => ErasureExperiments.RandomLosses(code, [1], 1, 100_001, 1));
    }
}
