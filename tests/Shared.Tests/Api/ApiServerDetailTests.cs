using System.Net;
using System.Net.Http.Json;
using Grpc.Core;
using SystemDesign.Api;

namespace SystemDesign.Tests.Api;

public sealed class ApiServerDetailTests
{
    [Fact]
    public async Task Rest_v1_is_deprecated_with_rfc_headers_v2_is_not_and_unknown_users_are_404_in_every_style()
    {
        using var store = new SqliteUserStore(users: 3, postsPerUser: 1);
        await using var server = await ApiServer.StartAsync(store);
        Assert.Same(store, server.Store);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.Equal("http", server.BaseAddress.Scheme);
        using var clients = new ApiClients(server.BaseAddress);

        var (v1, c1) = clients.Rest("/v1/users/2", 7);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal(new Version(2, 0), v1.Version);
        Assert.Equal("@1704067200", v1.Headers.GetValues("Deprecation").Single());
        Assert.Equal("Thu, 31 Dec 2026 23:59:59 GMT", v1.Headers.GetValues("Sunset").Single());
        Assert.Equal("</v2/users>; rel=\"successor-version\"", v1.Headers.GetValues("Link").Single());
        Assert.Equal("application/json", v1.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Payloads.RestJson(new[] { SampleUsers.Make(2) }), await v1.Content.ReadAsByteArrayAsync());
        Assert.Equal(("REST", 7), (c1.Style, c1.Call));
        Assert.Equal(Payloads.RestJson(new[] { SampleUsers.Make(2) }).Length, c1.BodyBytes);
        Assert.True(c1.BytesReceived > c1.BodyBytes);
        Assert.True(c1.BytesSent > 0);
        Assert.Equal(c1.BytesSent + c1.BytesReceived, c1.Total);

        var (v2, _) = clients.Rest("/v2/users/2", 8);
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.False(v2.Headers.Contains("Deprecation"));
        Assert.False(v2.Headers.Contains("Sunset"));
        Assert.Equal(HttpStatusCode.NotFound, clients.Rest("/v2/users/99", 9).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, clients.Rest("/v1/users/99", 10).Response.StatusCode);

        var (user, g) = clients.Grpc(3, 4);
        Assert.Equal(SampleUsers.Make(3), user);
        Assert.Equal(("gRPC", 4, user.CalculateSize()), (g.Style, g.Call, g.BodyBytes));
        Assert.True(g.BytesReceived > g.BodyBytes);
        Assert.Equal(StatusCode.NotFound, Assert.Throws<RpcException>(() => clients.Grpc(99, 5)).StatusCode);

        var (json, q) = clients.GraphQl("{ user(id: 1) { id posts { title } } }", 6, batched: false);
        Assert.Equal("{\"data\":{\"user\":{\"id\":1,\"posts\":[{\"title\":\"Post 1 by user 1\"}]}}}", json);
        Assert.Equal(("GraphQL", 6, json.Length), (q.Style, q.Call, q.BodyBytes));
        Assert.Equal(json, clients.GraphQl("{ user(id: 1) { id posts { title } } }", 7).Json);

        using var raw = new HttpClient(new SocketsHttpHandler()) { BaseAddress = server.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var path in new[] { "/graphql", "/graphql-naive" })
        {
            using var r = await raw.PostAsJsonAsync(path, new ApiServer.GraphQlRequest("{ user(id: 2) { id } }"));
            Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
            Assert.Equal("{\"data\":{\"user\":{\"id\":2}}}", await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Compare_makes_the_calls_in_turn_and_each_style_gets_cheaper_after_its_first_call()
    {
        var store = new MemoryUserStore(SampleUsers.Page(2));
        await using var server = ApiServer.Start(store);
        using var clients = new ApiClients(server.BaseAddress);
        var calls = clients.Compare(2, new[] { "name", "id" }, 2);
        Assert.Equal(new[] { ("REST", 1), ("gRPC", 1), ("GraphQL", 1), ("REST", 2), ("gRPC", 2), ("GraphQL", 2) },
            calls.Select(c => (c.Style, c.Call)));
        Assert.Equal(Payloads.RestJson(new[] { SampleUsers.Make(2) }).Length, calls[3].BodyBytes);
        Assert.Equal(SampleUsers.Make(2).CalculateSize(), calls[4].BodyBytes);
        Assert.Equal(("{\"data\":{\"user\":{\"name\":\"" + SampleUsers.Make(2).Name + "\",\"id\":2}}}").Length, calls[5].BodyBytes);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(calls[i + 3].BytesSent < calls[i].BytesSent);     // no connection preface or SETTINGS the second time
            Assert.True(calls[i + 3].BytesSent > 0);
            Assert.True(calls[i + 3].BytesReceived >= calls[i + 3].BodyBytes);
        }
    }
}

public sealed class CountingStreamTests
{
    private sealed class Probe : MemoryStream
    {
        public int Flushes;
        public override void Flush() { Flushes++; base.Flush(); }
        public override Task FlushAsync(CancellationToken cancellationToken) { Flushes += 10; return Task.CompletedTask; }
    }

    [Fact]
    public async Task Every_read_and_write_path_is_counted_and_the_rest_is_passed_through()
    {
        var inner = new Probe();
        var counter = new CountingStream.Counter();
        var s = new CountingStream(inner, counter);
        Assert.True(s.CanRead);
        Assert.True(s.CanWrite);
        Assert.False(s.CanSeek);
        s.Write(new byte[] { 1, 2, 3, 4, 5 }, 1, 3);
        await s.WriteAsync(new byte[] { 6, 7 });
        await s.WriteAsync(new byte[] { 8, 9, 10 }, 0, 2);
        Assert.Equal((7L, 0L), counter.Snapshot());
        Assert.Equal(new byte[] { 2, 3, 4, 6, 7, 8, 9 }, inner.ToArray());
        s.Flush();
        await s.FlushAsync(CancellationToken.None);
        Assert.Equal(11, inner.Flushes);
        inner.Position = 0;
        var buf = new byte[4];
        Assert.Equal(2, s.Read(buf, 1, 2));
        Assert.Equal(new byte[] { 0, 2, 3, 0 }, buf);
        Assert.Equal(3, await s.ReadAsync(buf.AsMemory(0, 3)));
        Assert.Equal(2, await s.ReadAsync(buf, 0, 4));
        Assert.Equal(0, await s.ReadAsync(buf, 0, 4));
        Assert.Equal((7L, 7L), counter.Snapshot());
        Assert.Throws<NotSupportedException>(() => s.Length);
        Assert.Throws<NotSupportedException>(() => s.Position);
        Assert.Throws<NotSupportedException>(() => s.Position = 0);
        Assert.Throws<NotSupportedException>(() => s.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => s.SetLength(1));
        s.Dispose();
        Assert.False(inner.CanRead);                  // disposing the wrapper disposes the wrapped stream
        Assert.False(s.CanWrite);
    }

    [Fact]
    public void A_wire_call_total_is_both_directions()
    {
        Assert.Equal(30, new WireCall("x", 1, 10, 20, 5, 1.5).Total);
    }
}
