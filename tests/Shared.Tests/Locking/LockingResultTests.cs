using System.Text.Json.Nodes;
using Plotly.NET;
using SystemDesign.Fencing;
using SystemDesign.Locking;

namespace SystemDesign.Tests.Locking;

/// <summary>What the result records compute and what the lock charts draw: exact values, both sides of each
/// boundary (a check that runs exactly when the cycle forms, a write at the holder's last instant).</summary>
public sealed class LockingResultTests
{
    private static SessionOutcome S(string name, double? wait, double end, string? state = null) =>
        new(name, 1, 0, state is null, state, null, wait, end, null);

    [Fact]
    public void Each_row_step_and_lock_op_reads_as_its_statement()
    {
        Assert.Equal("SELECT … WHERE id = 3 FOR UPDATE", new RowStep(3).ToString());
        Assert.Equal("SELECT … WHERE id = 3 FOR SHARE", new RowStep(3, RowLockKind.ForShare).ToString());
        Assert.Equal("UPDATE … SET balance … WHERE id = 3", new RowStep(3, RowLockKind.Update).ToString());
        Assert.Equal("INSERT child referencing 3", new RowStep(3, RowLockKind.InsertChild).ToString());
        Assert.Equal("UPDATE … SET code … WHERE id = 3", new RowStep(3, RowLockKind.UpdateKey).ToString());
        Assert.Equal("DELETE … WHERE id = 3", new RowStep(3, RowLockKind.Delete).ToString());
        Assert.Equal("X-lock row 4", new LockOp(4, LockMode.Exclusive).ToString());
        Assert.Equal("S-lock row 4", new LockOp(4, LockMode.Shared).ToString());
    }

    [Fact]
    public void The_victim_is_the_session_that_got_40P01_and_the_errors_are_counted()
    {
        const string deadlock = TwoSessionRun.DeadlockDetected;
        Assert.Equal("A", new TwoSessionRun(S("A", 0, 1, deadlock), S("B", 0, 1), 1, null).Victim!.Name);
        Assert.Equal("B", new TwoSessionRun(S("A", 0, 1), S("B", 0, 1, deadlock), 1, null).Victim!.Name);
        var timeouts = new TwoSessionRun(S("A", 0, 1, TwoSessionRun.LockNotAvailable), S("B", 0, 1), 1, null);
        Assert.Null(timeouts.Victim);
        Assert.Equal(0, timeouts.DeadlockErrors);
        Assert.Equal(1, new TwoSessionRun(S("A", 0, 1), S("B", 0, 1, deadlock), 1, null).DeadlockErrors);
        Assert.Equal(2, new TwoSessionRun(S("A", 0, 1, deadlock), S("B", 0, 1, deadlock), 1, "d").DeadlockErrors);
        Assert.Equal(("40P01", "55P03"), (TwoSessionRun.DeadlockDetected, TwoSessionRun.LockNotAvailable));
    }

    [Theory]
    // A waits at 0, B at t: A's single check (at 1000) runs before the cycle unless B waits by then.
    [InlineData(0, 1500, "B", "A")]     // periodic A re-checks at 2000, before B's first check at 2500
    [InlineData(0, 1000, "B", "A")]     // the cycle forms exactly at A's check, which misses it; a tie goes to A
    [InlineData(0, 999, "A", "A")]      // the cycle forms just before A's check
    [InlineData(0, 0, "A", "A")]        // both check at 1000: A
    [InlineData(300, 0, "B", "B")]      // B waited first
    [InlineData(0, 2500, "B", "A")]     // periodic A checks at 1000, 2000, 3000; B's first check is at 3500
    public void The_predicted_victim_is_the_first_check_after_the_cycle_formed(double a, double b, string once,
        string periodic)
    {
        var run = new TwoSessionRun(S("A", a, 9000), S("B", b, 9000), 1000, null);
        Assert.Equal((once, periodic), (run.PredictVictim(false), run.PredictVictim(true)));
    }

    [Fact]
    public void No_victim_is_predicted_when_a_session_never_waited_or_no_check_can_see_the_cycle()
    {
        Assert.Null(new TwoSessionRun(S("A", null, 1), S("B", 0, 2), 400, null).PredictVictim(true));
        Assert.Null(new TwoSessionRun(S("A", 0, 1), S("B", null, 2), 400, null).PredictVictim(false));
        // With a zero timeout each single check runs the instant its session waits: the later one meets the cycle
        // exactly as it forms, which the model (strictly after) does not count.
        Assert.Null(new TwoSessionRun(S("A", 0, 1), S("B", 5, 2), 0, null).PredictVictim(false));
    }

    [Fact]
    public void Bars_show_each_wait_and_marks_a_check_only_when_it_ran_before_the_session_ended()
    {
        var run = new TwoSessionRun(S("A", 100, 500), S("B", null, 50, TwoSessionRun.DeadlockDetected), 400, null);
        var bar = Assert.Single(run.Bars("r"));
        Assert.Equal(new TimelineBar("r: A", 100, 500, "waiting for a row lock"), bar);
        // A's check would run at 500, the instant it ended: not drawn.
        Assert.Equal(["commit", "40P01"], run.Marks("r").Select(m => m.Text));
        var later = run with { A = S("A", 100, 500.5) };
        var marks = later.Marks("r");
        Assert.Equal(["check", "commit", "40P01"], marks.Select(m => m.Text));
        var check = new TimelineMark("r: A", 500, "check", "deadlock check ran, no cycle yet", true, "diamond-open",
            "dimgray");
        Assert.Equal(check, marks[0]);
        Assert.Equal(new TimelineMark("r: A", 500.5, "commit", "got the lock, committed", true), marks[1]);
        Assert.Equal(new TimelineMark("r: B", 50, "40P01", "aborted itself", false), marks[2]);
        // A session that failed gets no check mark even when its wait was long.
        var failed = run with { A = S("A", 100, 900, TwoSessionRun.LockNotAvailable) };
        Assert.Equal(["55P03", "40P01"], failed.Marks("r").Select(m => m.Text));
    }

    [Fact]
    public void The_latest_acquire_adds_the_ttl_one_lessor_period_a_poll_and_two_slowest_rounds()
    {
        var write = new FencedWrite(true, 1, 1);
        var run = new EtcdPausedHolderRun(2, 1, 2, true, 3, 2100, 4, 0, write, "B", write, "A", false, true, "B", [],
            7.5, 50);
        Assert.Equal(2000 + 500 + 50 + 15, run.LatestAcquireMs);
        Assert.Equal(500, EtcdPausedHolderRun.LessorCheckMs);
    }

    [Fact]
    public void Two_holders_need_both_acquired_and_b_done_asking_before_a_stops_trusting_its_lock()
    {
        var a = new RedlockAttempt("A", true, [0, 1, 2], 2, 0, 5, 102, 100);
        Assert.Equal(105, a.ValidUntilMs);
        Assert.Equal(5, (a with { ValidityMs = -3 }).ValidUntilMs);   // a negative validity counts as none
        var b = new RedlockAttempt("B", true, [2, 3, 4], 2, 100, 4.9, 102, 100);
        Assert.True(new SplitBrainRun(5, RedlockFault.ClockJump, a, b).TwoHolders);
        Assert.False(new SplitBrainRun(5, RedlockFault.ClockJump, a, b with { ElapsedMs = 5 }).TwoHolders);
        Assert.False(new SplitBrainRun(5, RedlockFault.None, a with { Acquired = false }, b).TwoHolders);
        Assert.False(new SplitBrainRun(5, RedlockFault.None, a, b with { Acquired = false }).TwoHolders);
    }

    [Fact]
    public void Simulation_rates_are_fractions_of_attempts_and_zero_without_any()
    {
        var w = new LockWorkload(10, 2, 3, 20);
        var r = new SimulationResult(w, DeadlockPolicy.Detect, 10, 16, 2, 6, 0, 100, [], 8);
        Assert.Equal((0.5, 0.125, 0.375), (r.WaitRate, r.DeadlockRate, r.AbortRate));
        var none = r with { Attempts = 0 };
        Assert.Equal((0.0, 0.0, 0.0), (none.WaitRate, none.DeadlockRate, none.AbortRate));
    }

    [Fact]
    public void Redis_lock_tokens_are_128_bit_lower_case_hex_reproducible_from_a_seed()
    {
        string seeded = RedisLock.NewToken(new Random(7));
        Assert.Equal(seeded, RedisLock.NewToken(new Random(7)));
        var bytes = new byte[16];
        new Random(7).NextBytes(bytes);
        Assert.Equal(Convert.ToHexString(bytes).ToLowerInvariant(), seeded);
        string fresh = RedisLock.NewToken();
        Assert.Matches("^[0-9a-f]{32}$", fresh);
        Assert.NotEqual(fresh, RedisLock.NewToken());
        var lk = new RedisLock(Refusing.Create<StackExchange.Redis.IDatabase>(), "lock:x");
        Assert.Equal(("lock:x", "lock:x:fence"), (lk.Key, lk.FenceKey));
    }

    private static JsonObject Json(GenericChart chart)
    {
        GenericChart.getLayout(chart).RemoveProperty("template");
        return JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
    }

    private static double D(JsonNode? n) => n!.GetValue<double>();

    private static string Str(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public void The_wait_for_graph_draws_each_edge_from_rim_to_rim_and_the_cycle_in_red()
    {
        var chart = LockCharts.WaitForGraph("g", [1, 2], [new(1, 2, 5), new(2, 1, 7), new(2, 1, 7)], cycle: [1, 2, 1],
            aborted: [2]);
        var j = Json(chart);
        var notes = j["layout"]!["annotations"]!.AsArray();
        Assert.Equal(4, notes.Count);   // an arrow and a label per (waiter, blocker)
        // T1 at the top (0, 1), T2 at the bottom (0, −1): the arrow is cut 0.16 from each end and set 0.06 aside.
        var arrow = notes[0]!;
        Assert.Equal((0.06, -0.84, 0.06, 0.84), (D(arrow["x"]), D(arrow["y"]), D(arrow["ax"]), D(arrow["ay"])), Close);
        Assert.Equal((3.0, "crimson"), (D(arrow["arrowwidth"]), Str(arrow["arrowcolor"])));
        var label = notes[1]!;
        Assert.Equal(0.21, D(label["x"]), 9);                    // two transactions: labels 3.5 offsets aside
        Assert.Equal(0, D(label["y"]), 9);
        Assert.Equal(("row 5", "crimson"), (Str(label["text"]), Str(label["font"]!["color"])));
        Assert.Equal((-0.06, 0.84), (D(notes[2]!["x"]), D(notes[2]!["y"])), Close2);
        Assert.Equal("row 7", Str(notes[3]!["text"]));
        var data = j["data"]!.AsArray();
        Assert.Equal(["transaction", "aborted (victim)", "edge on the cycle"], data.Select(t => Str(t!["name"])));
        Assert.Equal("""["T1"]""", data[0]!["text"]!.ToJsonString());
        Assert.Equal("""["T2"]""", data[1]!["text"]!.ToJsonString());
        Assert.Equal("circle-x", Str(data[1]!["marker"]!["symbol"]));
        var layout = j["layout"]!;
        Assert.False(layout["xaxis"]!["visible"]!.GetValue<bool>());
        Assert.Equal("[-1.45,1.45]", layout["yaxis"]!["range"]!.ToJsonString());
        Assert.Equal("x", Str(layout["yaxis"]!["scaleanchor"]));
        Assert.Equal((560, 480), (layout["width"]!.GetValue<int>(), layout["height"]!.GetValue<int>()));
    }

    private static readonly IEqualityComparer<(double, double)> Close2 = new TupleClose();
    private static readonly IEqualityComparer<(double, double, double, double)> Close = new TupleClose();

    private sealed class TupleClose
        : IEqualityComparer<(double, double)>, IEqualityComparer<(double, double, double, double)>
    {
        private static bool Eq(double a, double b) => Math.Abs(a - b) < 1e-9;
        public bool Equals((double, double) x, (double, double) y) => Eq(x.Item1, y.Item1) && Eq(x.Item2, y.Item2);
        public int GetHashCode((double, double) obj) => 0;
        public bool Equals((double, double, double, double) x, (double, double, double, double) y) =>
            Eq(x.Item1, y.Item1) && Eq(x.Item2, y.Item2) && Eq(x.Item3, y.Item3) && Eq(x.Item4, y.Item4);
        public int GetHashCode((double, double, double, double) obj) => 0;
    }

    [Fact]
    public void Three_transactions_sit_on_a_circle_with_grey_edges_off_the_cycle_and_one_label_per_pair()
    {
        var j = Json(LockCharts.WaitForGraph("g", [1, 2, 3], [new(1, 2, 3), new(1, 2, 4), new(1, 2, 3)]));
        var notes = j["layout"]!["annotations"]!.AsArray();
        Assert.Equal(2, notes.Count);
        // T1 at (0, 1), T2 at (√3/2, −1/2): the edge's length is √3.
        double h = Math.Sqrt(3) / 2, len = Math.Sqrt(3), ox = 1.5 / len * 0.06, oy = h / len * 0.06, cut = 0.16 / len;
        Assert.Equal((h - h * cut + ox, -0.5 + 1.5 * cut + oy, h * cut + ox, 1 - 1.5 * cut + oy),
            (D(notes[0]!["x"]), D(notes[0]!["y"]), D(notes[0]!["ax"]), D(notes[0]!["ay"])), Close);
        Assert.Equal((1.5, "gray"), (D(notes[0]!["arrowwidth"]), Str(notes[0]!["arrowcolor"])));
        Assert.Equal((h / 2 + ox * 2.2, 0.25 + oy * 2.2), (D(notes[1]!["x"]), D(notes[1]!["y"])), Close2);
        Assert.Equal(("row 3,4", "dimgray"), (Str(notes[1]!["text"]), Str(notes[1]!["font"]!["color"])));
        Assert.Equal(["transaction"], j["data"]!.AsArray().Select(t => Str(t!["name"])));
    }

    [Fact]
    public void A_graph_without_edges_says_nobody_waits()
    {
        var j = Json(LockCharts.WaitForGraph("g", [1], []));
        var note = Assert.Single(j["layout"]!["annotations"]!.AsArray())!;
        Assert.Equal(("nobody waits", 0.0, 0.0), (Str(note["text"]), D(note["x"]), D(note["y"])));
    }

    [Fact]
    public void A_timeline_puts_the_first_lane_on_top_colours_each_legend_and_marks_writes()
    {
        TimelineBar[] bars = [new("A", 0, 2, "holds"), new("B", 1, 3, "waits"), new("A", 4, 5, "holds")];
        TimelineMark[] marks =
        [
            new("C", 2, "w", "write", true), new("A", 3, "x", "stale", false),
            new("B", 1, "c", "check", true, "diamond", "gray"),
        ];
        var j = Json(LockCharts.Timeline("t", "ms", bars, marks));
        var data = j["data"]!.AsArray();
        Assert.Equal(["holds", "holds", "waits", "write", "stale", "check"], data.Select(t => Str(t!["name"])));
        Assert.Equal(["[0.0,2.0]", "[4.0,5.0]", "[1.0,3.0]"], data.Take(3).Select(t => t!["x"]!.ToJsonString()));
        Assert.Equal(["[3.0,3.0]", "[3.0,3.0]", "[2.0,2.0]"], data.Take(3).Select(t => t!["y"]!.ToJsonString()));
        Assert.Equal([true, false, true], data.Take(3).Select(t => t!["showlegend"]!.GetValue<bool>()));
        Assert.Equal(["steelblue", "steelblue", "darkorange"], data.Take(3).Select(t => Str(t!["line"]!["color"])));
        Assert.Equal(10, D(data[0]!["line"]!["width"]));
        Assert.Equal(["[1.0]", "[3.0]", "[2.0]"], data.Skip(3).Select(t => t!["y"]!.ToJsonString()));
        Assert.Equal(["black", "crimson", "gray"], data.Skip(3).Select(t => Str(t!["marker"]!["color"])));
        Assert.Equal(["circle", "x", "diamond"], data.Skip(3).Select(t => Str(t!["marker"]!["symbol"])));
        Assert.Equal("""["c"]""", data[5]!["text"]!.ToJsonString());
        var y = j["layout"]!["yaxis"]!;
        Assert.Equal("[1.0,2.0,3.0]", y["tickvals"]!.ToJsonString());
        Assert.Equal("""["C","B","A"]""", y["ticktext"]!.ToJsonString());
        Assert.Equal("[0.4,3.7]", y["range"]!.ToJsonString());
        Assert.Equal("ms", Str(j["layout"]!["xaxis"]!["title"]!["text"]));
    }
}
