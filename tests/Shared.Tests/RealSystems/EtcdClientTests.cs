using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// A scripted etcd member on a loopback port: answers each gateway path with the JSON its handler returns and
/// records the request bodies. Lets <see cref="EtcdCluster"/>'s parsing and health rules be tested without etcd.
/// </summary>
internal sealed class FakeEtcdMember : LoopbackServer
{
    private readonly Func<string, JsonObject, (int Status, string Body)> _handle;

    public FakeEtcdMember(Func<string, JsonObject, (int Status, string Body)> handle)
    {
        _handle = handle;
        Url = $"http://127.0.0.1:{Port}";
        StartAccepting();
    }

    public string Url { get; }

    public ConcurrentQueue<(string Path, JsonObject Body)> Requests { get; } = new();

    /// <summary>A member that reports a status (ids and leader as etcd's gateway writes them: strings).</summary>
    public static FakeEtcdMember WithStatus(ulong id, ulong leader,
        Func<string, JsonObject, (int, string)?>? other = null) =>
        new((path, body) => path == "/v3/maintenance/status"
            ? (200, $$"""
                {"header":{"member_id":"{{id}}"},"leader":"{{leader}}","raftTerm":"3","raftIndex":"9","version":"3.5.0"}
                """)
            : other?.Invoke(path, body) ?? (404, "no such path"));

    protected override void Serve(NetworkStream stream)
    {
        var request = ReadHttpRequest(stream);
        var body = JsonNode.Parse(request.Body)?.AsObject() ?? [];
        Requests.Enqueue((request.Target, body));
        var (status, answer) = _handle(request.Target, body);
        WriteHttpResponse(stream, status, answer, "application/json");
    }
}

public sealed class EtcdClientTests
{
    /// <summary>The clients' request timeout. <see cref="EtcdCluster"/> blocks pool threads on its requests; with
    /// the whole suite running in parallel on 2 cores the pool can take seconds to run a fake's answer, so the
    /// default 2 s made a live member read as "does not answer" (a CI run). Refused ports still fail at once.</summary>
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(30);

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private const string Members = """
        {"members":[{"ID":"12","name":"etcd2","clientURLs":["http://m2"]},
                    {"ID":"11","name":"etcd1","clientURLs":["http://m1"]},
                    {"ID":"13","name":"etcd3"}]}
        """;

    private static (int, string)? MemberList(string path, JsonObject _) =>
        path == "/v3/cluster/member/list" ? (200, Members) : null;

    [Fact]
    public void A_status_is_read_from_strings_and_a_member_leads_only_when_it_names_itself()
    {
        using var m = FakeEtcdMember.WithStatus(11, 11);
        using var etcd = new EtcdCluster([m.Url], Patient);
        var st = etcd.Status(m.Url);
        Assert.Equal(new EtcdStatus(m.Url, 11, 11, 3, 9, "3.5.0"), st);
        Assert.True(st.IsLeader);
        Assert.False((st with { Leader = 12 }).IsLeader);
        Assert.False(new EtcdStatus("u", 0, 0, 0, 0, "").IsLeader);   // 0: no leader known, not "I am member 0"
        var request = Assert.Single(m.Requests);
        Assert.Equal(("/v3/maintenance/status", "{}"), (request.Path, request.Body.ToJsonString()));
    }

    [Fact]
    public void Health_needs_every_member_to_answer_one_agreed_leader_and_that_leader_to_say_so()
    {
        using var a = FakeEtcdMember.WithStatus(11, 11);
        using var b = FakeEtcdMember.WithStatus(12, 11);
        using var c = FakeEtcdMember.WithStatus(13, 11);
        using (var etcd = new EtcdCluster([a.Url, b.Url, c.Url], Patient))
            Assert.Null(etcd.Health(Patient));
        using var split = FakeEtcdMember.WithStatus(13, 12);
        using (var etcd = new EtcdCluster([a.Url, b.Url, split.Url], Patient))
            Assert.Equal("etcd: members disagree on the leader: 11 12", etcd.Health(Patient));
        using var lost1 = FakeEtcdMember.WithStatus(11, 0);
        using var lost2 = FakeEtcdMember.WithStatus(12, 0);
        using (var etcd = new EtcdCluster([lost1.Url, lost2.Url], Patient))
            Assert.Equal("etcd: members disagree on the leader: 0", etcd.Health(Patient));
        using var ghost1 = FakeEtcdMember.WithStatus(11, 99);
        using var ghost2 = FakeEtcdMember.WithStatus(12, 99);
        using (var etcd = new EtcdCluster([ghost1.Url, ghost2.Url], Patient))
            Assert.Equal("etcd: no member says it leads", etcd.Health(Patient));
        using (var etcd = new EtcdCluster([a.Url, "http://127.0.0.1:1"], Patient))
        {
            Assert.Equal("etcd: http://127.0.0.1:1 does not answer", etcd.Health(Patient));
            Assert.Equal([a.Url], etcd.Statuses().Select(s => s.Endpoint));
        }
    }

    [Fact]
    public void The_leader_is_the_member_two_answering_members_agree_on()
    {
        using var a = FakeEtcdMember.WithStatus(11, 12, MemberList);
        using var b = FakeEtcdMember.WithStatus(12, 12);
        using var etcd = new EtcdCluster([a.Url, b.Url], Patient);
        Assert.Equal(["etcd1", "etcd2", "etcd3"], etcd.Members().Select(m => m.Name));
        Assert.Equal(new EtcdMember(13, "etcd3", ""), etcd.Members()[2]);
        Assert.Equal(new EtcdMember(12, "etcd2", "http://m2"), etcd.Leader());
        Assert.Equal("http://m1", etcd.EndpointOf("etcd1"));
        var none = Assert.Throws<ArgumentException>(() => etcd.EndpointOf("etcd9"));
        Assert.Equal(("memberName", "no etcd member 'etcd9' (Parameter 'memberName')"), (none.ParamName, none.Message));
        var found = etcd.WaitForLeader(0, Patient);
        Assert.Equal("etcd2", found!.Value.Leader.Name);
        Assert.Null(etcd.WaitForLeader(12, TimeSpan.FromMilliseconds(100)));   // the only leader is to be avoided
        using var alone = new EtcdCluster([a.Url, "http://127.0.0.1:1"], Patient);
        Assert.Null(alone.Leader());                                           // one answer is no agreement
    }

    [Fact]
    public void Disagreeing_or_leaderless_members_name_no_leader()
    {
        using var a = FakeEtcdMember.WithStatus(11, 11, MemberList);
        using var b = FakeEtcdMember.WithStatus(12, 12);
        using (var etcd = new EtcdCluster([a.Url, b.Url], Patient))
            Assert.Null(etcd.Leader());
        using var c = FakeEtcdMember.WithStatus(11, 0, MemberList);
        using var d = FakeEtcdMember.WithStatus(12, 0);
        using (var etcd = new EtcdCluster([c.Url, d.Url], Patient))
            Assert.Null(etcd.Leader());
    }

    [Fact]
    public void Key_value_requests_send_base64_keys_and_read_values_and_revisions()
    {
        using var m = new FakeEtcdMember((path, body) => path switch
        {
            "/v3/kv/put" => (200, """{"header":{"revision":"21"}}"""),
            "/v3/kv/range" when (string?)body["key"] == B64("k") => (200, $$"""
                {"header":{"revision":"20","member_id":"12"},
                 "kvs":[{"key":"{{B64("k")}}","value":"{{B64("vé")}}","mod_revision":"19","create_revision":"5"}]}
                """),
            "/v3/kv/range" => (200, """{"header":{"revision":"20","member_id":"12"}}"""),
            "/v3/kv/deleterange" => (200, """{"header":{},"deleted":"3"}"""),
            _ => (404, "?"),
        });
        using var etcd = new EtcdCluster([m.Url], Patient);
        Assert.Equal(21, etcd.Put("k", "v", lease: 7));
        Assert.Equal(21, etcd.Put("k", "v", m.Url));
        Assert.Equal(new EtcdValue("k", "vé", 19, 5, 20, 12), etcd.Get("k"));
        Assert.Equal(new EtcdValue("none", null, 0, 0, 20, 12), etcd.Get("none", m.Url, serializable: true));
        Assert.Equal(3, etcd.DeletePrefix("nb/"));
        var sent = m.Requests.Select(r => r.Body.ToJsonString()).ToArray();
        Assert.Equal($$"""{"key":"{{B64("k")}}","value":"{{B64("v")}}","lease":"7"}""", sent[0]);
        Assert.Equal($$"""{"key":"{{B64("k")}}","value":"{{B64("v")}}"}""", sent[1]);
        Assert.Equal($$"""{"key":"{{B64("k")}}"}""", sent[2]);
        Assert.Equal($$"""{"key":"{{B64("none")}}","serializable":true}""", sent[3]);
        Assert.Equal($$"""{"key":"{{B64("nb/")}}","range_end":"{{B64("nb0")}}"}""", sent[4]);   // '/' + 1 is '0'
    }

    [Fact]
    public void Leases_and_the_lock_service_go_through_the_gateway_and_an_error_status_throws_with_the_body()
    {
        using var m = new FakeEtcdMember((path, body) => path switch
        {
            "/v3/lease/grant" => (200, """{"ID":"77","TTL":"5"}"""),
            "/v3/lease/keepalive" => (200, """{"result":{"ID":"77","TTL":"4"}}"""),
            "/v3/lease/revoke" => (200, "{}"),
            "/v3/lock/lock" => (200, $$"""{"key":"{{B64("job/694d")}}"}"""),
            "/v3/kv/range" => (200, """{"header":{"revision":"30"},"kvs":[{"create_revision":"28"}]}"""),
            "/v3/lock/unlock" => (200, "{}"),
            _ => (500, "etcdserver: request timed out"),
        });
        using var etcd = new EtcdCluster([m.Url], Patient);
        Assert.Equal(77, etcd.GrantLease(5));
        Assert.Equal(4, etcd.KeepAlive(77));
        etcd.RevokeLease(77);
        Assert.Equal(("job/694d", 28L), etcd.Lock("job", 77));
        etcd.Unlock("job/694d");
        var sent = m.Requests.Select(r => $"{r.Path} {r.Body.ToJsonString()}").ToArray();
        Assert.Equal(
        [
            """/v3/lease/grant {"TTL":"5"}""", """/v3/lease/keepalive {"ID":"77"}""",
            """/v3/lease/revoke {"ID":"77"}""", $$"""/v3/lock/lock {"name":"{{B64("job")}}","lease":"77"}""",
            $$"""/v3/kv/range {"key":"{{B64("job/694d")}}"}""",
            $$"""/v3/lock/unlock {"key":"{{B64("job/694d")}}"}""",
        ], sent);
        var e = Assert.Throws<EtcdException>(() => etcd.Put("k", "v"));
        Assert.Equal($"etcd {m.Url}/v3/kv/put: 500 etcdserver: request timed out", e.Message);
        Assert.Equal("etcdserver: request timed out", e.Body);
    }
}
