using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SystemDesign.Observability;

/// <summary>
/// A small client of Prometheus's HTTP API, plus the two folders its configuration watches: file_sd target
/// files and rule files (found in /api/v1/status/config, so the server decides where they live).
/// </summary>
public sealed class PrometheusApi : IDisposable
{
    private readonly HttpClient _http;
    public Uri Url { get; }
    public string TargetsDir { get; }
    public string RulesDir { get; }

    /// <summary>The port of the static target of job <c>sdn-live</c> (scripts/services.d/prometheus.sh: the server's
    /// port + 1), scraped from startup whether anything listens there or not; null when the configuration has none.
    /// A service that binds it is scraped within one interval, where a new file_sd target waits for Prometheus's
    /// discovery, which passes on target changes at most every 5 s.</summary>
    public int? LivePort { get; private init; }

    private PrometheusApi(HttpClient http, Uri url, string targets, string rules)
    {
        _http = http; Url = url; TargetsDir = targets; RulesDir = rules;
    }

    /// <summary>Connects (2 s timeout) and reads the folders; null with the reason when that fails.</summary>
    public static PrometheusApi? TryConnect(string url, out string why)
    {
        Guard.NotEmpty(url);
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var doc = JsonDocument.Parse(http.GetStringAsync("api/v1/status/config").GetAwaiter().GetResult());
            string yaml = doc.RootElement.GetProperty("data").GetProperty("yaml").GetString() ?? "";
            var rules = Regex.Match(yaml, @"rule_files:\s*\n\s*-\s*(\S+)");
            var files = Regex.Match(yaml, @"-\s*files:\s*\n\s*-\s*(\S+)");
            if (!rules.Success || !files.Success)
            {
                why = "its configuration has no rule_files or file_sd_configs folder";
                http.Dispose();
                return null;
            }
            var live = Regex.Match(yaml,
                @"job_name:\s*sdn-live\n(?:.*\n)*?\s*static_configs:\s*\n\s*-\s*targets:\s*\n\s*-\s*127\.0\.0\.1:(\d+)");
            why = "";
            return new PrometheusApi(http, http.BaseAddress, Path.GetDirectoryName(files.Groups[1].Value)!,
                Path.GetDirectoryName(rules.Groups[1].Value)!)
            { LivePort = live.Success ? int.Parse(live.Groups[1].Value, CultureInfo.InvariantCulture) : null };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException
                                       or KeyNotFoundException or InvalidOperationException)
        {
            why = e.Message.Split('\n')[0];
            http.Dispose();
            return null;
        }
    }

    /// <summary>Writes a rule file (if its content changed), reloads, and waits until the group is loaded.</summary>
    public void EnsureRules(string group, string yaml)
    {
        Guard.NotEmpty(group); Guard.NotEmpty(yaml);
        string path = Path.Combine(RulesDir, group + ".yml");
        if (!File.Exists(path) || File.ReadAllText(path) != yaml)
        {
            WriteAtomically(path, yaml);
            _http.PostAsync("-/reload", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Get("api/v1/rules").Contains($"\"name\":\"{group}\"", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Prometheus did not load rule group {group}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Adds a scrape target with label exp=<paramref name="exp"/> (a file_sd file).</summary>
    public void AddTarget(string exp, int port) => WriteAtomically(Path.Combine(TargetsDir, Guard.NotEmpty(exp) + ".json"),
        $"[{{\"targets\":[\"127.0.0.1:{Guard.InRange(port, 1, 65535)}\"],\"labels\":{{\"exp\":\"{exp}\"}}}}]");

    /// <summary>The scrape state of the target with label exp (health and last error), for error messages.</summary>
    public string TargetState(string exp)
    {
        using var doc = JsonDocument.Parse(Get("api/v1/targets"));
        foreach (var t in doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray())
            if (t.GetProperty("labels").TryGetProperty("exp", out var e) && e.GetString() == exp)
                return $"{t.GetProperty("health").GetString()} {t.GetProperty("lastError").GetString()}";
        return "not discovered";
    }

    public void RemoveTarget(string exp) => File.Delete(Path.Combine(TargetsDir, Guard.NotEmpty(exp) + ".json"));

    /// <summary>Null when Prometheus answers its readiness endpoint (what the registry's probe asks), else why not.</summary>
    public string? Health()
    {
        try
        {
            using var r = _http.GetAsync("-/ready").GetAwaiter().GetResult();
            return r.IsSuccessStatusCode ? null : $"Prometheus is not ready ({(int)r.StatusCode})";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return "Prometheus: " + e.Message; }
    }

    /// <summary>Raw samples of every series matching <paramref name="selector"/> over the last <paramref name="range"/>.</summary>
    public List<(Dictionary<string, string> Labels, List<PromSample> Samples)> Samples(string selector, TimeSpan range)
    {
        Guard.NotEmpty(selector);
        string q = Uri.EscapeDataString($"{selector}[{PromRate.Duration(range)}]");
        using var doc = JsonDocument.Parse(Get("api/v1/query?query=" + q));
        var list = new List<(Dictionary<string, string>, List<PromSample>)>();
        foreach (var r in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var samples = r.GetProperty("values").EnumerateArray().Select(v => new PromSample(
                (long)Math.Round(v[0].GetDouble() * 1000), ParseValue(v[1].GetString()!))).ToList();
            list.Add((labels, samples));
        }
        return list;
    }

    /// <summary>Number of series an instant query returns (e.g. prometheus_tsdb_head_series).</summary>
    public double Scalar(string query)
    {
        using var doc = JsonDocument.Parse(Get("api/v1/query?query=" + Uri.EscapeDataString(Guard.NotEmpty(query))));
        var r = doc.RootElement.GetProperty("data").GetProperty("result");
        return r.GetArrayLength() == 0 ? double.NaN : ParseValue(r[0].GetProperty("value")[1].GetString()!);
    }

    private static double ParseValue(string s) => s switch
    {
        "NaN" => double.NaN, "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity,
        _ => double.Parse(s, CultureInfo.InvariantCulture),
    };

    private string Get(string path) => _http.GetStringAsync(path).GetAwaiter().GetResult();

    private static void WriteAtomically(string path, string text)
    {
        string tmp = path + "." + Guid.NewGuid().ToString("N")[..6] + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    public void Dispose() => _http.Dispose();
}
