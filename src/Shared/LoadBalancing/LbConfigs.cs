using System.Text;

namespace SystemDesign.LoadBalancing;

/// <summary>Health-check settings of an HAProxy server line: <c>check inter … fall … rise …</c>, and the
/// optional <c>slowstart</c>.</summary>
public sealed record HaproxyChecks(int InterMs = 100, int Fall = 3, int Rise = 2, int SlowStartMs = 0);

/// <summary>One HAProxy frontend on a port and its backend section: a balance line, whether the servers carry
/// their weights (else weight 1 each), and servers left out.</summary>
public sealed record HaproxyFront(string Name, int Port, string Balance, bool Weighted = false,
    ISet<int>? Without = null);

/// <summary>Configuration text for real load balancers in front of <see cref="KestrelBackends"/>. All listen
/// on 127.0.0.1 only, with short timeouts; {dir} stands for the experiment's folder.</summary>
public static class LbConfigs
{
    /// <summary>HAProxy's <c>balance</c> line for an algorithm of ours, or null when HAProxy has none.
    /// Consistent hashing hashes the X-User header on a consistent ring (<c>hash-type consistent</c>).</summary>
    public static string? HaproxyBalance(Algorithm algorithm) => algorithm switch
    {
        Algorithm.RoundRobin or Algorithm.WeightedRoundRobin => "roundrobin",
        Algorithm.LeastConnections => "leastconn",
        Algorithm.PowerOfTwo => "random(2)",
        Algorithm.Random => "random(1)",
        Algorithm.ConsistentHash => "hdr(X-User)\n    hash-type consistent",
        _ => null,
    };

    /// <summary>An HAProxy configuration: frontend on <paramref name="port"/>, backend <c>be</c> with one server
    /// per backend (named after it, with its weight), <c>mode http</c> or <c>mode tcp</c> (L4).</summary>
    public static string Haproxy(KestrelBackends backends, int port, string balance, bool tcp = false,
        HaproxyChecks? checks = null, ISet<int>? without = null) =>
        Haproxy(backends, [new HaproxyFront("be", port, balance, Weighted: true, without)], tcp, checks);

    /// <summary>HAProxy's <c>timeout check</c> here: a check of a backend that accepts but never answers
    /// fails after this long.</summary>
    public const int CheckTimeoutMs = 100;

    /// <summary>The weight every server gets in an unweighted frontend. Not 1: HAProxy's <c>random</c> and
    /// consistent hashing place weight × 16 points per server on a ring, and 16 points give servers arcs
    /// of visibly unequal length; 100 × 16 points make them even.</summary>
    public const int UnweightedWeight = 100;

    /// <summary>Frontends on consecutive ports from <paramref name="port"/>: (name, balance, weighted).</summary>
    public static HaproxyFront[] Fronts(int port, params (string Name, string Balance, bool Weighted)[] fronts) =>
        fronts.Select((f, i) => new HaproxyFront(f.Name, port + i, f.Balance, f.Weighted)).ToArray();

    /// <summary>One HAProxy process with several frontends, each with its own backend section (named
    /// <c>Name</c>) over the same servers: one process compares several algorithms at once.</summary>
    public static string Haproxy(KestrelBackends backends, IReadOnlyList<HaproxyFront> fronts, bool tcp = false,
        HaproxyChecks? checks = null)
    {
        Guard.NotNull(backends);
        Guard.NotEmpty(fronts);
        var sb = new StringBuilder();
        sb.AppendLine("global");
        sb.AppendLine("    nbthread 2");
        sb.AppendLine("    maxconn 2000");
        sb.AppendLine("    stats socket {dir}/admin.sock mode 600 level admin");
        sb.AppendLine("defaults");
        sb.AppendLine(tcp ? "    mode tcp" : "    mode http");
        sb.AppendLine("    timeout connect 1s\n    timeout client 10s\n    timeout server 10s");
        sb.AppendLine($"    timeout check {CheckTimeoutMs}ms");
        foreach (var f in fronts)
        {
            Guard.InRange(f.Port, 1024, 65_535, nameof(f.Port));
            Guard.NotEmpty(f.Balance, nameof(f.Balance));
            sb.AppendLine($"frontend fe_{f.Name}");
            sb.AppendLine($"    bind 127.0.0.1:{f.Port}");
            sb.AppendLine($"    default_backend {f.Name}");
            sb.AppendLine($"backend {f.Name}");
            sb.AppendLine($"    balance {f.Balance}");
            if (checks is not null && !tcp) sb.AppendLine("    option httpchk GET /health");
            for (int i = 0; i < backends.Count; i++)
            {
                if (f.Without?.Contains(i) == true) continue;
                var s = backends.Specs[i];
                // Explicit ids: HAProxy's hash ring places a server's points by its id, so a server left out must
                // not renumber the others (it would move their keys too).
                sb.Append($"    server {s.Name} 127.0.0.1:{backends.Port(i)} id {i + 1} "
                    + $"weight {(f.Weighted ? s.Weight : UnweightedWeight)}");
                if (checks is not null)
                {
                    sb.Append($" check inter {checks.InterMs} fall {checks.Fall} rise {checks.Rise}");
                    if (checks.SlowStartMs > 0) sb.Append($" slowstart {checks.SlowStartMs}ms");
                }
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }

    /// <summary>nginx's upstream directive for an algorithm of ours, "" for its default (smooth weighted round
    /// robin), or null when nginx has none. <c>random two least_conn</c> is nginx's power of two choices.</summary>
    public static string? NginxBalance(Algorithm algorithm) => algorithm switch
    {
        Algorithm.RoundRobin or Algorithm.WeightedRoundRobin => "",
        Algorithm.LeastConnections => "least_conn;",
        Algorithm.PowerOfTwo => "random two least_conn;",
        Algorithm.Random => "random;",
        Algorithm.ConsistentHash => "hash $http_x_user consistent;",
        _ => null,
    };

    /// <summary>An nginx configuration (one process, foreground) proxying to the backends with keep-alive;
    /// <paramref name="serverExtra"/> is appended to every server line (e.g. "slow_start=30s").</summary>
    public static string Nginx(KestrelBackends backends, int port, string balance, string serverExtra = "") =>
        Nginx(backends, [(port, balance, true)], serverExtra);

    /// <summary>One nginx with a server block per (port, upstream directive, weighted) over the same backends.</summary>
    public static string Nginx(KestrelBackends backends, IReadOnlyList<(int Port, string Balance, bool Weighted)> fronts,
        string serverExtra = "")
    {
        Guard.NotNull(backends);
        Guard.NotEmpty(fronts);
        Guard.NotNull(serverExtra);
        var sb = new StringBuilder();
        sb.AppendLine("daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;");
        sb.AppendLine("events { worker_connections 512; }");
        sb.AppendLine("http {");
        sb.AppendLine("    access_log off;");
        foreach (var t in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
            sb.AppendLine($"    {t}_temp_path {{dir}}/{t};");
        for (int f = 0; f < fronts.Count; f++)
        {
            Guard.InRange(fronts[f].Port, 1024, 65_535, nameof(fronts));
            sb.AppendLine($"    upstream be{f} {{");
            if (fronts[f].Balance.Length > 0) sb.AppendLine($"        {fronts[f].Balance}");
            for (int i = 0; i < backends.Count; i++)
                sb.AppendLine($"        server 127.0.0.1:{backends.Port(i)} "
                    + $"weight={(fronts[f].Weighted ? backends.Specs[i].Weight : 1)}"
                    + (serverExtra.Length > 0 ? " " + serverExtra : "") + ";");
            sb.AppendLine("        keepalive 64;");
            sb.AppendLine("    }");
            sb.AppendLine("    server {");
            sb.AppendLine($"        listen 127.0.0.1:{fronts[f].Port};");
            sb.AppendLine("        location / {");
            sb.AppendLine($"            proxy_pass http://be{f};");
            sb.AppendLine("            proxy_http_version 1.1;");
            sb.AppendLine("            proxy_set_header Connection \"\";");
            sb.AppendLine("        }");
            sb.AppendLine("    }");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }
}
