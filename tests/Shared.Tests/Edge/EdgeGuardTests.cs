using System.Security.Authentication;
using SystemDesign.Edge;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Edge;

/// <summary>Every argument guard of the Edge area's public entries (those that need no server): exception type
/// and the parameter it names. The Varnish and DNS-chain instance methods' guards are in their lab tests.</summary>
public sealed class EdgeGuardTests
{
    private static readonly double[] P = [0.75, 0.25];
    private static readonly double[] Ladder = [300, 750, 1200];
    private static readonly byte[] Key = new byte[16];

    [Fact]
    public void Cdn_model_guards_name_their_parameter()
    {
        Null("p", () => CdnModel.TtlHitRatio(null!, 1, 1));
        Invalid("p", () => CdnModel.TtlHitRatio([], 1, 1));
        OutOfRange("requestsPerSecond", () => CdnModel.TtlHitRatio(P, 0, 1));
        OutOfRange("ttlSeconds", () => CdnModel.TtlHitRatio(P, 1, -1));

        Null("p", () => CdnModel.OriginFetchRate(null!, 1, 1, 1, true));
        Invalid("p", () => CdnModel.OriginFetchRate([], 1, 1, 1, true));
        OutOfRange("requestsPerSecond", () => CdnModel.OriginFetchRate(P, 0, 1, 1, true));
        OutOfRange("ttlSeconds", () => CdnModel.OriginFetchRate(P, 1, 0, 1, true));
        OutOfRange("pops", () => CdnModel.OriginFetchRate(P, 1, 1, 0, true));

        OutOfRange("keys", () => CdnModel.Simulate(0, 0.9, 1, 1, 1, 10, 1, false, 1));
        OutOfRange("edgeCapacity", () => CdnModel.Simulate(10, 0.9, 0, 1, 1, 10, 1, false, 1));
        OutOfRange("ttlSeconds", () => CdnModel.Simulate(10, 0.9, 1, 0, 1, 10, 1, false, 1));
        OutOfRange("requestsPerSecond", () => CdnModel.Simulate(10, 0.9, 1, 1, 0, 10, 1, false, 1));
        OutOfRange("requests", () => CdnModel.Simulate(10, 0.9, 1, 1, 1, 0, 1, false, 1));
        OutOfRange("pops", () => CdnModel.Simulate(10, 0.9, 1, 1, 1, 10, 0, false, 1));
        // Negative: without Simulate's own guard, Enumerable.Range (the edges) would throw first, naming "count".
        OutOfRange("pops", () => CdnModel.Simulate(10, 0.9, 1, 1, 1, 10, -1, false, 1));
        OutOfRange("warmup", () => CdnModel.Simulate(10, 0.9, 1, 1, 1, 10, 1, false, 1, warmup: 10));
        OutOfRange("warmup", () => CdnModel.Simulate(10, 0.9, 1, 1, 1, 10, 1, false, 1, warmup: -1));

        // The trace's guards fire when it is asked for, not when it is first enumerated.
        OutOfRange("keys", () => CdnModel.Requests(0, 0.9, 1, 10, 1, 1));
        OutOfRange("requestsPerSecond", () => CdnModel.Requests(10, 0.9, 0, 10, 1, 1));
        OutOfRange("requests", () => CdnModel.Requests(10, 0.9, 1, 0, 1, 1));
        OutOfRange("pops", () => CdnModel.Requests(10, 0.9, 1, 10, 1001, 1));

        Null("p", () => CdnModel.ExpectedDistinct(null!, 1, 1));
        Invalid("p", () => CdnModel.ExpectedDistinct([], 1, 1));
        OutOfRange("requests", () => CdnModel.ExpectedDistinct(P, -1, 1));
        OutOfRange("pops", () => CdnModel.ExpectedDistinct(P, 1, 0));

        OutOfRange("seeds", () => CdnModel.EdgeHitRatioOverSeeds(10, 0.9, 1, 1, 1, 10, seeds: 1));

        OutOfRange("keys", () => CdnModel.CheSweep(9, [1.0], [0.1]));
        Null("exponents", () => CdnModel.CheSweep(10, null!, [0.1]));
        Invalid("exponents", () => CdnModel.CheSweep(10, [], [0.1]));
        Null("cacheShares", () => CdnModel.CheSweep(10, [1.0], null!));
        Invalid("cacheShares", () => CdnModel.CheSweep(10, [1.0], []));
        OutOfRange("cacheShares", () => CdnModel.CheSweep(10, [1.0], [0.1, 1.0]));
    }

    [Fact]
    public void Dns_hierarchy_guards_name_their_parameter_and_say_what_is_wrong()
    {
        var s = DnsHierarchy.Sample();
        var records = new Dictionary<string, int> { ["www.example.test"] = 60 };
        Null("root", () => new DnsHierarchy(null!, s.Tld, s.Domain, records));
        Null("tld", () => new DnsHierarchy(s.Root, null!, s.Domain, records));
        Null("domain", () => new DnsHierarchy(s.Root, s.Tld, null!, records));
        Null("aRecordTtls", () => new DnsHierarchy(s.Root, s.Tld, s.Domain, null!));
        Invalid("root", () => new DnsHierarchy(s.Root with { Apex = "test" }, s.Tld, s.Domain, records),
            "the root's apex is the empty name");
        Invalid("tld", () => new DnsHierarchy(s.Root, s.Tld with { Apex = "co.test" }, s.Domain, records),
            "the TLD is one label");
        Invalid("domain", () => new DnsHierarchy(s.Root, s.Tld, s.Domain with { Apex = "example.com" }, records),
            "the domain sits directly under the TLD");
        // "exampletest" ends with "test" but is not under it: the label boundary counts.
        Invalid("domain", () => new DnsHierarchy(s.Root, s.Tld, s.Domain with { Apex = "exampletest" }, records));
        Invalid("aRecordTtls", () => new DnsHierarchy(s.Root, s.Tld, s.Domain,
            new Dictionary<string, int> { ["www.other.test"] = 60 }), "www.other.test is not in example.test");
        Invalid("aRecordTtls", () => new DnsHierarchy(s.Root, s.Tld, s.Domain,
            new Dictionary<string, int> { ["wwwexample.test"] = 60 }));
        OutOfRange("aRecordTtls", () => new DnsHierarchy(s.Root, s.Tld, s.Domain,
            new Dictionary<string, int> { ["www.example.test"] = -1 }));
        OutOfRange("aRecordTtls", () => new DnsHierarchy(s.Root, s.Tld, s.Domain,
            new Dictionary<string, int> { ["www.example.test"] = 604_801 }));
        // The apex itself and the TTL bounds are accepted.
        var apex = new DnsHierarchy(s.Root, s.Tld, s.Domain,
            new Dictionary<string, int> { ["example.test"] = 0, ["a.b.example.test"] = 604_800 });
        Assert.Equal(2, apex.ARecords.Count);
    }

    [Fact]
    public void Resolver_and_chain_guards_name_their_parameter()
    {
        Null("hierarchy", () => new RecursiveResolverModel(null!));
        var model = new RecursiveResolverModel(DnsHierarchy.Sample());
        Null("name", () => model.Resolve(null!, 0));
        Invalid("name", () => model.Resolve("", 0));
        OutOfRange("now", () => model.Resolve("www.example.test", -1));
        Invalid("name", () => model.Resolve("www.example.com", 0), "www.example.com is outside the model's TLD");
        // The TLD must end the name at a label boundary.
        Invalid("name", () => model.Resolve("wwwtest", 0));

        Null("hierarchy", () => new ResolutionChain(null!, new ChainRtts()));
        Null("rtts", () => new ResolutionChain(DnsHierarchy.Sample(), null!));
        OutOfRange("ChainRtts", () => new ResolutionChain(DnsHierarchy.Sample(), new ChainRtts(BrowserMs: -1)));
        OutOfRange("ChainRtts", () => new ResolutionChain(DnsHierarchy.Sample(), new ChainRtts(AuthoritativeMs: 10_001)));
        OutOfRange("browserTtlCapSeconds", () => new ResolutionChain(DnsHierarchy.Sample(), new ChainRtts(), -1));
        var chain = new ResolutionChain(DnsHierarchy.Sample(), new ChainRtts());
        Null("name", () => chain.Lookup(null!, 0));
        Invalid("name", () => chain.Lookup("", 0));
        OutOfRange("atSeconds", () => chain.Lookup("www.example.test", -0.5));
        Null("lookups", () => ResolutionChain.AsBars(null!));
        Invalid("lookups", () => ResolutionChain.AsBars([]));
        Null("r", () => ResolutionChain.ColdMs(null!));
        OutOfRange("lookupsPerSecond", () => ResolutionChain.SimulatedResolverHitRatio(0, 60, 10, 1));
        OutOfRange("ttl", () => ResolutionChain.SimulatedResolverHitRatio(1, 0, 10, 1));
        OutOfRange("lookups", () => ResolutionChain.SimulatedResolverHitRatio(1, 60, 0, 1));
        OutOfRange("lookupsPerSecond", () => ResolutionChain.TtlHitRatioStdErr(-1, 60, 10));
        OutOfRange("ttl", () => ResolutionChain.TtlHitRatioStdErr(1, -1, 10));
        OutOfRange("lookups", () => ResolutionChain.TtlHitRatioStdErr(1, 60, 0));
        OutOfRange("lookupsPerSecond", () => ResolutionChain.TtlHitRatio(-1, 60));
        OutOfRange("ttl", () => ResolutionChain.TtlHitRatio(1, -1));
    }

    [Fact]
    public void Handshake_signed_url_and_migration_guards_name_their_parameter()
    {
        OutOfRange("rttMs", () => ConnectionSetups.All[0].FirstByteMs(-1));
        Invalid("name", () => ConnectionSetups.Get("TCP + TLS 1.4"), "unknown set-up 'TCP + TLS 1.4'");
        Invalid("protocol", () => TlsLab.MeasureAsync(SslProtocols.None, 0).GetAwaiter().GetResult(), "TLS 1.2 or TLS 1.3");
        OutOfRange("oneWayDelayMs", () => TlsLab.MeasureAsync(SslProtocols.Tls13, 501).GetAwaiter().GetResult());
        OutOfRange("repetitions", () => TlsLab.MeasureAsync(SslProtocols.Tls13, 0, 0).GetAwaiter().GetResult());
        OutOfRange("repetitions", () => TlsLab.MeasureAsync(SslProtocols.Tls13, 0, 51).GetAwaiter().GetResult());

        Null("path", () => SignedUrls.Sign(null!, 1, Key));
        Invalid("path", () => SignedUrls.Sign("", 1, Key));
        Invalid("path", () => SignedUrls.Sign("v/seg.ts", 1, Key), "a path starting with / and without a query");
        Invalid("path", () => SignedUrls.Sign("/v/seg.ts?x=1", 1, Key), "a path starting with / and without a query");
        OutOfRange("expiresUnixSeconds", () => SignedUrls.Sign("/v", -1, Key));
        OutOfRange("expiresUnixSeconds", () => SignedUrls.Sign("/v", 253_402_300_800L, Key));
        Null("key", () => SignedUrls.Sign("/v", 1, null!));
        Invalid("key", () => SignedUrls.Sign("/v", 1, new byte[15]), "a key of at least 16 bytes");
        Assert.StartsWith("/v?exp=1&sig=", SignedUrls.Sign("/v", 1, new byte[16]));
        Null("url", () => SignedUrls.Validate(null!, 0, Key));
        Null("key", () => SignedUrls.Validate("/v?exp=1&sig=x", 0, null!));
        // A URL with no query returns Malformed before the signature is computed: only Validate's own guard sees the key.
        Null("key", () => SignedUrls.Validate("/v", 0, null!));

        OutOfRange("oldTtl", () => TtlMigration.MaxStaleSeconds(0, 60, 0, 1, 1));
        OutOfRange("newTtl", () => TtlMigration.MaxStaleSeconds(60, 0, 0, 1, 1));
        OutOfRange("leadSeconds", () => TtlMigration.MaxStaleSeconds(60, 60, -1, 1, 1));
        OutOfRange("resolvers", () => TtlMigration.MaxStaleSeconds(60, 60, 0, 0, 1));
    }

    [Fact]
    public void Video_delivery_guards_name_their_parameter()
    {
        Null("levelsKbps", () => BandwidthTrace.RegimeSwitching(null!, 10, 1));
        Invalid("levelsKbps", () => BandwidthTrace.RegimeSwitching([], 10, 1));
        OutOfRange("seconds", () => BandwidthTrace.RegimeSwitching([100], 0.5, 1));
        OutOfRange("stepSeconds", () => BandwidthTrace.RegimeSwitching([100], 10, 1, stepSeconds: 0));
        OutOfRange("switchProbability", () => BandwidthTrace.RegimeSwitching([100], 10, 1, switchProbability: 1.1));
        var trace = new BandwidthTrace(1, [1000]);
        OutOfRange("kilobits", () => trace.DownloadSeconds(0, -1));

        var bba = new Bba0(10, 40);
        Null("ladderKbps", () => bba.Next(0, 20, [], null!));
        Null("ladderKbps", () => bba.StallFreeCapacityKbps(null!, 2));
        OutOfRange("segmentSeconds", () => bba.StallFreeCapacityKbps(Ladder, 0));
        Null("ladderKbps", () => bba.RateMap(20, null!));
        Null("throughputsKbps", () => new ThroughputRule().Next(0, 10, null!, Ladder));
        // Also before any throughput is known (Array.FindLastIndex would have blamed "array").
        Null("ladderKbps", () => new ThroughputRule().Next(0, 10, [], null!));
        Null("ladderKbps", () => new ThroughputRule().Next(0, 10, [1000], null!));

        var rule = new ThroughputRule();
        Null("trace", () => AbrPlayer.Play(null!, Ladder, 2, 10, 1, rule));
        Null("rule", () => AbrPlayer.Play(trace, Ladder, 2, 10, 1, null!));
        Invalid("ladderKbps", () => AbrPlayer.Play(trace, null!, 2, 10, 1, rule), "the ladder is non-empty and increasing");
        Invalid("ladderKbps", () => AbrPlayer.Play(trace, [], 2, 10, 1, rule), "the ladder is non-empty and increasing");
        Invalid("ladderKbps", () => AbrPlayer.Play(trace, [300, 300], 2, 10, 1, rule));
        Invalid("ladderKbps", () => AbrPlayer.Play(trace, [750, 300], 2, 10, 1, rule));
        Invalid("ladderKbps", () => AbrPlayer.Play(trace, [300, 750, 500], 2, 10, 1, rule));   // every step must rise
        OutOfRange("segmentSeconds", () => AbrPlayer.Play(trace, Ladder, 0.05, 10, 1, rule));
        OutOfRange("maxBufferSeconds", () => AbrPlayer.Play(trace, Ladder, 2, 1.5, 1, rule));
        OutOfRange("segments", () => AbrPlayer.Play(trace, Ladder, 2, 10, 0, rule));
        Assert.Single(AbrPlayer.Play(trace, [300], 2, 2, 1, rule).Segments);

        OutOfRange("segmentSeconds", () => LiveStream.Simulate(0.05, 1, 3, 0, 5, 10, 1));
        OutOfRange("packagingSeconds", () => LiveStream.Simulate(4, -1, 3, 0, 5, 10, 1));
        OutOfRange("segmentsBehind", () => LiveStream.Simulate(4, 1, 0, 0, 5, 10, 1));
        OutOfRange("manifestTtlSeconds", () => LiveStream.Simulate(4, 1, 3, -1, 5, 10, 1));
        OutOfRange("joinsPerSecond", () => LiveStream.Simulate(4, 1, 3, 0, 0, 10, 1));
        OutOfRange("players", () => LiveStream.Simulate(4, 1, 3, 0, 5, 0, 1));
        OutOfRange("ttlSeconds", () => LiveStream.MeanPlaylistAge(-1, 5));
        OutOfRange("requestsPerSecond", () => LiveStream.MeanPlaylistAge(10, 0));
    }

    [Fact]
    public void Lab_entry_guards_that_need_no_server_name_their_parameter()
    {
        OutOfRange("basePort", () => VarnishLab.Start(0));
        OutOfRange("basePort", () => VarnishLab.Start(65_501));
        Null("zones", () => DnsChainLab.TryStart(null!, out _));
        OutOfRange("zones.WwwTtl", () => DnsChainLab.TryStart(new DnsChainLab.Zones(WwwTtl: 0), out _));
        OutOfRange("zones.ExampleSoaTtl", () => DnsChainLab.TryStart(new DnsChainLab.Zones(ExampleSoaTtl: 0), out _));
        OutOfRange("zones.OtherSoaMinimum", () => DnsChainLab.TryStart(new DnsChainLab.Zones(OtherSoaMinimum: 86_401), out _));
    }
}
