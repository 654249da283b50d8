namespace SystemDesign.Edge;

/// <summary>A zone of the model hierarchy: its apex ("" for the root), the server that answers for it,
/// the TTL of the NS records that delegate to it, and its SOA's own TTL and MINIMUM field.</summary>
public sealed record DnsZone(string Apex, string Server, int NsTtl, int SoaTtl, int SoaMinimum)
{
    /// <summary>RFC 2308 §5: a negative answer is cached for the lesser of the SOA's TTL and its MINIMUM.</summary>
    public int NegativeTtl => Math.Min(SoaTtl, SoaMinimum);
}

/// <summary>One query a recursive resolver sent upstream: to which server, for which zone's data.</summary>
public sealed record UpstreamQuery(string Server, string Zone, string Kind);

/// <summary>The outcome of one recursive lookup.</summary>
public sealed record RecursiveAnswer(string Name, bool Exists, bool FromCache, int Ttl,
    IReadOnlyList<UpstreamQuery> Queries);

/// <summary>
/// A three-level hierarchy (root, one TLD, one domain) with the domain's A records, served by three
/// authoritative servers: the model behind the resolution-chain visualizer and the real chain on loopback.
/// </summary>
public sealed class DnsHierarchy
{
    public DnsHierarchy(DnsZone root, DnsZone tld, DnsZone domain, IReadOnlyDictionary<string, int> aRecordTtls)
    {
        Guard.NotNull(root); Guard.NotNull(tld); Guard.NotNull(domain); Guard.NotNull(aRecordTtls);
        Guard.That(root.Apex == "", "the root's apex is the empty name", nameof(root));
        Guard.That(!tld.Apex.Contains('.'), "the TLD is one label", nameof(tld));
        Guard.That(domain.Apex.EndsWith("." + tld.Apex, StringComparison.Ordinal),
            "the domain sits directly under the TLD", nameof(domain));
        foreach (var (name, ttl) in aRecordTtls)
        {
            Guard.That(name == domain.Apex || name.EndsWith("." + domain.Apex, StringComparison.Ordinal),
                $"{name} is not in {domain.Apex}", nameof(aRecordTtls));
            Guard.InRange(ttl, 0, 604_800, nameof(aRecordTtls));
        }
        Root = root; Tld = tld; Domain = domain; ARecords = aRecordTtls;
    }

    public DnsZone Root { get; }
    public DnsZone Tld { get; }
    public DnsZone Domain { get; }
    public IReadOnlyDictionary<string, int> ARecords { get; }

    /// <summary>The hierarchy of the loopback chain: root, "test", "example.test"; TTLs as on the Internet
    /// (delegations 2 days, root NS 6 days), except what the experiment varies.</summary>
    public static DnsHierarchy Sample(int aTtl = 300, int soaTtl = 3600, int soaMinimum = 3600) => new(
        new DnsZone("", "root", NsTtl: 518_400, SoaTtl: 86_400, SoaMinimum: 86_400),
        new DnsZone("test", "tld", NsTtl: 172_800, SoaTtl: 900, SoaMinimum: 86_400),
        new DnsZone("example.test", "auth", NsTtl: 172_800, SoaTtl: soaTtl, SoaMinimum: soaMinimum),
        new Dictionary<string, int> { ["www.example.test"] = aTtl, ["api.example.test"] = aTtl });
}

/// <summary>
/// A recursive resolver's cache and its iterative walk: prime the root NS set if it is not cached, start at the
/// deepest zone whose NS set is cached, follow referrals (caching each delegation for its NS TTL), and cache the
/// answer for its TTL or a negative answer for min(SOA TTL, SOA MINIMUM) (RFC 2308). Time is in seconds.
/// </summary>
public sealed class RecursiveResolverModel
{
    private readonly DnsHierarchy _h;
    private readonly Dictionary<string, double> _expiry = new(StringComparer.Ordinal);

    public RecursiveResolverModel(DnsHierarchy hierarchy, bool primeRoot = true)
    {
        _h = Guard.NotNull(hierarchy);
        PrimeRoot = primeRoot;
    }

    /// <summary>Whether the resolver sends a priming query (". NS") to the root before its first referral.</summary>
    public bool PrimeRoot { get; }

    public void Flush() => _expiry.Clear();

    /// <summary>Resolves the A record of <paramref name="name"/> at time <paramref name="now"/> (seconds).</summary>
    public RecursiveAnswer Resolve(string name, double now)
    {
        Guard.NotEmpty(name);
        Guard.NonNegative(now);
        name = name.TrimEnd('.').ToLowerInvariant();
        Guard.That(name.EndsWith("." + _h.Tld.Apex, StringComparison.Ordinal), $"{name} is outside the model's TLD",
            nameof(name));
        if (Valid("A:" + name, now, out int left)) return new(name, true, true, left, []);
        if (Valid("NX:" + name, now, out left)) return new(name, false, true, left, []);

        var queries = new List<UpstreamQuery>();
        if (!Valid("NS:", now, out _))
        {
            if (PrimeRoot) queries.Add(new(_h.Root.Server, "", "priming"));
            Store("NS:", now, _h.Root.NsTtl);
        }
        bool inDomain = name == _h.Domain.Apex || name.EndsWith("." + _h.Domain.Apex, StringComparison.Ordinal);
        if (!Valid("NS:" + _h.Tld.Apex, now, out _))
        {
            queries.Add(new(_h.Root.Server, "", "referral"));
            Store("NS:" + _h.Tld.Apex, now, _h.Tld.NsTtl);
        }
        if (!inDomain)
        {
            queries.Add(new(_h.Tld.Server, _h.Tld.Apex, "NXDOMAIN"));
            return Negative(name, now, _h.Tld, queries);
        }
        if (!Valid("NS:" + _h.Domain.Apex, now, out _))
        {
            queries.Add(new(_h.Tld.Server, _h.Tld.Apex, "referral"));
            Store("NS:" + _h.Domain.Apex, now, _h.Domain.NsTtl);
        }
        if (_h.ARecords.TryGetValue(name, out int ttl))
        {
            queries.Add(new(_h.Domain.Server, _h.Domain.Apex, "answer"));
            Store("A:" + name, now, ttl);
            return new(name, true, false, ttl, queries);
        }
        queries.Add(new(_h.Domain.Server, _h.Domain.Apex, "NXDOMAIN"));
        return Negative(name, now, _h.Domain, queries);
    }

    private RecursiveAnswer Negative(string name, double now, DnsZone zone, List<UpstreamQuery> queries)
    {
        Store("NX:" + name, now, zone.NegativeTtl);
        return new(name, false, false, zone.NegativeTtl, queries);
    }

    private void Store(string key, double now, int ttl) => _expiry[key] = now + ttl;

    private bool Valid(string key, double now, out int secondsLeft)
    {
        secondsLeft = 0;
        if (!_expiry.TryGetValue(key, out double until) || until <= now) return false;
        secondsLeft = (int)Math.Floor(until - now);
        return true;
    }
}
