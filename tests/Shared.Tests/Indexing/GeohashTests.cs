using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

public sealed class GeohashTests
{
    [Theory]
    [InlineData(57.64911, 10.40744, "u4pruydqqvj")]
    [InlineData(42.6, -5.6, "ezs42")]
    [InlineData(0.0, 0.0, "s0000000000")]
    public void Encodes_known_vectors(double lat, double lon, string hash)
        => Assert.Equal(hash, Geohash.Encode(lat, lon, hash.Length));

    [Fact]
    public void Decoding_gives_the_cell_that_contains_the_point()
    {
        var cell = Geohash.Decode("u4pruydqqvj");
        Assert.True(cell.Contains(57.64911, 10.40744));
        Assert.InRange(cell.LatSpan, 1.3e-6, 1.4e-6); // 27 latitude bits: 180/2^27
        var (lat, lon) = Geohash.CellSize(5);
        Assert.Equal(180.0 / 4096, lat);
        Assert.Equal(360.0 / 8192, lon);
    }

    [Fact]
    public void Neighbours_match_published_values_and_wrap_the_antimeridian()
    {
        // ezs42: the geohash.org example cell.
        Assert.Equal(["ezs48", "ezs49", "ezs43", "ezs41", "ezs40", "ezefp", "ezefr", "ezefx"], Geohash.Neighbours("ezs42"));
        var east = Geohash.Neighbour(Geohash.Encode(10, 179.99, 4), "E")!;
        Assert.True(Geohash.Decode(east).LonMin < -179);
        Assert.Null(Geohash.Neighbour(Geohash.Encode(89.99, 0, 3), "N"));
    }

    [Fact]
    public void A_box_crossing_the_antimeridian_splits_into_two_longitude_ranges()
    {
        Assert.Equal([(-10.0, 10.0)], Geohash.LongitudeRanges(0, 10));
        Assert.Equal([(150.0, 180.0), (-180.0, -170.0)], Geohash.LongitudeRanges(170, 20));
        Assert.Equal([(-180.0, -165.0), (175.0, 180.0)], Geohash.LongitudeRanges(-175, 10));
        Assert.Equal([(170.0, 180.0)], Geohash.LongitudeRanges(175, 5)); // touching the line is not crossing it
        Assert.Equal([(-180.0, 180.0)], Geohash.LongitudeRanges(0, 180));
        Assert.Equal([(-180.0, 180.0)], Geohash.LongitudeRanges(-90, 180));
        Assert.Equal("lon", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.LongitudeRanges(180.01, 1)).ParamName);
        Assert.Equal("lon", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.LongitudeRanges(-180.01, 1)).ParamName);
        Assert.Equal("dLon", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.LongitudeRanges(0, -0.01)).ParamName);
        Assert.Equal("dLon", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.LongitudeRanges(0, 180.01)).ParamName);
    }

    [Fact]
    public void Radius_query_through_nine_cells_equals_brute_force()
    {
        var index = new GeoIndex(32);
        foreach (var p in GeoIndex.RandomPoints(5000, 37.0, 38.0, -123.0, -122.0, seed: 5)) index.Add(p);
        var rng = new Random(9);
        for (int i = 0; i < 30; i++)
        {
            double lat = 37.2 + rng.NextDouble() * 0.6, lon = -122.8 + rng.NextDouble() * 0.6, r = 0.5 + rng.NextDouble() * 10;
            var result = index.Radius(lat, lon, r);
            var box = index.Radius(lat, lon, r, GeoCover.BoundingBox, maxCells: 32);
            Assert.Equal(index.BruteForce(lat, lon, r), result.Ids);
            Assert.Equal(result.Ids, box.Ids);
            Assert.InRange(box.Cells.Count, 1, 32);
            Assert.True(box.Candidates <= result.Candidates);
            Assert.True(result.Candidates < index.Count);
            Assert.Equal(index.BruteForce(lat, lon, r), index.LatitudeBand(lat, lon, r).Ids);
        }
    }

    [Fact]
    public void Points_a_few_metres_apart_can_share_no_prefix()
    {
        string a = Geohash.Encode(0.0001, 0.0001), b = Geohash.Encode(-0.0001, -0.0001);
        Assert.Equal(0, Geohash.CommonPrefixLength(a, b));
        Assert.True(Geohash.DistanceKm(0.0001, 0.0001, -0.0001, -0.0001) < 0.05);
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        Assert.Equal("lat", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(91, 0)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.Encode(0, 0, 13)).ParamName);
        Assert.Equal("hash", Assert.Throws<ArgumentException>(() => Geohash.Decode("abc")).ParamName);
        Assert.Equal("direction", Assert.Throws<ArgumentException>(() => Geohash.Neighbour("ezs42", "UP")).ParamName);
        Assert.Equal("radiusKm", Assert.Throws<ArgumentException>(() => Geohash.PrecisionFor(89.9, 50)).ParamName);
    }
}
