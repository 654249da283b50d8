namespace SystemDesign.Indexing;

/// <summary>
/// One radius query answered four ways on the same <see cref="GeoIndex"/>: the true answer (brute force),
/// the centre cell and its 8 neighbours, the bounding-box cover, a B-tree on latitude, the centre cell alone.
/// Exact: the first three returned exactly the true ids. Nine/Box/Band: candidates each read.
/// </summary>
public sealed record RadiusQueryRun(double Lat, double Lon, double R, int Truth, bool Exact, int Nine, int NinePrecision,
    int Box, int BoxCells, int Band, int OneFound);

/// <summary>The harness of the radius-query experiments, so the notebook only sets parameters and checks.</summary>
public static class GeoExperiment
{
    /// <summary>
    /// Seeded random queries: centres uniform in [latMin, latMax] × [lonMin, lonMax], radii uniform in
    /// [rMinKm, rMaxKm] (drawn in that order per query), each answered by every strategy of <see cref="RadiusQueryRun"/>.
    /// </summary>
    public static IReadOnlyList<RadiusQueryRun> CompareCovers(GeoIndex geo, int queries, (double Min, double Max) lat,
        (double Min, double Max) lon, (double Min, double Max) radiusKm, int seed, int maxCells = 32)
    {
        Guard.NotNull(geo);
        Guard.InRange(queries, 1, 100_000);
        Guard.That(-90 <= lat.Min && lat.Min <= lat.Max && lat.Max <= 90, "need −90 ≤ lat.Min ≤ lat.Max ≤ 90", nameof(lat));
        Guard.That(-180 <= lon.Min && lon.Min <= lon.Max && lon.Max <= 180, "need −180 ≤ lon.Min ≤ lon.Max ≤ 180", nameof(lon));
        Guard.That(0 < radiusKm.Min && radiusKm.Min <= radiusKm.Max && radiusKm.Max <= 2000, "need 0 < rMin ≤ rMax ≤ 2000 km", nameof(radiusKm));
        var rng = new Random(seed);
        return Enumerable.Range(0, queries).Select(_ =>
        {
            double la = lat.Min + rng.NextDouble() * (lat.Max - lat.Min);
            double lo = lon.Min + rng.NextDouble() * (lon.Max - lon.Min);
            double r = radiusKm.Min + rng.NextDouble() * (radiusKm.Max - radiusKm.Min);
            var truth = geo.BruteForce(la, lo, r);
            var nine = geo.Radius(la, lo, r, GeoCover.CentreAndNeighbours);
            var box = geo.Radius(la, lo, r, GeoCover.BoundingBox, maxCells);
            var band = geo.LatitudeBand(la, lo, r);
            var one = geo.Radius(la, lo, r, GeoCover.CentreCell);
            bool exact = nine.Ids.SequenceEqual(truth) && box.Ids.SequenceEqual(truth) && band.Ids.SequenceEqual(truth);
            return new RadiusQueryRun(la, lo, r, truth.Count, exact, nine.Candidates, nine.Precision, box.Candidates,
                box.Cells.Count, band.Candidates, one.Ids.Count);
        }).ToArray();
    }
}
