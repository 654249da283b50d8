using System.Text;
using System.Text.Json.Nodes;
using SystemDesign.Locking;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Locking;

/// <summary>
/// The etcd lock against a scripted gateway (<see cref="FakeEtcdMember"/>): the exact transactions it sends and
/// how it reads every shape of answer, including the ones a healthy etcd rarely gives. No server needed.
/// </summary>
public sealed class EtcdLeaseLockFakeTests
{
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(30); // fakes answer slowly on a busy machine

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static void Body(string expected, JsonObject actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    private static string Compare(string key, long revision) =>
        $$"""{"key":"{{B64(key)}}","target":"CREATE","result":"EQUAL","createRevision":"{{revision}}"}""";

    [Fact]
    public void Acquire_puts_the_key_under_a_new_lease_only_while_it_has_no_create_revision_else_revokes_the_lease()
    {
        string txn = """{"header":{"revision":"42"},"succeeded":true}""";
        using var etcd = new FakeEtcdMember((path, _) => path switch
        {
            "/v3/lease/grant" => (200, """{"ID":"77","TTL":"4"}"""),
            "/v3/kv/txn" => (200, txn),
            _ => (404, "no such path"), // revoke: an answer the lock ignores
        });
        using var lk = new EtcdLeaseLock(etcd.Url + "/", "lk", Patient);
        Assert.Equal(new EtcdLockGrant("h", 77, 4, 42), lk.TryAcquire("h", 4));
        var sent = etcd.Requests.ToArray();
        Assert.Equal(["/v3/lease/grant", "/v3/kv/txn"], sent.Select(r => r.Path));
        Body("""{"TTL":"4"}""", sent[0].Body);
        Body($$$"""
            {"compare":[{{{Compare("lk", 0)}}}],
             "success":[{"requestPut":{"key":"{{{B64("lk")}}}","value":"{{{B64("h")}}}","lease":"77"}}]}
            """, sent[1].Body);

        foreach (string refused in new[] { """{"header":{"revision":"43"}}""", """{"succeeded":false}""" })
        {
            etcd.Requests.Clear();
            txn = refused;
            Assert.Null(lk.TryAcquire("h", 4));
            sent = etcd.Requests.ToArray();
            Assert.Equal(["/v3/lease/grant", "/v3/kv/txn", "/v3/lease/revoke"], sent.Select(r => r.Path));
            Body("""{"ID":"77"}""", sent[2].Body);
        }
    }

    [Fact]
    public void Keep_alive_reads_the_ttl_inside_or_outside_result_and_none_as_zero()
    {
        string answer = """{"result":{"ID":"77","TTL":"9"}}""";
        using var etcd = new FakeEtcdMember((_, _) => (200, answer));
        using var lk = new EtcdLeaseLock(etcd.Url, "lk", Patient);
        var grant = new EtcdLockGrant("h", 77, 9, 42);
        Assert.Equal(9, lk.KeepAlive(grant));
        var (path, body) = Assert.Single(etcd.Requests);
        Assert.Equal("/v3/lease/keepalive", path);
        Body("""{"ID":"77"}""", body);
        answer = """{"TTL":"7"}""";
        Assert.Equal(7, lk.KeepAlive(grant));
        answer = """{"result":{"ID":"77"}}""";
        Assert.Equal(0, lk.KeepAlive(grant));
    }

    [Fact]
    public void Release_and_fenced_writes_compare_the_create_revision_with_the_token()
    {
        string txn = """{"succeeded":true}""";
        using var etcd = new FakeEtcdMember((path, _) => path == "/v3/kv/txn" ? (200, txn) : (200, "{}"));
        using var lk = new EtcdLeaseLock(etcd.Url, "lk", Patient);
        var grant = new EtcdLockGrant("h", 77, 9, 42);
        Assert.True(lk.Release(grant));
        var sent = etcd.Requests.ToArray();
        Assert.Equal(["/v3/kv/txn", "/v3/lease/revoke"], sent.Select(r => r.Path));
        Body($$$"""
            {"compare":[{{{Compare("lk", 42)}}}],
             "success":[{"requestDeleteRange":{"key":"{{{B64("lk")}}}"}}]}
            """, sent[0].Body);
        Body("""{"ID":"77"}""", sent[1].Body);

        etcd.Requests.Clear();
        Assert.True(lk.WriteIfHolder("d", "v", 41));
        Body($$$"""
            {"compare":[{{{Compare("lk", 41)}}}],
             "success":[{"requestPut":{"key":"{{{B64("d")}}}","value":"{{{B64("v")}}}"}}]}
            """, Assert.Single(etcd.Requests).Body);
        txn = """{"succeeded":false}""";
        Assert.False(lk.WriteIfHolder("d", "v", 41));
        Assert.False(lk.Release(grant));
        txn = "{}";
        Assert.False(lk.WriteIfHolder("d", "v", 41));
    }

    [Fact]
    public void Read_returns_the_first_value_or_null_and_clear_deletes_the_lock_key_first()
    {
        string answer = $$"""{"kvs":[{"key":"{{B64("d")}}","value":"{{B64("x")}}"},{"value":"{{B64("y")}}"}]}""";
        using var etcd = new FakeEtcdMember((_, _) => (200, answer));
        using var lk = new EtcdLeaseLock(etcd.Url, "lk", Patient);
        Assert.Equal("x", lk.Read("d"));
        var (path, body) = Assert.Single(etcd.Requests);
        Assert.Equal("/v3/kv/range", path);
        Body($$"""{"key":"{{B64("d")}}"}""", body);
        foreach (string none in new[] { """{"count":"0"}""", """{"kvs":[]}""", "null" })
        {
            answer = none;
            Assert.Null(lk.Read("d"));
        }

        etcd.Requests.Clear();
        lk.Clear("d", "e");
        var sent = etcd.Requests.ToArray();
        Assert.Equal(["/v3/kv/deleterange", "/v3/kv/deleterange", "/v3/kv/deleterange"], sent.Select(r => r.Path));
        Assert.Equal(["lk", "d", "e"],
            sent.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r.Body["key"]!))));
    }

    [Fact]
    public void An_error_status_names_the_member_the_path_the_status_and_the_answer()
    {
        using var etcd = new FakeEtcdMember((_, _) => (500, "boom"));
        using var lk = new EtcdLeaseLock(etcd.Url, "lk", Patient);
        var e = Assert.Throws<InvalidOperationException>(() => lk.Read("d"));
        Assert.Equal($"etcd {etcd.Url}/v3/kv/range: 500 boom", e.Message);
    }

    [Fact]
    public void Healthy_needs_every_member_to_answer_and_all_to_name_the_same_nonzero_leader()
    {
        using var a = FakeEtcdMember.WithStatus(1, 1);
        using var b = FakeEtcdMember.WithStatus(2, 1);
        using var rebel = FakeEtcdMember.WithStatus(3, 3);
        using var lost = FakeEtcdMember.WithStatus(4, 0);
        using var lost2 = FakeEtcdMember.WithStatus(5, 0);
        bool Healthy(TimeSpan timeout, params string[] urls)
        {
            using var cluster = new EtcdCluster(urls, Patient);
            return EtcdLockFaults.Healthy(cluster, timeout);
        }
        var brief = TimeSpan.FromMilliseconds(120);
        Assert.True(Healthy(Patient, a.Url, b.Url));     // returns as soon as both answer in time
        Assert.False(Healthy(brief, a.Url, rebel.Url));  // two leaders, polled until the timeout
        Assert.False(Healthy(brief, lost.Url, lost2.Url)); // agree on no leader
        Assert.False(Healthy(brief, a.Url, "http://127.0.0.1:1")); // one does not answer
    }
}
