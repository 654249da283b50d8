namespace SystemDesign.Distribution;

/// <summary>What a Redis Cluster node does with a single-key command: serve it, or redirect the client.</summary>
public enum SlotReplyKind { Served, Moved, Ask }

/// <summary>A node's answer to a single-key command: served, or <c>MOVED</c>/<c>ASK</c> to <see cref="Node"/>.</summary>
public readonly record struct SlotReply(SlotReplyKind Kind, string Node)
{
    public static SlotReply Served => new(SlotReplyKind.Served, "");

    public override string ToString() => Kind switch
    {
        SlotReplyKind.Served => "served",
        SlotReplyKind.Moved => $"MOVED → {Node}",
        _ => $"ASK → {Node}",
    };
}

/// <summary>Where a live slot migration stands, in the order the steps must happen.</summary>
public enum MigrationPhase
{
    /// <summary>No migration: the source owns the slot.</summary>
    Stable,
    /// <summary><c>CLUSTER SETSLOT s IMPORTING &lt;source-id&gt;</c> sent to the target.</summary>
    Importing,
    /// <summary>…then <c>CLUSTER SETSLOT s MIGRATING &lt;target-id&gt;</c> sent to the source; keys move with MIGRATE.</summary>
    Migrating,
    /// <summary><c>CLUSTER SETSLOT s NODE &lt;target-id&gt;</c> sent to every master: the target owns the slot.</summary>
    Done,
}

/// <summary>
/// A model of one slot moving from its owner (the source) to a target, as the Redis Cluster specification
/// describes it, predicting each node's reply to a single-key command (GET) at every phase:
/// a node that does not own the slot answers <c>MOVED slot owner</c>; the source, while MIGRATING, serves
/// keys it still has and answers <c>ASK slot target</c> for the others; the target, while IMPORTING,
/// serves a command only right after <c>ASKING</c>, and otherwise answers <c>MOVED</c> to the source
/// (which still owns the slot); after the NODE step only the target serves and everyone else says MOVED.
/// The phases can only advance in the documented order (IMPORTING before MIGRATING).
/// </summary>
public sealed class SlotMigration
{
    private readonly SlotTable _table;
    private readonly HashSet<string> _atSource;
    private readonly HashSet<string> _atTarget = new(StringComparer.Ordinal);

    /// <param name="table">The table before the migration.</param>
    /// <param name="slot">The slot to move.</param>
    /// <param name="target">The node that will own it; not its current owner.</param>
    /// <param name="keys">The keys stored in the slot (on the source) when the migration starts.</param>
    public SlotMigration(SlotTable table, int slot, string target, IEnumerable<string> keys)
    {
        _table = Guard.NotNull(table);
        Slot = Guard.InRange(slot, 0, HashSlots.Count - 1);
        Guard.NotEmpty(target);
        Guard.That(table.Nodes.Contains(target, StringComparer.Ordinal), $"'{target}' is not a node of the table", nameof(target));
        Source = table.OwnerOfSlot(slot);
        Guard.That(Source != target, $"slot {slot} already belongs to {target}", nameof(target));
        Target = target;
        _atSource = new HashSet<string>(Guard.NotNull(keys), StringComparer.Ordinal);
        foreach (var k in _atSource)
            Guard.That(HashSlots.Slot(k) == slot, $"key '{k}' is in slot {HashSlots.Slot(k)}, not {slot}", nameof(keys));
    }

    public int Slot { get; }
    public string Source { get; }
    public string Target { get; }
    public MigrationPhase Phase { get; private set; } = MigrationPhase.Stable;

    /// <summary>Keys the model places on the source / the target right now.</summary>
    public IReadOnlyCollection<string> KeysAtSource => _atSource;
    public IReadOnlyCollection<string> KeysAtTarget => _atTarget;

    /// <summary>The table once the migration is done (the slot owned by the target), else the table before.</summary>
    public SlotTable Table => _after ?? _table;

    private SlotTable? _after;

    /// <summary>Step 1: the target is told it imports the slot from the source.</summary>
    public void Importing() => Advance(MigrationPhase.Stable, MigrationPhase.Importing, "IMPORTING is the first step");

    /// <summary>Step 2: the source is told it migrates the slot to the target (only after step 1).</summary>
    public void Migrating() => Advance(MigrationPhase.Importing, MigrationPhase.Migrating,
        "MIGRATING must follow IMPORTING on the target, or the target would refuse the ASK-redirected commands");

    /// <summary>Step 3 (repeated): these keys were MIGRATEd from the source to the target.</summary>
    public void Moved(IEnumerable<string> keys)
    {
        Guard.NotNull(keys);
        Guard.That(Phase == MigrationPhase.Migrating, $"keys move only while MIGRATING (phase is {Phase})", nameof(keys));
        foreach (var k in keys)
        {
            Guard.That(_atSource.Remove(k), $"key '{k}' is not on the source", nameof(keys));
            _atTarget.Add(k);
        }
    }

    /// <summary>Step 4: SETSLOT … NODE target on every master; the source must be empty by then.</summary>
    public void Done()
    {
        Guard.That(_atSource.Count == 0, $"{_atSource.Count} keys are still on the source; MIGRATE them first", "Phase");
        Advance(MigrationPhase.Migrating, MigrationPhase.Done, "NODE ends a migration that is MIGRATING");
        _after = _table.WithSlot(Slot, Target);
    }

    /// <summary>The reply <paramref name="node"/> gives to GET <paramref name="key"/>, sent right after
    /// ASKING when <paramref name="asking"/> is true.</summary>
    public SlotReply Predict(string node, string key, bool asking)
    {
        Guard.NotEmpty(node);
        Guard.NotNull(key);
        Guard.That(_table.Nodes.Contains(node, StringComparer.Ordinal), $"'{node}' is not a node of the table", nameof(node));
        if (HashSlots.Slot(key) != Slot)
        {
            string owner = _table.Owner(key);
            return node == owner ? SlotReply.Served : new SlotReply(SlotReplyKind.Moved, owner);
        }
        return Phase switch
        {
            MigrationPhase.Done => node == Target ? SlotReply.Served : new SlotReply(SlotReplyKind.Moved, Target),
            _ when node == Source => Phase == MigrationPhase.Migrating && !_atSource.Contains(key)
                ? new SlotReply(SlotReplyKind.Ask, Target) : SlotReply.Served,
            _ when node == Target && asking && Phase != MigrationPhase.Stable => SlotReply.Served,
            _ => new SlotReply(SlotReplyKind.Moved, Source),
        };
    }

    private void Advance(MigrationPhase from, MigrationPhase to, string rule)
    {
        if (Phase != from) throw new InvalidOperationException($"cannot go {Phase} → {to}: {rule}.");
        Phase = to;
    }
}
