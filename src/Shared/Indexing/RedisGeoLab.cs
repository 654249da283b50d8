using StackExchange.Redis;

namespace SystemDesign.Indexing;

/// <summary>
/// Redis GEO next to our geohash index. GEOADD stores each point as a 52-bit interleaved geohash (26 bits per
/// axis) in a sorted set, so positions come back quantised; GEOHASH re-encodes that position as a standard
/// 11-character geohash whose last character is padded (52 bits fill 10 characters and 2 bits). RadiusIds uses
/// GEOSEARCH … BYRADIUS, which filters by the haversine distance on a sphere of radius
/// <see cref="RedisGeoLab.EarthRadiusKm"/>.
/// </summary>
public sealed record RedisGeoComparison(
    IReadOnlyList<int> RedisIds,
    IReadOnlyList<int> BruteForceIds,
    int HashesCompared,
    int HashesAgreeingOnTenChars,
    string Version);

/// <summary>Runs the Redis side of the geospatial experiment under the key prefix nb04:.</summary>
public static class RedisGeoLab
{
    /// <summary>The Earth radius Redis uses for GEO distances (src/geohash_helper.c), in km.</summary>
    public const double EarthRadiusKm = 6372.797560856;

    public const string Key = "nb04:drivers";

    /// <summary>
    /// Loads the points, runs one GEOSEARCH radius query, and compares (1) its members with a brute-force
    /// haversine over the positions Redis stores (GEOPOS, same radius constant) and (2) GEOHASH with our
    /// encoding of those positions. The key is deleted before and after.
    /// </summary>
    public static RedisGeoComparison Compare(IDatabase db, IReadOnlyList<GeoPoint> points, double lat, double lon, double radiusKm)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(points);
        Guard.InRange(lat, -85, 85);
        Guard.InRange(lon, -180, 180);
        Guard.InRange(radiusKm, 0.001, 1000);
        Guard.That(points.All(p => Math.Abs(p.Lat) <= 85.05), "Redis stores latitudes within ±85.05° only", nameof(points));
        db.KeyDelete(Key);
        try
        {
            db.GeoAdd(Key, points.Select(p => new GeoEntry(p.Lon, p.Lat, p.Id)).ToArray());
            var found = db.GeoSearch(Key, lon, lat, new GeoSearchCircle(radiusKm, GeoUnit.Kilometers), -1, true, null, GeoRadiusOptions.None)
                .Select(r => (int)r.Member).Order().ToArray();

            var members = points.Select(p => (RedisValue)p.Id).ToArray();
            var stored = db.GeoPosition(Key, members);
            var hashes = db.GeoHash(Key, members);
            var brute = new List<int>();
            int agree = 0;
            for (int i = 0; i < points.Count; i++)
            {
                var pos = stored[i]!.Value;
                if (Geohash.DistanceKm(lat, lon, pos.Latitude, pos.Longitude, EarthRadiusKm) <= radiusKm) brute.Add(points[i].Id);
                if (hashes[i]?[..10] == Geohash.Encode(pos.Latitude, pos.Longitude, 10)) agree++;
            }
            brute.Sort();
            var info = db.Multiplexer.GetServers()[0].Version.ToString();
            return new RedisGeoComparison(found, brute, points.Count, agree, info);
        }
        finally
        {
            db.KeyDelete(Key);
        }
    }
}
