using System.Text;

namespace SystemDesign.Indexing;

/// <summary>The rectangle a geohash names, in degrees.</summary>
public sealed record GeoCell(string Hash, double LatMin, double LatMax, double LonMin, double LonMax)
{
    public double Lat => (LatMin + LatMax) / 2;
    public double Lon => (LonMin + LonMax) / 2;
    public double LatSpan => LatMax - LatMin;
    public double LonSpan => LonMax - LonMin;

    public bool Contains(double lat, double lon) => lat >= LatMin && lat < LatMax && lon >= LonMin && lon < LonMax;
}

/// <summary>
/// Geohash: a Z-order (Morton) curve over latitude and longitude. Bits alternate, longitude first, each
/// halving the remaining interval; every 5 bits become one base-32 character. A prefix names a rectangle that
/// contains every longer hash starting with it, so a string B-tree can find a cell's points with one range
/// scan. Nearby points usually share a prefix, but not always: a cell boundary can separate two points a
/// metre apart all the way up to the first character.
/// </summary>
public static class Geohash
{
    /// <summary>The geohash alphabet: digits and lower-case letters without a, i, l and o.</summary>
    public const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>Mean Earth radius (IUGG), km, used by <see cref="DistanceKm"/> unless told otherwise.</summary>
    public const double EarthRadiusKm = 6371.0088;

    public const int MaxPrecision = 12;

    /// <summary>The 8 neighbour directions, clockwise from north.</summary>
    public static readonly IReadOnlyList<string> Directions = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];

    public static string Encode(double lat, double lon, int precision = 11)
    {
        Guard.InRange(lat, -90, 90);
        Guard.InRange(lon, -180, 180);
        Guard.InRange(precision, 1, MaxPrecision);
        double latLo = -90, latHi = 90, lonLo = -180, lonHi = 180;
        var sb = new StringBuilder(precision);
        int bits = 0, ch = 0;
        bool evenBit = true; // even bits are longitude
        while (sb.Length < precision)
        {
            if (evenBit)
            {
                double mid = (lonLo + lonHi) / 2;
                if (lon >= mid) { ch = ch << 1 | 1; lonLo = mid; } else { ch <<= 1; lonHi = mid; }
            }
            else
            {
                double mid = (latLo + latHi) / 2;
                if (lat >= mid) { ch = ch << 1 | 1; latLo = mid; } else { ch <<= 1; latHi = mid; }
            }
            evenBit = !evenBit;
            if (++bits == 5)
            {
                sb.Append(Alphabet[ch]);
                bits = 0;
                ch = 0;
            }
        }
        return sb.ToString();
    }

    /// <summary>The cell a hash names.</summary>
    public static GeoCell Decode(string hash)
    {
        Guard.NotEmpty(hash);
        Guard.InRange(hash.Length, 1, MaxPrecision, nameof(hash) + ".Length");
        double latLo = -90, latHi = 90, lonLo = -180, lonHi = 180;
        bool evenBit = true;
        foreach (char c in hash)
        {
            int value = Alphabet.IndexOf(char.ToLowerInvariant(c));
            Guard.That(value >= 0, $"'{c}' is not a geohash character (valid: {Alphabet})", nameof(hash));
            for (int bit = 4; bit >= 0; bit--)
            {
                bool one = (value >> bit & 1) == 1;
                if (evenBit)
                {
                    double mid = (lonLo + lonHi) / 2;
                    if (one) lonLo = mid; else lonHi = mid;
                }
                else
                {
                    double mid = (latLo + latHi) / 2;
                    if (one) latLo = mid; else latHi = mid;
                }
                evenBit = !evenBit;
            }
        }
        return new GeoCell(hash.ToLowerInvariant(), latLo, latHi, lonLo, lonHi);
    }

    /// <summary>Cell size in degrees at a precision: 5·p bits, ⌈5p/2⌉ of them for longitude.</summary>
    public static (double LatDegrees, double LonDegrees) CellSize(int precision)
    {
        Guard.InRange(precision, 1, MaxPrecision);
        int bits = 5 * precision, lonBits = (bits + 1) / 2, latBits = bits / 2;
        return (180.0 / (1L << latBits), 360.0 / (1L << lonBits));
    }

    /// <summary>Cell width (east-west) in km at a latitude: it shrinks with cos(latitude).</summary>
    public static double CellWidthKm(int precision, double lat)
    {
        Guard.InRange(lat, -90, 90);
        return CellSize(precision).LonDegrees * Math.PI / 180 * EarthRadiusKm * Math.Cos(lat * Math.PI / 180);
    }

    /// <summary>Cell height (north-south) in km, the same at every latitude.</summary>
    public static double CellHeightKm(int precision) => CellSize(precision).LatDegrees * Math.PI / 180 * EarthRadiusKm;

    /// <summary>
    /// The adjacent cell in a direction (N, NE, E, SE, S, SW, W, NW), wrapping around the antimeridian;
    /// null beyond a pole. Found by stepping one cell size from the centre and encoding again.
    /// </summary>
    public static string? Neighbour(string hash, string direction)
    {
        var cell = Decode(hash);
        int d = Directions.ToList().IndexOf(Guard.NotEmpty(direction));
        Guard.That(d >= 0, $"direction must be one of {string.Join(", ", Directions)}; got '{direction}'", nameof(direction));
        int dLat = direction.Contains('N') ? 1 : direction.Contains('S') ? -1 : 0;
        int dLon = direction.Contains('E') ? 1 : direction.Contains('W') ? -1 : 0;
        double lat = cell.Lat + dLat * cell.LatSpan;
        if (lat > 90 || lat < -90) return null;
        double lon = cell.Lon + dLon * cell.LonSpan;
        if (lon >= 180) lon -= 360;
        if (lon < -180) lon += 360;
        return Encode(lat, lon, hash.Length);
    }

    /// <summary>The 8 neighbours clockwise from north (fewer next to a pole).</summary>
    public static IReadOnlyList<string> Neighbours(string hash)
        => Directions.Select(d => Neighbour(hash, d)).OfType<string>().ToArray();

    /// <summary>Great-circle distance by the haversine formula.</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2, double radiusKm = EarthRadiusKm)
    {
        Guard.InRange(lat1, -90, 90);
        Guard.InRange(lat2, -90, 90);
        Guard.Positive(radiusKm);
        double r = Math.PI / 180;
        double a = Math.Pow(Math.Sin((lat2 - lat1) * r / 2), 2)
                 + Math.Cos(lat1 * r) * Math.Cos(lat2 * r) * Math.Pow(Math.Sin((lon2 - lon1) * r / 2), 2);
        return 2 * radiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>
    /// The finest precision whose 3×3 block around the centre's cell is sure to contain the whole circle:
    /// a cell must be at least as tall as the circle's latitude half-extent r/R and at least as wide as its
    /// longitude half-extent asin(sin(r/R)/cos φ) (the exact bounding box of a spherical cap).
    /// </summary>
    public static int PrecisionFor(double lat, double radiusKm)
    {
        var (dLat, dLon) = CircleHalfExtent(lat, radiusKm);
        for (int p = MaxPrecision; p >= 1; p--)
        {
            var (cellLat, cellLon) = CellSize(p);
            if (cellLat >= dLat && cellLon >= dLon) return p;
        }
        throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, $"radiusKm is too large for a 3×3 block of geohash cells at latitude {lat}.");
    }

    /// <summary>Half-extents in degrees (latitude, longitude) of the circle's bounding box.</summary>
    public static (double LatDegrees, double LonDegrees) CircleHalfExtent(double lat, double radiusKm)
    {
        Guard.InRange(lat, -90, 90);
        Guard.InRange(radiusKm, 1e-6, 2000);
        double angular = radiusKm / EarthRadiusKm;
        double dLat = angular * 180 / Math.PI;
        Guard.That(Math.Abs(lat) + dLat < 90, $"the circle of {radiusKm} km around latitude {lat} reaches a pole; pole caps are not supported", nameof(radiusKm));
        double dLon = Math.Asin(Math.Min(1, Math.Sin(angular) / Math.Cos(lat * Math.PI / 180))) * 180 / Math.PI;
        return (dLat, dLon);
    }

    /// <summary>
    /// The longitude intervals, within [−180, 180], that a box of half-width <paramref name="dLon"/> around
    /// <paramref name="lon"/> covers: one, or two when the box crosses the antimeridian (170 ± 20 is
    /// [150, 180] and [−180, −170]). A box query must ask for each, or it misses the points across the line.
    /// </summary>
    public static IReadOnlyList<(double Min, double Max)> LongitudeRanges(double lon, double dLon)
    {
        Guard.InRange(lon, -180, 180);
        Guard.InRange(dLon, 0, 180);
        double min = lon - dLon, max = lon + dLon;
        if (max - min >= 360) return [(-180, 180)];
        if (min < -180) return [(-180, max), (min + 360, 180)];
        if (max > 180) return [(min, 180), (-180, max - 360)];
        return [(min, max)];
    }

    /// <summary>Characters two hashes share at the start.</summary>
    public static int CommonPrefixLength(string a, string b)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }
}
