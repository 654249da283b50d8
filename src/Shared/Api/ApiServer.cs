using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SystemDesign.Api.Proto;

namespace SystemDesign.Api;

/// <summary>The gRPC service of <c>api.proto</c>, over an <see cref="IUserStore"/>.</summary>
public sealed class UsersGrpcService(IUserStore store) : Users.UsersBase
{
    public override Task<User> GetUser(UserRequest request, ServerCallContext context) =>
        Task.FromResult(store.User(request.Id) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no user {request.Id}")));
}

/// <summary>
/// One real Kestrel app on 127.0.0.1 (a port the OS picks), HTTP/2 without TLS (h2c), serving the same users as
/// REST (<c>GET /v1/users/{id}</c>, deprecated, with Deprecation/Sunset headers; <c>GET /v2/users/{id}</c>),
/// gRPC (<c>sdn.api.Users/GetUser</c>) and GraphQL (<c>POST /graphql</c> batched, <c>POST /graphql-naive</c> N+1).
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public Uri BaseAddress { get; }
    public IUserStore Store { get; }
    public static readonly DateTimeOffset V1Deprecated = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset V1Sunset = new(2026, 12, 31, 23, 59, 59, TimeSpan.Zero);

    private ApiServer(WebApplication app, IUserStore store)
    {
        _app = app;
        Store = store;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
    }

    public static async Task<ApiServer> StartAsync(IUserStore store)
    {
        Guard.NotNull(store);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.None);     // no "Now listening on…" lines in the notebook
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(store);
        builder.Services.AddGrpc();
        var app = builder.Build();
        var batched = new UserGraph(store, batched: true);
        var naive = new UserGraph(store, batched: false);
        app.MapGrpcService<UsersGrpcService>();
        app.MapGet("/v1/users/{id:long}", (long id, HttpContext ctx) =>
        {
            ctx.Response.Headers["Deprecation"] = DeprecationHeaders.Deprecation(V1Deprecated);
            ctx.Response.Headers["Sunset"] = DeprecationHeaders.Sunset(V1Sunset);
            ctx.Response.Headers["Link"] = "</v2/users>; rel=\"successor-version\"";
            return UserResult(store, id);
        });
        app.MapGet("/v2/users/{id:long}", (long id) => UserResult(store, id));
        app.MapPost("/graphql", (GraphQlRequest q) => Graph(batched, q));
        app.MapPost("/graphql-naive", (GraphQlRequest q) => Graph(naive, q));
        await app.StartAsync();
        return new ApiServer(app, store);
    }

    public static ApiServer Start(IUserStore store) => StartAsync(store).GetAwaiter().GetResult();

    private static IResult UserResult(IUserStore store, long id) => store.User(id) is { } u
        ? Results.Bytes(Payloads.RestJson(new[] { u }), "application/json")
        : Results.NotFound();

    private static async Task<IResult> Graph(UserGraph graph, GraphQlRequest q) =>
        Results.Content(await graph.ExecuteAsync(q.Query), "application/json");

    public sealed record GraphQlRequest(string Query);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One call as the client measured it: bytes on the TCP connection both ways, the response body, time.</summary>
public sealed record WireCall(string Style, int Call, long BytesSent, long BytesReceived, int BodyBytes, double Ms)
{
    public long Total => BytesSent + BytesReceived;
}

/// <summary>
/// Clients for <see cref="ApiServer"/>, each on its own HTTP/2 connection whose socket bytes are counted (a
/// <see cref="SocketsHttpHandler.ConnectCallback"/> wraps the stream): the counts include HTTP/2 framing, HPACK'd
/// headers, gRPC's 5-byte message prefix and trailers, and the connection preface and SETTINGS on the first call.
/// </summary>
public sealed class ApiClients : IDisposable
{
    private readonly (HttpClient Http, CountingStream.Counter Bytes) _rest, _graph;
    private readonly GrpcChannel _channel;
    private readonly CountingStream.Counter _grpcBytes = new();
    private readonly Users.UsersClient _grpc;

    public ApiClients(Uri server)
    {
        Guard.NotNull(server);
        _rest = Http(server);
        _graph = Http(server);
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { HttpHandler = Handler(_grpcBytes) });
        _grpc = new Users.UsersClient(_channel);
    }

    private static (HttpClient, CountingStream.Counter) Http(Uri server)
    {
        var counter = new CountingStream.Counter();
        return (new HttpClient(Handler(counter)) { BaseAddress = server, DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact }, counter);
    }

    private static SocketsHttpHandler Handler(CountingStream.Counter counter) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(3),
        ConnectCallback = async (ctx, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(ctx.DnsEndPoint, ct);
            return new CountingStream(new NetworkStream(socket, ownsSocket: true), counter);
        },
    };

    /// <summary>The REST response to GET path (headers included) and what it cost.</summary>
    public (HttpResponseMessage Response, WireCall Call) Rest(string path, int call)
    {
        var (s0, r0) = _rest.Bytes.Snapshot();
        var sw = Stopwatch.StartNew();
        var response = _rest.Http.GetAsync(path).GetAwaiter().GetResult();
        var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        double ms = sw.Elapsed.TotalMilliseconds;
        var (s1, r1) = _rest.Bytes.Snapshot();
        return (response, new WireCall("REST", call, s1 - s0, r1 - r0, body.Length, ms));
    }

    public (User User, WireCall Call) Grpc(long id, int call)
    {
        var (s0, r0) = _grpcBytes.Snapshot();
        var sw = Stopwatch.StartNew();
        var user = _grpc.GetUser(new UserRequest { Id = id });
        double ms = sw.Elapsed.TotalMilliseconds;
        var (s1, r1) = _grpcBytes.Snapshot();
        return (user, new WireCall("gRPC", call, s1 - s0, r1 - r0, Google.Protobuf.MessageExtensions.ToByteArray(user).Length, ms));
    }

    public (string Json, WireCall Call) GraphQl(string query, int call, bool batched = true)
    {
        var (s0, r0) = _graph.Bytes.Snapshot();
        var sw = Stopwatch.StartNew();
        var response = _graph.Http.PostAsJsonAsync(batched ? "/graphql" : "/graphql-naive", new ApiServer.GraphQlRequest(Guard.NotEmpty(query)))
            .GetAwaiter().GetResult();
        var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        double ms = sw.Elapsed.TotalMilliseconds;
        var (s1, r1) = _graph.Bytes.Snapshot();
        return (System.Text.Encoding.UTF8.GetString(body), new WireCall("GraphQL", call, s1 - s0, r1 - r0, body.Length, ms));
    }

    /// <summary><paramref name="calls"/> calls for user <paramref name="id"/> in each style, in turn.</summary>
    public IReadOnlyList<WireCall> Compare(long id, string[] fields, int calls)
    {
        Guard.InRange(calls, 1, 1000);
        string query = $"{{ user(id: {id}) {{ {string.Join(" ", Guard.NotEmpty(fields))} }} }}";
        var list = new List<WireCall>();
        for (int i = 1; i <= calls; i++)
        {
            list.Add(Rest($"/v2/users/{id}", i).Call);
            list.Add(Grpc(id, i).Call);
            list.Add(GraphQl(query, i).Call);
        }
        return list;
    }

    public void Dispose()
    {
        _rest.Http.Dispose();
        _graph.Http.Dispose();
        _channel.Dispose();
    }
}

/// <summary>A stream that counts the bytes read from and written to the stream it wraps.</summary>
public sealed class CountingStream(Stream inner, CountingStream.Counter counter) : Stream
{
    public sealed class Counter
    {
        private long _sent, _received;
        public void Sent(int n) => Interlocked.Add(ref _sent, n);
        public void Received(int n) => Interlocked.Add(ref _received, n);
        public (long Sent, long Received) Snapshot() => (Interlocked.Read(ref _sent), Interlocked.Read(ref _received));
    }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) { int n = inner.Read(buffer, offset, count); counter.Received(n); return n; }
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken);
        counter.Received(n);
        return n;
    }
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Write(byte[] buffer, int offset, int count) { inner.Write(buffer, offset, count); counter.Sent(count); }
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        counter.Sent(buffer.Length);
    }
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
