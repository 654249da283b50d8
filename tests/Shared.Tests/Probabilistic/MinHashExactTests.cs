using System.IO.Hashing;
using System.Text;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class MinHashExactTests
{
    // The definition: slot i is the minimum over the items of XxHash64(utf8(item), seed_i), seeds from Random(seed).
    private static ulong[] Reference(int hashes, int seed, IEnumerable<string> items)
    {
        var random = new Random(seed);
        var seeds = Enumerable.Range(0, hashes).Select(_ => random.NextInt64()).ToArray();
        return seeds.Select(s => items.Select(x => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(x), s)).DefaultIfEmpty(ulong.MaxValue).Min()).ToArray();
    }

    [Fact]
    public void A_signature_is_the_per_seed_minimum_hash_for_short_long_and_non_ascii_items()
    {
        var minHash = new MinHash(16, seed: 5);
        string longItem = new string('x', 300), longFirst = "ü" + new string('y', 200);
        string[] items = ["short", longItem, "é", longFirst, "", "tail"];
        Assert.Equal(Reference(16, 5, items), minHash.Signature(items));
        Assert.Equal(Reference(16, 5, [longItem]), minHash.Signature([longItem]));
        Assert.Equal(Reference(16, 5, ["ab", longItem]), minHash.Signature(["ab", longItem])); // long after short: no stale buffer bytes
        Assert.All(minHash.Signature([]), s => Assert.Equal(ulong.MaxValue, s));
        Assert.Equal(minHash.Signature(["a", "b"]), minHash.Signature(["b", "a", "a"])); // a set: order and duplicates do not matter
    }

    [Fact]
    public void Similarity_is_the_fraction_of_equal_slots()
    {
        Assert.Equal(0.5, MinHash.Similarity(new ulong[] { 1, 2, 3, 4 }, new ulong[] { 1, 9, 3, 9 }));
        Assert.Equal(1.0, MinHash.Similarity(new ulong[] { 7 }, new ulong[] { 7 }));
        Assert.Equal(0.0, MinHash.Similarity(new ulong[] { 7, 8 }, new ulong[] { 8, 7 }));
    }

    [Fact]
    public void Exact_jaccard_is_intersection_over_union_and_one_for_two_empty_sets()
    {
        Assert.Equal(1.0, MinHash.Jaccard(new HashSet<int>(), new HashSet<int>()));
        Assert.Equal(0.0, MinHash.Jaccard(new HashSet<int> { 1 }, new HashSet<int>()));
        Assert.Equal(2.0 / 4, MinHash.Jaccard(new HashSet<int> { 1, 2, 3 }, new HashSet<int> { 2, 3, 4 }));
    }

    [Fact]
    public void Standard_error_and_candidate_probability_follow_their_formulas()
    {
        Assert.Equal(Math.Sqrt(0.25 / 100), MinHash.StandardError(0.5, 100), 15);
        Assert.Equal(0.0, MinHash.StandardError(1, 10));
        Assert.Equal(1 - Math.Pow(1 - 0.25, 3), MinHash.CandidateProbability(0.5, 3, 2), 15);
        Assert.Equal(0.0, MinHash.CandidateProbability(0, 3, 2));
        Assert.Equal(1.0, MinHash.CandidateProbability(1, 3, 2));
    }

    [Fact]
    public void The_estimate_of_a_pair_with_jaccard_one_third_lies_within_four_standard_errors()
    {
        // |A ∩ B| = 100, |A ∪ B| = 300: J = 1/3; with k = 512 the SE is √(J(1−J)/k) = 0.0208.
        var a = Enumerable.Range(0, 200).Select(i => $"w{i}").ToArray();
        var b = Enumerable.Range(100, 200).Select(i => $"w{i}").ToArray();
        double j = MinHash.Jaccard(a.ToHashSet(), b.ToHashSet());
        Assert.Equal(1.0 / 3, j, 12);
        var minHash = new MinHash(512, seed: 3);
        double estimate = MinHash.Similarity(minHash.Signature(a), minHash.Signature(b));
        double se = MinHash.StandardError(j, 512);
        Assert.InRange(estimate, j - 4 * se, j + 4 * se);
    }

    [Fact]
    public void Signatures_share_a_band_only_when_every_row_of_some_band_agrees()
    {
        ulong[] a = [1, 2, 3, 4, 5, 6];
        Assert.True(MinHash.SharesBand(a, new ulong[] { 9, 2, 3, 4, 9, 9 }, bands: 3, rows: 2)); // band 1 = slots 2, 3
        Assert.False(MinHash.SharesBand(a, new ulong[] { 1, 9, 9, 4, 5, 9 }, bands: 3, rows: 2));
        Assert.True(MinHash.SharesBand(a, new ulong[] { 9, 9, 9, 9, 5, 6 }, bands: 3, rows: 2)); // last band
        Assert.False(MinHash.SharesBand(a, new ulong[] { 9, 9, 9, 9, 5, 6 }, bands: 2, rows: 2)); // slots 4, 5 outside 2 bands
    }
}
