using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace SystemDesign.RealSystems;

/// <summary>What one etcd member says about itself (/v3/maintenance/status).</summary>
/// <param name="Leader">The member id this member believes leads (0: it knows no leader).</param>
public sealed record EtcdStatus(string Endpoint, ulong MemberId, ulong Leader, long RaftTerm, long RaftIndex, string Version)
{
    public bool IsLeader => Leader != 0 && Leader == MemberId;
}

/// <summary>A member of the etcd cluster: id, name (etcd1…) and client URL.</summary>
public sealed record EtcdMember(ulong Id, string Name, string Endpoint);

/// <summary>A key's value and revisions, as a range read returned it.</summary>
/// <param name="Revision">The store's revision when the read was served (header.revision).</param>
public sealed record EtcdValue(string Key, string? Value, long ModRevision, long CreateRevision, long Revision, ulong ServedBy);

/// <summary>
/// A small client for a 3-member etcd (v3 API) through its HTTP/JSON gateway, which every member serves on
/// its client port: key-value reads (linearizable, or serializable = answered from the member's own copy),
/// writes, leases, the lock service and member status. Each request goes to one chosen member, so an
/// experiment can ask the member cut off from the majority. Requests time out (default 2 s) instead of
/// hanging on a paused member. Endpoints come from $SDN_ETCD (scripts/services.sh's etcd service).
/// </summary>
public sealed class EtcdCluster : IDisposable
{
    private readonly HttpClient _http;

    public EtcdCluster(IReadOnlyList<string> endpoints, TimeSpan? requestTimeout = null)
    {
        Guard.NotEmpty(endpoints);
        Endpoints = endpoints.Select(e => e.TrimEnd('/')).ToArray();
        var timeout = requestTimeout ?? TimeSpan.FromSeconds(2);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(1),
            "requestTimeout must be in (0, 1 min]", nameof(requestTimeout));
        _http = new HttpClient { Timeout = timeout };
    }

    /// <summary>The client URLs, in member order (etcd1, etcd2, etcd3).</summary>
    public IReadOnlyList<string> Endpoints { get; }

    /// <summary>Status of one member; throws (HttpRequestException / TaskCanceledException) when it does not answer in time.</summary>
    public EtcdStatus Status(string endpoint) => Status(endpoint, null);

    private EtcdStatus Status(string endpoint, TimeSpan? timeout)
    {
        var r = Post(endpoint, "/v3/maintenance/status", new JsonObject(), timeout);
        return new EtcdStatus(endpoint, U64(r["header"]?["member_id"]), U64(r["leader"]), I64(r["raftTerm"]),
            I64(r["raftIndex"]), (string?)r["version"] ?? "");
    }

    /// <summary>Status of every member that answers within the timeout (default: the client's; a paused one is left out).</summary>
    public IReadOnlyList<EtcdStatus> Statuses(TimeSpan? timeout = null)
    {
        Guard.That(timeout is null || (timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(1)),
            "timeout must be in (0, 1 min]", nameof(timeout));
        var tasks = Endpoints.Select(e => Task.Run(() => { try { return Status(e, timeout); } catch (Exception x) when (IsUnreachable(x)) { return null; } }));
        return Task.WhenAll(tasks).Result.Where(s => s is not null).Select(s => s!).ToArray();
    }

    /// <summary>
    /// The registry's health check of <c>etcd</c> (<c>service_check</c> in scripts/services.d/etcd.sh), in
    /// process: every member answers its status within 2 s (the script's curl timeout), all name the same leader and exactly one says it
    /// leads. Null when healthy, else why not. The script runs curl twice per member (about a second on a
    /// loaded machine); this costs milliseconds, so a fault experiment can poll it.
    /// </summary>
    public string? Health() => Health(TimeSpan.FromSeconds(2));

    /// <summary>As <see cref="Health()"/>, each member given <paramref name="timeout"/> to answer.</summary>
    public string? Health(TimeSpan timeout)
    {
        var st = Statuses(timeout);
        if (st.Count != Endpoints.Count)
            return $"etcd: {string.Join(", ", Endpoints.Except(st.Select(s => s.Endpoint)))} does not answer";
        var leaders = st.Select(s => s.Leader).Distinct().ToArray();
        if (leaders is not [var leader] || leader == 0) return $"etcd: members disagree on the leader: {string.Join(" ", leaders)}";
        return st.Count(s => s.IsLeader) == 1 ? null : "etcd: no member says it leads";
    }

    /// <summary>The members (id, name, client URL), asked of the first member that answers.</summary>
    public IReadOnlyList<EtcdMember> Members()
    {
        foreach (var endpoint in Endpoints)
        {
            try
            {
                var r = Post(endpoint, "/v3/cluster/member/list", new JsonObject());
                return r["members"]!.AsArray().Select(m => new EtcdMember(U64(m!["ID"]), (string?)m["name"] ?? "",
                    m["clientURLs"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "")).OrderBy(m => m.Name, StringComparer.Ordinal).ToArray();
            }
            catch (Exception x) when (IsUnreachable(x)) { }
        }
        throw new InvalidOperationException("no etcd member answers");
    }

    /// <summary>The leader the answering members agree on, or null when they name none or disagree.</summary>
    public EtcdMember? Leader()
    {
        var statuses = Statuses();
        var leaders = statuses.Select(s => s.Leader).Distinct().ToArray();
        if (leaders.Length != 1 || leaders[0] == 0 || statuses.Count < 2) return null;
        return Members().FirstOrDefault(m => m.Id == leaders[0]);
    }

    /// <summary>Polls (every ~20 ms, each member given 300 ms to answer, so a paused one does not slow the
    /// polling) until a leader other than <paramref name="notThis"/> (by id; 0 = any) is agreed by at least
    /// two answering members; returns it and how long that took, or null after the timeout.</summary>
    public (EtcdMember Leader, TimeSpan After)? WaitForLeader(ulong notThis, TimeSpan timeout)
    {
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(2),
            "timeout must be in (0, 2 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var statuses = Statuses(TimeSpan.FromMilliseconds(300));
            var votes = statuses.Where(s => s.Leader != 0 && s.Leader != notThis).GroupBy(s => s.Leader).OrderByDescending(g => g.Count()).FirstOrDefault();
            if (votes is { } g && g.Count() >= 2)
            {
                var elapsed = watch.Elapsed;
                var member = Members().FirstOrDefault(m => m.Id == g.Key);
                if (member is not null) return (member, elapsed);
            }
            Thread.Sleep(20);
        }
        return null;
    }

    /// <summary>Writes a key (optionally attached to a lease); returns the new store revision.</summary>
    public long Put(string key, string value, string? endpoint = null, long lease = 0)
    {
        Guard.NotEmpty(key);
        Guard.NotNull(value);
        var body = new JsonObject { ["key"] = B64(key), ["value"] = B64(value) };
        if (lease != 0) body["lease"] = lease.ToString(CultureInfo.InvariantCulture);
        var r = Post(endpoint ?? Endpoints[0], "/v3/kv/put", body);
        return I64(r["header"]?["revision"]);
    }

    /// <summary>Reads a key from one member. Linearizable (the default) goes through the leader's quorum, so
    /// a member cut off from the majority cannot answer it; serializable answers from the member's copy.</summary>
    public EtcdValue Get(string key, string? endpoint = null, bool serializable = false)
    {
        Guard.NotEmpty(key);
        var body = new JsonObject { ["key"] = B64(key) };
        if (serializable) body["serializable"] = true;
        var r = Post(endpoint ?? Endpoints[0], "/v3/kv/range", body);
        var kv = r["kvs"]?.AsArray().FirstOrDefault();
        return new EtcdValue(key, kv?["value"] is { } v ? FromB64((string)v!) : null, I64(kv?["mod_revision"]),
            I64(kv?["create_revision"]), I64(r["header"]?["revision"]), U64(r["header"]?["member_id"]));
    }

    /// <summary>Deletes every key with the prefix (an experiment's own, e.g. "nb02/"); returns how many.</summary>
    public long DeletePrefix(string prefix, string? endpoint = null)
    {
        Guard.NotEmpty(prefix);
        var r = Post(endpoint ?? Endpoints[0], "/v3/kv/deleterange",
            new JsonObject { ["key"] = B64(prefix), ["range_end"] = Convert.ToBase64String(PrefixEnd(prefix)) });
        return I64(r["deleted"]);
    }

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/>; returns its id.</summary>
    public long GrantLease(int ttlSeconds, string? endpoint = null)
    {
        Guard.InRange(ttlSeconds, 1, 3600);
        var r = Post(endpoint ?? Endpoints[0], "/v3/lease/grant", new JsonObject { ["TTL"] = ttlSeconds.ToString(CultureInfo.InvariantCulture) });
        return I64(r["ID"]);
    }

    /// <summary>Renews a lease once; returns the TTL granted (0 or less: the lease has expired).</summary>
    public long KeepAlive(long lease, string? endpoint = null)
    {
        var r = Post(endpoint ?? Endpoints[0], "/v3/lease/keepalive", new JsonObject { ["ID"] = lease.ToString(CultureInfo.InvariantCulture) });
        return I64((r["result"] ?? r)["TTL"]);
    }

    /// <summary>Revokes a lease (its keys are deleted).</summary>
    public void RevokeLease(long lease, string? endpoint = null) =>
        Post(endpoint ?? Endpoints[0], "/v3/lease/revoke", new JsonObject { ["ID"] = lease.ToString(CultureInfo.InvariantCulture) });

    /// <summary>Acquires the named lock (etcd's lock service) for a lease, waiting while another holds it;
    /// returns the lock's key and its create revision, a fencing token that grows with each acquisition.</summary>
    public (string Key, long Revision) Lock(string name, long lease, string? endpoint = null)
    {
        Guard.NotEmpty(name);
        var r = Post(endpoint ?? Endpoints[0], "/v3/lock/lock",
            new JsonObject { ["name"] = B64(name), ["lease"] = lease.ToString(CultureInfo.InvariantCulture) });
        string key = FromB64((string)r["key"]!);
        return (key, Get(key, endpoint).CreateRevision);
    }

    /// <summary>Releases a lock by the key <see cref="Lock"/> returned.</summary>
    public void Unlock(string key, string? endpoint = null)
    {
        Guard.NotEmpty(key);
        Post(endpoint ?? Endpoints[0], "/v3/lock/unlock", new JsonObject { ["key"] = B64(key) });
    }

    /// <summary>The client URL of a member by name (etcd1…), as the registry names it.</summary>
    public string EndpointOf(string memberName)
    {
        // Validated before asking the cluster, so that a bad name is refused even when no member answers.
        Guard.NotEmpty(memberName);
        return Members().FirstOrDefault(m => m.Name == memberName)?.Endpoint
            ?? throw new ArgumentException($"no etcd member '{memberName}'", nameof(memberName));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>True for the exceptions a member that is down or paused causes.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or TaskCanceledException or TimeoutException
        || (e is AggregateException a && a.InnerExceptions.All(IsUnreachable));

    private JsonNode Post(string endpoint, string path, JsonObject body, TimeSpan? timeout = null)
    {
        Guard.NotEmpty(endpoint);
        using var cts = new CancellationTokenSource(timeout ?? _http.Timeout);
        using var response = _http.PostAsync(endpoint + path, JsonContent.Create(body), cts.Token).GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync(cts.Token).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new EtcdException($"etcd {endpoint}{path}: {(int)response.StatusCode} {text}", text);
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string FromB64(string s) => Encoding.UTF8.GetString(Convert.FromBase64String(s));
    private static long I64(JsonNode? n) => n is null ? 0 : long.Parse(n.ToString(), CultureInfo.InvariantCulture);
    private static ulong U64(JsonNode? n) => n is null ? 0 : ulong.Parse(n.ToString(), CultureInfo.InvariantCulture);

    private static byte[] PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        Guard.That(bytes[^1] < 0xFF, "a prefix must not end in byte 0xFF");
        bytes[^1]++;
        return bytes;
    }
}

/// <summary>An error etcd returned (for example "etcdserver: request timed out" when there is no quorum).</summary>
public sealed class EtcdException(string message, string body) : Exception(message)
{
    public string Body { get; } = body;
}
