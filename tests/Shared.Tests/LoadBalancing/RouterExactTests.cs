using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

public sealed class RouterExactTests
{
    private static HttpRequestInfo Req(string host, string path, (string, string)[]? headers = null,
        (string, string)[]? cookies = null) =>
        new(host, path, (headers ?? []).ToDictionary(h => h.Item1, h => h.Item2),
            (cookies ?? []).ToDictionary(c => c.Item1, c => c.Item2));

    private static Dictionary<string, string[]> Pools(params (string, string[])[] p) =>
        p.ToDictionary(x => x.Item1, x => x.Item2);

    [Fact]
    public void Router_guards_name_their_parameters()
    {
        var pools = Pools(("web", ["w1"]));
        Null("r", () => new RouteRule("web").Matches(null!));
        Null("rules", () => new L7Router(null!, pools));
        Invalid("rules", () => new L7Router([], pools), "at least one rule is needed");
        Null("pools", () => new L7Router([new RouteRule("web")], null!));
        Invalid("rules", () => new L7Router([new RouteRule("web"), new RouteRule("api")], pools),
            "rule names unknown pool 'api'");
        Null("cookieName", () => new L7Router([new RouteRule("web")], pools, null!));
        Invalid("cookieName", () => new L7Router([new RouteRule("web")], pools, ""));
        var router = new L7Router([new RouteRule("web")], pools);
        Null("request", () => router.Route(null!));
        Invalid("backend", () => router.Remove(""));
        Null("backend", () => router.Remove(null!));
        router.Remove("w1");
        Invalid("request", () => router.Route(HttpRequestInfo.Get("h", "/")), "pool 'web' has no backends");
    }

    [Fact]
    public void A_request_built_with_get_has_no_headers_or_cookies()
    {
        var r = HttpRequestInfo.Get("example.org", "/a");
        Assert.Equal(("example.org", "/a"), (r.Host, r.Path));
        Assert.Empty(r.Headers);
        Assert.Empty(r.Cookies);
    }

    [Fact]
    public void Rules_match_host_case_insensitively_path_by_ordinal_prefix_and_headers_exactly()
    {
        var host = new RouteRule("p", Host: "api.example.org");
        Assert.True(host.Matches(Req("API.Example.org", "/")));
        Assert.False(host.Matches(Req("www.example.org", "/")));
        var path = new RouteRule("p", PathPrefix: "/api");
        Assert.True(path.Matches(Req("h", "/api/v1")));
        Assert.False(path.Matches(Req("h", "/API/v1")));
        Assert.False(path.Matches(Req("h", "/ap")));
        var anyValue = new RouteRule("p", HeaderName: "X-Beta");
        Assert.True(anyValue.Matches(Req("h", "/", [("X-Beta", "whatever")])));
        Assert.False(anyValue.Matches(Req("h", "/", [("X-Other", "1")])));
        var value = new RouteRule("p", HeaderName: "X-Beta", HeaderValue: "1");
        Assert.True(value.Matches(Req("h", "/", [("X-Beta", "1")])));
        Assert.False(value.Matches(Req("h", "/", [("X-Beta", "2")])));
        Assert.False(value.Matches(Req("h", "/")));
        // A value without a header name is no condition.
        Assert.True(new RouteRule("p", HeaderValue: "1").Matches(Req("h", "/")));
        Assert.True(new RouteRule("p").Matches(Req("h", "/")));
        // Every condition must hold.
        var all = new RouteRule("p", Host: "a", PathPrefix: "/x", HeaderName: "H", HeaderValue: "v");
        Assert.True(all.Matches(Req("a", "/x/y", [("H", "v")])));
        Assert.False(all.Matches(Req("b", "/x/y", [("H", "v")])));
        Assert.False(all.Matches(Req("a", "/y", [("H", "v")])));
        Assert.False(all.Matches(Req("a", "/x/y", [("H", "w")])));
    }

    [Fact]
    public void The_first_matching_rule_wins_and_each_pool_keeps_its_own_round_robin()
    {
        var router = new L7Router(
            [new RouteRule("beta", HeaderName: "X-Beta"), new RouteRule("api", PathPrefix: "/api"),
                new RouteRule("web", PathPrefix: "/")],
            Pools(("beta", ["b1"]), ("api", ["a1", "a2"]), ("web", ["w1", "w2", "w3"])));
        Assert.Equal("SRV", router.CookieName);
        var seq = new[]
        {
            router.Route(Req("h", "/api/x"))!, router.Route(Req("h", "/"))!, router.Route(Req("h", "/api/y"))!,
            router.Route(Req("h", "/"))!, router.Route(Req("h", "/api", [("X-Beta", "1")]))!,
            router.Route(Req("h", "/api"))!, router.Route(Req("h", "/"))!, router.Route(Req("h", "/"))!,
        };
        Assert.Equal(new[] { "api", "web", "api", "web", "beta", "api", "web", "web" }, seq.Select(d => d.Pool));
        Assert.Equal(new[] { "a1", "w1", "a2", "w2", "b1", "a1", "w3", "w1" }, seq.Select(d => d.Backend));
        Assert.Equal(seq.Select(d => $"SRV={d.Backend}"), seq.Select(d => d.SetCookie));
        Assert.Null(router.Route(Req("h", "nothing")));
    }

    [Fact]
    public void A_valid_cookie_sticks_and_a_stale_one_is_rebalanced_with_a_new_cookie()
    {
        var router = new L7Router([new RouteRule("web")], Pools(("web", ["w1", "w2", "w3"])), cookieName: "LB");
        Assert.Equal("LB", router.CookieName);
        Assert.Equal(new RouteDecision("web", "w3", null), router.Route(Req("h", "/", cookies: [("LB", "w3")])));
        // The other cookie name is not ours: balanced (round robin from the start).
        Assert.Equal(new RouteDecision("web", "w1", "LB=w1"), router.Route(Req("h", "/", cookies: [("SRV", "w3")])));
        // A cookie naming no member is rebalanced.
        Assert.Equal(new RouteDecision("web", "w2", "LB=w2"), router.Route(Req("h", "/", cookies: [("LB", "zz")])));
        router.Remove("w3");
        Assert.Equal(new RouteDecision("web", "w1", "LB=w1"), router.Route(Req("h", "/", cookies: [("LB", "w3")])));
        Assert.Equal(new RouteDecision("web", "w2", "LB=w2"), router.Route(Req("h", "/")));
        router.Remove("nobody");
        Assert.Equal(new RouteDecision("web", "w1", "LB=w1"), router.Route(Req("h", "/")));
    }

    [Fact]
    public void Remove_takes_a_backend_out_of_every_pool()
    {
        var router = new L7Router([new RouteRule("a", Host: "a"), new RouteRule("b")],
            Pools(("a", ["x", "y"]), ("b", ["y", "x"])));
        router.Remove("x");
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal("y", router.Route(Req("a", "/"))!.Backend));
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal("y", router.Route(Req("b", "/"))!.Backend));
    }

    [Fact]
    public void Stickiness_guards_name_their_parameters()
    {
        OutOfRange("backends", () => Stickiness.Compare(1, 10, 0));
        OutOfRange("users", () => Stickiness.Compare(3, 0, 0));
        OutOfRange("leaving", () => Stickiness.Compare(3, 10, -2));
        OutOfRange("leaving", () => Stickiness.Compare(3, 10, 3));
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(5, -1)]
    [InlineData(3, 0)]
    public void Stickiness_counts_exactly_the_users_each_scheme_moves(int n, int leaving)
    {
        const int users = 3_000;
        var result = Stickiness.Compare(n, users, leaving, virtualNodes: 20);
        var names = Enumerable.Range(0, n + 1).Select(i => $"b{i}").ToArray();
        var before = new ConsistentHashBalancer(names, 20, new HashSet<int> { n });
        var after = new ConsistentHashBalancer(names, 20, leaving < 0 ? null : new HashSet<int> { n, leaving });
        var alive = Enumerable.Range(0, leaving < 0 ? n + 1 : n).Where(i => i != leaving).ToArray();
        int sticky = 0, ring = 0, modulo = 0;
        for (int u = 0; u < users; u++)
        {
            string key = $"user-{u}";
            if (u % n == leaving) sticky++;
            if (before.Owner(key) != after.Owner(key)) ring++;
            ulong h = ConsistentHashBalancer.Hash(key);
            if ((int)(h % (ulong)n) != alive[(int)(h % (ulong)alive.Length)]) modulo++;
        }
        Assert.Equal(new[] { "sticky cookie", "consistent hash (user id)", "hash mod n (user id)" },
            result.Select(r => r.Scheme));
        Assert.All(result, r => Assert.Equal(users, r.Users));
        Assert.Equal(new[] { sticky, ring, modulo }, result.Select(r => r.Moved));
        Assert.All(result, r => Assert.Equal((double)r.Moved / users, r.MovedShare, 12));
        Assert.True(ring > 0 && modulo > ring);
        if (leaving < 0) Assert.Equal(0, sticky);
        else Assert.Equal(users / n + (leaving < users % n ? 1 : 0), sticky);
    }
}
