namespace SystemDesign.Replication;

/// <summary>
/// A discrete-event simulation of asynchronous physical replication on a virtual clock: events (commit,
/// sent, arrived, flush done, replay done, conflict over) are processed in time order from a priority queue,
/// and every state change is recorded per WAL record in a <see cref="ReplicationTrace"/>. One record is one
/// commit, so LSNs here count records where PostgreSQL's count bytes. Nothing sleeps: a ten-minute run takes
/// milliseconds, and the same seed always gives the same trace.
/// </summary>
public static class ReplicationSimulator
{
    private enum Kind { Commit, Sent, Arrived, FlushDone, ReplayDone, Unblocked }

    public static ReplicationTrace Run(ReplicationOptions options)
    {
        Guard.NotNull(options);
        options.Validate();
        var o = options;
        var committed = CommitTimes(o);
        int n = committed.Length;
        var sent = new double[n];
        var received = new double[n];
        var flushed = new double[n];
        var replayed = new double[n];
        var conflicts = o.Conflicts.OrderBy(c => c.Start).ToArray();
        var outcomes = new List<ConflictOutcome>();

        // Commits are read from their sorted array rather than queued, so the queue holds only the few
        // in-flight events; at equal times a commit goes first, and other events keep their insertion order.
        var queue = new PriorityQueue<(Kind Kind, int Record), (double Time, long Seq)>(EventOrder);
        long seq = 0;
        void At(double time, Kind kind, int record = -1) => queue.Enqueue((kind, record), (time, seq++));
        int nextCommit = 0;

        double linkFree = 0;              // when the link finishes its current transmission
        double lastArrival = 0;           // TCP delivers in order: no record overtakes an earlier one
        var jitterRng = new Random(unchecked(o.Seed * 31 + 7)); // separate stream: jitter leaves commits unchanged
        int receivedCount = 0, flushedCount = 0, flushTarget = 0, replayedCount = 0, nextConflict = 0;
        bool flushing = false, replaying = false, blocked = false;

        void StartFlush(double now)
        {
            flushing = true;
            flushTarget = receivedCount;
            At(now + o.FsyncTime, Kind.FlushDone);
        }

        void TryReplay(double now)
        {
            if (replaying || blocked || replayedCount == flushedCount) return;
            int next = replayedCount;
            if (nextConflict < conflicts.Length && conflicts[nextConflict].Start <= now)
            {
                // PostgreSQL waits for the conflicting query until max_standby_streaming_delay after the WAL
                // was received, then cancels it; a replica already that far behind cancels at once.
                var c = conflicts[nextConflict++];
                double queryEnd = c.Start + c.QueryDuration;
                double deadline = received[next] + o.MaxStandbyStreamingDelay;
                double until = Math.Max(now, Math.Min(queryEnd, deadline));
                outcomes.Add(new ConflictOutcome(c, next, now, until, Cancelled: queryEnd > now && deadline < queryEnd));
                if (until > now)
                {
                    blocked = true;
                    At(until, Kind.Unblocked);
                    return;
                }
            }
            replaying = true;
            At(now + 1 / o.ReplayRate, Kind.ReplayDone, next);
        }

        while (true)
        {
            (Kind Kind, int Record) e;
            double now;
            if (nextCommit < n && (!queue.TryPeek(out _, out var top) || committed[nextCommit] <= top.Time))
            {
                e = (Kind.Commit, nextCommit);
                now = committed[nextCommit++];
            }
            else if (queue.TryDequeue(out e, out var when)) now = when.Time;
            else break;
            switch (e.Kind)
            {
                case Kind.Commit:
                    // The WAL sender streams each record once it is flushed locally; a finite link (or a TCP
                    // window over the current round trip) serialises them.
                    double start = Math.Max(now, linkFree), capacity = o.LinkCapacityAt(start);
                    linkFree = start + (double.IsPositiveInfinity(capacity) ? 0 : 1 / capacity);
                    At(linkFree, Kind.Sent, e.Record);
                    break;
                case Kind.Sent:
                    sent[e.Record] = now;
                    double delay = o.NetworkDelay + o.SpikeAt(now)
                                   + (o.Jitter > 0 ? Exponential(jitterRng, 1 / o.Jitter) : 0);
                    lastArrival = Math.Max(lastArrival, now + delay);
                    At(lastArrival, Kind.Arrived, e.Record);
                    break;
                case Kind.Arrived:
                    received[e.Record] = now;
                    receivedCount = e.Record + 1; // the link is FIFO: records arrive in LSN order
                    if (!flushing) StartFlush(now);
                    break;
                case Kind.FlushDone:
                    for (int j = flushedCount; j < flushTarget; j++) flushed[j] = now;
                    flushedCount = flushTarget;
                    flushing = false;
                    if (receivedCount > flushedCount) StartFlush(now);
                    TryReplay(now); // the startup process only replays WAL the receiver has flushed
                    break;
                case Kind.ReplayDone:
                    replayed[e.Record] = now;
                    replayedCount = e.Record + 1;
                    replaying = false;
                    TryReplay(now);
                    break;
                case Kind.Unblocked:
                    blocked = false;
                    TryReplay(now);
                    break;
            }
        }
        return new ReplicationTrace(o, committed, sent, received, flushed, replayed, outcomes);
    }

    private static readonly IComparer<(double Time, long Seq)> EventOrder = Comparer<(double Time, long Seq)>.Create(
        (x, y) => x.Time < y.Time ? -1 : x.Time > y.Time ? 1 : x.Seq.CompareTo(y.Seq));

    /// <summary>Poisson commit times with a piecewise-constant rate (base rate, bursts).</summary>
    private static double[] CommitTimes(ReplicationOptions o)
    {
        var rng = new Random(o.Seed);
        var cuts = new SortedSet<double> { 0, o.Duration };
        foreach (var b in o.Bursts) { cuts.Add(b.Start); cuts.Add(b.End); }
        var bounds = cuts.ToArray();
        var times = new List<double>();
        for (int s = 0; s + 1 < bounds.Length; s++)
        {
            double from = bounds[s], to = bounds[s + 1], rate = o.RateAt(from);
            if (rate <= 0) continue;
            // Exponential gaps; restarting at a boundary is exact because the process is memoryless.
            for (double t = from + Exponential(rng, rate); t < to; t += Exponential(rng, rate))
                times.Add(t);
        }
        return times.ToArray();
    }

    internal static double Exponential(Random rng, double rate) => -Math.Log(1 - rng.NextDouble()) / rate;
}
