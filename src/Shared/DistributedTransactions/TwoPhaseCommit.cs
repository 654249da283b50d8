namespace SystemDesign.DistributedTransactions;

/// <summary>Where a crash is injected into one run of two-phase commit.</summary>
public enum CrashPoint
{
    None,
    /// <summary>the coordinator dies before sending PREPARE</summary>
    CoordinatorBeforePrepare,
    /// <summary>participant 0 dies after PREPARE arrived and before it voted</summary>
    ParticipantBeforeVote,
    /// <summary>participant 0 votes YES (its prepare record is durable), then dies before the decision</summary>
    ParticipantAfterVoteYes,
    /// <summary>the coordinator has every vote and dies before its decision is durable</summary>
    CoordinatorBeforeDecision,
    /// <summary>the coordinator logs COMMIT and dies before telling anyone</summary>
    CoordinatorAfterDecision,
}

public enum TxOutcome { Committed, Aborted }

/// <summary>Timing of the protocol: one-way message delay, the work a participant does to prepare (take locks,
/// write and flush its prepare record), how long the coordinator and a participant take to come back after a
/// crash, and how long a participant that has not voted, or a coordinator short of votes, waits before aborting.</summary>
public sealed record TwoPcTiming(double MessageMs, double PrepareMs, double CoordinatorRecoveryMs,
    double ParticipantRecoveryMs, double VoteTimeoutMs);

/// <summary>One participant's view: its outcome, how long it held its row locks, how long it sat in doubt
/// (voted YES, decision unknown: the window in which it may neither commit nor abort on its own).</summary>
public sealed record ParticipantView(int Id, TxOutcome Outcome, double LockHeldMs, double InDoubtMs, bool VotedYes);

public sealed record TwoPcRun(CrashPoint Crash, TxOutcome Decision, IReadOnlyList<ParticipantView> Participants,
    bool Atomic, double MaxLockHeldMs, double MaxInDoubtMs);

/// <summary>
/// Two-phase commit as an event-driven state machine (presumed abort). Participants take their locks when the
/// transaction's writes run (time 0), prepare when asked, vote, and release the locks when they learn the
/// outcome. The rules: a participant that has not voted may abort on its own after the vote timeout; once it has
/// voted YES it may do neither (it waits, asking the coordinator, holding its locks); a coordinator that
/// recovers without a durable decision aborts (presumed abort); one with a durable COMMIT resends it; a
/// recovering participant with a prepare record asks the coordinator. The run reports, per participant, when it
/// released its locks and how long it was in doubt, so lock-holding time can be set against recovery time.
/// </summary>
public static class TwoPhaseCommit
{
    public static TwoPcRun Run(int participants, CrashPoint crash, TwoPcTiming timing, bool allVoteYes = true)
    {
        Guard.InRange(participants, 1, 100);
        Guard.NotNull(timing);
        Guard.Positive(timing.MessageMs, nameof(timing));
        Guard.NonNegative(timing.PrepareMs, nameof(timing));
        Guard.Positive(timing.CoordinatorRecoveryMs, nameof(timing));
        Guard.Positive(timing.ParticipantRecoveryMs, nameof(timing));
        Guard.Positive(timing.VoteTimeoutMs, nameof(timing));
        double d = timing.MessageMs;
        var release = new double[participants];
        var votedAt = new double?[participants];
        var outcome = new TxOutcome[participants];

        // Phase 1. PREPARE leaves at t = 0 unless the coordinator died first.
        if (crash == CrashPoint.CoordinatorBeforePrepare)
        {
            // nobody was asked: every participant aborts on its own after the vote timeout (allowed: no vote yet)
            for (int p = 0; p < participants; p++) { release[p] = timing.VoteTimeoutMs; outcome[p] = TxOutcome.Aborted; }
            return Build(crash, TxOutcome.Aborted, participants, release, votedAt, outcome);
        }
        var vote = new bool?[participants];
        for (int p = 0; p < participants; p++)
        {
            if (p == 0 && crash == CrashPoint.ParticipantBeforeVote) continue;   // dies, no vote, locks gone with it
            vote[p] = allVoteYes || p != participants - 1;
            if (vote[p] == true) votedAt[p] = d + timing.PrepareMs;
        }
        // The coordinator decides when every vote is in, or at its vote timeout when one is missing.
        bool allIn = vote.All(v => v is not null);
        double decideAt = allIn ? 2 * d + timing.PrepareMs : timing.VoteTimeoutMs;
        var decision = allIn && vote.All(v => v == true) ? TxOutcome.Committed : TxOutcome.Aborted;
        // When participants learn the decision (and release their locks).
        double learnAt = decideAt + d;
        if (crash is CrashPoint.CoordinatorBeforeDecision or CrashPoint.CoordinatorAfterDecision)
        {
            // nothing was sent; on recovery the coordinator reads its log: a durable COMMIT is resent,
            // no decision means presumed abort, and the participants learn it then
            if (crash == CrashPoint.CoordinatorBeforeDecision) decision = TxOutcome.Aborted;
            learnAt = decideAt + timing.CoordinatorRecoveryMs + d;
        }
        for (int p = 0; p < participants; p++)
        {
            outcome[p] = decision;
            if (vote[p] is null)
            {
                // the crashed participant: its in-memory locks died with it; it had no prepare record
                release[p] = d;
                outcome[p] = TxOutcome.Aborted;
                continue;
            }
            if (vote[p] == false) { release[p] = votedAt[p] ?? d + timing.PrepareMs; continue; }  // a NO voter aborts at once
            if (p == 0 && crash == CrashPoint.ParticipantAfterVoteYes)
            {
                // back after its recovery time with a prepare record: it re-takes the locks and asks the coordinator
                double back = votedAt[p]!.Value + timing.ParticipantRecoveryMs;
                release[p] = Math.Max(back + 2 * d, learnAt);
                continue;
            }
            // a coordinator whose vote timeout is shorter than the votes' way back can send ABORT before a
            // participant has finished preparing: that participant aborts then, and never votes
            if (learnAt < votedAt[p]) votedAt[p] = null;
            release[p] = learnAt;
        }
        return Build(crash, decision, participants, release, votedAt, outcome);
    }

    private static TwoPcRun Build(CrashPoint crash, TxOutcome decision, int n, double[] release, double?[] votedAt,
        TxOutcome[] outcome)
    {
        var views = Enumerable.Range(0, n).Select(p => new ParticipantView(p, outcome[p], release[p],
            votedAt[p] is double v ? release[p] - v : 0, votedAt[p] is not null)).ToArray();
        bool atomic = views.All(v => v.Outcome == views[0].Outcome);
        return new TwoPcRun(crash, decision, views, atomic, views.Max(v => v.LockHeldMs), views.Max(v => v.InDoubtMs));
    }

    /// <summary>
    /// What a participant that voted YES may do while the coordinator is down, and what it costs:
    /// "abort on timeout" (forbidden, shown to break atomicity when the coordinator had logged COMMIT),
    /// "wait" (atomic, holds the locks for the coordinator's recovery). Returns (atomic, lock-held ms) for the
    /// participant rule applied to a crash after a durable COMMIT reached part of the participants.
    /// </summary>
    public static (bool Atomic, double LockHeldMs) AfterYes(bool abortOnTimeout, TwoPcTiming timing, int participants)
    {
        Guard.NotNull(timing);
        Guard.InRange(participants, 2, 100);
        // The coordinator logged COMMIT and told participant 0 only, then crashed.
        double d = timing.MessageMs, decideAt = 2 * d + timing.PrepareMs;
        var outcomes = new TxOutcome[participants];
        double held = 0;
        outcomes[0] = TxOutcome.Committed;
        for (int p = 1; p < participants; p++)
        {
            if (abortOnTimeout && timing.VoteTimeoutMs < decideAt + timing.CoordinatorRecoveryMs)
            {
                outcomes[p] = TxOutcome.Aborted;
                held = Math.Max(held, timing.VoteTimeoutMs);
            }
            else
            {
                outcomes[p] = TxOutcome.Committed;
                held = Math.Max(held, decideAt + timing.CoordinatorRecoveryMs + d);
            }
        }
        return (outcomes.All(o => o == outcomes[0]), held);
    }

    /// <summary>One run per crash point, same timing.</summary>
    public static IReadOnlyList<TwoPcRun> EveryCrashPoint(int participants, TwoPcTiming timing) =>
        Enum.GetValues<CrashPoint>().Select(c => Run(participants, c, timing)).ToArray();

    /// <summary>The longest lock hold for each coordinator recovery time, per crash point.</summary>
    public static IReadOnlyList<(double RecoveryMs, CrashPoint Crash, double MaxLockHeldMs)> RecoverySweep(
        int participants, TwoPcTiming timing, IReadOnlyList<double> recoveryMs)
    {
        Guard.NotNull(recoveryMs);
        Guard.NotEmpty(recoveryMs);
        return recoveryMs.SelectMany(r => Enum.GetValues<CrashPoint>().Select(c =>
            (r, c, Run(participants, c, timing with { CoordinatorRecoveryMs = r }).MaxLockHeldMs))).ToArray();
    }
}
