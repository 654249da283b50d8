namespace SystemDesign.Edge;

/// <summary>A bandwidth trace: capacity in kb/s, constant over each step of <see cref="StepSeconds"/>.</summary>
public sealed record BandwidthTrace(double StepSeconds, double[] Kbps)
{
    /// <summary>Capacity at time t (the last step repeats beyond the end).</summary>
    public double At(double t) => Kbps[Math.Min(Kbps.Length - 1, (int)(Math.Max(0, t) / StepSeconds))];

    public double MinKbps => Kbps.Min();

    /// <summary>
    /// A seeded regime-switching trace: every <paramref name="stepSeconds"/> the capacity stays, or with probability
    /// <paramref name="switchProbability"/> jumps to one of <paramref name="levelsKbps"/> chosen uniformly, each
    /// step then jittered by ±20% (never below the lowest level). Starts at the highest level.
    /// </summary>
    public static BandwidthTrace RegimeSwitching(double[] levelsKbps, double seconds, int seed,
        double stepSeconds = 1, double switchProbability = 0.1)
    {
        Guard.NotEmpty(levelsKbps);
        Guard.InRange(seconds, 1, 100_000);
        Guard.InRange(stepSeconds, 0.01, 3600);
        Guard.InRange(switchProbability, 0, 1);
        var rng = new Random(seed);
        double floor = levelsKbps.Min(), level = levelsKbps.Max();
        var kbps = new double[(int)Math.Ceiling(seconds / stepSeconds)];
        for (int i = 0; i < kbps.Length; i++)
        {
            if (rng.NextDouble() < switchProbability) level = levelsKbps[rng.Next(levelsKbps.Length)];
            kbps[i] = Math.Max(floor, level * (0.8 + 0.4 * rng.NextDouble()));
        }
        return new BandwidthTrace(stepSeconds, kbps);
    }

    /// <summary>Seconds to download <paramref name="kilobits"/> starting at <paramref name="start"/>.</summary>
    public double DownloadSeconds(double start, double kilobits)
    {
        Guard.NonNegative(kilobits);
        double t = start, left = kilobits;
        while (true)
        {
            double stepEnd = (Math.Floor(t / StepSeconds + 1e-12) + 1) * StepSeconds, c = At(t);
            if (left <= c * (stepEnd - t)) return t + left / c - start;
            left -= c * (stepEnd - t);
            t = stepEnd;
        }
    }
}

/// <summary>An adaptive-bitrate rule: the rendition (index into the ladder) for the next segment.</summary>
public interface IAbrRule
{
    string Name { get; }
    int Next(int previous, double bufferSeconds, IReadOnlyList<double> throughputsKbps, double[] ladderKbps);
}

/// <summary>
/// BBA-0 of Huang et al., "A Buffer-Based Approach to Rate Adaptation" (SIGCOMM 2014), Algorithm 1: a rate map
/// f(B) rising linearly from R_min at the reservoir r to R_max at r + cushion; below r always R_min, above
/// r + cushion always R_max; in between, move up only when f(B) reaches the next rate above the current one
/// (to the highest rate below f(B)), down only when f(B) falls to the next rate below it (to the lowest rate
/// above f(B)), and otherwise keep the current rate. Throughput is never used.
/// </summary>
public sealed record Bba0(double ReservoirSeconds, double CushionSeconds) : IAbrRule
{
    public string Name => "BBA-0 (buffer)";

    /// <summary>The rate map f(B) in kb/s.</summary>
    public double RateMap(double bufferSeconds, double[] ladderKbps)
    {
        Guard.NotNull(ladderKbps);
        double min = ladderKbps[0], max = ladderKbps[^1];
        if (bufferSeconds <= ReservoirSeconds) return min;
        if (bufferSeconds >= ReservoirSeconds + CushionSeconds) return max;
        return min + (bufferSeconds - ReservoirSeconds) / CushionSeconds * (max - min);
    }

    public int Next(int previous, double bufferSeconds, IReadOnlyList<double> throughputsKbps, double[] ladderKbps)
    {
        Guard.NotNull(ladderKbps);
        int top = ladderKbps.Length - 1;
        int plus = Math.Min(previous + 1, top), minus = Math.Max(previous - 1, 0);
        if (bufferSeconds <= ReservoirSeconds) return 0;
        if (bufferSeconds >= ReservoirSeconds + CushionSeconds) return top;
        double f = RateMap(bufferSeconds, ladderKbps);
        if (f >= ladderKbps[plus] && plus != previous)
            return Math.Max(0, Array.FindLastIndex(ladderKbps, r => r < f));
        if (f <= ladderKbps[minus] && minus != previous)
            return Math.Min(top, Array.FindIndex(ladderKbps, r => r > f));
        return previous;
    }

    /// <summary>
    /// The lowest capacity under which this rule can never stall once a first segment is buffered, for segments of
    /// <paramref name="segmentSeconds"/>: the rule keeps or picks rate R_j only with the buffer at least
    /// f⁻¹(R_(j−1)) (r for j = 0 … 1), and a segment at R_j downloads in D·R_j/C, so C ≥ max_j D·R_j / f⁻¹(R_(j−1)),
    /// and C ≥ R_min so that the lowest rate refills what it plays (our derivation from Algorithm 1).
    /// </summary>
    public double StallFreeCapacityKbps(double[] ladderKbps, double segmentSeconds)
    {
        Guard.NotNull(ladderKbps);
        Guard.Positive(segmentSeconds);
        double need = ladderKbps[0];
        for (int j = 1; j < ladderKbps.Length; j++)
        {
            double below = ladderKbps[j - 1];
            double buffer = ReservoirSeconds + CushionSeconds * (below - ladderKbps[0]) / (ladderKbps[^1] - ladderKbps[0]);
            need = Math.Max(need, segmentSeconds * ladderKbps[j] / Math.Max(buffer, segmentSeconds));
        }
        return need;
    }
}

/// <summary>A throughput-based rule: the highest rate not above a safety factor times the harmonic mean of the
/// last few segments' download throughputs (the lowest rate before any measurement).</summary>
public sealed record ThroughputRule(double Safety = 0.9, int Window = 3) : IAbrRule
{
    public string Name => "throughput";

    public int Next(int previous, double bufferSeconds, IReadOnlyList<double> throughputsKbps, double[] ladderKbps)
    {
        Guard.NotNull(throughputsKbps);
        Guard.NotNull(ladderKbps);
        if (throughputsKbps.Count == 0) return 0;
        var last = throughputsKbps.Skip(Math.Max(0, throughputsKbps.Count - Window)).ToArray();
        double estimate = Safety * last.Length / last.Sum(x => 1 / x);
        return Math.Max(0, Array.FindLastIndex(ladderKbps, r => r <= estimate));
    }
}

/// <summary>One downloaded segment: when its download started, its rendition, and the buffer when it was chosen.</summary>
public sealed record AbrSegment(double StartSeconds, int Rendition, double Kbps, double BufferSeconds);

/// <summary>A player's session: segments, quality switches, stalls and rebuffering time (after start-up).</summary>
public sealed record AbrSession(string Rule, IReadOnlyList<AbrSegment> Segments, int Switches, int Stalls,
    double RebufferSeconds, double MeanKbps, double DownloadedKilobits, double SessionSeconds);

/// <summary>A video-on-demand player downloading fixed-duration segments one at a time over a bandwidth trace.</summary>
public static class AbrPlayer
{
    /// <summary>
    /// Plays <paramref name="segments"/> segments of <paramref name="segmentSeconds"/>: before each download the rule
    /// picks a rendition; a segment at R kb/s is R·D kilobits, downloaded at the trace's capacity; playback starts
    /// after the first segment; while the buffer would exceed <paramref name="maxBufferSeconds"/> the player waits;
    /// a download that outlasts the buffer stalls playback for the difference (counted as rebuffering).
    /// </summary>
    public static AbrSession Play(BandwidthTrace trace, double[] ladderKbps, double segmentSeconds,
        double maxBufferSeconds, int segments, IAbrRule rule)
    {
        Guard.NotNull(trace);
        Guard.NotNull(rule);
        Guard.That(ladderKbps is { Length: > 0 } && ladderKbps.Zip(ladderKbps.Skip(1)).All(p => p.First < p.Second),
            "the ladder is non-empty and increasing", nameof(ladderKbps));
        Guard.InRange(segmentSeconds, 0.1, 60);
        Guard.InRange(maxBufferSeconds, segmentSeconds, 3600);
        Guard.InRange(segments, 1, 100_000);
        var list = new List<AbrSegment>();
        var throughputs = new List<double>();
        double t = 0, buffer = 0, rebuffer = 0, kilobits = 0;
        int stalls = 0, switches = 0, current = 0;
        bool playing = false;
        for (int i = 0; i < segments; i++)
        {
            if (buffer + segmentSeconds > maxBufferSeconds)
            {
                double wait = buffer + segmentSeconds - maxBufferSeconds;
                t += wait;
                buffer -= wait;
            }
            int next = rule.Next(current, buffer, throughputs, ladderKbps);
            if (i > 0 && next != current) switches++;
            current = next;
            double size = ladderKbps[current] * segmentSeconds;
            double dt = trace.DownloadSeconds(t, size);
            list.Add(new AbrSegment(t, current, ladderKbps[current], buffer));
            if (playing && dt > buffer)
            {
                stalls++;
                rebuffer += dt - buffer;
                buffer = 0;
            }
            else if (playing) buffer -= dt;
            t += dt;
            buffer += segmentSeconds;
            kilobits += size;
            throughputs.Add(size / dt);
            playing = true;
        }
        return new AbrSession(rule.Name, list, switches, stalls, rebuffer,
            list.Average(s => s.Kbps), kilobits, t + buffer);
    }
}

/// <summary>Result of many players joining a live stream through a CDN that caches the playlist.</summary>
public sealed record LiveRun(double[] LatencySeconds, double[] PlaylistAgeSeconds)
{
    public double MeanLatency => LatencySeconds.Average();
    public double MinLatency => LatencySeconds.Min();
    public double MeanAge => PlaylistAgeSeconds.Average();
    public double MaxAge => PlaylistAgeSeconds.Max();
}

/// <summary>
/// A live stream cut into segments of D seconds: segment k holds media [kD, (k + 1)D) and is published once it is
/// complete and packaged, at (k + 1)D + e. The origin's playlist at time s lists every published segment. A CDN
/// edge caches the playlist for the manifest TTL (refetching on the first request after expiry). Players join as a
/// Poisson process, read the playlist through the edge, and start playing N segments back from the newest one
/// listed (HLS asks for at least three target durations); latency is wall-clock time minus the media time on screen.
/// </summary>
public static class LiveStream
{
    public static LiveRun Simulate(double segmentSeconds, double packagingSeconds, int segmentsBehind,
        double manifestTtlSeconds, double joinsPerSecond, int players, int seed)
    {
        Guard.InRange(segmentSeconds, 0.1, 60);
        Guard.InRange(packagingSeconds, 0, 600);
        Guard.InRange(segmentsBehind, 1, 100);
        Guard.InRange(manifestTtlSeconds, 0, 3600);
        Guard.InRange(joinsPerSecond, 1e-3, 1e6);
        Guard.InRange(players, 1, 10_000_000);
        var rng = new Random(seed);
        double t = 1_000 * segmentSeconds + packagingSeconds, fetchedAt = double.NegativeInfinity;
        int cachedNewest = -1;
        var latency = new double[players];
        var age = new double[players];
        for (int i = 0; i < players; i++)
        {
            t += -Math.Log(1 - rng.NextDouble()) / joinsPerSecond;
            if (t - fetchedAt >= manifestTtlSeconds || manifestTtlSeconds == 0)
            {
                fetchedAt = t;
                // Newest published segment: the largest k with (k + 1)D + e ≤ t.
                cachedNewest = (int)Math.Floor((t - packagingSeconds) / segmentSeconds) - 1;
                while ((cachedNewest + 2) * segmentSeconds + packagingSeconds <= t) cachedNewest++;
            }
            int first = cachedNewest - segmentsBehind + 1;
            latency[i] = t - first * segmentSeconds;
            age[i] = t - fetchedAt;
        }
        return new LiveRun(latency, age);
    }

    /// <summary>Mean playlist age seen by Poisson requests at rate λ through a TTL cache refetched on demand: a
    /// fraction λT/(1 + λT) of requests falls inside a cached copy's lifetime, uniformly, so (λT/(1 + λT))·T/2.</summary>
    public static double MeanPlaylistAge(double ttlSeconds, double requestsPerSecond)
    {
        Guard.NonNegative(ttlSeconds);
        Guard.Positive(requestsPerSecond);
        double x = requestsPerSecond * ttlSeconds;
        return x / (1 + x) * ttlSeconds / 2;
    }
}
