using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class VideoCostModelTests
{
    private static readonly double[] Codecs = [1.0, 0.5];

    [Fact]
    public void Breakdown_totals_and_shares()
    {
        var b = new VideoCostBreakdown(1, 2, 3, 4);
        Assert.Equal(10, b.Total, 12);
        Assert.Equal(0.1, b.StorageShare, 12);
        Assert.Equal(0.2, b.EgressShare, 12);
        Assert.Equal(0.3, b.TranscodingShare, 12);
        Assert.Equal(0.4, b.ComputeShare, 12);
    }

    [Fact]
    public void Default_prices_and_ladder()
    {
        Assert.Equal(new VideoPrices(0.023, 0.02, 0.0075, 0.01), new VideoPrices());
        Assert.Equal(new[] { "1080p", "720p", "480p", "360p" }, VideoCost.Ladder.Select(r => r.Name));
        Assert.Equal(1, VideoCost.Ladder.Sum(r => r.ViewShare), 12);
    }

    [Fact]
    public void Gigabytes_per_hour_of_bitrates_and_ladders()
    {
        Assert.Equal(0.36, VideoCost.GbPerHour(800), 12);
        // 5,000 + 2,800 + 1,400 + 800 kbps = 10,000 kbps = 4.5 GB/h per codec.
        Assert.Equal(4.5, VideoCost.StoredGbPerHour(VideoCost.Ladder, [1.0]), 12);
        Assert.Equal(6.75, VideoCost.StoredGbPerHour(VideoCost.Ladder, Codecs), 12);
        Assert.Equal(0, VideoCost.StoredGbPerHour(VideoCost.Ladder, []));
        // 0.35·2.25 + 0.35·1.26 + 0.2·0.63 + 0.1·0.36.
        Assert.Equal(1.3905, VideoCost.StreamedGbPerHour(VideoCost.Ladder, 1.0), 12);
        Assert.Equal(0.69525, VideoCost.StreamedGbPerHour(VideoCost.Ladder, 0.5), 12);
    }

    [Fact]
    public void First_year_prices_each_component()
    {
        var unit = new VideoPrices(StoragePerGbMonth: 1, EgressPerGb: 2, TranscodePerOutputMinute: 3, ComputePerThousandViews: 4);
        var c = VideoCost.FirstYear(2, 1000, 0.5, VideoCost.Ladder, Codecs, 0.5, unit);
        Assert.Equal(6.75 * 2 * 1 * 12, c.Storage, 9);
        Assert.Equal(1000 * 0.5 * 2 * 0.69525 * 2, c.Egress, 9);
        Assert.Equal(4 * 2 * 2 * 60 * 3.0, c.Transcoding, 9);
        Assert.Equal(4, c.Compute, 9);
        var d = VideoCost.FirstYear(2, 1000, 0.5, VideoCost.Ladder, Codecs, 0.5, new VideoPrices());
        Assert.Equal(new VideoCostBreakdown(3.726, 13.905, 7.2, 0.01).Total, d.Total, 9);
        Assert.Equal(0, VideoCost.FirstYear(2, 0, 0.5, VideoCost.Ladder, Codecs, 0.5, unit).Egress);
    }

    [Fact]
    public void Views_for_an_egress_share_solve_the_share_equation()
    {
        // share = v·e / (S + T + v·(e + c))  ⇒  v = share·(S + T) / (e − share·(e + c)).
        var p = new VideoPrices();
        double fixedCost = 6.75 * 2 * 0.023 * 12 + 4 * 2 * 2 * 60 * 0.0075;
        double e = 0.5 * 2 * 0.69525 * 0.02, c = 0.01 / 1000;
        foreach (double share in new[] { 0.01, 0.7, 0.99 })
        {
            double v = VideoCost.ViewsForEgressShare(share, 2, 0.5, VideoCost.Ladder, Codecs, 0.5, p);
            double want = share * fixedCost / (e - share * (e + c));
            Assert.True(Math.Abs(v - want) <= 1e-9 * want, $"share {share}: {v:R} vs {want:R}");
        }
    }

    [Fact]
    public void Video_cost_guards_name_their_parameter()
    {
        var p = new VideoPrices();
        var ladder = VideoCost.Ladder;
        OutOfRange("kbps", () => VideoCost.GbPerHour(0));
        Null("ladder", () => VideoCost.StoredGbPerHour(null!, Codecs));
        Null("codecFactors", () => VideoCost.StoredGbPerHour(ladder, null!));
        Null("ladder", () => VideoCost.StreamedGbPerHour(null!, 1));
        OutOfRange("codecFactor", () => VideoCost.StreamedGbPerHour(ladder, 0.04));
        OutOfRange("codecFactor", () => VideoCost.StreamedGbPerHour(ladder, 2.01));
        Invalid("ladder", () => VideoCost.StreamedGbPerHour([new Rendition("a", 100, 0.9)], 1), "view shares summing to 1");
        Invalid("ladder", () => VideoCost.StreamedGbPerHour([new Rendition("a", 100, 0.5), new Rendition("b", 100, 0.6)], 1));
        OutOfRange("videoHours", () => VideoCost.FirstYear(0, 1, 0.5, ladder, Codecs, 1, p));
        OutOfRange("videoHours", () => VideoCost.FirstYear(1001, 1, 0.5, ladder, Codecs, 1, p));
        OutOfRange("views", () => VideoCost.FirstYear(1, -1, 0.5, ladder, Codecs, 1, p));
        OutOfRange("views", () => VideoCost.FirstYear(1, 2e12, 0.5, ladder, Codecs, 1, p));
        OutOfRange("watchFraction", () => VideoCost.FirstYear(1, 1, 1.1, ladder, Codecs, 1, p));
        OutOfRange("watchFraction", () => VideoCost.FirstYear(1, 1, -0.1, ladder, Codecs, 1, p));
        Null("prices", () => VideoCost.FirstYear(1, 1, 0.5, ladder, Codecs, 1, null!));
        Null("ladder", () => VideoCost.FirstYear(1, 1, 0.5, null!, Codecs, 1, p));
        Null("codecFactors", () => VideoCost.FirstYear(1, 1, 0.5, ladder, null!, 1, p));
        OutOfRange("codecFactor", () => VideoCost.FirstYear(1, 1, 0.5, ladder, Codecs, 3, p));
        OutOfRange("share", () => VideoCost.ViewsForEgressShare(0.005, 1, 0.5, ladder, Codecs, 1, p));
        OutOfRange("share", () => VideoCost.ViewsForEgressShare(0.995, 1, 0.5, ladder, Codecs, 1, p));
    }
}
