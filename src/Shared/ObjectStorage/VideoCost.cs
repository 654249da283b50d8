namespace SystemDesign.ObjectStorage;

public sealed record Rendition(string Name, double Kbps, double ViewShare);

/// <summary>Unit prices (USD): list-price-like defaults, parameters of the model, not quotes.</summary>
public sealed record VideoPrices(double StoragePerGbMonth = 0.023, double EgressPerGb = 0.02,
    double TranscodePerOutputMinute = 0.0075, double ComputePerThousandViews = 0.01);

public sealed record VideoCostBreakdown(double Storage, double Egress, double Transcoding, double Compute)
{
    public double Total => Storage + Egress + Transcoding + Compute;
    public double EgressShare => Egress / Total;
    public double StorageShare => Storage / Total;
    public double TranscodingShare => Transcoding / Total;
    public double ComputeShare => Compute / Total;
}

/// <summary>
/// The first-year cost of one video: every rendition of the ladder stored for a year (per codec), transcoded
/// once, and streamed to <c>views</c> viewers who each watch <c>watchFraction</c> of it, spread over the
/// renditions by their view share. Egress at the CDN's per-GB price; compute per thousand views.
/// </summary>
public static class VideoCost
{
    public static readonly IReadOnlyList<Rendition> Ladder =
    [
        new("1080p", 5_000, 0.35), new("720p", 2_800, 0.35), new("480p", 1_400, 0.2), new("360p", 800, 0.1),
    ];

    /// <summary>Bytes of one hour of a rendition: kbps × 3600 / 8 × 1000.</summary>
    public static double GbPerHour(double kbps) => Guard.Positive(kbps) * 3600 / 8 / 1e6;

    /// <summary>Storage of one hour of video, all renditions × codecs (each codec's bitrate factor vs H.264).</summary>
    public static double StoredGbPerHour(IReadOnlyList<Rendition> ladder, IReadOnlyList<double> codecFactors)
    {
        Guard.NotNull(ladder);
        Guard.NotNull(codecFactors);
        return codecFactors.Sum(f => ladder.Sum(r => GbPerHour(r.Kbps * f)));
    }

    /// <summary>GB streamed per hour watched, at the ladder's view mix and the served codec's factor.</summary>
    public static double StreamedGbPerHour(IReadOnlyList<Rendition> ladder, double codecFactor)
    {
        Guard.NotNull(ladder);
        Guard.InRange(codecFactor, 0.05, 2.0);
        Guard.That(Math.Abs(ladder.Sum(r => r.ViewShare) - 1) < 1e-9, "view shares summing to 1", nameof(ladder));
        return ladder.Sum(r => r.ViewShare * GbPerHour(r.Kbps * codecFactor));
    }

    public static VideoCostBreakdown FirstYear(double videoHours, double views, double watchFraction,
        IReadOnlyList<Rendition> ladder, IReadOnlyList<double> storedCodecFactors, double servedCodecFactor,
        VideoPrices prices)
    {
        Guard.InRange(videoHours, 1e-3, 1e3);
        Guard.InRange(views, 0.0, 1e12);
        Guard.InRange(watchFraction, 0.0, 1.0);
        Guard.NotNull(prices);
        double storage = StoredGbPerHour(ladder, storedCodecFactors) * videoHours * prices.StoragePerGbMonth * 12;
        double egress = views * watchFraction * videoHours * StreamedGbPerHour(ladder, servedCodecFactor) * prices.EgressPerGb;
        double transcode = ladder.Count * storedCodecFactors.Count * videoHours * 60 * prices.TranscodePerOutputMinute;
        double compute = views / 1000 * prices.ComputePerThousandViews;
        return new VideoCostBreakdown(storage, egress, transcode, compute);
    }

    /// <summary>The views at which egress reaches <c>share</c> of the first-year cost (bisection on a
    /// monotone function of views).</summary>
    public static double ViewsForEgressShare(double share, double videoHours, double watchFraction,
        IReadOnlyList<Rendition> ladder, IReadOnlyList<double> storedCodecFactors, double servedCodecFactor,
        VideoPrices prices)
    {
        Guard.InRange(share, 0.01, 0.99);
        double lo = 0, hi = 1e12;
        for (int i = 0; i < 200; i++)
        {
            double mid = Math.Sqrt(Math.Max(lo, 1) * hi);
            double s = FirstYear(videoHours, mid, watchFraction, ladder, storedCodecFactors, servedCodecFactor, prices).EgressShare;
            if (s < share) lo = mid; else hi = mid;
        }
        return hi;
    }
}
