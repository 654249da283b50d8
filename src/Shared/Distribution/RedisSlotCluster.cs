namespace SystemDesign.Distribution;

/// <summary>The health of a Redis Cluster as every node reports it (CLUSTER INFO, CLUSTER NODES).</summary>
public sealed record ClusterHealth(bool AllStatesOk, int SlotsAssigned, int Masters, int KnownNodes, bool NodesAgree)
{
    /// <summary>Every node says cluster_state:ok, all 16384 slots assigned, and they agree on the table.</summary>
    public bool Healthy => AllStatesOk && SlotsAssigned == HashSlots.Count && NodesAgree;

    public override string ToString() =>
        $"cluster_state {(AllStatesOk ? "ok" : "NOT ok")} on every node, {SlotsAssigned:N0} slots assigned, {Masters} masters, "
        + $"{KnownNodes} known nodes, slot tables {(NodesAgree ? "identical" : "DIFFERENT")} on every node";
}

/// <summary>One probe of a live migration: what the model predicted and what the node answered.</summary>
public sealed record MigrationProbe(string Step, string Node, string Key, bool Asking, SlotReply Predicted, SlotReply Observed)
{
    public bool Agrees => Predicted == Observed;
}

/// <summary>A migration run on a real cluster: every probe, the two watched keys (moved in the first batch /
/// a later one), MIGRATE batches, time from IMPORTING to the last NODE, and the owner CLUSTER SLOTS names after.</summary>
public sealed record MigrationRun(IReadOnlyList<MigrationProbe> Probes, string MovedFirst, string MovedLater, int Batches,
    TimeSpan Elapsed, string OwnerAfter)
{
    public const string Halfway = "after the 1st MIGRATE batch";
    public const string After = "after SETSLOT NODE";

    /// <summary>What <paramref name="node"/> answered to GET <paramref name="key"/> at <paramref name="step"/>.</summary>
    public SlotReply Observed(string step, string node, string key, bool asking) =>
        Probes.Single(p => p.Step == step && p.Node == node && p.Key == key && p.Asking == asking).Observed;
}

/// <summary>
/// The masters of a real Redis Cluster, each over its own plain connection (<see cref="RedisNode"/>), so
/// redirects are seen, not followed. Reads the cluster's slot table (CLUSTER SLOTS) as a <see cref="SlotTable"/>
/// whose node names are the masters' "host:port", and moves a slot live with the documented sequence:
/// IMPORTING on the target, MIGRATING on the source, GETKEYSINSLOT + MIGRATE … KEYS in batches, NODE on all.
/// </summary>
public sealed class RedisSlotCluster : IDisposable
{
    private readonly Dictionary<string, RedisNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    /// <summary>Connects to every endpoint of "host:port,host:port,…".</summary>
    public RedisSlotCluster(string endpoints)
    {
        Guard.NotEmpty(endpoints);
        try
        {
            foreach (var e in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var node = new RedisNode(e);
                _nodes[e] = node;
                _ids[e] = (string)node.Must("CLUSTER", "MYID")!;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Guard.That(_nodes.Count > 0, "no endpoint given", nameof(endpoints));
    }

    /// <summary>The endpoints ("host:port"), in the order given.</summary>
    public IReadOnlyList<string> Endpoints => _nodes.Keys.ToArray();

    /// <summary>The plain connection to one node.</summary>
    public RedisNode Node(string endpoint) => _nodes.TryGetValue(Guard.NotEmpty(endpoint), out var n)
        ? n : throw new ArgumentException($"'{endpoint}' is not one of {string.Join(", ", _nodes.Keys)}", nameof(endpoint));

    /// <summary>The node id (CLUSTER MYID) of one node.</summary>
    public string Id(string endpoint) => _ids[Node(endpoint).Endpoint];

    /// <summary>The slot ranges as <paramref name="endpoint"/> (default: the first node) reports them in CLUSTER SLOTS.</summary>
    public IReadOnlyList<SlotRange> Ranges(string? endpoint = null)
    {
        var reply = (object?[])Node(endpoint ?? Endpoints[0]).Must("CLUSTER", "SLOTS")!;
        return reply.Cast<object?[]>().Select(r =>
        {
            var master = (object?[])r[2]!;
            return new SlotRange((int)(long)r[0]!, (int)(long)r[1]!, $"{master[0]}:{master[1]}");
        }).OrderBy(r => r.Start).ToArray();
    }

    /// <summary>The cluster's own slot table, as a <see cref="SlotTable"/> (throws if a slot is unassigned).</summary>
    public SlotTable Table(string? endpoint = null) => SlotTable.FromRanges(Ranges(endpoint));

    /// <summary>DBSIZE of every node: the keys each one stores.</summary>
    public IReadOnlyDictionary<string, long> KeysPerNode() =>
        _nodes.ToDictionary(p => p.Key, p => (long)p.Value.Must("DBSIZE")!, StringComparer.Ordinal);

    /// <summary>How many keys matching <paramref name="pattern"/> (SCAN … MATCH) each node stores: unlike DBSIZE,
    /// not thrown off by other users' keys.</summary>
    public IReadOnlyDictionary<string, long> CountKeys(string pattern)
    {
        Guard.NotEmpty(pattern);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (endpoint, node) in _nodes)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal); // SCAN may return a key twice
            string cursor = "0";
            do
            {
                var reply = (object?[])node.Must("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")!;
                cursor = (string)reply[0]!;
                foreach (var k in (object?[])reply[1]!) seen.Add((string)k!);
            } while (cursor != "0");
            counts[endpoint] = seen.Count;
        }
        return counts;
    }

    /// <summary>What every node says: CLUSTER INFO's state and slot count, masters in CLUSTER NODES, and
    /// whether every node reports the same slot ranges.</summary>
    public ClusterHealth Health()
    {
        bool ok = true, agree = true;
        int assigned = int.MaxValue, masters = int.MaxValue, known = int.MaxValue;
        var first = Ranges();
        foreach (var (endpoint, node) in _nodes)
        {
            var info = ((string)node.Must("CLUSTER", "INFO")!).Split('\n').Select(l => l.Trim().Split(':'))
                .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            ok &= info["cluster_state"] == "ok";
            assigned = Math.Min(assigned, int.Parse(info["cluster_slots_assigned"]));
            known = Math.Min(known, int.Parse(info["cluster_known_nodes"]));
            masters = Math.Min(masters, ((string)node.Must("CLUSTER", "NODES")!).Split('\n')
                .Count(l => l.Split(' ') is { Length: > 2 } f && f[2].Split(',').Contains("master")));
            agree &= Ranges(endpoint).SequenceEqual(first);
        }
        return new ClusterHealth(ok, assigned, masters, known, agree);
    }

    /// <summary>Steps 1 and 2: IMPORTING &lt;source-id&gt; on the target, then MIGRATING &lt;target-id&gt; on the source.</summary>
    public void BeginMigration(int slot, string source, string target)
    {
        Guard.InRange(slot, 0, HashSlots.Count - 1);
        Guard.That(source != target, "source and target must differ", nameof(target));
        Node(target).Must("CLUSTER", "SETSLOT", $"{slot}", "IMPORTING", Id(source));
        Node(source).Must("CLUSTER", "SETSLOT", $"{slot}", "MIGRATING", Id(target));
    }

    /// <summary>Step 3, once: up to <paramref name="batch"/> keys of the slot from CLUSTER GETKEYSINSLOT on the
    /// source, moved with one <c>MIGRATE host port "" 0 5000 KEYS …</c>. Returns the keys moved (none when empty).</summary>
    public IReadOnlyList<string> MoveKeys(int slot, string source, string target, int batch)
    {
        Guard.InRange(slot, 0, HashSlots.Count - 1);
        Guard.InRange(batch, 1, 10_000);
        var keys = ((object?[])Node(source).Must("CLUSTER", "GETKEYSINSLOT", $"{slot}", $"{batch}")!).Cast<string>().ToArray();
        if (keys.Length == 0) return keys;
        var to = Node(target);
        Node(source).Must(["MIGRATE", to.Host, $"{to.Port}", "", "0", "5000", "KEYS", .. keys]);
        return keys;
    }

    /// <summary>Step 4: SETSLOT … NODE &lt;target-id&gt; on the target, then the source, then every other master.</summary>
    public void FinishMigration(int slot, string source, string target)
    {
        Guard.InRange(slot, 0, HashSlots.Count - 1);
        string node = Id(target);
        foreach (var e in new[] { target, source }.Concat(Endpoints.Where(e => e != target && e != source)))
            Node(e).Must("CLUSTER", "SETSLOT", $"{slot}", "NODE", node);
    }

    /// <summary>All four steps: moves the slot from its current owner to <paramref name="target"/>, keys in
    /// batches; returns the number of keys moved (0 and nothing sent when the target owns it already).</summary>
    public int MoveSlot(int slot, string target, int batch = 10)
    {
        string source = Table().OwnerOfSlot(slot);
        if (source == Node(target).Endpoint) return 0;
        BeginMigration(slot, source, target);
        int moved = 0;
        for (IReadOnlyList<string> keys; (keys = MoveKeys(slot, source, target, batch)).Count > 0;) moved += keys.Count;
        FinishMigration(slot, source, target);
        return moved;
    }

    /// <summary>
    /// Runs <paramref name="model"/>'s migration on the real cluster, advancing the model with each step:
    /// IMPORTING + MIGRATING, the first MIGRATE batch, probes (<see cref="ProbeAll"/>) of a key moved in it and
    /// one still on the source, the remaining batches, NODE on every master, the same probes again. The caller
    /// restores the slot (<see cref="MoveSlot"/> or <see cref="Restore"/>).
    /// </summary>
    public MigrationRun Migrate(SlotMigration model, int batch)
    {
        Guard.NotNull(model);
        Guard.That(model.Phase == MigrationPhase.Stable, "the model must start Stable", nameof(model));
        Guard.That(model.KeysAtSource.Count > batch, "need more keys than one batch, so some are still on the source halfway", nameof(batch));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (slot, source, target) = (model.Slot, model.Source, model.Target);
        BeginMigration(slot, source, target);
        model.Importing();
        model.Migrating();
        var first = MoveKeys(slot, source, target, batch);
        model.Moved(first);
        string[] watched = [first[0], model.KeysAtSource.First()];
        var probes = ProbeAll(MigrationRun.Halfway, model, watched).ToList();
        int batches = 1;
        for (IReadOnlyList<string> more; (more = MoveKeys(slot, source, target, batch)).Count > 0; batches++) model.Moved(more);
        FinishMigration(slot, source, target);
        model.Done();
        var elapsed = clock.Elapsed;
        probes.AddRange(ProbeAll(MigrationRun.After, model, watched));
        return new MigrationRun(probes, watched[0], watched[1], batches, elapsed, Table().OwnerOfSlot(slot));
    }

    /// <summary>Puts a slot back on <paramref name="owner"/> whatever state a failed experiment left it in:
    /// clears IMPORTING/MIGRATING on every node (SETSLOT STABLE), then moves it (and its keys) to the owner.</summary>
    public void Restore(int slot, string owner)
    {
        Guard.InRange(slot, 0, HashSlots.Count - 1);
        foreach (var n in _nodes.Values) n.Must("CLUSTER", "SETSLOT", $"{slot}", "STABLE");
        string current = Table().OwnerOfSlot(slot);
        // Keys MIGRATEd before the failure may sit on a node that does not own the slot: MIGRATE them to the
        // current owner (which accepts them: it owns the slot), then move the slot with its keys.
        foreach (var e in Endpoints.Where(e => e != current))
            while (MoveKeys(slot, e, current, 100).Count > 0) { }
        MoveSlot(slot, owner);
    }

    /// <summary>GET <paramref name="key"/> on one node (after ASKING when <paramref name="asking"/>), the reply
    /// read as the model's <see cref="SlotReply"/>: served, MOVED or ASK to "host:port".</summary>
    public SlotReply Probe(string endpoint, string key, bool asking)
    {
        Guard.NotNull(key);
        var node = Node(endpoint);
        var replies = asking ? node.Pipeline([["ASKING"], ["GET", key]]) : node.Pipeline([["GET", key]]);
        return replies[^1] switch
        {
            RedisError { Kind: "MOVED" } e => new SlotReply(SlotReplyKind.Moved, e.Message.Split(' ')[2]),
            RedisError { Kind: "ASK" } e => new SlotReply(SlotReplyKind.Ask, e.Message.Split(' ')[2]),
            RedisError e => throw new InvalidOperationException($"{endpoint}: GET {key} → {e.Message}"),
            _ => SlotReply.Served,
        };
    }

    /// <summary>Probes every node for each key, without and with ASKING, beside the model's prediction.</summary>
    public IReadOnlyList<MigrationProbe> ProbeAll(string step, SlotMigration model, IEnumerable<string> keys)
    {
        Guard.NotNull(model);
        Guard.NotNull(keys);
        return (from key in keys
                from e in Endpoints
                from asking in new[] { false, true }
                select new MigrationProbe(step, e, key, asking, model.Predict(e, key, asking), Probe(e, key, asking))).ToArray();
    }

    public void Dispose()
    {
        foreach (var n in _nodes.Values) n.Dispose();
    }
}
