using SystemDesign.Caching;

namespace SystemDesign.RealSystems;

public static partial class Servers
{
    /// <summary>
    /// A private redis-server started for one experiment (Unix socket only, no persistence), for settings that are
    /// global to a server such as maxmemory: the binary is $SDN_REDIS_SERVER, else redis-server on PATH or in
    /// /usr/bin. Dispose it at the end of the cell. Returns null and prints one line when it cannot start.
    /// </summary>
    public static PrivateRedis? RedisPrivate()
    {
        string? configured = Environment.GetEnvironmentVariable("SDN_REDIS_SERVER");
        string? path = string.IsNullOrEmpty(configured)
            ? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin")
                .Where(d => d.Length > 0).Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            : File.Exists(configured) ? configured : null;
        string why = path is null ? $"no redis-server binary {(string.IsNullOrEmpty(configured) ? "on PATH"
            : "at " + configured)}" : "";
        var redis = path is null ? null : PrivateRedis.TryStart(path, out why);
        if (redis is null)
            Say($"A private redis-server (started per experiment) is not running: {why}; `{StartCommand} redis` "
                + "checks that redis-server is installed; skipping this experiment.");
        return redis;
    }
}
