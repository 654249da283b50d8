using SystemDesign.DistributedTransactions;

namespace SystemDesign.Tests.DistributedTransactions;

/// <summary>Two-phase commit's timeline, participant by participant, for message delay 1, prepare 5,
/// coordinator recovery 2000, participant recovery 500, vote timeout 300 (all hand-computed from the protocol).</summary>
public class TwoPhaseCommitExactTests
{
    private static readonly TwoPcTiming T = new(1, 5, 2000, 500, 300);

    private static (TxOutcome, double, double, bool)[] Views(TwoPcRun run) =>
        run.Participants.Select(v => (v.Outcome, v.LockHeldMs, v.InDoubtMs, v.VotedYes)).ToArray();

    [Fact]
    public void Without_a_crash_every_participant_commits_one_round_trip_after_preparing()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.None, T);
        // votes at 1 + 5 = 6, decision at 7, learnt at 8: in doubt from 6 to 8
        Assert.Equal(Enumerable.Repeat((TxOutcome.Committed, 8.0, 2.0, true), 3), Views(run));
        Assert.Equal(new[] { 0, 1, 2 }, run.Participants.Select(v => v.Id));
        Assert.Equal((CrashPoint.None, TxOutcome.Committed, true, 8.0, 2.0),
            (run.Crash, run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void A_coordinator_dead_before_prepare_lets_everyone_abort_at_the_vote_timeout_without_doubt()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.CoordinatorBeforePrepare, T);
        Assert.Equal(Enumerable.Repeat((TxOutcome.Aborted, 300.0, 0.0, false), 3), Views(run));
        Assert.Equal((TxOutcome.Aborted, true, 300.0, 0.0), (run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void A_participant_dead_before_its_vote_makes_the_coordinator_abort_at_its_timeout()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.ParticipantBeforeVote, T);
        // participant 0 lost its locks with its process at t = 1; the others voted YES at 6 and learn ABORT at 300 + 1
        Assert.Equal(new[]
        {
            (TxOutcome.Aborted, 1.0, 0.0, false),
            (TxOutcome.Aborted, 301.0, 295.0, true),
            (TxOutcome.Aborted, 301.0, 295.0, true),
        }, Views(run));
        Assert.Equal((TxOutcome.Aborted, true, 301.0, 295.0), (run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void An_abort_that_arrives_before_a_participant_has_prepared_means_it_never_votes()
    {
        // vote timeout 2: the coordinator aborts at 2, heard at 3, before the others could vote at 1 + 5 = 6
        var run = TwoPhaseCommit.Run(3, CrashPoint.ParticipantBeforeVote, T with { VoteTimeoutMs = 2 });
        Assert.Equal(new[]
        {
            (TxOutcome.Aborted, 1.0, 0.0, false),
            (TxOutcome.Aborted, 3.0, 0.0, false),
            (TxOutcome.Aborted, 3.0, 0.0, false),
        }, Views(run));
        Assert.Equal((3.0, 0.0), (run.MaxLockHeldMs, run.MaxInDoubtMs));
        // heard exactly when the vote is cast (timeout 5, heard at 6): it voted, and is in doubt for no time
        var tie = TwoPhaseCommit.Run(2, CrashPoint.ParticipantBeforeVote, T with { VoteTimeoutMs = 5 });
        Assert.Equal((TxOutcome.Aborted, 6.0, 0.0, true), Views(tie)[1]);
    }

    [Fact]
    public void A_single_participant_that_dies_before_voting_aborts_alone()
    {
        var run = TwoPhaseCommit.Run(1, CrashPoint.ParticipantBeforeVote, T);
        Assert.Equal(new[] { (TxOutcome.Aborted, 1.0, 0.0, false) }, Views(run));
        Assert.Equal(TxOutcome.Aborted, run.Decision);
        Assert.True(run.Atomic);
    }

    [Fact]
    public void A_participant_that_dies_after_voting_yes_recovers_and_asks_the_coordinator()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.ParticipantAfterVoteYes, T);
        // back at 6 + 500 = 506, asks and hears COMMIT a round trip later: 508
        Assert.Equal(new[]
        {
            (TxOutcome.Committed, 508.0, 502.0, true),
            (TxOutcome.Committed, 8.0, 2.0, true),
            (TxOutcome.Committed, 8.0, 2.0, true),
        }, Views(run));
        Assert.Equal((TxOutcome.Committed, true, 508.0, 502.0), (run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void A_recovering_participant_never_releases_before_the_decision_is_known()
    {
        // the coordinator's decision (learnt at 8 + 2000 after its own crash) comes later than the participant's question
        var run = TwoPhaseCommit.Run(2, CrashPoint.ParticipantAfterVoteYes, T with { ParticipantRecoveryMs = 1 });
        Assert.Equal(new[] { (TxOutcome.Committed, 9.0, 3.0, true), (TxOutcome.Committed, 8.0, 2.0, true) }, Views(run));
        var slow = TwoPhaseCommit.Run(2, CrashPoint.ParticipantAfterVoteYes, T with { MessageMs = 100, ParticipantRecoveryMs = 1 });
        // votes at 105, decision 205, learnt 305; participant 0 back at 106 and asks: max(106 + 200, 305) = 306
        Assert.Equal(306.0, slow.Participants[0].LockHeldMs);
        Assert.Equal(305.0, slow.Participants[1].LockHeldMs);
    }

    [Theory]
    [InlineData(CrashPoint.CoordinatorBeforeDecision, TxOutcome.Aborted)]
    [InlineData(CrashPoint.CoordinatorAfterDecision, TxOutcome.Committed)]
    public void A_coordinator_crash_after_the_votes_keeps_every_participant_in_doubt_for_its_recovery(CrashPoint crash, TxOutcome decision)
    {
        var run = TwoPhaseCommit.Run(3, crash, T);
        // decided at 7, back at 7 + 2000, heard at 2008
        Assert.Equal(Enumerable.Repeat((decision, 2008.0, 2002.0, true), 3), Views(run));
        Assert.Equal((decision, true, 2008.0, 2002.0), (run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void A_no_vote_aborts_everyone_and_the_no_voter_releases_at_once()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.None, T, allVoteYes: false);
        Assert.Equal(new[]
        {
            (TxOutcome.Aborted, 8.0, 2.0, true),
            (TxOutcome.Aborted, 8.0, 2.0, true),
            (TxOutcome.Aborted, 6.0, 0.0, false),
        }, Views(run));
        Assert.Equal((TxOutcome.Aborted, true, 8.0, 2.0), (run.Decision, run.Atomic, run.MaxLockHeldMs, run.MaxInDoubtMs));
    }

    [Fact]
    public void A_zero_prepare_time_is_allowed()
    {
        var run = TwoPhaseCommit.Run(2, CrashPoint.None, T with { PrepareMs = 0 });
        Assert.Equal(Enumerable.Repeat((TxOutcome.Committed, 3.0, 2.0, true), 2), Views(run));
    }

    [Fact]
    public void Every_crash_point_gives_one_run_in_declaration_order()
    {
        var runs = TwoPhaseCommit.EveryCrashPoint(3, T);
        Assert.Equal(Enum.GetValues<CrashPoint>(), runs.Select(r => r.Crash));
        Assert.Equal(new[] { 8.0, 300, 301, 508, 2008, 2008 }, runs.Select(r => r.MaxLockHeldMs));
        Assert.All(runs, r => Assert.Equal(3, r.Participants.Count));
    }

    [Fact]
    public void The_recovery_sweep_gives_the_longest_lock_hold_per_recovery_time_and_crash_point()
    {
        var rows = TwoPhaseCommit.RecoverySweep(3, T, new[] { 100.0, 1000 });
        var crashes = Enum.GetValues<CrashPoint>();
        Assert.Equal(crashes.Select(c => (100.0, c)).Concat(crashes.Select(c => (1000.0, c))), rows.Select(r => (r.RecoveryMs, r.Crash)));
        Assert.Equal(new[] { 8.0, 300, 301, 508, 108, 108, 8, 300, 301, 508, 1008, 1008 }, rows.Select(r => r.MaxLockHeldMs));
    }

    [Fact]
    public void Aborting_after_yes_while_the_coordinator_is_down_splits_the_outcome_at_the_vote_timeout()
    {
        Assert.Equal((false, 300.0), TwoPhaseCommit.AfterYes(true, T, 3));
        Assert.Equal((false, 300.0), TwoPhaseCommit.AfterYes(true, T, 2));
    }

    [Fact]
    public void Waiting_after_yes_is_atomic_and_holds_the_locks_until_the_coordinator_is_back()
    {
        // decided at 7, coordinator back at 2007, COMMIT heard at 2008
        Assert.Equal((true, 2008.0), TwoPhaseCommit.AfterYes(false, T, 3));
    }

    [Fact]
    public void The_wait_after_yes_is_a_round_trip_plus_prepare_plus_recovery_plus_one_message()
    {
        // message 10, prepare 5: decided at 25, coordinator back at 2025, COMMIT heard at 2035
        Assert.Equal((true, 2035.0), TwoPhaseCommit.AfterYes(false, T with { MessageMs = 10 }, 2));
    }

    [Theory]
    [InlineData(2007.0)]   // the coordinator is back exactly at the timeout: the participant is not yet allowed to give up
    [InlineData(5000.0)]
    public void A_vote_timeout_not_shorter_than_the_coordinators_downtime_never_fires(double voteTimeoutMs)
    {
        Assert.Equal((true, 2008.0), TwoPhaseCommit.AfterYes(true, T with { VoteTimeoutMs = voteTimeoutMs }, 3));
    }

    [Fact]
    public void A_vote_timeout_just_before_the_coordinators_return_still_aborts()
    {
        Assert.Equal((false, 2006.5), TwoPhaseCommit.AfterYes(true, T with { VoteTimeoutMs = 2006.5 }, 4));
    }

    public static TheoryData<string, Func<TwoPcTiming, TwoPcTiming>> BadTimings => new()
    {
        { "message 0", t => t with { MessageMs = 0 } },
        { "prepare < 0", t => t with { PrepareMs = -1 } },
        { "coordinator recovery 0", t => t with { CoordinatorRecoveryMs = 0 } },
        { "participant recovery 0", t => t with { ParticipantRecoveryMs = 0 } },
        { "vote timeout 0", t => t with { VoteTimeoutMs = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadTimings))]
    public void Every_timing_field_is_checked(string what, Func<TwoPcTiming, TwoPcTiming> bad)
    {
        Assert.False(string.IsNullOrEmpty(what));
        Assert.Equal("timing", Assert.Throws<ArgumentOutOfRangeException>(() => TwoPhaseCommit.Run(2, CrashPoint.None, bad(T))).ParamName);
    }

    [Fact]
    public void Participant_counts_and_null_arguments_are_rejected()
    {
        Assert.Equal("participants", Assert.Throws<ArgumentOutOfRangeException>(() => TwoPhaseCommit.Run(101, CrashPoint.None, T)).ParamName);
        Assert.Equal("timing", Assert.Throws<ArgumentNullException>(() => TwoPhaseCommit.Run(2, CrashPoint.None, null!)).ParamName);
        Assert.Equal("timing", Assert.Throws<ArgumentNullException>(() => TwoPhaseCommit.AfterYes(true, null!, 2)).ParamName);
        Assert.Equal("participants", Assert.Throws<ArgumentOutOfRangeException>(() => TwoPhaseCommit.AfterYes(true, T, 101)).ParamName);
        Assert.Equal("recoveryMs", Assert.Throws<ArgumentNullException>(() => TwoPhaseCommit.RecoverySweep(3, T, null!)).ParamName);
        Assert.Equal(100, TwoPhaseCommit.Run(100, CrashPoint.None, T).Participants.Count);
    }
}
