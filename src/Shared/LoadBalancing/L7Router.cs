namespace SystemDesign.LoadBalancing;

/// <summary>An HTTP request as an L7 router sees it (an L4 router sees only addresses and ports).</summary>
public sealed record HttpRequestInfo(string Host, string Path, IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Cookies)
{
    /// <summary>A request with no headers or cookies.</summary>
    public static HttpRequestInfo Get(string host, string path) =>
        new(host, path, new Dictionary<string, string>(), new Dictionary<string, string>());
}

/// <summary>One routing rule: every non-null condition must hold; the first matching rule wins.</summary>
public sealed record RouteRule(string Pool, string? Host = null, string? PathPrefix = null,
    string? HeaderName = null, string? HeaderValue = null)
{
    /// <summary>Whether the request matches (host exact, case-insensitive; path by prefix; header exact).</summary>
    public bool Matches(HttpRequestInfo r)
    {
        Guard.NotNull(r);
        if (Host is not null && !string.Equals(Host, r.Host, StringComparison.OrdinalIgnoreCase)) return false;
        if (PathPrefix is not null && !r.Path.StartsWith(PathPrefix, StringComparison.Ordinal)) return false;
        if (HeaderName is not null
            && !(r.Headers.TryGetValue(HeaderName, out var v) && (HeaderValue is null || v == HeaderValue)))
            return false;
        return true;
    }
}

/// <summary>The routing decision: pool, backend, and the cookie to set (null when none).</summary>
public sealed record RouteDecision(string Pool, string Backend, string? SetCookie);

/// <summary>
/// A small L7 router: rules pick a pool by host, path prefix and header; inside the pool, a request carrying
/// a valid stickiness cookie (<c>SRV=backend</c>) goes to that backend, anything else is balanced round robin
/// and told to set the cookie. Backends can be removed (a cookie naming one is re-balanced).
/// </summary>
public sealed class L7Router
{
    private readonly List<RouteRule> rules;
    private readonly Dictionary<string, List<string>> pools;
    private readonly Dictionary<string, int> next = new();

    public L7Router(IEnumerable<RouteRule> rules, IReadOnlyDictionary<string, string[]> pools,
        string cookieName = "SRV")
    {
        this.rules = Guard.NotNull(rules).ToList();
        Guard.That(this.rules.Count > 0, "at least one rule is needed", nameof(rules));
        this.pools = Guard.NotNull(pools).ToDictionary(p => p.Key, p => p.Value.ToList());
        foreach (var r in this.rules)
            Guard.That(this.pools.ContainsKey(r.Pool), $"rule names unknown pool '{r.Pool}'", nameof(rules));
        CookieName = Guard.NotEmpty(cookieName);
    }

    /// <summary>The stickiness cookie's name.</summary>
    public string CookieName { get; }

    /// <summary>Removes a backend from every pool (it failed or was drained).</summary>
    public void Remove(string backend)
    {
        foreach (var p in pools.Values) p.Remove(Guard.NotEmpty(backend));
    }

    /// <summary>Routes one request; null when no rule matches (a 404 at the balancer).</summary>
    public RouteDecision? Route(HttpRequestInfo request)
    {
        Guard.NotNull(request);
        var rule = rules.FirstOrDefault(r => r.Matches(request));
        if (rule is null) return null;
        var members = pools[rule.Pool];
        Guard.That(members.Count > 0, $"pool '{rule.Pool}' has no backends", nameof(request));
        if (request.Cookies.TryGetValue(CookieName, out var sticky) && members.Contains(sticky))
            return new RouteDecision(rule.Pool, sticky, null);
        int i = next.GetValueOrDefault(rule.Pool);
        next[rule.Pool] = i + 1;
        string chosen = members[i % members.Count];
        return new RouteDecision(rule.Pool, chosen, $"{CookieName}={chosen}");
    }
}

/// <summary>What happens to users' backends when the pool changes, per assignment scheme.</summary>
public sealed record RemapResult(string Scheme, int Users, int Moved, double MovedShare);

/// <summary>Sticky cookies vs consistent hashing vs modulo hashing on a user id when a backend leaves or
/// joins: the share of users whose backend changes.</summary>
public static class Stickiness
{
    /// <summary>n backends, one removed (<paramref name="leaving"/>) or, when it is −1, one added.</summary>
    public static IReadOnlyList<RemapResult> Compare(int backends, int users, int leaving, int virtualNodes = 100)
    {
        Guard.InRange(backends, 2, 1000);
        Guard.InRange(users, 1, 10_000_000);
        Guard.InRange(leaving, -1, backends - 1);
        var names = Enumerable.Range(0, backends + 1).Select(i => $"b{i}").ToArray();
        bool join = leaving < 0;
        int before = backends;
        var ringBefore = new ConsistentHashBalancer(names, virtualNodes, new HashSet<int> { backends });
        var ringAfter = new ConsistentHashBalancer(names, virtualNodes,
            join ? new HashSet<int>() : new HashSet<int> { backends, leaving });
        var survivors = join ? Enumerable.Range(0, backends + 1).ToArray()
            : Enumerable.Range(0, backends).Where(i => i != leaving).ToArray();
        int sticky = 0, ring = 0, modulo = 0;
        for (int u = 0; u < users; u++)
        {
            string key = $"user-{u}";
            // Sticky cookie: assigned round robin at first visit; moves only if its backend is gone.
            int cookie = u % before;
            if (!join && cookie == leaving) sticky++;
            if (ringBefore.Owner(key) != ringAfter.Owner(key)) ring++;
            ulong h = ConsistentHashBalancer.Hash(key);
            int modBefore = (int)(h % (ulong)before);
            int modAfter = survivors[(int)(h % (ulong)survivors.Length)];
            if (modBefore != modAfter) modulo++;
        }
        return
        [
            new("sticky cookie", users, sticky, (double)sticky / users),
            new("consistent hash (user id)", users, ring, (double)ring / users),
            new("hash mod n (user id)", users, modulo, (double)modulo / users),
        ];
    }
}
