namespace SystemDesign.Distribution;

/// <summary>One key whose owner changed.</summary>
public readonly record struct KeyMove(string Key, string From, string To);

/// <summary>
/// Which keys change owner between two placements (before and after a node joins or leaves), from whom to
/// whom. This is the data a cluster has to stream when it resizes, so it is what the schemes are judged on.
/// </summary>
public sealed class MoveReport
{
    private MoveReport(int keys, IReadOnlyList<KeyMove> moves)
    {
        Keys = keys;
        Moves = moves;
    }

    /// <summary>Compares the owner of every key under <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static MoveReport Between(IReadOnlyCollection<string> keys, IPlacement before, IPlacement after)
    {
        Guard.NotEmpty(keys);
        Guard.NotNull(before);
        Guard.NotNull(after);
        var moves = new List<KeyMove>();
        foreach (var key in keys)
        {
            Guard.That(key is not null, "keys must not contain null", nameof(keys));
            string from = before.Owner(key!), to = after.Owner(key!);
            if (from != to) moves.Add(new KeyMove(key!, from, to));
        }
        return new MoveReport(keys.Count, moves);
    }

    /// <summary>Number of keys compared.</summary>
    public int Keys { get; }

    /// <summary>The keys that changed owner.</summary>
    public IReadOnlyList<KeyMove> Moves { get; }

    public int Moved => Moves.Count;

    public double FractionMoved => (double)Moves.Count / Keys;

    /// <summary>Nodes that lost keys.</summary>
    public IReadOnlySet<string> Sources => Moves.Select(m => m.From).ToHashSet(StringComparer.Ordinal);

    /// <summary>Nodes that gained keys.</summary>
    public IReadOnlySet<string> Destinations => Moves.Select(m => m.To).ToHashSet(StringComparer.Ordinal);

    /// <summary>Keys moved per (from, to) pair, largest first.</summary>
    public IReadOnlyList<(string From, string To, int Keys)> Routes() =>
        Moves.GroupBy(m => (m.From, m.To)).Select(g => (g.Key.From, g.Key.To, g.Count()))
             .OrderByDescending(r => r.Item3).ThenBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal).ToArray();
}
