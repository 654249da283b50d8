namespace SystemDesign.Indexing;

/// <summary>Which geohash cells a radius query scans.</summary>
public enum GeoCover
{
    /// <summary>Only the cell holding the centre: fast, and wrong near its edges.</summary>
    CentreCell,

    /// <summary>The centre cell and its 8 neighbours, at a precision whose cells are at least as large as the circle.</summary>
    CentreAndNeighbours,

    /// <summary>Every cell meeting the circle's bounding box, at the finest precision that keeps the cell count bounded.</summary>
    BoundingBox,
}

/// <summary>A point with an id, in degrees.</summary>
public readonly record struct GeoPoint(int Id, double Lat, double Lon);

/// <summary>
/// The outcome of a radius query: the ids found (sorted), how many stored points the index had to read and
/// test (candidates), the cells it scanned and the B-tree pages it read.
/// </summary>
public sealed record RadiusResult(IReadOnlyList<int> Ids, int Candidates, IReadOnlyList<string> Cells, int Precision, int PagesRead);

/// <summary>
/// Points indexed the way a relational table would do it without a spatial index type: a B+tree on the
/// (geohash, id) string key. A radius query turns the circle into a few geohash cells, scans each as one prefix
/// range, then keeps the candidates whose great-circle distance is within the radius. For comparison it can also
/// answer from a one-dimensional index on latitude alone (a band scan) or by checking every point.
/// </summary>
public sealed class GeoIndex
{
    private sealed class KeyOrder : IComparer<(string Hash, int Id)>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare((string Hash, int Id) x, (string Hash, int Id) y)
        {
            int c = string.CompareOrdinal(x.Hash, y.Hash);
            return c != 0 ? c : x.Id.CompareTo(y.Id);
        }
    }

    private readonly BPlusTree<(string Hash, int Id), GeoPoint> _byHash;
    private readonly BPlusTree<(double Lat, int Id), GeoPoint> _byLat;
    private readonly List<GeoPoint> _points = [];

    /// <param name="fanout">fan-out (and leaf capacity) of both B+trees, 3..10 000.</param>
    public GeoIndex(int fanout = 64)
    {
        Guard.InRange(fanout, 3, 10_000);
        _byHash = new BPlusTree<(string, int), GeoPoint>(fanout, fanout, KeyOrder.Instance);
        _byLat = new BPlusTree<(double, int), GeoPoint>(fanout, fanout);
    }

    public int Count => _points.Count;

    public void Add(GeoPoint point)
    {
        Guard.InRange(point.Lat, -90, 90);
        Guard.InRange(point.Lon, -180, 180);
        _byHash.Insert((Geohash.Encode(point.Lat, point.Lon, Geohash.MaxPrecision), point.Id), point);
        _byLat.Insert((point.Lat, point.Id), point);
        _points.Add(point);
    }

    /// <summary>Seeded uniform points in a lat/lon box.</summary>
    public static IReadOnlyList<GeoPoint> RandomPoints(int count, double latMin, double latMax, double lonMin, double lonMax, int seed)
    {
        Guard.InRange(count, 0, 10_000_000);
        Guard.That(-90 <= latMin && latMin < latMax && latMax <= 90, "need −90 ≤ latMin < latMax ≤ 90", nameof(latMin));
        Guard.That(-180 <= lonMin && lonMin < lonMax && lonMax <= 180, "need −180 ≤ lonMin < lonMax ≤ 180", nameof(lonMin));
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new GeoPoint(i, latMin + rng.NextDouble() * (latMax - latMin), lonMin + rng.NextDouble() * (lonMax - lonMin)))
            .ToArray();
    }

    /// <summary>
    /// Points within radiusKm of the centre, by prefix scans over geohash cells and an exact distance filter.
    /// <see cref="GeoCover.CentreAndNeighbours"/> scans the 3×3 block at the finest precision whose cells are at
    /// least as large as the circle; <see cref="GeoCover.BoundingBox"/> scans every cell meeting the circle's
    /// bounding box at the finest precision needing at most <paramref name="maxCells"/> cells (more, smaller
    /// cells: fewer candidates); <see cref="GeoCover.CentreCell"/> scans the centre's cell only and misses points.
    /// </summary>
    public RadiusResult Radius(double lat, double lon, double radiusKm, GeoCover cover = GeoCover.CentreAndNeighbours, int maxCells = 32)
    {
        Guard.InRange(maxCells, 9, 4096);
        var (dLat, dLon) = Geohash.CircleHalfExtent(lat, radiusKm);
        int precision;
        string[] cells;
        if (cover == GeoCover.BoundingBox)
            (precision, cells) = BoxCover(lat - dLat, lat + dLat, lon - dLon, lon + dLon, maxCells);
        else
        {
            precision = Geohash.PrecisionFor(lat, radiusKm);
            string centre = Geohash.Encode(lat, lon, precision);
            cells = cover == GeoCover.CentreCell ? [centre] : new[] { centre }.Concat(Geohash.Neighbours(centre)).Distinct().ToArray();
        }
        var ids = new List<int>();
        int candidates = 0, pages = 0;
        foreach (var cell in cells)
        {
            // Every 12-character hash with this prefix sorts between the prefix and the prefix followed by '~'.
            var scan = _byHash.Range((cell, int.MinValue), (cell + "~", int.MinValue));
            pages += scan.PagesRead;
            foreach (var (_, p) in scan.Items)
            {
                candidates++;
                if (Geohash.DistanceKm(lat, lon, p.Lat, p.Lon) <= radiusKm) ids.Add(p.Id);
            }
        }
        ids.Sort();
        return new RadiusResult(ids, candidates, cells, precision, pages);
    }

    // The finest precision at which the cells meeting the box number at most maxCells, and those cells.
    private static (int Precision, string[] Cells) BoxCover(double latMin, double latMax, double lonMin, double lonMax, int maxCells)
    {
        for (int p = Geohash.MaxPrecision; p >= 1; p--)
        {
            var (cellLat, cellLon) = Geohash.CellSize(p);
            long rows = (long)Math.Floor((latMax + 90) / cellLat) - (long)Math.Floor((latMin + 90) / cellLat) + 1;
            long cols = (long)Math.Floor((lonMax + 180) / cellLon) - (long)Math.Floor((lonMin + 180) / cellLon) + 1;
            if (rows * cols > maxCells) continue;
            var cells = new HashSet<string>();
            double firstLat = -90 + (Math.Floor((latMin + 90) / cellLat) + 0.5) * cellLat;
            double firstLon = -180 + (Math.Floor((lonMin + 180) / cellLon) + 0.5) * cellLon;
            for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++)
                {
                    double cLat = Math.Clamp(firstLat + i * cellLat, -90, 90), cLon = firstLon + j * cellLon;
                    // The box may cross the antimeridian on either side: wrap the cell centre back onto the globe.
                    if (cLon >= 180) cLon -= 360;
                    else if (cLon < -180) cLon += 360;
                    cells.Add(Geohash.Encode(cLat, cLon, p));
                }
            return (p, cells.ToArray());
        }
        throw new ArgumentOutOfRangeException(nameof(maxCells), maxCells, "maxCells is too small to cover the circle even with 1-character cells.");
    }

    /// <summary>The same query through a B-tree on latitude only: it must read the whole band lat ± r.</summary>
    public RadiusResult LatitudeBand(double lat, double lon, double radiusKm)
    {
        var (dLat, _) = Geohash.CircleHalfExtent(lat, radiusKm);
        var scan = _byLat.Range((lat - dLat, int.MinValue), (lat + dLat, int.MaxValue));
        var ids = scan.Items.Where(e => Geohash.DistanceKm(lat, lon, e.Value.Lat, e.Value.Lon) <= radiusKm).Select(e => e.Value.Id).Order().ToArray();
        return new RadiusResult(ids, scan.Items.Count, [], 0, scan.PagesRead);
    }

    /// <summary>The answer by checking every point (what the index must reproduce).</summary>
    public IReadOnlyList<int> BruteForce(double lat, double lon, double radiusKm, double earthRadiusKm = Geohash.EarthRadiusKm)
    {
        Guard.InRange(radiusKm, 0, 20_000);
        return _points.Where(p => Geohash.DistanceKm(lat, lon, p.Lat, p.Lon, earthRadiusKm) <= radiusKm).Select(p => p.Id).Order().ToArray();
    }
}
