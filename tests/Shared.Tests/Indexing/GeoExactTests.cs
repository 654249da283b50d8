using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

/// <summary>Geohash sizes and boundaries, and GeoIndex queries on points exactly at the radius.</summary>
public sealed class GeoExactTests
{
    [Fact]
    public void Cell_width_shrinks_with_the_cosine_of_latitude()
    {
        // 360/2^13 degrees of longitude at precision 5.
        Assert.Equal(4.886502549325177, Geohash.CellWidthKm(5, 0), 12);
        Assert.Equal(2.4432512746625887, Geohash.CellWidthKm(5, 60), 12);
    }

    [Fact]
    public void Common_prefix_of_a_hash_and_its_own_prefix_is_the_shorter_one()
    {
        Assert.Equal(5, Geohash.CommonPrefixLength("u4pru", "u4pruy"));
        Assert.Equal(5, Geohash.CommonPrefixLength("u4pruy", "u4pru"));
        Assert.Equal(6, Geohash.CommonPrefixLength("u4pruy", "u4pruy"));
        Assert.Equal(1, Geohash.CommonPrefixLength("u4", "u5"));
        Assert.Equal(0, Geohash.CommonPrefixLength("", "u"));
    }

    [Fact]
    public void A_circle_that_just_touches_a_pole_is_refused()
    {
        double dLat = 100 / Geohash.EarthRadiusKm * 180 / Math.PI;
        double lat = 90 - dLat;
        Assert.Equal(90, lat + dLat); // exactly at the pole
        Assert.Equal("radiusKm", Assert.Throws<ArgumentException>(() => Geohash.CircleHalfExtent(lat, 100)).ParamName);
        Assert.Equal("radiusKm", Assert.Throws<ArgumentException>(() => Geohash.CircleHalfExtent(-lat, 100)).ParamName);
        Assert.Equal(dLat, Geohash.CircleHalfExtent(Math.BitDecrement(lat), 100).LatDegrees);
    }

    private static GeoIndex Index(out IReadOnlyList<GeoPoint> points)
    {
        points = GeoIndex.RandomPoints(200, 40, 41, 10, 11, 5);
        var geo = new GeoIndex(4);
        foreach (var p in points) geo.Add(p);
        // Two points at the same place: same hash, told apart by id.
        geo.Add(new GeoPoint(1000, 40.5, 10.5));
        geo.Add(new GeoPoint(1001, 40.5, 10.5));
        return geo;
    }

    [Fact]
    public void Random_points_are_uniform_in_the_box_in_seed_order()
    {
        var points = GeoIndex.RandomPoints(3, 40, 42, 10, 14, 5);
        var rng = new Random(5);
        for (int i = 0; i < 3; i++)
        {
            double lat = 40 + rng.NextDouble() * 2, lon = 10 + rng.NextDouble() * 4;
            Assert.Equal(new GeoPoint(i, lat, lon), points[i]);
        }
    }

    [Fact]
    public void Points_at_the_same_place_and_points_exactly_at_the_radius_are_found_by_every_strategy()
    {
        var geo = Index(out var points);
        Assert.Equal(202, geo.Count);
        var near = geo.Radius(40.5, 10.5, 0.001);
        Assert.Equal([1000, 1001], near.Ids);
        Assert.True(near.PagesRead > 0);
        Assert.Equal([1000, 1001], geo.LatitudeBand(40.5, 10.5, 0.001).Ids);
        Assert.Equal([1000, 1001], geo.BruteForce(40.5, 10.5, 0.001));

        var p = points[0];
        double r = Geohash.DistanceKm(40.5, 10.5, p.Lat, p.Lon);
        var truth = geo.BruteForce(40.5, 10.5, r);
        Assert.Contains(p.Id, truth);
        Assert.Equal(truth, geo.Radius(40.5, 10.5, r).Ids);
        Assert.Equal(truth, geo.Radius(40.5, 10.5, r, GeoCover.BoundingBox).Ids);
        Assert.Equal(truth, geo.LatitudeBand(40.5, 10.5, r).Ids);
        Assert.DoesNotContain(p.Id, geo.BruteForce(40.5, 10.5, Math.BitDecrement(r)));
    }

    [Fact]
    public void Centre_cell_scans_one_cell_and_the_box_cover_uses_every_cell_allowed()
    {
        var geo = Index(out _);
        var one = geo.Radius(40.5, 10.5, 5, GeoCover.CentreCell);
        Assert.Equal([Geohash.Encode(40.5, 10.5, one.Precision)], one.Cells);
        Assert.Equal(9, geo.Radius(40.5, 10.5, 5).Cells.Count);

        var box = geo.Radius(40.5, 10.5, 5, GeoCover.BoundingBox, 32);
        int k = box.Cells.Count;
        Assert.InRange(k, 9, 32);
        // Exactly k cells allowed: the same precision; one fewer: coarser cells.
        Assert.Equal(box.Precision, geo.Radius(40.5, 10.5, 5, GeoCover.BoundingBox, k).Precision);
        Assert.True(geo.Radius(40.5, 10.5, 5, GeoCover.BoundingBox, k - 1).Precision < box.Precision || k - 1 < 9);

        // 2000 km fits in 9 cells only at precision 1 (45° × 45°).
        var wide = geo.Radius(0, 0, 2000, GeoCover.BoundingBox, 9);
        Assert.Equal(1, wide.Precision);
        Assert.Equal(["7", "e", "k", "s"], wide.Cells.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compare_covers_draws_centres_then_radius_per_query_from_the_seed()
    {
        var geo = Index(out _);
        (double Min, double Max) la = (40.2, 40.8), lo = (10.2, 10.9), km = (1, 20);
        var runs = GeoExperiment.CompareCovers(geo, 3, la, lo, km, 9);
        var rng = new Random(9);
        foreach (var run in runs)
        {
            double lat = la.Min + rng.NextDouble() * (la.Max - la.Min), lon = lo.Min + rng.NextDouble() * (lo.Max - lo.Min);
            double r = km.Min + rng.NextDouble() * (km.Max - km.Min);
            Assert.Equal((lat, lon, r), (run.Lat, run.Lon, run.R));
            Assert.Equal(geo.BruteForce(lat, lon, r).Count, run.Truth);
            Assert.True(run.Exact);
        }
    }
}
