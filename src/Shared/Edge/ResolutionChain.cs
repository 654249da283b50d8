using SystemDesign.Notebook;

namespace SystemDesign.Edge;

/// <summary>Round-trip times of each hop, in milliseconds. Defaults: a browser cache lookup is free, the OS
/// stub cache costs an IPC, the ISP/public resolver is 20 ms away, and its upstreams 30/40/60 ms.</summary>
public sealed record ChainRtts(double BrowserMs = 0, double OsMs = 0.2, double ResolverMs = 20,
    double RootMs = 30, double TldMs = 40, double AuthoritativeMs = 60)
{
    internal void Validate()
    {
        foreach (var v in new[] { BrowserMs, OsMs, ResolverMs, RootMs, TldMs, AuthoritativeMs })
            Guard.InRange(v, 0, 10_000, nameof(ChainRtts));
    }
}

/// <summary>One step of a lookup, and what it cost.</summary>
public sealed record ChainStep(string Hop, string Outcome, double Ms);

/// <summary>One lookup through the chain: where it was answered and the time spent per hop.</summary>
public sealed record ChainLookup(string Label, double AtSeconds, string AnsweredBy, double TotalMs,
    IReadOnlyList<ChainStep> Steps);

/// <summary>
/// The whole path of a name lookup: browser cache (which caps TTLs, as Chrome's 60 s does), the OS stub resolver's
/// cache (honours the TTL), then the recursive resolver with its own cache (<see cref="RecursiveResolverModel"/>)
/// and its queries to root, TLD and authoritative servers. Each hop adds its round trip.
/// </summary>
public sealed class ResolutionChain
{
    private readonly Dictionary<string, double> _browser = new(), _os = new();
    private readonly RecursiveResolverModel _resolver;
    private readonly ChainRtts _rtt;
    private readonly DnsHierarchy _h;

    public ResolutionChain(DnsHierarchy hierarchy, ChainRtts rtts, double browserTtlCapSeconds = 60)
    {
        _h = Guard.NotNull(hierarchy);
        _rtt = Guard.NotNull(rtts);
        _rtt.Validate();
        BrowserTtlCap = Guard.InRange(browserTtlCapSeconds, 0, 86_400);
        _resolver = new RecursiveResolverModel(hierarchy);
    }

    public double BrowserTtlCap { get; }

    public ChainLookup Lookup(string name, double atSeconds, string label = "")
    {
        Guard.NotEmpty(name);
        Guard.NonNegative(atSeconds);
        var steps = new List<ChainStep> { new("browser cache", Hit(_browser, name, atSeconds) ? "hit" : "miss", _rtt.BrowserMs) };
        if (steps[0].Outcome == "hit") return Done(label, atSeconds, "browser cache", steps);
        bool osHit = Hit(_os, name, atSeconds);
        steps.Add(new("OS cache", osHit ? "hit" : "miss", _rtt.OsMs));
        int ttl;
        string by;
        if (osHit) { ttl = (int)Math.Floor(_os[name] - atSeconds); by = "OS cache"; }
        else
        {
            var answer = _resolver.Resolve(name, atSeconds);
            steps.Add(new("recursive resolver", answer.FromCache ? "hit" : "miss", _rtt.ResolverMs));
            foreach (var q in answer.Queries)
                steps.Add(new(ServerLabel(q.Server), q.Kind, RttOf(q.Server)));
            ttl = answer.Ttl;
            by = answer.FromCache ? "recursive cache" : "authoritative";
            _os[name] = atSeconds + ttl;
        }
        _browser[name] = atSeconds + Math.Min(ttl, BrowserTtlCap);
        return Done(label, atSeconds, by, steps);
    }

    /// <summary>The lookups as stacked bars: one category per lookup, one series per hop (milliseconds).</summary>
    public static (string[] Categories, BarSeries[] Series) AsBars(IReadOnlyList<ChainLookup> lookups)
    {
        Guard.NotEmpty(lookups);
        string[] hops = ["browser cache", "OS cache", "recursive resolver", "root server", "TLD server",
            "authoritative server"];
        var categories = lookups.Select(l => l.Label).ToArray();
        var series = hops.Select(h => new BarSeries(h, lookups.Select(l => l.Steps
            .Where(s => s.Hop == h || (h == "TLD server" && s.Hop.EndsWith("TLD server", StringComparison.Ordinal)))
            .Sum(s => s.Ms)).ToArray())).ToArray();
        return (categories, series);
    }

    /// <summary>Time of a lookup that walks the whole chain from empty caches (priming included).</summary>
    public static double ColdMs(ChainRtts r)
    {
        Guard.NotNull(r);
        return r.BrowserMs + r.OsMs + r.ResolverMs + 2 * r.RootMs + r.TldMs + r.AuthoritativeMs;
    }

    private static ChainLookup Done(string label, double at, string by, List<ChainStep> steps) =>
        new(label, at, by, steps.Sum(s => s.Ms), steps);

    private static bool Hit(Dictionary<string, double> cache, string name, double now) =>
        cache.TryGetValue(name, out double until) && until > now;

    private string ServerLabel(string server) => server switch
    {
        "root" => "root server",
        "tld" => $".{_h.Tld.Apex} TLD server",
        _ => "authoritative server",
    };

    private double RttOf(string server) => server switch
    {
        "root" => _rtt.RootMs,
        "tld" => _rtt.TldMs,
        _ => _rtt.AuthoritativeMs,
    };

    /// <summary>
    /// A resolver cache shared by clients that look a name up at Poisson rate <paramref name="lookupsPerSecond"/>:
    /// the share of lookups answered from cache, simulated over <paramref name="lookups"/> lookups through
    /// <see cref="RecursiveResolverModel"/>. Theory (renewal argument): λT/(1 + λT).
    /// </summary>
    public static double SimulatedResolverHitRatio(double lookupsPerSecond, int ttl, int lookups, int seed)
    {
        Guard.InRange(lookupsPerSecond, 1e-6, 1e6);
        Guard.InRange(ttl, 1, 604_800);
        Guard.InRange(lookups, 1, 10_000_000);
        var model = new RecursiveResolverModel(DnsHierarchy.Sample(aTtl: ttl));
        var rng = new Random(seed);
        double t = 0;
        int hits = 0;
        for (int i = 0; i < lookups; i++)
        {
            t += -Math.Log(1 - rng.NextDouble()) / lookupsPerSecond;
            if (model.Resolve("www.example.test", t).FromCache) hits++;
        }
        return (double)hits / lookups;
    }

    /// <summary>Standard error of the simulated hit ratio over n lookups: each miss starts a cycle of 1 + Poisson(x)
    /// lookups (x = λT), so the miss count is a renewal count with variance ≈ n·Var(L)/E(L)³ = n·x/(1 + x)³.</summary>
    public static double TtlHitRatioStdErr(double lookupsPerSecond, double ttl, int lookups)
    {
        Guard.NonNegative(lookupsPerSecond);
        Guard.NonNegative(ttl);
        Guard.Positive(lookups);
        double x = lookupsPerSecond * ttl;
        return Math.Sqrt(x / Math.Pow(1 + x, 3) / lookups);
    }

    /// <summary>λT/(1 + λT): the share of Poisson(λ) requests that find a copy cached for T after each miss.</summary>
    public static double TtlHitRatio(double lookupsPerSecond, double ttl)
    {
        Guard.NonNegative(lookupsPerSecond);
        Guard.NonNegative(ttl);
        return lookupsPerSecond * ttl / (1 + lookupsPerSecond * ttl);
    }
}
