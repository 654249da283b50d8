using SystemDesign.Search;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

/// <summary>Synthetic embeddings, brute force, HNSW, product quantization, the lab sweeps, RRF and sizing.</summary>
public sealed class VectorSearchTests
{
    private static readonly (float[][] Data, float[][] Queries) Small =
        Vectors.Clustered(300, 16, 6, 8, spread: 0.8, seed: 3, intrinsicDims: 4);

    // ---------------------------------------------------------------- guards

    [Fact]
    public void Vector_helpers_name_their_bad_argument()
    {
        OutOfRange("count", () => Vectors.Clustered(0, 8, 2, 1));
        OutOfRange("dims", () => Vectors.Clustered(10, 1, 2, 1));
        OutOfRange("dims", () => Vectors.Clustered(10, 4097, 2, 1));
        OutOfRange("clusters", () => Vectors.Clustered(10, 8, 0, 1));
        OutOfRange("queries", () => Vectors.Clustered(10, 8, 2, -1));
        OutOfRange("intrinsicDims", () => Vectors.Clustered(10, 8, 2, 1, intrinsicDims: 0));
        OutOfRange("intrinsicDims", () => Vectors.Clustered(10, 8, 2, 1, intrinsicDims: 9));
        Null("v", () => Vectors.Normalize(null!));
        var data = new[] { new[] { 1f, 0f }, new[] { 0f, 1f } };
        Null("data", () => Vectors.BruteForce(null!, data[0], 1));
        Null("query", () => Vectors.BruteForce(data, null!, 1));
        OutOfRange("k", () => Vectors.BruteForce(data, data[0], 0));
        OutOfRange("k", () => Vectors.BruteForce(data, data[0], 3));
        Null("exact", () => Vectors.Recall(null!, new[] { 1 }));
        Invalid("exact", () => Vectors.Recall(Array.Empty<int>(), new[] { 1 }));
        Null("found", () => Vectors.Recall(new[] { 1 }, null!));
        Null("rankings", () => Rrf.Fuse(null!));
        OutOfRange("k", () => Rrf.Fuse(Array.Empty<IReadOnlyList<int>>(), -1));
    }

    [Fact]
    public void Hnsw_and_product_quantizer_entries_name_their_bad_argument()
    {
        var data = Small.Data;
        Null("vectors", () => new Hnsw(null!));
        OutOfRange("m", () => new Hnsw(data, m: 1));
        OutOfRange("m", () => new Hnsw(data, m: 129));
        OutOfRange("efConstruction", () => new Hnsw(data, efConstruction: 0));
        OutOfRange("efConstruction", () => new Hnsw(data, efConstruction: 10_001));
        var hnsw = new Hnsw(data.Take(20).ToArray());
        Null("query", () => hnsw.Search(null!, 1, 1));
        OutOfRange("k", () => hnsw.Search(data[0], 0, 10));
        OutOfRange("k", () => hnsw.Search(data[0], 21, 10));
        OutOfRange("efSearch", () => hnsw.Search(data[0], 1, 0));
        OutOfRange("efSearch", () => hnsw.Search(data[0], 1, 100_001));

        Null("data", () => new ProductQuantizer(null!, 4));
        Invalid("data", () => new ProductQuantizer(Array.Empty<float[]>(), 4));
        OutOfRange("subspaces", () => new ProductQuantizer(data, 0));
        OutOfRange("subspaces", () => new ProductQuantizer(data, 17));
        Invalid("subspaces", () => new ProductQuantizer(data, 5), "the dimension must be a multiple of the number of sub-spaces");
        OutOfRange("centroidsPerSubspace", () => new ProductQuantizer(data, 4, centroidsPerSubspace: 1));
        OutOfRange("centroidsPerSubspace", () => new ProductQuantizer(data, 4, centroidsPerSubspace: 257));
        OutOfRange("iterations", () => new ProductQuantizer(data, 4, iterations: 0));
        OutOfRange("iterations", () => new ProductQuantizer(data, 4, iterations: 101));
        var pq = new ProductQuantizer(data.Take(20).ToArray(), 4, centroidsPerSubspace: 4, iterations: 1);
        Null("query", () => pq.Search(null!, 1));
        OutOfRange("k", () => pq.Search(data[0], 0));
        OutOfRange("k", () => pq.Search(data[0], 21));
    }

    [Fact]
    public void Vector_lab_entries_name_their_null_argument()
    {
        var data = Small.Data.Take(20).ToArray();
        var queries = Small.Queries.Take(2).ToArray();
        var hnsw = new Hnsw(data);
        var pq = new ProductQuantizer(data, 4, centroidsPerSubspace: 4, iterations: 1);
        var exact = VectorLab.Exact(data, queries, 3);
        Null("data", () => VectorLab.Exact(null!, Array.Empty<float[]>(), 3)); // not left to the first query
        Null("queries", () => VectorLab.Exact(data, null!, 3));
        Null("hnsw", () => VectorLab.Sweep(null!, data, queries, exact, 3, new[] { 5 }));
        Null("data", () => VectorLab.Sweep(hnsw, null!, queries, exact, 3, new[] { 5 }));
        Null("queries", () => VectorLab.Sweep(hnsw, data, null!, exact, 3, new[] { 5 }));
        Null("exact", () => VectorLab.Sweep(hnsw, data, queries, null!, 3, new[] { 5 }));
        Null("efSearch", () => VectorLab.Sweep(hnsw, data, queries, exact, 3, null!));
        Null("pq", () => VectorLab.Pq(null!, data, queries, exact, 3, 5));
        Null("data", () => VectorLab.Pq(pq, null!, queries, exact, 3, 5));
        Null("queries", () => VectorLab.Pq(pq, data, null!, exact, 3, 5));
        Null("exact", () => VectorLab.Pq(pq, data, queries, null!, 3, 5));
        OutOfRange("shortlist", () => VectorLab.Pq(pq, data, queries, exact, 3, 2));
        OutOfRange("shortlist", () => VectorLab.Pq(pq, data, queries, exact, 3, 21));
    }

    [Fact]
    public void Sizing_entries_name_their_bad_argument()
    {
        OutOfRange("documents", () => Sizing.Cluster(0, 1000, 1, 1, 10));
        OutOfRange("bytesPerDocument", () => Sizing.Cluster(10, 0, 1, 1, 10));
        OutOfRange("indexToSource", () => Sizing.Cluster(10, 1000, 0, 1, 10));
        OutOfRange("replicas", () => Sizing.Cluster(10, 1000, 1, -1, 10));
        OutOfRange("replicas", () => Sizing.Cluster(10, 1000, 1, 101, 10));
        OutOfRange("shardTargetGb", () => Sizing.Cluster(10, 1000, 1, 1, 0));
        OutOfRange("vectors", () => Sizing.VectorGb(-1, 8));
        OutOfRange("dims", () => Sizing.VectorGb(10, 0));
        OutOfRange("dims", () => Sizing.VectorGb(10, 100_001));
        OutOfRange("bytesPerDimension", () => Sizing.VectorGb(10, 8, 0));
        Null("texts", () => Sizing.Growth(null!, TextAnalyzer.Standard));
        Null("analyzer", () => Sizing.Growth(new[] { "a" }, null!));
    }

    // ---------------------------------------------------------------- vectors

    [Fact]
    public void Clustered_vectors_are_unit_length_seeded_and_shaped_as_asked()
    {
        var (data, queries) = Vectors.Clustered(50, 12, 3, 7, seed: 21, intrinsicDims: 3);
        Assert.Equal(50, data.Length);
        Assert.Equal(7, queries.Length);
        Assert.All(data.Concat(queries), v =>
        {
            Assert.Equal(12, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
        });
        var again = Vectors.Clustered(50, 12, 3, 7, seed: 21, intrinsicDims: 3);
        Assert.Equal(data[49], again.Data[49]);
        Assert.Equal(queries[6], again.Queries[6]);
        Assert.NotEqual(data[0], Vectors.Clustered(50, 12, 3, 7, seed: 22, intrinsicDims: 3).Data[0]);
    }

    [Fact]
    public void Without_spread_every_vector_is_one_of_the_normalized_centres()
    {
        var (data, queries) = Vectors.Clustered(40, 8, 3, 5, spread: 0);
        Assert.Equal(3, data.Concat(queries).Select(v => string.Join(",", v)).Distinct().Count());
        var (one, _) = Vectors.Clustered(10, 8, 1, 0, spread: 0);
        Assert.All(one, v => Assert.Equal(one[0], v));
    }

    [Fact]
    public void Spread_moves_vectors_away_from_their_cluster_within_a_subspace()
    {
        // Same seed: same centres and basis, so the spread alone decides how far points stray.
        double MeanNearestCentreCosine(double spread)
        {
            var (centres, _) = Vectors.Clustered(200, 32, 1, 0, spread: 0, seed: 9, intrinsicDims: 4);
            var (data, _) = Vectors.Clustered(200, 32, 1, 0, spread: spread, seed: 9, intrinsicDims: 4);
            return data.Average(v => Vectors.Dot(v, centres[0]));
        }
        double tight = MeanNearestCentreCosine(0.2), loose = MeanNearestCentreCosine(1.5);
        Assert.True(tight > 0.9, $"{tight}");
        Assert.True(loose < tight - 0.1, $"{loose} vs {tight}");
    }

    [Fact]
    public void Clustered_vectors_are_pinned_for_a_seed()
    {
        var (data, queries) = Vectors.Clustered(3, 4, 2, 1, spread: 0.5, seed: 5, intrinsicDims: 2);
        float[][] expected =
        {
            new[] { -0.25978377f, -0.25027966f, 0.8940075f, 0.26575f },
            new[] { 0.46698466f, -0.7565757f, 0.358954f, 0.2840256f },
            new[] { -0.20662291f, -0.95082766f, 0.044430796f, 0.22640602f },
            new[] { 0.47556713f, -0.46300757f, 0.7139608f, 0.22297953f },
        };
        var all = data.Concat(queries).ToArray();
        for (int v = 0; v < 4; v++)
            for (int i = 0; i < 4; i++) Assert.Equal(expected[v][i], all[v][i], 5);
    }

    [Fact]
    public void Normalize_scales_to_unit_length_and_leaves_the_zero_vector()
    {
        Assert.Equal(new[] { 0.6f, 0.8f }, Vectors.Normalize(new[] { 3f, 4f }));
        Assert.Equal(new[] { -0.6f, 0.8f }, Vectors.Normalize(new[] { -3f, 4f }));
        var zero = new[] { 0f, 0f };
        Assert.Same(zero, Vectors.Normalize(zero));
    }

    [Fact]
    public void Dot_and_cosine_distance()
    {
        Assert.Equal(32f, Vectors.Dot(new[] { 1f, 2f, 3f }, new[] { 4f, 5f, 6f }));
        Assert.Equal(-31f, Vectors.Distance(new[] { 1f, 2f, 3f }, new[] { 4f, 5f, 6f }));
        Assert.Equal(1f, Vectors.Distance(new[] { 1f, 0f }, new[] { 0f, 1f }));
    }

    [Fact]
    public void Brute_force_orders_by_distance_then_id()
    {
        var data = new[] { new[] { 0f, 1f }, new[] { 1f, 0f }, new[] { -1f, 0f }, new[] { 1f, 0f } };
        Assert.Equal(new[] { 1, 3, 0, 2 }, Vectors.BruteForce(data, new[] { 1f, 0f }, 4));
        Assert.Equal(new[] { 1, 3 }, Vectors.BruteForce(data, new[] { 1f, 0f }, 2));
    }

    [Fact]
    public void Recall_is_the_share_of_the_exact_top_k_found()
    {
        Assert.Equal(2.0 / 3, Vectors.Recall(new[] { 1, 2, 3 }, new[] { 3, 4, 1 }), 12);
        Assert.Equal(0, Vectors.Recall(new[] { 1 }, Array.Empty<int>()));
        Assert.Equal(1, Vectors.Recall(new[] { 1, 2 }, new[] { 2, 1 }));
    }

    [Fact]
    public void Rrf_scores_are_sums_of_reciprocal_ranks_and_ties_go_by_id()
    {
        var fused = Rrf.Fuse(new IReadOnlyList<int>[] { new[] { 1, 2, 3 }, new[] { 3, 1 } }, k: 0);
        Assert.Equal(new[] { new Hit(1, 1.5), new Hit(3, 1 + 1.0 / 3), new Hit(2, 0.5) }, fused);
        Assert.Equal(new[] { 4, 5 }, Rrf.Fuse(new IReadOnlyList<int>[] { new[] { 5 }, new[] { 4 } }).Select(h => h.DocId));
        Assert.Equal(1.0 / 61, Rrf.Fuse(new IReadOnlyList<int>[] { new[] { 7 } }).Single().Score, 15);
        Assert.Empty(Rrf.Fuse(Array.Empty<IReadOnlyList<int>>()));
    }

    // ---------------------------------------------------------------- HNSW

    [Fact]
    public void An_empty_graph_has_no_layers_links_or_bytes()
    {
        var hnsw = new Hnsw(Array.Empty<float[]>());
        Assert.Equal((-1, 0L, 0.0, 0L), (hnsw.TopLevel, hnsw.LinkCount, hnsw.BytesPerVector, hnsw.BuildDistanceComputations));
    }

    [Fact]
    public void A_one_vector_graph_answers_with_that_vector()
    {
        var hnsw = new Hnsw(new[] { Vectors.Normalize(new[] { 1f, 2f, 3f }) }, seed: 1);
        Assert.Equal(0, hnsw.LinkCount);
        Assert.Equal(0, hnsw.BuildDistanceComputations);
        Assert.Equal(12, hnsw.BytesPerVector);
        var r = hnsw.Search(new[] { 1f, 0f, 0f }, 1, 5);
        Assert.Equal(new[] { 0 }, r.Ids);
        Assert.Equal(hnsw.TopLevel + 1, r.DistanceComputations); // one per upper layer, one on layer 0
    }

    [Fact]
    public void Hnsw_with_a_candidate_list_as_large_as_the_data_finds_the_exact_neighbours()
    {
        var (data, queries) = Small;
        var hnsw = new Hnsw(data, m: 6, efConstruction: 32);
        foreach (var q in queries)
        {
            var r = hnsw.Search(q, 10, data.Length);
            Assert.Equal(Vectors.BruteForce(data, q, 10), r.Ids);
        }
    }

    [Fact]
    public void Hnsw_recall_at_a_modest_ef_is_high_for_a_fraction_of_brute_force_work()
    {
        var (data, queries) = Small;
        var hnsw = new Hnsw(data, m: 8, efConstruction: 48);
        var exact = VectorLab.Exact(data, queries, 10);
        var results = queries.Select(q => hnsw.Search(q, 10, 40)).ToArray();
        double recall = results.Select((r, i) => Vectors.Recall(exact[i], r.Ids)).Average();
        Assert.True(recall >= 0.9, $"{recall}");
        Assert.All(results, r => Assert.True(r.DistanceComputations < data.Length, $"{r.DistanceComputations}"));
        Assert.All(results, r => Assert.Equal(10, r.Ids.Length));
    }

    [Fact]
    public void Identical_vectors_all_become_neighbours_and_tie_by_id()
    {
        // Every distance is 0: the heuristic keeps a candidate unless a kept one is strictly closer (0 < 0 is
        // false), so each vector links to up to m earlier copies; greedy steps need a strictly shorter distance.
        var v = Vectors.Normalize(new[] { 1f, 2f, 2f });
        var data = Enumerable.Repeat(v, 12).ToArray();
        var hnsw = new Hnsw(data, m: 3, efConstruction: 12, seed: 2);
        Assert.Equal((57L, 3, 585L), (hnsw.LinkCount, hnsw.TopLevel, hnsw.BuildDistanceComputations));
        var r = hnsw.Search(v, 4, 12);
        Assert.Equal(new[] { 0, 1, 2, 3 }, r.Ids);
        Assert.Equal(13, r.DistanceComputations);
        // A full candidate list admits only strictly closer vectors: a small ef stops early among equals.
        var small = new Hnsw(data, m: 3, efConstruction: 3, seed: 2);
        var s = small.Search(v, 2, 3);
        Assert.Equal((532L, 14L), (small.BuildDistanceComputations, s.DistanceComputations));
        Assert.Equal(new[] { 0, 1 }, s.Ids);
    }

    [Fact]
    public void Hnsw_levels_thin_out_by_one_over_m()
    {
        var data = Small.Data;
        var narrow = new Hnsw(data, m: 2, efConstruction: 8);
        var wide = new Hnsw(data, m: 64, efConstruction: 8);
        // E[top level] ≈ log_m(n): about 8 for m = 2, about 1 for m = 64, with 300 vectors.
        Assert.InRange(narrow.TopLevel, 5, 12);
        Assert.InRange(wide.TopLevel, 0, 2);
    }

    [Fact]
    public void Hnsw_graph_and_search_work_are_pinned_for_a_seed()
    {
        var (data, queries) = Small;
        var hnsw = new Hnsw(data, m: 6, efConstruction: 24, seed: 5);
        Assert.Equal(64 + 4.0 * hnsw.LinkCount / data.Length, hnsw.BytesPerVector, 12);
        var r = hnsw.Search(queries[0], 5, 12);
        var r2 = hnsw.Search(queries[1], 3, 1);
        Assert.Equal((3, 2368L, 48078L), (hnsw.TopLevel, hnsw.LinkCount, hnsw.BuildDistanceComputations));
        Assert.Equal(new[] { 136, 213, 245, 25, 195 }, r.Ids);
        Assert.Equal(64, r.DistanceComputations);
        Assert.Equal(new[] { 288, 229, 25 }, r2.Ids);
        Assert.Equal(46, r2.DistanceComputations);
    }

    // ---------------------------------------------------------------- product quantization

    [Fact]
    public void Product_quantizer_reports_its_shape_and_compression()
    {
        var pq = new ProductQuantizer(Small.Data.Take(30).ToArray(), 4, centroidsPerSubspace: 8, iterations: 1);
        Assert.Equal((4, 16, 16.0), (pq.Subspaces, pq.Dimensions, pq.CompressionRatio));
        Assert.Equal(8.0, new ProductQuantizer(Small.Data.Take(30).ToArray(), 8, centroidsPerSubspace: 8, iterations: 1).CompressionRatio);
    }

    [Fact]
    public void With_a_centroid_per_vector_product_quantization_ranks_exactly()
    {
        var data = Small.Data.Take(40).ToArray();
        var pq = new ProductQuantizer(data, 4, centroidsPerSubspace: 64, iterations: 2);
        foreach (var q in Small.Queries)
            Assert.Equal(Vectors.BruteForce(data, q, 8), pq.Search(q, 8));
    }

    private static float[][] TwoClusters(int n)
    {
        // Even ids around (1, 0), odd ids around (0, 1), each a little off-axis.
        var rng = new Random(4);
        return Enumerable.Range(0, n).Select(i =>
        {
            float e = (float)(rng.NextDouble() * 0.2);
            return Vectors.Normalize(i % 2 == 0 ? new[] { 1f, e } : new[] { e, 1f });
        }).ToArray();
    }

    [Fact]
    public void Two_centroids_learn_the_two_clusters_and_codes_tie_by_id()
    {
        var data = TwoClusters(40);
        var pq = new ProductQuantizer(data, 1, centroidsPerSubspace: 2, iterations: 3, seed: 1);
        var evens = Enumerable.Range(0, 20).Select(i => 2 * i).ToArray();
        Assert.Equal(evens, pq.Search(new[] { 1f, 0f }, 20));
        Assert.Equal(evens.Select(i => i + 1), pq.Search(new[] { 0f, 1f }, 20));
        // k-means moves the centroids to the cluster means, away from the seeds it started at.
        var split = new ProductQuantizer(data, 2, centroidsPerSubspace: 2, iterations: 2, seed: 1);
        Assert.Equal(evens, split.Search(new[] { 1f, 0f }, 20));
    }

    [Fact]
    public void A_centroid_left_without_points_keeps_its_place_and_can_win_points_later()
    {
        // Two copies of A = (1, 0) and one B = (0, 1). With a seed whose shuffle (one rng.Next() key per point, the
        // first draws of the generator) starts the two centroids on both copies of A, the first pass gives every
        // point to centroid 0 (ties go to the first) and leaves centroid 1 empty. Kept at A, it takes the two As
        // back on the second pass, and the centroids end on A and B.
        var data = new[] { new[] { 1f, 0f }, new[] { 1f, 0f }, new[] { 0f, 1f } };
        int seed = Enumerable.Range(0, 1000).First(s =>
        {
            var rng = new Random(s);
            int k0 = rng.Next(), k1 = rng.Next(), k2 = rng.Next();
            return k2 > k0 && k2 > k1;
        });
        var pq = new ProductQuantizer(data, 1, centroidsPerSubspace: 2, iterations: 2, seed: seed);
        Assert.Equal(new[] { 2 }, pq.Search(new[] { 0f, 1f }, 1));
        Assert.Equal(new[] { 0, 1 }, pq.Search(new[] { 1f, 0f }, 2));
    }

    [Fact]
    public void A_point_equally_far_from_two_centroids_goes_to_the_first()
    {
        // A = (1, 0), B = (0, 1), P halfway. A seed whose shuffle keys order the points A, B, P starts the
        // centroids on A (first) and B; P ties and joins A, so A and P share a code and tie for a query at A.
        var data = new[] { new[] { 1f, 0f }, new[] { 0f, 1f }, new[] { 0.5f, 0.5f } };
        int seed = Enumerable.Range(0, 1000).First(s =>
        {
            var rng = new Random(s);
            int k0 = rng.Next(), k1 = rng.Next(), k2 = rng.Next();
            return k0 < k1 && k1 < k2;
        });
        var pq = new ProductQuantizer(data, 1, centroidsPerSubspace: 2, iterations: 1, seed: seed);
        Assert.Equal(new[] { 0, 2 }, pq.Search(new[] { 1f, 0f }, 2));
        Assert.Equal(new[] { 1, 0 }, pq.Search(new[] { 0f, 1f }, 2));
    }

    [Fact]
    public void Training_takes_at_least_as_many_points_as_centroids()
    {
        // A sample of 1 is raised to 2 points (ids 0 and 1, one per cluster), so both clusters get a centroid.
        var pq = new ProductQuantizer(TwoClusters(40), 1, centroidsPerSubspace: 2, iterations: 1, trainingSample: 1);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 2 * i), pq.Search(new[] { 1f, 0f }, 20));
    }

    [Fact]
    public void Product_quantizer_search_is_pinned_for_a_seed()
    {
        var (data, queries) = Small;
        var pq = new ProductQuantizer(data, 4, centroidsPerSubspace: 8, iterations: 3, seed: 2, trainingSample: 150);
        // Vectors sharing a code tie and come by id (21 … 245).
        Assert.Equal(new[] { 21, 101, 136, 143, 195, 245, 159, 174 }, pq.Search(queries[0], 8));
        Assert.Equal(new[] { 90, 21, 101, 136, 143, 195, 245, 159 }, pq.Search(queries[1], 8));
    }

    // ---------------------------------------------------------------- the lab

    [Fact]
    public void Exact_is_brute_force_per_query()
    {
        var (data, queries) = Small;
        var exact = VectorLab.Exact(data, queries, 4);
        Assert.Equal(queries.Length, exact.Length);
        for (int i = 0; i < queries.Length; i++) Assert.Equal(Vectors.BruteForce(data, queries[i], 4), exact[i]);
    }

    [Fact]
    public void Sweep_reports_mean_recall_and_work_per_ef()
    {
        var (data, queries) = Small;
        var hnsw = new Hnsw(data, m: 4, efConstruction: 16);
        var exact = VectorLab.Exact(data, queries, 5);
        var sweep = VectorLab.Sweep(hnsw, data, queries, exact, 5, new[] { 5, 30 });
        Assert.Equal(new[] { 5, 30 }, sweep.Select(p => p.EfSearch));
        foreach (var p in sweep)
        {
            var results = queries.Select(q => hnsw.Search(q, 5, p.EfSearch)).ToArray();
            double recall = results.Select((r, i) => Vectors.Recall(exact[i], r.Ids)).Average();
            double work = results.Average(r => (double)r.DistanceComputations);
            Assert.Equal(recall, p.RecallAtK, 12);
            Assert.Equal(work, p.DistanceComputations, 12);
            Assert.Equal(work / 300, p.ShareOfBruteForce, 12);
        }
        Assert.True(sweep[1].DistanceComputations > sweep[0].DistanceComputations);
    }

    [Fact]
    public void Pq_point_reports_recall_alone_and_after_exact_reranking()
    {
        var (data, queries) = Small;
        var pq = new ProductQuantizer(data, 4, centroidsPerSubspace: 8, iterations: 2, trainingSample: 150);
        var exact = VectorLab.Exact(data, queries, 5);
        var point = VectorLab.Pq(pq, data, queries, exact, 5, 20);
        double plain = queries.Select((q, i) => Vectors.Recall(exact[i], pq.Search(q, 5))).Average();
        double reranked = queries.Select((q, i) => Vectors.Recall(exact[i],
            pq.Search(q, 20).OrderBy(c => Vectors.Distance(data[c], q)).ThenBy(c => c).Take(5))).Average();
        Assert.Equal((4, 16.0, 4, 20), (point.Subspaces, point.CompressionRatio, point.BytesPerVector, point.Shortlist));
        Assert.Equal(plain, point.RecallAtK, 12);
        Assert.Equal(reranked, point.RerankedRecallAtK, 12);
        Assert.True(point.RerankedRecallAtK > point.RecallAtK, $"{point}");
        // Re-ranking every vector exactly is brute force: recall 1.
        Assert.Equal(1.0, VectorLab.Pq(pq, data, queries, exact, 5, data.Length).RerankedRecallAtK);
    }

    [Fact]
    public void Reranking_breaks_distance_ties_by_id_like_brute_force()
    {
        var a = new[] { 1f, 0f };
        var b = new[] { 0f, 1f };
        var data = new[] { a, a, a, b, b, b };
        var queries = new[] { a, b };
        var exact = VectorLab.Exact(data, queries, 2);
        Assert.Equal(new[] { 0, 1 }, exact[0]);
        var pq = new ProductQuantizer(data, 1, centroidsPerSubspace: 2, iterations: 1);
        Assert.Equal(1.0, VectorLab.Pq(pq, data, queries, exact, 2, 6).RerankedRecallAtK);
    }

    // ---------------------------------------------------------------- sizing

    [Fact]
    public void Cluster_size_multiplies_out_replicas_and_rounds_shards_up()
    {
        Assert.Equal(new ClusterSize(100, 500, 3, 2000, 20, 25, 20), Sizing.Cluster(100_000_000, 1000, 5, 3, 20));
        var c = Sizing.Cluster(1_000_000, 1000, 1.5, 0, 0.4);
        Assert.Equal((1.0, 1.5, 0, 1.5, 0.4, 4), (c.SourceGb, c.PrimaryIndexGb, c.Replicas, c.TotalGb, c.ShardTargetGb, c.PrimaryShards));
        Assert.Equal(0.375, c.ShardGb, 12);
    }

    [Fact]
    public void A_cluster_smaller_than_one_shard_still_has_one_shard()
    {
        var tiny = Sizing.Cluster(1, 1, 1, 100, 1);
        Assert.Equal(1, tiny.PrimaryShards);
        Assert.Equal(1e-9, tiny.ShardGb, 15);
        Assert.Equal(101e-9, tiny.TotalGb, 15);
    }

    [Fact]
    public void Vector_bytes_are_count_times_dimensions_times_width()
    {
        Assert.Equal(3.072, Sizing.VectorGb(1_000_000, 768), 12);
        Assert.Equal(0.768, Sizing.VectorGb(1_000_000, 768, 1), 12);
        Assert.Equal(0, Sizing.VectorGb(0, 8));
    }

    [Fact]
    public void Growth_records_terms_postings_and_tokens_after_each_document()
    {
        Assert.Equal(new[]
        {
            new GrowthPoint(1, 2, 2, 2), new GrowthPoint(2, 3, 4, 5), new GrowthPoint(3, 3, 4, 5),
        }, Sizing.Growth(new[] { "red shoe", "red hat red", "the" }, TextAnalyzer.Standard));
    }
}
