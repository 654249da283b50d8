using SystemDesign.Fencing;

namespace SystemDesign.Consistency;

/// <summary>A Raft node's role.</summary>
public enum RaftRole
{
    Follower,
    Candidate,
    Leader,
}

/// <summary>Timing and quorum of a <see cref="RaftCluster"/> (all times in ms of virtual time).</summary>
public sealed record RaftOptions
{
    public int Nodes { get; init; } = 5;
    /// <summary>Each election timeout is drawn uniformly from [min, min + width].</summary>
    public double ElectionTimeoutMin { get; init; } = 150;
    public double ElectionTimeoutWidth { get; init; } = 150;
    public double HeartbeatInterval { get; init; } = 50;
    /// <summary>Each message takes a uniform delay in [min, max].</summary>
    public double MessageDelayMin { get; init; } = 1;
    public double MessageDelayMax { get; init; } = 10;
    /// <summary>Votes a candidate needs; 0 means a majority. Anything smaller is the bug the notebook injects to show why it must be a majority.</summary>
    public int Quorum { get; init; }
    /// <summary>When positive, every leader writes to the attached store this often, using its term as the fencing token.</summary>
    public double ClientWriteInterval { get; init; }
    /// <summary>When positive, every leader appends an entry to its log this often and replicates it (0 = elections only).</summary>
    public double AppendInterval { get; init; }
    /// <summary>Raft's election restriction (§5.4.1): grant a vote only to a candidate whose log is at least as up to date
    /// as the voter's. Turning it off is the bug the notebook injects to show what it protects.</summary>
    public bool CheckLogUpToDate { get; init; } = true;
    /// <summary>
    /// CheckQuorum (Raft dissertation §6.2; etcd's server always turns it on): every
    /// <see cref="ElectionTimeoutMin"/> ms a leader checks that a quorum (itself included) answered it since the
    /// previous check, and steps down to follower if not. A leader cut off from the majority therefore stops
    /// leading within two election timeouts instead of believing it leads until it hears a higher term. Off, the
    /// follower does not even acknowledge heartbeats that carry no entries (the model's behaviour before).
    /// </summary>
    public bool CheckQuorum { get; init; } = true;
}

/// <summary>A node stopped leading: it lost contact with a quorum (CheckQuorum) or heard a higher term.</summary>
public sealed record LeadershipEnded(long Term, int Node, double Time, bool LostQuorum);

/// <summary>A node won an election: it holds votes from a quorum for <see cref="Term"/>.</summary>
/// <param name="OtherLeaders">how many other live nodes still believed they were leader (of older terms) at that moment.</param>
/// <param name="MissingCommitted">committed log entries absent from the new leader's log (Leader Completeness says 0).</param>
public sealed record LeaderElected(long Term, int Node, double Time, int OtherLeaders, int MissingCommitted);

/// <summary>A vote a node granted.</summary>
public sealed record VoteGranted(long Term, int Voter, int Candidate, double Time);

/// <summary>A node became a candidate for <see cref="Term"/>.</summary>
public sealed record Candidacy(long Term, int Node, double Time);

/// <summary>A leader's write to the fenced store.</summary>
/// <param name="Zombie">the write was in flight when the leader was paused and landed when it resumed.</param>
/// <param name="NewestTerm">the highest term any node had reached when the write landed.</param>
public sealed record LeaderWrite(double Time, int Node, long Term, bool Accepted, bool Zombie, long NewestTerm);

/// <summary>
/// Leader election as Raft does it (Ongaro &amp; Ousterhout 2014, §5.2), on a virtual clock with seeded randomness:
/// followers that hear no heartbeat for a random election timeout become candidates for the next term, every node
/// grants at most one vote per term, a candidate with a quorum of votes leads. Crashes, partitions and process
/// pauses (GC) can be injected. Log replication is simplified — a leader ships its whole log and a follower adopts
/// it — but keeps what safety rests on: the term check, the election restriction, and committing only entries of
/// the leader's own term once a quorum holds them.
/// </summary>
public sealed class RaftCluster
{
    private readonly RaftOptions _o;
    private readonly Random _rng;
    private readonly FencedStore<string>? _store;
    private readonly PriorityQueue<Action, (double, long)> _queue = new();
    private long _seq;
    private readonly long[] _term;
    private readonly int[] _votedFor;
    private readonly RaftRole[] _role;
    private readonly HashSet<int>[] _votes;
    private readonly long[] _timerGen;
    private readonly bool[] _crashed;
    private readonly double[] _pausedUntil;
    private int[] _group;
    private readonly List<LeaderElected> _elections = new();
    private readonly List<Candidacy> _candidacies = new();
    private readonly List<LeaderWrite> _writes = new();
    private readonly List<VoteGranted> _grants = new();
    private readonly List<long>[] _log;
    private readonly int[][] _match;
    private readonly int[] _commit;
    private readonly Dictionary<int, long> _committed = new(); // index → term of every entry ever committed
    private readonly bool[][] _recentActive; // _recentActive[leader][u]: u answered since the last quorum check
    private readonly List<LeadershipEnded> _ends = new();

    public RaftCluster(RaftOptions options, int seed, FencedStore<string>? store = null)
    {
        Guard.NotNull(options);
        Guard.InRange(options.Nodes, 1, 101, nameof(options.Nodes));
        Guard.InRange(options.ElectionTimeoutMin, 1, 1e6, nameof(options.ElectionTimeoutMin));
        Guard.InRange(options.ElectionTimeoutWidth, 0, 1e6, nameof(options.ElectionTimeoutWidth));
        Guard.InRange(options.HeartbeatInterval, 0.1, options.ElectionTimeoutMin, nameof(options.HeartbeatInterval));
        Guard.InRange(options.MessageDelayMin, 0, 1e5, nameof(options.MessageDelayMin));
        Guard.InRange(options.MessageDelayMax, options.MessageDelayMin, 1e5, nameof(options.MessageDelayMax));
        Guard.InRange(options.Quorum, 0, options.Nodes, nameof(options.Quorum));
        Guard.InRange(options.ClientWriteInterval, 0, 1e6, nameof(options.ClientWriteInterval));
        Guard.InRange(options.AppendInterval, 0, 1e6, nameof(options.AppendInterval));
        Guard.That(options.ClientWriteInterval == 0 || store is not null, "leaders can only write when a store is attached", nameof(store));
        _o = options;
        _rng = new Random(seed);
        _store = store;
        int n = options.Nodes;
        _term = new long[n];
        _votedFor = Enumerable.Repeat(-1, n).ToArray();
        _role = new RaftRole[n];
        _votes = Enumerable.Range(0, n).Select(_ => new HashSet<int>()).ToArray();
        _timerGen = new long[n];
        _crashed = new bool[n];
        _pausedUntil = new double[n];
        _group = new int[n];
        _log = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        _match = Enumerable.Range(0, n).Select(_ => new int[n]).ToArray();
        _commit = new int[n];
        _recentActive = Enumerable.Range(0, n).Select(_ => new bool[n]).ToArray();
        for (int v = 0; v < n; v++) ResetElectionTimer(v);
    }

    public RaftOptions Options => _o;
    public double Now { get; private set; }
    public int Quorum => _o.Quorum == 0 ? Quorums.Majority(_o.Nodes) : _o.Quorum;
    public IReadOnlyList<LeaderElected> Elections => _elections;
    public IReadOnlyList<Candidacy> Candidacies => _candidacies;
    public IReadOnlyList<LeaderWrite> Writes => _writes;
    public IReadOnlyList<VoteGranted> Grants => _grants;
    /// <summary>Every time a leader stopped leading, and why.</summary>
    public IReadOnlyList<LeadershipEnded> LeadershipEnds => _ends;

    /// <summary>Entries committed so far (by any leader), by log index.</summary>
    public int CommittedEntries => _committed.Count;

    /// <summary>Committed entries missing from the log of the live node that leads in the highest term: acknowledged
    /// data the cluster has lost (0 when nobody leads).</summary>
    public int LostCommittedEntries()
    {
        var leader = Enumerable.Range(0, _o.Nodes).Where(v => !_crashed[v] && _role[v] == RaftRole.Leader).OrderByDescending(v => _term[v]).FirstOrDefault(-1);
        return leader < 0 ? 0 : Missing(leader);
    }

    public int LogLength(int node) => _log[Guard.InRange(node, 0, _o.Nodes - 1)].Count;

    public RaftRole Role(int node) => _role[Guard.InRange(node, 0, _o.Nodes - 1)];
    public long Term(int node) => _term[Guard.InRange(node, 0, _o.Nodes - 1)];
    public bool IsCrashed(int node) => _crashed[Guard.InRange(node, 0, _o.Nodes - 1)];

    /// <summary>Live nodes that currently believe they are leader (a paused or partitioned one may be out of date).</summary>
    public IReadOnlyList<int> BelievedLeaders() => Enumerable.Range(0, _o.Nodes).Where(v => !_crashed[v] && _role[v] == RaftRole.Leader).ToList();

    /// <summary>The largest number of distinct nodes elected in any single term (election safety says at most 1).</summary>
    public int MaxLeadersInOneTerm => _elections.Count == 0 ? 0 : _elections.GroupBy(e => e.Term).Max(g => g.Select(e => e.Node).Distinct().Count());

    /// <summary>Processes every event up to and including time <paramref name="until"/>.</summary>
    public void RunUntil(double until)
    {
        Guard.InRange(until, Now, double.MaxValue);
        while (_queue.TryPeek(out _, out var key) && key.Item1 <= until)
        {
            var action = _queue.Dequeue();
            Now = key.Item1;
            action();
        }
        Now = until;
    }

    /// <summary>Runs until some node is elected after <paramref name="after"/>, or until <paramref name="deadline"/>.</summary>
    public LeaderElected? RunUntilLeader(double after, double deadline)
    {
        Guard.InRange(deadline, Now, double.MaxValue);
        while (_queue.TryPeek(out _, out var key) && key.Item1 <= deadline)
        {
            var action = _queue.Dequeue();
            Now = key.Item1;
            action();
            var last = _elections.Count > 0 ? _elections[^1] : null;
            if (last is not null && last.Time > after) return last;
        }
        Now = deadline;
        return null;
    }

    /// <summary>Makes a node start an election now (how a cluster is bootstrapped, or leadership handed over).</summary>
    public void Campaign(int node)
    {
        Guard.InRange(node, 0, _o.Nodes - 1);
        OnNode(node, Now, () => StartElection(node));
    }

    public void Crash(int node)
    {
        Guard.InRange(node, 0, _o.Nodes - 1);
        _crashed[node] = true;
    }

    /// <summary>Splits the network: nodes in different groups cannot exchange messages. Unlisted nodes form one more group.</summary>
    public void Partition(params int[][] groups)
    {
        Guard.NotNull(groups);
        var g = Enumerable.Repeat(groups.Length, _o.Nodes).ToArray();
        for (int i = 0; i < groups.Length; i++)
            foreach (int v in Guard.NotNull(groups[i], nameof(groups)))
                g[Guard.InRange(v, 0, _o.Nodes - 1, nameof(groups))] = i;
        _group = g;
    }

    public void Heal() => _group = new int[_o.Nodes];

    /// <summary>
    /// Freezes a node for <paramref name="duration"/> ms from now (a stop-the-world GC, a VM migration): it handles
    /// nothing, and messages for it wait. If it was leader, a write it had in flight lands when it resumes — before
    /// it reads the messages that would tell it a newer term exists.
    /// </summary>
    public void Pause(int node, double duration)
    {
        Guard.InRange(node, 0, _o.Nodes - 1);
        Guard.InRange(duration, 0, 1e7);
        double until = Now + duration;
        _pausedUntil[node] = until;
        bool wasLeader = _role[node] == RaftRole.Leader;
        long term = _term[node];
        At(until, () =>
        {
            if (!_crashed[node] && wasLeader && _store is not null) StoreWrite(node, term, zombie: true);
        });
    }

    /// <summary>Election-timeout randomness for <see cref="RaftOptions.ElectionTimeoutWidth"/>.</summary>
    private double Timeout() => _o.ElectionTimeoutMin + _o.ElectionTimeoutWidth * _rng.NextDouble();

    private void At(double t, Action a) => _queue.Enqueue(a, (t, _seq++));

    /// <summary>Runs an action on a node: dropped if it crashed, deferred while it is paused.</summary>
    private void OnNode(int node, double t, Action a)
    {
        void Run()
        {
            if (_crashed[node]) return;
            if (_pausedUntil[node] > Now) { At(_pausedUntil[node], Run); return; }
            a();
        }
        At(t, Run);
    }

    private void Send(int from, int to, Action deliver)
    {
        if (_group[from] != _group[to]) return;
        double delay = _o.MessageDelayMin + (_o.MessageDelayMax - _o.MessageDelayMin) * _rng.NextDouble();
        At(Now + delay, () =>
        {
            if (_group[from] == _group[to]) OnNode(to, Now, deliver);
        });
    }

    private void ResetElectionTimer(int v)
    {
        long gen = ++_timerGen[v];
        OnNode(v, Now + Timeout(), () =>
        {
            if (_timerGen[v] == gen && _role[v] != RaftRole.Leader) StartElection(v);
        });
    }

    private void StartElection(int v)
    {
        _term[v]++;
        _role[v] = RaftRole.Candidate;
        _votedFor[v] = v;
        _votes[v].Clear();
        _votes[v].Add(v);
        _candidacies.Add(new Candidacy(_term[v], v, Now));
        ResetElectionTimer(v);
        if (_votes[v].Count >= Quorum) { BecomeLeader(v); return; }
        long term = _term[v];
        int lastIndex = _log[v].Count;
        long lastTerm = lastIndex == 0 ? 0 : _log[v][^1];
        for (int u = 0; u < _o.Nodes; u++)
        {
            if (u == v) continue;
            int voter = u;
            Send(v, voter, () => OnRequestVote(voter, v, term, lastIndex, lastTerm));
        }
    }

    private void StepDown(int v, long term)
    {
        bool wasLeader = _role[v] == RaftRole.Leader;
        if (wasLeader) _ends.Add(new LeadershipEnded(_term[v], v, Now, LostQuorum: false));
        _term[v] = term;
        _votedFor[v] = -1;
        _role[v] = RaftRole.Follower;
        if (wasLeader) ResetElectionTimer(v);
    }

    private void OnRequestVote(int v, int candidate, long term, int lastIndex, long lastTerm)
    {
        if (term > _term[v]) StepDown(v, term);
        int myIndex = _log[v].Count;
        long myTerm = myIndex == 0 ? 0 : _log[v][^1];
        bool upToDate = lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= myIndex);
        bool grant = term == _term[v] && (_votedFor[v] == -1 || _votedFor[v] == candidate) && (upToDate || !_o.CheckLogUpToDate);
        if (grant)
        {
            _votedFor[v] = candidate;
            _grants.Add(new VoteGranted(term, v, candidate, Now));
            ResetElectionTimer(v);
        }
        long reply = _term[v];
        Send(v, candidate, () => OnVote(candidate, v, reply, grant));
    }

    private void OnVote(int v, int voter, long term, bool granted)
    {
        if (term > _term[v]) { StepDown(v, term); return; }
        if (_role[v] != RaftRole.Candidate || term != _term[v] || !granted) return;
        _votes[v].Add(voter);
        if (_votes[v].Count >= Quorum) BecomeLeader(v);
    }

    private void BecomeLeader(int v)
    {
        _role[v] = RaftRole.Leader;
        int others = Enumerable.Range(0, _o.Nodes).Count(u => u != v && !_crashed[u] && _role[u] == RaftRole.Leader);
        _elections.Add(new LeaderElected(_term[v], v, Now, others, Missing(v)));
        long term = _term[v];
        Array.Clear(_match[v]);
        _match[v][v] = _log[v].Count;
        Heartbeat(v, term);
        if (_o.CheckQuorum)
        {
            Array.Clear(_recentActive[v]);
            ScheduleQuorumCheck(v, term);
        }
        if (_o.ClientWriteInterval > 0) ScheduleWrite(v, term);
        if (_o.AppendInterval > 0) ScheduleAppend(v, term);
    }

    /// <summary>etcd's tickHeartbeat/MsgCheckQuorum: every election timeout, count who answered since the last
    /// check; without a quorum, become a follower in the same term (and start the election timer).</summary>
    private void ScheduleQuorumCheck(int v, long term)
        => OnNode(v, Now + _o.ElectionTimeoutMin, () =>
        {
            if (_role[v] != RaftRole.Leader || _term[v] != term) return;
            int active = 1 + Enumerable.Range(0, _o.Nodes).Count(u => u != v && _recentActive[v][u]);
            Array.Clear(_recentActive[v]);
            if (active < Quorum)
            {
                _ends.Add(new LeadershipEnded(term, v, Now, LostQuorum: true));
                _role[v] = RaftRole.Follower;
                ResetElectionTimer(v);
                return;
            }
            ScheduleQuorumCheck(v, term);
        });

    private int Missing(int v)
        => _committed.Count(e => e.Key > _log[v].Count || _log[v][e.Key - 1] != e.Value);

    private void ScheduleAppend(int v, long term)
        => OnNode(v, Now + _o.AppendInterval, () =>
        {
            if (_role[v] != RaftRole.Leader || _term[v] != term) return;
            _log[v].Add(term);
            _match[v][v] = _log[v].Count;
            AdvanceCommit(v);
            ScheduleAppend(v, term);
        });

    /// <summary>Commits the longest prefix a quorum holds, counting only entries of the leader's own term (§5.4.2).</summary>
    private void AdvanceCommit(int v)
    {
        var log = _log[v];
        for (int i = log.Count; i > _commit[v]; i--)
        {
            if (log[i - 1] != _term[v]) break;
            if (_match[v].Count(m => m >= i) < Quorum) continue;
            for (int k = _commit[v] + 1; k <= i; k++) _committed.TryAdd(k, log[k - 1]);
            _commit[v] = i;
            break;
        }
    }

    private void Heartbeat(int v, long term)
    {
        if (_role[v] != RaftRole.Leader || _term[v] != term) return;
        for (int u = 0; u < _o.Nodes; u++)
        {
            if (u == v) continue;
            int follower = u;
            var entries = _o.AppendInterval > 0 ? _log[v].ToArray() : null;
            Send(v, follower, () => OnAppendEntries(follower, v, term, entries));
        }
        OnNode(v, Now + _o.HeartbeatInterval, () => Heartbeat(v, term));
    }

    private void OnAppendEntries(int v, int leader, long term, long[]? entries)
    {
        if (term < _term[v])
        {
            long current = _term[v];
            Send(v, leader, () => OnAppendReply(leader, v, current, 0));
            return;
        }
        if (_role[v] == RaftRole.Leader) _ends.Add(new LeadershipEnded(_term[v], v, Now, LostQuorum: false));
        if (term > _term[v]) { _term[v] = term; _votedFor[v] = -1; }
        _role[v] = RaftRole.Follower;
        ResetElectionTimer(v);
        if (entries is null)
        {
            if (_o.CheckQuorum) Send(v, leader, () => OnAppendReply(leader, v, term, 0));
            return;
        }
        // Raft's rule: keep the matching prefix, cut at the first conflict, append what is new. A delayed, shorter copy
        // of the same leader's log therefore never removes entries.
        var log = _log[v];
        int same = 0;
        while (same < entries.Length && same < log.Count && log[same] == entries[same]) same++;
        if (same < entries.Length)
        {
            log.RemoveRange(same, log.Count - same);
            log.AddRange(entries.AsSpan(same));
        }
        int length = entries.Length;
        Send(v, leader, () => OnAppendReply(leader, v, term, length));
    }

    private void OnAppendReply(int v, int from, long term, int matched)
    {
        if (term > _term[v]) { StepDown(v, term); return; }
        if (_role[v] != RaftRole.Leader || term != _term[v]) return;
        _recentActive[v][from] = true;
        _match[v][from] = Math.Max(_match[v][from], matched);
        AdvanceCommit(v);
    }

    private void ScheduleWrite(int v, long term)
        => OnNode(v, Now + _o.ClientWriteInterval, () =>
        {
            if (_role[v] != RaftRole.Leader || _term[v] != term) return;
            StoreWrite(v, term, zombie: false);
            ScheduleWrite(v, term);
        });

    private void StoreWrite(int v, long term, bool zombie)
    {
        var result = _store!.Write("x", $"node {v}, term {term}", term);
        _writes.Add(new LeaderWrite(Now, v, term, result.Accepted, zombie, _term.Max()));
    }
}
