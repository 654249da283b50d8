using System.Security.Authentication;
using Xunit.Abstractions;
using SystemDesign.Caching;
using SystemDesign.Edge;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Edge;

public sealed class DnsModelTests
{
    [Fact]
    public void Cold_lookup_primes_walks_three_levels_then_the_cache_answers()
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: 300));
        var cold = model.Resolve("www.example.test", 0);
        Assert.Equal(["root", "root", "tld", "auth"], cold.Queries.Select(q => q.Server));
        Assert.False(cold.FromCache);
        var warm = model.Resolve("www.example.test", 10);
        Assert.True(warm.FromCache);
        Assert.Empty(warm.Queries);
        Assert.Equal(290, warm.Ttl);
        var sibling = model.Resolve("api.example.test", 20);
        Assert.Equal(["auth"], sibling.Queries.Select(q => q.Server));
        var expired = model.Resolve("www.example.test", 300.5);
        Assert.Equal(["auth"], expired.Queries.Select(q => q.Server));
    }

    [Theory]
    [InlineData(5, 60, 5)]
    [InlineData(60, 5, 5)]
    public void Negative_answers_are_cached_for_the_lesser_of_soa_ttl_and_minimum(int soaTtl, int minimum, int expected)
    {
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(soaTtl: soaTtl, soaMinimum: minimum));
        var first = model.Resolve("nope.example.test", 0);
        Assert.False(first.Exists);
        Assert.Equal(expected, first.Ttl);
        Assert.True(model.Resolve("nope.example.test", expected - 0.5).FromCache);
        Assert.False(model.Resolve("nope.example.test", expected + 0.5).FromCache);
    }

    [Fact]
    public void Chain_answers_from_browser_then_os_then_resolver()
    {
        var chain = new ResolutionChain(DnsHierarchy.Sample(aTtl: 300), new ChainRtts());
        var cold = chain.Lookup("www.example.test", 0);
        Assert.Equal(ResolutionChain.ColdMs(new ChainRtts()), cold.TotalMs, 9);
        Assert.Equal("browser cache", chain.Lookup("www.example.test", 30).AnsweredBy);
        Assert.Equal("OS cache", chain.Lookup("www.example.test", 90).AnsweredBy);
        Assert.Equal("authoritative", chain.Lookup("www.example.test", 400).AnsweredBy);
    }

    [Fact]
    public void Resolver_hit_ratio_matches_the_renewal_formula()
    {
        double sim = ResolutionChain.SimulatedResolverHitRatio(0.05, 60, 20_000, seed: 1);
        Assert.InRange(sim, ResolutionChain.TtlHitRatio(0.05, 60) - 0.015, ResolutionChain.TtlHitRatio(0.05, 60) + 0.015);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new RecursiveResolverModel(DnsHierarchy.Sample()).Resolve("www.example.com", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResolutionChain.SimulatedResolverHitRatio(1, 0, 10, 1));
    }
}

public sealed class CdnModelTests
{
    [Fact]
    public void Ttl_only_simulation_matches_the_renewal_theory()
    {
        var p = new ZipfSampler(2000, 0.9).Weights;
        var run = CdnModel.Simulate(2000, 0.9, 1_000_000, ttlSeconds: 20, requestsPerSecond: 100, requests: 200_000,
            pops: 1, shield: false, seed: 2);
        Assert.InRange(run.EdgeHitRatio, CdnModel.TtlHitRatio(p, 100, 20) - 0.01, CdnModel.TtlHitRatio(p, 100, 20) + 0.01);
    }

    [Fact]
    public void Capacity_only_simulation_matches_che()
    {
        var p = new ZipfSampler(5000, 0.8).Weights;
        var run = CdnModel.Simulate(5000, 0.8, 500, ttlSeconds: 1e9, requestsPerSecond: 100, requests: 200_000,
            pops: 1, shield: false, seed: 3);
        Assert.InRange(run.EdgeHitRatio, Eviction.CheLruHitRatio(p, 500) - 0.015, Eviction.CheLruHitRatio(p, 500) + 0.015);
    }

    [Fact]
    public void Shield_origin_fetches_match_theory_and_beat_no_shield()
    {
        var p = new ZipfSampler(1000, 0.9).Weights;
        const int n = 200_000; const double rate = 200, ttl = 30;
        var with = CdnModel.Simulate(1000, 0.9, 1_000_000, ttl, rate, n, pops: 8, shield: true, seed: 4);
        var without = CdnModel.Simulate(1000, 0.9, 1_000_000, ttl, rate, n, pops: 8, shield: false, seed: 4);
        double span = n / rate;
        Assert.InRange(with.OriginFetches / span, CdnModel.OriginFetchRate(p, rate, ttl, 8, true) * 0.93,
            CdnModel.OriginFetchRate(p, rate, ttl, 8, true) * 1.07);
        Assert.InRange(without.OriginFetches / span, CdnModel.OriginFetchRate(p, rate, ttl, 8, false) * 0.95,
            CdnModel.OriginFetchRate(p, rate, ttl, 8, false) * 1.05);
        Assert.True(with.OriginFetches < without.OriginFetches);
    }
}

public sealed class SignedUrlTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Valid_expired_tampered_and_malformed()
    {
        string url = SignedUrls.Sign("/v/seg1.ts", 1000, Key);
        Assert.Equal(SignedUrlVerdict.Valid, SignedUrls.Validate(url, 999, Key));
        Assert.Equal(SignedUrlVerdict.Expired, SignedUrls.Validate(url, 1000, Key));
        Assert.Equal(SignedUrlVerdict.BadSignature, SignedUrls.Validate(url.Replace("seg1", "seg2"), 999, Key));
        Assert.Equal(SignedUrlVerdict.BadSignature, SignedUrls.Validate(url.Replace("exp=1000", "exp=9000"), 999, Key));
        Assert.Equal(SignedUrlVerdict.Malformed, SignedUrls.Validate("/v/seg1.ts", 999, Key));
        Assert.Throws<ArgumentException>(() => SignedUrls.Sign("/x", 1, new byte[4]));
    }
}

public sealed class HandshakeTests(ITestOutputHelper output)
{
    [Fact]
    public void A_flight_split_over_several_reads_counts_once()
    {
        // On loopback each flight reaches the relay in one read, so the real runs cannot tell "a new flight" from
        // "a client chunk": a flight split over reads (as on a real network) can.
        var counter = new TlsLab.FlightCounter();
        foreach (bool fromClient in new[] { true, true, false, false, true, true, true, false })
            counter.Saw(fromClient);
        Assert.Equal(2, counter.ClientFlights);
    }

    [Fact]
    public async Task Tls12_needs_one_more_client_flight_than_tls13()
    {
        // 20 ms each way: TLS 1.3's server sends its session ticket after the client's Finished; with a delay of a
        // few ms a loaded machine could let it reach the relay between the client's Finished and its request, and
        // the counter would see a third flight (seen at 5 ms beside a Stryker run).
        var t12 = await TlsLab.MeasureAsync(SslProtocols.Tls12, oneWayDelayMs: 20, repetitions: 2);
        var t13 = await TlsLab.MeasureAsync(SslProtocols.Tls13, oneWayDelayMs: 20, repetitions: 3);
        output.WriteLine(string.Join(", ", t12.Concat(t13).Select(m => m.FirstByteMs.ToString("F1"))));
        Assert.Equal(2, t12.Count);
        Assert.Equal(3, t13.Count);
        Assert.All(t12, m => { Assert.Equal("TLS 1.2", m.Protocol); Assert.Equal(3, m.ClientFlights); });
        Assert.All(t13, m => { Assert.Equal("TLS 1.3", m.Protocol); Assert.Equal(2, m.ClientFlights); });
        Assert.True(t12.Average(m => m.FirstByteMs) > t13.Average(m => m.FirstByteMs));
        // Every client flight waits for the server's answer through the relay: at least one round trip (two
        // one-way delays) each, so TLS 1.2 takes ≥ 3·2·20 ms and TLS 1.3 ≥ 2·2·20 ms (a floor, not a timing).
        Assert.All(t12, m => Assert.True(m.FirstByteMs >= 119, $"{m.FirstByteMs}"));
        Assert.All(t13, m => Assert.True(m.FirstByteMs >= 79, $"{m.FirstByteMs}"));
        var resumed = await TlsLab.MeasureAsync(SslProtocols.Tls12, oneWayDelayMs: 20, repetitions: 2, allowResume: true);
        Assert.Equal([3, 2], resumed.Select(m => m.ClientFlights));
        Assert.Equal(4, ConnectionSetups.Get("TCP + TLS 1.2").RttsToFirstByte);
        Assert.Equal(2, ConnectionSetups.Get("QUIC (HTTP/3)").RttsToFirstByte);
    }
}

public sealed class DnsChainLabTests(ITestOutputHelper output)
{
    // The resolver this machine's dns-chain service names (./scripts/services.sh env dns-chain); tests that change
    // the variable put it back.
    private static readonly string? Resolver = Environment.GetEnvironmentVariable("SDN_DNS_RESOLVER");

    /// <summary>A lab on this machine's resolver port, held under a file lock: two test processes (Stryker runs
    /// two) would otherwise start Knot and Unbound on the same addresses. Skips only when the machine cannot run
    /// the chain at all; a lab that fails to start where it can fails the test.</summary>
    private sealed class Turn : IDisposable
    {
        private readonly FileStream _lock;
        public DnsChainLab Lab { get; }

        public Turn(DnsChainLab.Zones? zones)
        {
            Skip.If(Resolver is null, "SDN_DNS_RESOLVER is not set (./scripts/services.sh start dns-chain)");
            Skip.If(DnsChainLab.Which("knotd") is null || DnsChainLab.Which("unbound") is null, "knot/unbound missing");
            Skip.If(Environment.UserName != "root", "the chain binds port 53 and needs root");
            Environment.SetEnvironmentVariable("SDN_DNS_RESOLVER", Resolver);
            string path = Path.Combine(Path.GetTempPath(), $"sdn-dns-chain-test-{Resolver.Replace(':', '-')}.lock");
            var wait = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try { _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); break; }
                catch (IOException) when (wait.Elapsed < TimeSpan.FromSeconds(60)) { Thread.Sleep(50); }
            }
            if (zones is null) { Lab = null!; return; }   // the turn only: the test starts (or fails to start) its own
            var lab = DnsChainLab.TryStart(zones, out string why);
            if (lab is null) _lock.Dispose();
            Assert.True(lab is not null, why);
            Lab = lab!;
        }

        public void Dispose()
        {
            Lab?.Dispose();
            _lock.Dispose();
        }
    }

    [SkippableFact]
    public void Plan_runs_on_real_and_model_alike()
    {
        using var turn = new Turn(new DnsChainLab.Zones());
        var lab = turn.Lab;
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: 2, soaTtl: 2, soaMinimum: 60));
        Null("plan", () => lab.RunPlan(null!, model));
        Null("model", () => lab.RunPlan([], null!));
        OutOfRange("plan", () => lab.RunPlan([("now", "www.example.test", 0.0), ("late", "www.example.test", 31.0)], model));
        OutOfRange("plan", () => lab.RunPlan([("early", "www.example.test", -1.0)], model));
        // Refused before any step ran: the "cold" step below still finds both caches empty (2/1/1).
        var plan = new[] { ("cold", "www.example.test", 0.0), ("warm", "www.example.test", 0.05),
            ("sibling", "api.example.test", 0.1), ("nx", "nope.example.test", 0.15), ("nx2", "nope.example.test", 0.2),
            ("later", "api.example.test", 1.0) };
        var rows = lab.RunPlan(plan, model);
        // No "expired" step: Unbound's cache clock counts whole seconds, so 0.3 s past a 2 s TTL it may still
        // answer from cache with TTL 0 (CI: 0/0/0 where the model refetched); notebook 10 shows expiry on the model.
        foreach (var r in rows) output.WriteLine($"{DateTime.UtcNow:ss.fff} {r.Step} {r.RealHops} {r.ModelHops} ttl={r.Real.Ttl} {r.Real.Ms:F1}ms");
        Assert.Equal(plan.Select(p => p.Item1), rows.Select(r => r.Step));
        Assert.Equal(plan.Select(p => p.Item2), rows.Select(r => r.Real.Name));
        Assert.Equal(plan.Select(p => p.Item2), rows.Select(r => r.Model.Name));
        Assert.Equal(["2/1/1", "0/0/0", "0/0/1", "0/0/1", "0/0/0", "0/0/0"], rows.Select(r => r.RealHops));
        Assert.All(rows, r => Assert.Equal(r.ModelHops, r.RealHops));
        // A step never runs before its time, and the model resolves at the moment it ran.
        Assert.All(rows.Zip(plan), x => Assert.True(x.First.AtSeconds >= x.Second.Item3 - 0.005, $"{x.First.AtSeconds}"));
        Assert.True(rows[^1].AtSeconds >= 0.995, $"{rows[^1].AtSeconds}");
    }

    [SkippableFact]
    public void Real_chain_matches_the_model_cold_warm_expiry_and_negative()
    {
        using var turn = new Turn(new DnsChainLab.Zones(WwwTtl: 2, ExampleSoaTtl: 3, OtherSoaMinimum: 5));
        var lab = turn.Lab;
        Null("name", () => lab.Query(null!));
        Invalid("name", () => lab.Query(""));
        Invalid("name", () => lab.QueryMs(""));
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: 2, soaTtl: 3, soaMinimum: 60));
        var answers = new List<ChainQuery>();
        foreach (var (name, at) in new[] { ("www.example.test", 0.0), ("www.example.test", 0.1), ("api.example.test", 0.2),
                     ("nope.example.test", 0.3), ("nope.example.test", 0.4) })
        {
            var real = lab.Query(name);
            answers.Add(real);
            var m = model.Resolve(name, at);
            output.WriteLine($"{name} {real}");
            Assert.Equal(m.Queries.Count(q => q.Server == "root"), real.Upstream.Root);
            Assert.Equal(m.Queries.Count(q => q.Server == "tld"), real.Upstream.Tld);
            Assert.Equal(m.Queries.Count(q => q.Server == "auth"), real.Upstream.Authoritative);
            Assert.Equal(name, real.Name);
            Assert.True(real.Ms > 0);
        }
        // The zones' contents: addresses, the A records' TTLs, and a negative answer's TTL from the SOA.
        Assert.Equal(("NOERROR", "192.0.2.10"), (answers[0].Rcode, answers[0].Address));
        Assert.InRange(answers[0].Ttl, 1, 2);
        Assert.Equal(("NOERROR", "192.0.2.11"), (answers[2].Rcode, answers[2].Address));
        Assert.InRange(answers[2].Ttl, 299, 300);
        Assert.Equal(("NXDOMAIN", ""), (answers[3].Rcode, answers[3].Address));
        Assert.InRange(answers[3].Ttl, 2, 3);
        var www = lab.Query("www.other.test");
        Assert.Equal(("NOERROR", "192.0.2.20"), (www.Rcode, www.Address));
        Assert.InRange(www.Ttl, 299, 300);
        var other = lab.Query("nope.other.test");
        output.WriteLine($"www.other.test {www}{Environment.NewLine}nope.other.test {other}");
        Assert.Equal("NXDOMAIN", other.Rcode);
        Assert.InRange(other.Ttl, 4, 5);
        var counts = lab.Counts();
        Assert.Equal(counts, lab.Counts());
        Assert.True(counts.Total >= 8, $"{counts}");
        Assert.True(lab.QueryMs("api.example.test") > 0);
        Assert.Equal(System.Net.IPEndPoint.Parse(Resolver!), lab.Resolver);
        Thread.Sleep(2100);
        var again = lab.Query("www.example.test");
        // Unbound's cache clock counts whole seconds: 2.1 s after a 2 s TTL it may still answer from cache, with
        // TTL 0 (seen in a CI rehearsal); one second later it must have expired.
        if (again.Upstream.Authoritative == 0)
        {
            Assert.Equal(0, again.Ttl);
            Thread.Sleep(1000);
            again = lab.Query("www.example.test");
        }
        Assert.Equal(1, again.Upstream.Authoritative);
    }

    [SkippableFact]
    public void A_chain_whose_resolver_port_is_taken_is_refused_with_unbounds_last_words()
    {
        using var turn = new Turn(null);
        var resolver = System.Net.IPEndPoint.Parse(Resolver!);
        var squatter = new System.Net.Sockets.TcpListener(resolver.Address, resolver.Port);
        squatter.Start();
        try
        {
            using var lab = DnsChainLab.TryStart(new DnsChainLab.Zones(), out string why);
            output.WriteLine(why);
            Assert.Null(lab);
            Assert.StartsWith($"Unbound on {resolver} exited: ", why);
            // The last lines of its output, joined: "… can't bind socket … | … could not open ports".
            Assert.Contains("bind", why);
            Assert.Contains(" | ", why);
            Assert.EndsWith("could not open ports", why);
        }
        finally { squatter.Stop(); }
    }

    [SkippableFact]
    public void An_unusable_resolver_setting_is_refused_with_the_reason()
    {
        Skip.If(Resolver is null, "SDN_DNS_RESOLVER is not set");
        try
        {
            foreach (string bad in new[] { "127.0.0.1:1024", "10.1.2.3:45000", "nonsense" })
            {
                Environment.SetEnvironmentVariable("SDN_DNS_RESOLVER", bad);
                Assert.Equal(bad, DnsChainLab.ResolverSetting);
                using var lab = DnsChainLab.TryStart(new DnsChainLab.Zones(), out string why);
                Assert.Null(lab);
                Assert.Equal($"SDN_DNS_RESOLVER={bad} is not a loopback address with a port above 1024", why);
            }
            Environment.SetEnvironmentVariable("SDN_DNS_RESOLVER", null);
            Assert.Equal("127.0.0.1:45353", DnsChainLab.ResolverSetting);
        }
        finally { Environment.SetEnvironmentVariable("SDN_DNS_RESOLVER", Resolver); }
    }

    [Fact]
    public void Tools_accounts_and_folders_come_from_the_machine()
    {
        Assert.Null(DnsChainLab.Which("no-such-tool-" + Guid.NewGuid().ToString("N")));
        if (File.Exists("/usr/sbin/knotd") && !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                .Any(d => File.Exists(Path.Combine(d, "knotd")) && d != "/usr/sbin"))
            Assert.Equal("/usr/sbin/knotd", DnsChainLab.Which("knotd"));
        bool sdn = File.ReadAllLines("/etc/passwd").Any(l => l.StartsWith("sdn:", StringComparison.Ordinal));
        Assert.Equal(Environment.UserName != "root" ? "" : sdn ? "sdn" : "nobody", DnsChainLab.RunAs());
        string? state = Environment.GetEnvironmentVariable("SDN_STATE_DIR");
        Assert.Equal(state is { Length: > 0 } ? state : Path.Combine(Path.GetTempPath(), "sdn"), DnsChainLab.StateDir());
    }
}

public sealed class DnsChainRecordTests
{
    [Fact]
    public void Upstream_counts_subtract_member_by_member_and_total()
    {
        var d = new UpstreamCounts(5, 7, 11) - new UpstreamCounts(1, 2, 3);
        Assert.Equal(new UpstreamCounts(4, 5, 8), d);
        Assert.Equal(17, d.Total);
    }

    [Fact]
    public void A_plan_row_shows_root_tld_and_auth_hops_of_both_sides()
    {
        var model = new RecursiveAnswer("www.example.test", true, false, 2, [new UpstreamQuery("root", "", "priming"),
            new UpstreamQuery("root", "", "referral"), new UpstreamQuery("tld", "test", "referral"),
            new UpstreamQuery("auth", "example.test", "answer")]);
        var row = new ChainPlanRow("cold", 0, new ChainQuery("www.example.test", "NOERROR", "192.0.2.10", 2, 1,
            new UpstreamCounts(3, 5, 7)), model);
        Assert.Equal("3/5/7", row.RealHops);
        Assert.Equal("2/1/1", row.ModelHops);
    }
}
