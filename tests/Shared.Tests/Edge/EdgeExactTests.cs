using System.Security.Cryptography;
using System.Text;
using SystemDesign.Caching;
using SystemDesign.Edge;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Edge;

/// <summary>Exact values of the CDN model: the formulas on small catalogs, and the simulation against an
/// independent replay of the same trace through LRU-with-TTL edges and a TTL shield.</summary>
public sealed class CdnModelExactTests
{
    private static readonly double[] P = [0.75, 0.25];

    [Fact]
    public void A_run_reports_its_edge_hit_ratio_and_offload()
    {
        var run = new CdnRun(Requests: 10, EdgeHits: 4, ShieldHits: 1, OriginFetches: 3);
        Assert.Equal(0.4, run.EdgeHitRatio, 12);
        Assert.Equal(0.7, run.OffloadRatio, 12);
    }

    [Fact]
    public void Ttl_hit_ratio_weights_each_objects_renewal_ratio_by_its_popularity()
    {
        // x = λpT: 3 and 1, so 0.75·3/4 + 0.25·1/2.
        Assert.Equal(0.6875, CdnModel.TtlHitRatio(P, 4, 1), 12);
        Assert.Equal(0, CdnModel.TtlHitRatio(P, 4, 0), 12);
    }

    [Fact]
    public void Origin_fetch_rate_with_a_shield_counts_each_object_once_and_without_once_per_edge()
    {
        // λ = 3 and 1 per second, T = 1: shield 3/4 + 1/2; two edges without one 3/(1 + 1.5) + 1/(1 + 0.5).
        Assert.Equal(1.25, CdnModel.OriginFetchRate(P, 4, 1, 2, shield: true), 12);
        Assert.Equal(1.2 + 2.0 / 3, CdnModel.OriginFetchRate(P, 4, 1, 2, shield: false), 12);
        Assert.Equal(1.25, CdnModel.OriginFetchRate(P, 4, 1, 1, shield: false), 12);
    }

    [Fact]
    public void Expected_distinct_pairs_are_exact_for_two_objects()
    {
        Assert.Equal(1.5, CdnModel.ExpectedDistinct([0.5, 0.5], 2, 1), 12);        // 2·(1 − 0.5²)
        Assert.Equal(1.75, CdnModel.ExpectedDistinct([0.5, 0.5], 2, 2), 12);       // 2·2·(1 − 0.75²)
        Assert.Equal(0, CdnModel.ExpectedDistinct([0.5, 0.5], 0, 3), 12);
    }

    [Theory]
    [InlineData(1, false, 0)]
    [InlineData(3, false, 0)]
    [InlineData(3, true, 0)]
    [InlineData(3, true, 100)]
    [InlineData(2, false, 37)]
    public void Simulation_matches_an_independent_replay_of_its_trace(int pops, bool shield, int warmup)
    {
        const int keys = 50, capacity = 5, n = 3000, seed = 11;
        const double exponent = 0.8, ttl = 0.5, rate = 20;
        var run = CdnModel.Simulate(keys, exponent, capacity, ttl, rate, n, pops, shield, seed, warmup);
        var (edgeHits, shieldHits, origin) = Replay(CdnModel.Requests(keys, exponent, rate, n, pops, seed), capacity,
            ttl, pops, shield, warmup);
        Assert.Equal(n - warmup, run.Requests);
        Assert.Equal(edgeHits, run.EdgeHits);
        Assert.Equal(shieldHits, run.ShieldHits);
        Assert.Equal(origin, run.OriginFetches);
        Assert.Equal(run.Requests, run.EdgeHits + run.ShieldHits + run.OriginFetches);
        // The parameters exercise every path: hits, expiries and evictions (5 slots, 50 objects), shield hits.
        Assert.InRange(run.EdgeHits, 1, run.Requests - 1);
        if (shield) Assert.True(run.ShieldHits > 0);
        else Assert.Equal(0, run.ShieldHits);
    }

    // Each edge: a list, most recent first, of (key, absolute expiry); an expired copy stays (taking a slot) until it
    // is asked for or evicted. The shield keeps each object's expiry and hands it down.
    private static (long Edge, long Shield, long Origin) Replay(IEnumerable<(double Time, int Key, int Pop)> trace,
        int capacity, double ttl, int pops, bool shield, int warmup)
    {
        var edges = Enumerable.Range(0, pops).Select(_ => new List<(int Key, double Expires)>()).ToArray();
        var shieldUntil = new Dictionary<int, double>();
        long edge = 0, shieldHits = 0, origin = 0;
        int i = 0;
        foreach (var (t, key, pop) in trace)
        {
            bool counted = i++ >= warmup;
            var e = edges[pop];
            int at = e.FindIndex(x => x.Key == key);
            if (at >= 0)
            {
                var copy = e[at];
                e.RemoveAt(at);
                if (copy.Expires > t)
                {
                    e.Insert(0, copy);
                    if (counted) edge++;
                    continue;
                }
            }
            double expires;
            if (shield && shieldUntil.TryGetValue(key, out double until) && until > t)
            {
                if (counted) shieldHits++;
                expires = until;
            }
            else
            {
                if (counted) origin++;
                expires = t + ttl;
                if (shield) shieldUntil[key] = expires;
            }
            if (e.Count >= capacity) e.RemoveAt(e.Count - 1);
            e.Insert(0, (key, expires));
        }
        return (edge, shieldHits, origin);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void The_trace_is_poisson_arrivals_zipf_keys_and_a_uniform_edge(int pops)
    {
        var trace = CdnModel.Requests(100, 0.9, 10, 50, pops, seed: 5).ToArray();
        var sampler = new ZipfSampler(100, 0.9);
        var rng = new Random(5);
        double t = 0;
        Assert.Equal(50, trace.Length);
        foreach (var r in trace)
        {
            t += -Math.Log(1 - rng.NextDouble()) / 10;
            int key = sampler.Next(rng);
            int pop = pops == 1 ? 0 : rng.Next(pops);
            Assert.Equal((t, key, pop), r);
        }
    }

    [Fact]
    public void Edge_hit_ratio_over_seeds_is_the_mean_and_standard_error_of_single_edge_runs()
    {
        var runs = Enumerable.Range(1, 3).Select(seed =>
            CdnModel.Simulate(50, 0.8, 5, 0.5, 20, 500, pops: 1, shield: false, seed, warmup: 10).EdgeHitRatio).ToArray();
        var (mean, stdErr) = CdnModel.EdgeHitRatioOverSeeds(50, 0.8, 5, 0.5, 20, 500, seeds: 3, warmup: 10);
        Assert.Equal(runs.Average(), mean, 12);
        Assert.Equal(SystemDesign.Notebook.Stats.StdDev(runs) / Math.Sqrt(3), stdErr, 12);
        Assert.True(stdErr > 0);
    }

    [Fact]
    public void Che_sweep_has_a_row_per_exponent_and_share_in_order_with_at_least_one_slot()
    {
        var rows = CdnModel.CheSweep(10, [0.8, 1.2], [0.26, 0.001]);
        Assert.Equal([(0.8, 0.26, 3), (0.8, 0.001, 0), (1.2, 0.26, 3), (1.2, 0.001, 0)],
            rows.Select(r => (r.Exponent, r.CacheShare, r.CacheObjects)));
        foreach (var r in rows)
        {
            var p = new ZipfSampler(10, r.Exponent).Weights;
            Assert.Equal(Eviction.CheLruHitRatio(p, Math.Max(1, r.CacheObjects)), r.HitRatio, 12);
        }
        Assert.True(rows[2].HitRatio > rows[0].HitRatio);
    }
}

/// <summary>The recursive resolver model and the lookup chain, step by step.</summary>
public sealed class DnsModelExactTests
{
    [Fact]
    public void The_sample_hierarchy_has_internet_like_ttls_and_the_varied_ones()
    {
        var h = DnsHierarchy.Sample(aTtl: 7, soaTtl: 11, soaMinimum: 13);
        Assert.Equal(new DnsZone("", "root", 518_400, 86_400, 86_400), h.Root);
        Assert.Equal(new DnsZone("test", "tld", 172_800, 900, 86_400), h.Tld);
        Assert.Equal(new DnsZone("example.test", "auth", 172_800, 11, 13), h.Domain);
        Assert.Equal(new Dictionary<string, int> { ["www.example.test"] = 7, ["api.example.test"] = 7 }, h.ARecords);
        Assert.Equal(11, h.Domain.NegativeTtl);
        Assert.Equal(900, h.Tld.NegativeTtl);
    }

    [Fact]
    public void A_cold_lookup_sends_priming_referrals_and_the_answer_and_names_each_zone()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: 300));
        Assert.True(model.PrimeRoot);
        var cold = model.Resolve("WWW.Example.Test.", 0);
        Assert.Equal("www.example.test", cold.Name);
        Assert.True(cold.Exists);
        Assert.Equal(300, cold.Ttl);
        Assert.Equal([new UpstreamQuery("root", "", "priming"), new UpstreamQuery("root", "", "referral"),
            new UpstreamQuery("tld", "test", "referral"), new UpstreamQuery("auth", "example.test", "answer")], cold.Queries);
        var warm = model.Resolve("www.example.test", 10.5);
        Assert.Equal(new RecursiveAnswer("www.example.test", true, true, 289, []) with { Queries = warm.Queries }, warm);
        Assert.Empty(warm.Queries);
        // At exactly the expiry the copy is gone.
        var expired = model.Resolve("www.example.test", 300);
        Assert.False(expired.FromCache);
        Assert.Equal([new UpstreamQuery("auth", "example.test", "answer")], expired.Queries);
    }

    [Fact]
    public void Without_priming_the_root_is_asked_only_for_the_referral()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(), primeRoot: false);
        Assert.False(model.PrimeRoot);
        Assert.Equal(["root", "tld", "auth"], model.Resolve("www.example.test", 0).Queries.Select(q => q.Server));
    }

    [Fact]
    public void Delegations_expire_with_their_ns_ttl_and_flush_empties_everything()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: 60));
        model.Resolve("www.example.test", 0);
        // TLD and domain NS sets (2 days) expired, the root's (6 days) not: no priming.
        Assert.Equal([("root", "referral"), ("tld", "referral"), ("auth", "answer")],
            model.Resolve("api.example.test", 172_800).Queries.Select(q => (q.Server, q.Kind)));
        Assert.Equal([("auth", "answer")],
            model.Resolve("www.example.test", 172_800.5).Queries.Select(q => (q.Server, q.Kind)));
        Assert.Equal(["priming", "referral", "referral", "answer"],
            model.Resolve("api.example.test", 518_400 + 172_800).Queries.Select(q => q.Kind));
        model.Flush();
        var cold = model.Resolve("api.example.test", 518_400 + 172_800 + 1);
        Assert.False(cold.FromCache);
        Assert.Equal(4, cold.Queries.Count);
    }

    [Fact]
    public void A_name_outside_the_domain_is_denied_by_the_tld_and_cached_for_its_negative_ttl()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample());
        var nx = model.Resolve("www.other.test", 0);
        Assert.False(nx.Exists);
        Assert.False(nx.FromCache);
        Assert.Equal(900, nx.Ttl);
        Assert.Equal([new UpstreamQuery("root", "", "priming"), new UpstreamQuery("root", "", "referral"),
            new UpstreamQuery("tld", "test", "NXDOMAIN")], nx.Queries);
        var cached = model.Resolve("www.other.test", 100.25);
        Assert.Equal((false, true, 799, 0), (cached.Exists, cached.FromCache, cached.Ttl, cached.Queries.Count));
    }

    [Fact]
    public void The_domain_apex_without_an_a_record_is_denied_by_the_authoritative_server()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(soaTtl: 30, soaMinimum: 40));
        var nx = model.Resolve("example.test", 0);
        Assert.False(nx.Exists);
        Assert.Equal(30, nx.Ttl);
        Assert.Equal(new UpstreamQuery("auth", "example.test", "NXDOMAIN"), nx.Queries[^1]);
        Assert.Equal(4, nx.Queries.Count);
    }

    private static readonly ChainRtts Rtts = new(BrowserMs: 1, OsMs: 2, ResolverMs: 3, RootMs: 5, TldMs: 7, AuthoritativeMs: 11);

    [Fact]
    public void A_cold_lookup_costs_every_hop_and_the_warm_ones_stop_at_the_first_cache()
    {
        var chain = new ResolutionChain(DnsHierarchy.Sample(aTtl: 300), Rtts);
        Assert.Equal(60, chain.BrowserTtlCap);
        var cold = chain.Lookup("www.example.test", 0, "cold");
        Assert.Equal(("cold", 0.0, "authoritative", 34.0), (cold.Label, cold.AtSeconds, cold.AnsweredBy, cold.TotalMs));
        Assert.Equal([new ChainStep("browser cache", "miss", 1), new ChainStep("OS cache", "miss", 2),
            new ChainStep("recursive resolver", "miss", 3), new ChainStep("root server", "priming", 5),
            new ChainStep("root server", "referral", 5), new ChainStep(".test TLD server", "referral", 7),
            new ChainStep("authoritative server", "answer", 11)], cold.Steps);
        Assert.Equal(34, ResolutionChain.ColdMs(Rtts), 12);
        Assert.Equal(180.2, ResolutionChain.ColdMs(new ChainRtts()), 12);

        var browser = chain.Lookup("www.example.test", 59.5, "b");
        Assert.Equal(("b", 59.5, "browser cache", 1.0), (browser.Label, browser.AtSeconds, browser.AnsweredBy, browser.TotalMs));
        Assert.Equal([new ChainStep("browser cache", "hit", 1)], browser.Steps);
        var os = chain.Lookup("www.example.test", 60);
        Assert.Equal(("", "OS cache", 3.0), (os.Label, os.AnsweredBy, os.TotalMs));
        Assert.Equal([new ChainStep("browser cache", "miss", 1), new ChainStep("OS cache", "hit", 2)], os.Steps);
        // The OS cache keys the name as typed, the resolver normalises it: a different spelling reaches the resolver.
        var resolver = chain.Lookup("WWW.example.test", 10);
        Assert.Equal(("recursive cache", 6.0), (resolver.AnsweredBy, resolver.TotalMs));
        Assert.Equal(new ChainStep("recursive resolver", "hit", 3), resolver.Steps[^1]);
    }

    [Fact]
    public void The_browser_keeps_the_lesser_of_its_cap_and_the_whole_seconds_left()
    {
        var chain = new ResolutionChain(DnsHierarchy.Sample(aTtl: 300), Rtts, browserTtlCapSeconds: 100);
        Assert.Equal("authoritative", chain.Lookup("www.example.test", 0).AnsweredBy);
        Assert.Equal("browser cache", chain.Lookup("www.example.test", 99.9).AnsweredBy);
        // From the OS cache at 250.5, 49 whole seconds are left: the browser keeps it until 299.5.
        Assert.Equal("OS cache", chain.Lookup("www.example.test", 250.5).AnsweredBy);
        Assert.Equal("browser cache", chain.Lookup("www.example.test", 299.4).AnsweredBy);
        Assert.Equal("OS cache", chain.Lookup("www.example.test", 299.7).AnsweredBy);
        Assert.Equal("authoritative", chain.Lookup("www.example.test", 300).AnsweredBy);
    }

    [Fact]
    public void Bars_stack_each_lookups_time_per_hop()
    {
        var chain = new ResolutionChain(DnsHierarchy.Sample(), Rtts);
        var lookups = new[] { chain.Lookup("www.example.test", 0, "a"), chain.Lookup("www.example.test", 1, "b") };
        var (categories, series) = ResolutionChain.AsBars(lookups);
        Assert.Equal(["a", "b"], categories);
        Assert.Equal(["browser cache", "OS cache", "recursive resolver", "root server", "TLD server", "authoritative server"],
            series.Select(s => s.Name));
        Assert.Equal(new[] { new[] { 1.0, 1.0 }, [2.0, 0.0], [3.0, 0.0], [10.0, 0.0], [7.0, 0.0], [11.0, 0.0] },
            series.Select(s => s.Values.ToArray()).ToArray());
    }

    [Fact]
    public void Resolver_hit_ratio_formulas_are_exact()
    {
        Assert.Equal(0.75, ResolutionChain.TtlHitRatio(1, 3), 12);
        Assert.Equal(0, ResolutionChain.TtlHitRatio(0, 3), 12);
        Assert.Equal(0.25, ResolutionChain.TtlHitRatioStdErr(1, 1, 2), 12);   // √(1/2³/2)
        // Three lookups within a millisecond: one miss, two hits.
        Assert.Equal(2.0 / 3, ResolutionChain.SimulatedResolverHitRatio(1000, 60, 3, seed: 1), 12);
        Assert.Equal(0, ResolutionChain.SimulatedResolverHitRatio(1e-6, 1, 1, seed: 1), 12);
    }
}

public sealed class HandshakeModelTests
{
    [Fact]
    public void Each_setup_counts_its_handshake_round_trips_plus_the_request()
    {
        Assert.Equal([("TCP + TLS 1.2", 1, 2), ("TCP + TLS 1.2 resumed", 1, 1), ("TCP + TLS 1.3", 1, 1),
                ("TCP + TLS 1.3 0-RTT", 1, 0), ("QUIC (HTTP/3)", 0, 1), ("QUIC 0-RTT", 0, 0), ("QUIC + Retry", 1, 1)],
            ConnectionSetups.All.Select(s => (s.Name, s.TransportRtts, s.CryptoRtts)));
        Assert.All(ConnectionSetups.All, s => Assert.NotEqual("", s.Note));
        Assert.All(ConnectionSetups.All, s => Assert.Same(s, ConnectionSetups.Get(s.Name)));
        var tls12 = ConnectionSetups.Get("TCP + TLS 1.2");
        Assert.Equal(4, tls12.RttsToFirstByte);
        Assert.Equal(100, tls12.FirstByteMs(25), 12);
        Assert.Equal(1, ConnectionSetups.Get("QUIC 0-RTT").RttsToFirstByte);
        Assert.Equal(0, ConnectionSetups.Get("QUIC 0-RTT").FirstByteMs(0), 12);
    }
}

public sealed class SignedUrlExactTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static string Base64(string path, long exp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(path + "\n" + exp)));

    [Fact]
    public void The_signature_is_unpadded_base64url_of_the_hmac_of_path_newline_expiry()
    {
        // An expiry whose standard Base64 has both '+' and '/' (and, like every 32-byte MAC, one '=').
        long exp = 1000;
        while (!(Base64("/v/seg1.ts", exp) is var b && b.Contains('+') && b.Contains('/'))) exp++;
        string expected = Base64("/v/seg1.ts", exp).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal($"/v/seg1.ts?exp={exp}&sig={expected}", SignedUrls.Sign("/v/seg1.ts", exp, Key));
        Assert.Equal(SignedUrlVerdict.Valid, SignedUrls.Validate(SignedUrls.Sign("/v/seg1.ts", exp, Key), exp - 1, Key));
    }

    [Fact]
    public void Anything_but_one_numeric_exp_and_one_sig_after_a_path_is_malformed()
    {
        string url = SignedUrls.Sign("/v/a.ts", 5000, Key);
        string sig = url[(url.IndexOf("&sig=", StringComparison.Ordinal) + 5)..];
        Assert.Equal(SignedUrlVerdict.Valid, SignedUrls.Validate(url + "&extra=1&flag", 10, Key));
        Assert.Equal(SignedUrlVerdict.Valid, SignedUrls.Validate($"/v/a.ts?sig={sig}&exp=5000", 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate($"?exp=5000&sig={sig}", 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate($"/v/a.ts?sig={sig}", 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate("/v/a.ts?exp=5000", 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate(url + "&exp=5000", 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate(url + "&sig=" + sig, 10, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate($"/v/a.ts?exp=soon&sig={sig}", 10, Key));
        Assert.Equal(SignedUrlVerdict.BadSignature, SignedUrls.Validate(url, 10, Key.Reverse().ToArray()));
        Assert.Equal(SignedUrlVerdict.BadSignature, SignedUrls.Validate(url[..^1], 10, Key));
    }
}

public sealed class TtlMigrationTests(ITestOutputHelper output)
{
    [Fact]
    public void Without_a_lead_each_resolver_serves_the_old_address_until_its_old_copy_expires()
    {
        var rng = new Random(3);
        double worst = Enumerable.Range(0, 5).Select(_ => -0.0 - rng.NextDouble() * 300 + 300).Max();
        Assert.Equal(worst, TtlMigration.MaxStaleSeconds(300, 60, 0, 5, seed: 3), 9);
    }

    [Fact]
    public void A_lead_of_one_old_ttl_bounds_the_staleness_by_the_new_ttl_and_a_shorter_one_does_not()
    {
        double full = TtlMigration.MaxStaleSeconds(300, 60, 300, 1000, seed: 1);
        double partial = TtlMigration.MaxStaleSeconds(300, 60, 100, 1000, seed: 1);
        output.WriteLine($"{full:R} {partial:R}");
        Assert.InRange(full, 59, 60);
        Assert.InRange(partial, 199, 200);
        // Seed 1, pinned. With 100 s of lead the worst resolver fetched 0.09 s before the TTL was lowered and keeps
        // the old 300 s; with 300 s every copy at the switch carries the new 60 s.
        Assert.Equal(59.91047582584923, full, 9);
        Assert.Equal(199.9104758258492, partial, 9);
    }
}
