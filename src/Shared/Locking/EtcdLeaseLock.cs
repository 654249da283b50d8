using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SystemDesign.Fencing;
using SystemDesign.RealSystems;

namespace SystemDesign.Locking;

/// <summary>A lock held on etcd: the holder's name, its lease, the TTL etcd granted and the fencing token
/// (the lock key's create revision, which grows with every acquisition of any key in the store).</summary>
public sealed record EtcdLockGrant(string Holder, long Lease, long TtlSeconds, long Token);

/// <summary>The result of <see cref="EtcdLeaseLock.PausedHolder"/>: times in ms from A's acquisition.</summary>
/// <param name="BAcquiredAfterRefreshMs">from the answer to A's last keep-alive to B's acquisition.</param>
/// <param name="LastRefreshRoundTripMs">how long A's last keep-alive took (the lease restarts inside it).</param>
/// <param name="ATtlOnWake">the TTL etcd grants A's keep-alive after the pause (0: the lease is gone).</param>
public sealed record EtcdPausedHolderRun(long TtlSeconds, long TokenA, long TokenB, bool BRefusedWhileAHeld,
    int BAttempts, double BAcquiredAfterRefreshMs, double LastRefreshRoundTripMs, long ATtlOnWake,
    FencedWrite FencedStale, string FencedFinal, FencedWrite UnfencedStale, string UnfencedFinal,
    bool EtcdStaleApplied, bool EtcdBApplied, string? EtcdFinal, IReadOnlyList<LeaseEvent> Events,
    double SlowestAttemptMs, double PollMs)
{
    /// <summary>etcd's lessor looks for expired leases every 500 ms (<c>lease/lessor.go</c>).</summary>
    public const double LessorCheckMs = 500;

    /// <summary>
    /// The latest B may acquire after A's last keep-alive answer: the TTL, then up to one lessor period
    /// until the leader notices, one Raft round to revoke, up to one poll interval until B asks again and
    /// one round trip for that ask. Both rounds are bounded by the slowest transaction this run measured.
    /// </summary>
    public double LatestAcquireMs => 1_000 * TtlSeconds + LessorCheckMs + PollMs + 2 * SlowestAttemptMs;
}

/// <summary>
/// A lease-based lock on a real etcd (v3 HTTP/JSON gateway of one member): acquire = grant a lease with a
/// short TTL, then one transaction "if the key's create_revision is 0 (it does not exist), put it under the
/// lease, else read it". The put's revision is the fencing token: etcd's revision counter only grows, so a
/// later holder always has a larger one. The lease keeps the lock while the holder refreshes it; when it
/// stops, etcd deletes the key once the TTL has passed. A write can be fenced on etcd itself: a transaction
/// that applies it only while the lock key still has the writer's create revision.
/// </summary>
public sealed class EtcdLeaseLock : IDisposable
{
    private readonly HttpClient _http;

    public EtcdLeaseLock(string endpoint, string key, TimeSpan? requestTimeout = null)
    {
        Endpoint = Guard.NotEmpty(endpoint).TrimEnd('/');
        Key = Guard.NotEmpty(key);
        var timeout = requestTimeout ?? TimeSpan.FromSeconds(2);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(1),
            "requestTimeout must be in (0, 1 min]", nameof(requestTimeout));
        _http = new HttpClient { Timeout = timeout };
    }

    public string Endpoint { get; }
    public string Key { get; }

    /// <summary>Grants a lease and creates the lock key under it if nobody holds it; null (and the lease
    /// revoked) when the key exists.</summary>
    public EtcdLockGrant? TryAcquire(string holder, int ttlSeconds)
    {
        Guard.NotEmpty(holder);
        Guard.InRange(ttlSeconds, 1, 3600);
        var lease = Post("/v3/lease/grant", new JsonObject { ["TTL"] = Str(ttlSeconds) });
        long id = I64(lease["ID"]), ttl = I64(lease["TTL"]);
        var r = Txn(Compare(Key, "CREATE", "createRevision", 0),
            new JsonObject { ["requestPut"] = new JsonObject { ["key"] = B64(Key), ["value"] = B64(holder), ["lease"] = Str(id) } });
        if (Succeeded(r)) return new EtcdLockGrant(holder, id, ttl, I64(r["header"]?["revision"]));
        Revoke(id);
        return null;
    }

    /// <summary>Refreshes the holder's lease once; returns the TTL granted (0: the lease has expired).</summary>
    public long KeepAlive(EtcdLockGrant grant)
    {
        Guard.NotNull(grant);
        var r = Post("/v3/lease/keepalive", new JsonObject { ["ID"] = Str(grant.Lease) });
        return I64((r["result"] ?? r)["TTL"]);
    }

    /// <summary>Deletes the lock key if it is still the holder's (same create revision), then revokes the
    /// lease; true when the key was the holder's.</summary>
    public bool Release(EtcdLockGrant grant)
    {
        Guard.NotNull(grant);
        var r = Txn(Compare(Key, "CREATE", "createRevision", grant.Token),
            new JsonObject { ["requestDeleteRange"] = new JsonObject { ["key"] = B64(Key) } });
        Revoke(grant.Lease);
        return Succeeded(r);
    }

    /// <summary>Writes <paramref name="dataKey"/> only while the lock key's create revision is
    /// <paramref name="token"/> (the writer still holds the lock), in one transaction; true when applied.</summary>
    public bool WriteIfHolder(string dataKey, string value, long token)
    {
        Guard.NotEmpty(dataKey);
        Guard.NotNull(value);
        Guard.InRange(token, 1, long.MaxValue);
        var r = Txn(Compare(Key, "CREATE", "createRevision", token),
            new JsonObject { ["requestPut"] = new JsonObject { ["key"] = B64(dataKey), ["value"] = B64(value) } });
        return Succeeded(r);
    }

    /// <summary>A key's value (linearizable read), or null when it does not exist.</summary>
    public string? Read(string key)
    {
        var r = Post("/v3/kv/range", new JsonObject { ["key"] = B64(Guard.NotEmpty(key)) });
        return r["kvs"]?.AsArray().FirstOrDefault()?["value"] is { } v ? FromB64((string)v!) : null;
    }

    /// <summary>Deletes the lock key and the given keys (an experiment's own), whoever holds them.</summary>
    public void Clear(params string[] keys)
    {
        Guard.NotNull(keys);
        for (int i = 0; i < keys.Length; i++)
            Guard.That(!string.IsNullOrEmpty(keys[i]), $"keys[{i}] is null or empty", nameof(keys));
        foreach (var k in keys.Prepend(Key)) Post("/v3/kv/deleterange", new JsonObject { ["key"] = B64(k) });
    }

    /// <summary>
    /// The paused holder on real etcd. A acquires (TTL <paramref name="ttlSeconds"/>), refreshes its lease
    /// once, writes, then stops refreshing (a pause: it does nothing and knows nothing). B tries at once
    /// (refused), then every <paramref name="poll"/> until it acquires, writes with its token and keeps its
    /// lease alive. A wakes and writes with its old token to three stores: a <see cref="FencedStore{TValue}"/>
    /// that checks tokens, one that does not, and etcd itself through <see cref="WriteIfHolder"/>.
    /// </summary>
    public EtcdPausedHolderRun PausedHolder(string dataKey, int ttlSeconds, TimeSpan poll, TimeSpan timeout)
    {
        Guard.NotEmpty(dataKey);
        Guard.That(poll >= TimeSpan.FromMilliseconds(5) && poll <= TimeSpan.FromSeconds(1),
            "poll must be in [5 ms, 1 s]", nameof(poll));
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(1),
            "timeout must be in (0, 1 min]", nameof(timeout));
        Clear(dataKey);
        var fenced = new FencedStore<string>(enforce: true);
        var unfenced = new FencedStore<string>(enforce: false);
        var events = new List<LeaseEvent>();
        var clock = Stopwatch.StartNew();
        void Log(string who, string what, string outcome) => events.Add(new(Math.Round(clock.Elapsed.TotalMilliseconds, 1), who, what, outcome));

        var a = TryAcquire("A", ttlSeconds) ?? throw new InvalidOperationException($"{Key} is held by someone else");
        Log("A", $"lease TTL {a.TtlSeconds} s, txn create_revision == 0 → put", $"acquired, token {a.Token}");
        double before = clock.Elapsed.TotalMilliseconds;
        KeepAlive(a);
        double refreshed = clock.Elapsed.TotalMilliseconds;
        Log("A", "keep-alive, then pauses (no more keep-alives)", $"round trip {refreshed - before:F1} ms");
        fenced.Write("resource", "A", a.Token); unfenced.Write("resource", "A", a.Token);
        bool etcdA = WriteIfHolder(dataKey, "A", a.Token);
        Log("A", $"writes with token {a.Token}", etcdA ? "accepted" : "rejected");

        double slowest = 0;
        EtcdLockGrant? TimedAcquire()
        {
            double t0 = clock.Elapsed.TotalMilliseconds;
            var g = TryAcquire("B", ttlSeconds);
            slowest = Math.Max(slowest, clock.Elapsed.TotalMilliseconds - t0);
            return g;
        }
        var b = TimedAcquire();
        bool refused = b is null;
        Log("B", "txn create_revision == 0", refused ? "refused: A's key exists" : $"acquired, token {b!.Token}");
        int attempts = 1;
        while (b is null && clock.Elapsed < timeout)
        {
            Thread.Sleep(poll);
            attempts++;
            b = TimedAcquire();
        }
        if (b is null) throw new TimeoutException($"B did not acquire {Key} within {timeout.TotalSeconds:0.#} s");
        double bAt = clock.Elapsed.TotalMilliseconds;
        Log("B", $"txn create_revision == 0 (attempt {attempts})", $"acquired, token {b.Token}");
        fenced.Write("resource", "B", b.Token); unfenced.Write("resource", "B", b.Token);
        bool etcdB = WriteIfHolder(dataKey, "B", b.Token);
        Log("B", $"writes with token {b.Token}", etcdB ? "accepted" : "rejected");
        KeepAlive(b);

        long aTtl = KeepAlive(a);
        Log("A", "wakes up: keep-alive", aTtl > 0 ? $"TTL {aTtl}" : "TTL 0: its lease is gone (if it asks)");
        var fencedStale = fenced.Write("resource", "A", a.Token);
        var unfencedStale = unfenced.Write("resource", "A", a.Token);
        bool etcdStale = WriteIfHolder(dataKey, "A", a.Token);
        Log("A", $"writes with token {a.Token}: fenced store / unfenced / etcd txn",
            $"{Word(fencedStale.Accepted)} / {Word(unfencedStale.Accepted)} / {Word(etcdStale)}");
        string? etcdFinal = Read(dataKey);
        Log("B", "release (txn create_revision == token → delete)", Release(b) ? "released" : "not its lock");
        Clear(dataKey);
        fenced.TryRead("resource", out var fencedFinal, out _);
        unfenced.TryRead("resource", out var unfencedFinal, out _);
        return new EtcdPausedHolderRun(a.TtlSeconds, a.Token, b.Token, refused, attempts, bAt - refreshed, refreshed - before,
            aTtl, fencedStale, fencedFinal, unfencedStale, unfencedFinal, etcdStale, etcdB, etcdFinal, events,
            slowest, poll.TotalMilliseconds);
    }

    public void Dispose() => _http.Dispose();

    private static string Word(bool accepted) => accepted ? "accepted" : "rejected";

    private void Revoke(long lease)
    {
        // An expired lease is already gone: etcd answers "requested lease not found", which is fine here.
        using var response = _http.PostAsync(Endpoint + "/v3/lease/revoke",
            JsonContent.Create(new JsonObject { ["ID"] = Str(lease) })).GetAwaiter().GetResult();
    }

    private static JsonObject Compare(string key, string target, string field, long value) =>
        new() { ["key"] = B64(key), ["target"] = target, ["result"] = "EQUAL", [field] = Str(value) };

    private JsonNode Txn(JsonObject compare, JsonObject success) =>
        Post("/v3/kv/txn", new JsonObject { ["compare"] = new JsonArray(compare), ["success"] = new JsonArray(success) });

    // etcd's JSON gateway leaves out fields with default values: a failed transaction has no "succeeded".
    private static bool Succeeded(JsonNode r) => r["succeeded"] is { } s && s.GetValue<bool>();

    private JsonNode Post(string path, JsonObject body)
    {
        using var response = _http.PostAsync(Endpoint + path, JsonContent.Create(body)).GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"etcd {Endpoint}{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string FromB64(string s) => Encoding.UTF8.GetString(Convert.FromBase64String(s));
    private static long I64(JsonNode? n) => n is null ? 0 : long.Parse(n.ToString(), CultureInfo.InvariantCulture);
}

/// <summary>The result of <see cref="EtcdLockFaults.WithFollowerPaused"/>.</summary>
/// <param name="PausedMemberSilent">a read sent to the paused member got no answer within 300 ms.</param>
/// <param name="SlowestOpMs">the slowest acquire or release while the follower was paused.</param>
/// <param name="HealthyAfter">all three members up and agreeing on a leader once the follower resumed.</param>
public sealed record EtcdFollowerPauseRun(string Leader, string Paused, string AskedMember, bool PausedMemberStopped,
    bool PausedMemberSilent, long Token1, bool Released1, bool RefusedWhileHeld, long Token2, bool Released2,
    double SlowestOpMs, double PausedForMs, bool HealthyAfter);

/// <summary>The etcd lock under a fault: one member (a follower) paused with SIGSTOP.</summary>
public static class EtcdLockFaults
{
    /// <summary>
    /// Pauses a follower (always resumed, <see cref="Faults"/>), then through the other follower: acquire,
    /// a second client refused, release, acquire again, release. Two of three members are a majority, so
    /// every step should work. Ends by waiting until the cluster is healthy again (<see cref="Healthy"/>).
    /// Like <see cref="Faults.Experiment"/> it first takes the service's fault lock file, so that no other
    /// fault experiment pauses a second member meanwhile; unlike it, it asks etcd itself whether the cluster
    /// is healthy (milliseconds) instead of running <c>services.sh check</c> (about 2 s each on a busy machine).
    /// </summary>
    public static EtcdFollowerPauseRun WithFollowerPaused(EtcdCluster etcd, string key, int ttlSeconds)
    {
        Guard.NotNull(etcd);
        Guard.NotEmpty(key);
        Guard.InRange(ttlSeconds, 1, 60);
        using var exclusive = FaultLock(etcd, TimeSpan.FromSeconds(60));
        if (!Healthy(etcd, TimeSpan.FromSeconds(30))) throw new TimeoutException("etcd is not healthy before the experiment");
        // Polled, not read once: just after "healthy" a member may not have learnt the leader yet (one CI
        // rehearsal read no agreed leader here).
        var leader = etcd.WaitForLeader(0, TimeSpan.FromSeconds(10))?.Leader
            ?? throw new TimeoutException("etcd has no leader");
        var followers = etcd.Members().Where(m => m.Id != leader.Id).ToArray();
        Guard.That(followers.Length == 2, "expected a 3-member etcd", nameof(etcd));
        var (paused, asked) = (followers[0], followers[1]);
        EtcdFollowerPauseRun run;
        using (var pause = Faults.Pause("etcd", paused.Name, maxPause: TimeSpan.FromSeconds(10)))
        {
            bool stopped = Faults.IsStopped(pause.Member.Pid!.Value);
            bool silent;
            using (var toPaused = new EtcdLeaseLock(paused.Endpoint, key, TimeSpan.FromMilliseconds(300)))
            {
                try { toPaused.Read(key); silent = false; }
                catch (Exception x) when (EtcdCluster.IsUnreachable(x)) { silent = true; }
            }
            using var lk = new EtcdLeaseLock(asked.Endpoint, key);
            lk.Clear();
            double slowest = 0;
            T Timed<T>(Func<T> op)
            {
                var w = Stopwatch.StartNew();
                var result = op();
                slowest = Math.Max(slowest, w.Elapsed.TotalMilliseconds);
                return result;
            }
            var first = Timed(() => lk.TryAcquire("C1", ttlSeconds)) ?? throw new InvalidOperationException($"{key} is held");
            bool refused = Timed(() => lk.TryAcquire("C2", ttlSeconds)) is null;
            bool released1 = Timed(() => lk.Release(first));
            var second = Timed(() => lk.TryAcquire("C2", ttlSeconds)) ?? throw new InvalidOperationException($"{key} is held");
            bool released2 = Timed(() => lk.Release(second));
            run = new EtcdFollowerPauseRun(leader.Name, paused.Name, asked.Name, stopped, silent, first.Token, released1,
                refused, second.Token, released2, slowest, pause.Elapsed.TotalMilliseconds, false);
        }
        return run with { HealthyAfter = Healthy(etcd, TimeSpan.FromSeconds(30)) };
    }

    /// <summary>Polls (every 50 ms) until all three members answer their status within 300 ms and name the
    /// same leader, the test <c>services.sh check etcd</c> makes; false after the timeout.</summary>
    public static bool Healthy(EtcdCluster etcd, TimeSpan timeout)
    {
        Guard.NotNull(etcd);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(2),
            "timeout must be in (0, 2 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var statuses = etcd.Statuses(TimeSpan.FromMilliseconds(300));
            var leaders = statuses.Select(st => st.Leader).Distinct().ToArray();
            if (statuses.Count == etcd.Endpoints.Count && leaders.Length == 1 && leaders[0] != 0) return true;
            if (watch.Elapsed >= timeout) return false;
            Thread.Sleep(50);
        }
    }

    // The lock file Faults.Experiment("etcd") takes (same name: the service and its first member's port),
    // held exclusively while this experiment runs.
    private static FileStream FaultLock(EtcdCluster etcd, TimeSpan wait)
    {
        int port = new Uri(etcd.Endpoints[0]).Port;
        string path = Path.Combine(Path.GetTempPath(), $"sdn-fault-{Environment.UserName}-etcd-{port}.lock");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (watch.Elapsed < wait) { Thread.Sleep(100); }
        }
    }
}
