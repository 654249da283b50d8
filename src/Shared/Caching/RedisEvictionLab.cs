using System.Diagnostics;
using System.Net.Sockets;
using StackExchange.Redis;

namespace SystemDesign.Caching;

/// <summary>
/// A private redis-server for one experiment that must change server-wide settings (maxmemory is global, so it
/// cannot be tried on the shared instance): no TCP port (<c>--port 0</c>), a Unix socket in a fresh folder under
/// $SDN_STATE_DIR (or the temp folder), no persistence; as root it runs as the <c>sdn</c> account when that exists.
/// Dispose kills it and removes the folder.
/// </summary>
public sealed class PrivateRedis : IDisposable
{
    private readonly Process process;
    private readonly string folder;

    private PrivateRedis(Process process, string folder, ConnectionMultiplexer connection)
    {
        this.process = process;
        this.folder = folder;
        Connection = connection;
    }

    /// <summary>The connection (admin commands allowed).</summary>
    public ConnectionMultiplexer Connection { get; }

    /// <summary>Starts redis-server from <paramref name="binary"/>; null and a reason when it does not come up
    /// within 5 s.</summary>
    public static PrivateRedis? TryStart(string binary, out string why)
    {
        Guard.NotEmpty(binary);
        string root = Environment.GetEnvironmentVariable("SDN_STATE_DIR") is { Length: > 0 } s
            ? Path.Combine(s, "nb07") : Path.Combine(Path.GetTempPath(), "sdn-nb07");
        Directory.CreateDirectory(root);
        string dir = Path.Combine(root, $"redis-{Environment.ProcessId}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        }
        string socket = Path.Combine(dir, "redis.sock");
        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true,
            RedirectStandardError = true, WorkingDirectory = dir };
        bool asSdn = Environment.UserName == "root" && File.Exists("/usr/sbin/runuser")
            && File.ReadLines("/etc/passwd").Any(l => l.StartsWith("sdn:", StringComparison.Ordinal));
        psi.FileName = asSdn ? "/usr/sbin/runuser" : binary;
        var args = new List<string>();
        if (asSdn) args.AddRange(["-u", "sdn", "--", binary]);
        args.AddRange(["--port", "0", "--unixsocket", socket, "--unixsocketperm", "777", "--save", "",
            "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning"]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = e.Message;
            return null;
        }
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 5_000 && !p.HasExited && !File.Exists(socket)) Thread.Sleep(10);
        try
        {
            var options = new ConfigurationOptions { AllowAdmin = true, ConnectTimeout = 2_000, SyncTimeout = 10_000,
                AsyncTimeout = 10_000, AbortOnConnectFail = true };
            options.EndPoints.Add(new UnixDomainSocketEndPoint(socket));
            var mux = ConnectionMultiplexer.Connect(options);
            why = "";
            return new PrivateRedis(p, dir, mux);
        }
        catch (Exception e) when (e is RedisConnectionException or SocketException or IOException)
        {
            why = p.HasExited ? $"redis-server exited ({p.ExitCode})" : e.Message;
            Kill(p);
            TryDelete(dir);
            return null;
        }
    }

    public void Dispose()
    {
        Connection.Dispose();
        Kill(process);
        TryDelete(folder);
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(2_000); }
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>What a replay through Redis's own eviction measured.</summary>
public sealed record RedisEvictionRun(int Samples, double HitRatio, int Requests, double MeanKeys, long Evicted);

/// <summary>
/// Replays a key trace through a real Redis under <c>maxmemory-policy allkeys-lru</c>, so that Redis's own
/// eviction (evict.c: sample <c>maxmemory-samples</c> keys, keep the idlest in a 16-entry pool, evict the best)
/// decides what stays. Redis's LRU clock has a resolution of one second, so a trace replayed in a second would
/// leave every key equally idle; instead every request i of n writes its key back with
/// <c>RESTORE … REPLACE IDLETIME (n − i)</c>, so request order becomes idle time (one request = one second of
/// Redis's clock) and the replay takes about a second. One Lua script per request: EXISTS (the hit or miss), then
/// the RESTORE. Redis evicts before running each script, when used memory exceeds maxmemory; maxmemory is set to
/// the empty server's memory plus the measured cost of <c>capacity</c> keys, so the number of keys it keeps is
/// close to, not exactly, <c>capacity</c>: the run reports the mean key count it actually held.
/// </summary>
public static class RedisEviction
{
    private const string Script = """
        local hit = redis.call('EXISTS', KEYS[1])
        redis.call('RESTORE', KEYS[1], 0, ARGV[1], 'REPLACE', 'IDLETIME', ARGV[2])
        return hit
        """;

    /// <summary>Runs the trace once per value of <paramref name="samples"/> on a private Redis (FLUSHALL there
    /// between runs). Requests before <paramref name="warmup"/> fill the cache and are not counted.</summary>
    public static IReadOnlyList<RedisEvictionRun> Replay(PrivateRedis redis, IReadOnlyList<int> trace, int warmup,
        int capacity, IReadOnlyList<int> samples, int batch = 500)
    {
        Guard.NotNull(redis);
        Guard.NotNull(trace);
        Guard.NotEmpty(samples);
        Guard.InRange(trace.Count, 2, 2_000_000);
        Guard.InRange(warmup, 0, trace.Count - 1);
        Guard.InRange(capacity, 10, 1_000_000);
        var mux = redis.Connection;
        var server = mux.GetServers()[0];
        var db = mux.GetDatabase();
        // 1 KB values: the per-key cost then dwarfs the steps of Redis's hash table growth.
        db.StringSet("probe", new string('v', 1_000));
        byte[] payload = (byte[])db.Execute("DUMP", "probe")!;
        byte[] sha = server.ScriptLoad(Script);
        server.FlushAllDatabases();
        // Calibrate: the memory of `capacity` keys restored the same way.
        server.ConfigSet("maxmemory", 0);
        long Used() => long.Parse(server.Info("memory").SelectMany(g => g)
            .First(kv => kv.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
        long empty = Used();
        Task.WaitAll(Enumerable.Range(0, capacity).Select(i => (Task)db.ScriptEvaluateAsync(sha,
            [(RedisKey)$"k{trace.Count + i}"], [payload, 1])).ToArray());
        long perKey = (Used() - empty) / capacity;
        // Buffers and hash tables make a full server hold fewer keys than that estimate, and the marginal cost
        // of a key differs from the average: fill the server (3 × capacity requests of the trace at k = 5) at two
        // maxmemory settings and interpolate (a secant step) to the setting that holds `capacity` keys.
        long Fill(long limit)
        {
            server.FlushAllDatabases();
            server.ConfigSet("maxmemory-policy", "allkeys-lru");
            server.ConfigSet("maxmemory-samples", 5);
            server.ConfigSet("maxmemory", limit);
            Send(db, sha, payload, trace, 0, Math.Min(trace.Count, 3 * capacity), batch);
            long held = server.DatabaseSize();
            server.ConfigSet("maxmemory", 0);
            return held;
        }
        long m0 = empty + capacity * perKey, d0 = Fill(m0);
        long m1 = m0 + (capacity - d0) * perKey, d1 = Fill(m1);
        long maxmemory = d1 == d0 ? m1 : m1 + (long)((capacity - d1) * (double)(m1 - m0) / (d1 - d0));
        server.FlushAllDatabases();
        var runs = new List<RedisEvictionRun>();
        foreach (int k in samples)
        {
            Guard.InRange(k, 1, 64);
            server.FlushAllDatabases();
            server.ConfigSet("maxmemory-policy", "allkeys-lru");
            server.ConfigSet("maxmemory-samples", k);
            long evictedBefore = Stat(server, "evicted_keys");
            server.ConfigSet("maxmemory", maxmemory);
            int hits = 0;
            double keySum = 0;
            int keyReads = 0;
            for (int start = 0; start < trace.Count; start += batch)
            {
                var results = Send(db, sha, payload, trace, start, Math.Min(trace.Count, start + batch), batch);
                for (int i = 0; i < results.Length; i++)
                    if (start + i >= warmup && (int)results[i] == 1) hits++;
                if (start >= warmup) { keySum += server.DatabaseSize(); keyReads++; }
            }
            runs.Add(new RedisEvictionRun(k, (double)hits / (trace.Count - warmup), trace.Count - warmup,
                keyReads == 0 ? server.DatabaseSize() : keySum / keyReads,
                Stat(server, "evicted_keys") - evictedBefore));
            server.ConfigSet("maxmemory", 0);
        }
        server.FlushAllDatabases();
        return runs;
    }

    private static RedisResult[] Send(IDatabase db, byte[] sha, byte[] payload, IReadOnlyList<int> trace, int from,
        int to, int batch)
    {
        var all = new List<RedisResult>(to - from);
        for (int start = from; start < to; start += batch)
        {
            int end = Math.Min(to, start + batch);
            var tasks = new Task<RedisResult>[end - start];
            for (int i = start; i < end; i++)
                tasks[i - start] = db.ScriptEvaluateAsync(sha, [(RedisKey)$"k{trace[i]}"], [payload, trace.Count - i]);
            Task.WaitAll(tasks);
            all.AddRange(tasks.Select(t => t.Result));
        }
        return all.ToArray();
    }

    private static long Stat(IServer server, string name) => long.Parse(server.Info("stats").SelectMany(g => g)
        .First(kv => kv.Key == name).Value, System.Globalization.CultureInfo.InvariantCulture);
}
