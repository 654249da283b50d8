using SystemDesign.RealTime;
using Xunit;

namespace SystemDesign.Tests.RealTime;

public class RgaTests
{
    [Fact]
    public void Element_ids_order_by_counter_then_site_and_print_as_counter_dot_site()
    {
        Assert.True(new ElementId(1, 9).CompareTo(new ElementId(2, 0)) < 0);
        Assert.True(new ElementId(3, 0).CompareTo(new ElementId(2, 9)) > 0);
        Assert.True(new ElementId(2, 1).CompareTo(new ElementId(2, 2)) < 0);
        Assert.True(new ElementId(2, 3).CompareTo(new ElementId(2, 2)) > 0);
        Assert.Equal(0, new ElementId(2, 2).CompareTo(new ElementId(2, 2)));
        Assert.Equal("7.3", new ElementId(7, 3).ToString());
    }

    [Fact]
    public void Local_edits_return_the_ops_to_broadcast_with_lamport_ids_and_anchors()
    {
        var r = new RgaReplica(3);
        Assert.Equal(3, r.Site);
        Assert.Equal(new RgaOp(true, new ElementId(1, 3), null, 'a'), r.LocalInsert(0, 'a'));
        Assert.Equal(new RgaOp(true, new ElementId(2, 3), new ElementId(1, 3), 'b'), r.LocalInsert(1, 'b'));
        Assert.Equal(new RgaOp(true, new ElementId(3, 3), new ElementId(1, 3), 'c'), r.LocalInsert(1, 'c'));
        Assert.Equal("acb", r.Text);
        Assert.Equal(new RgaOp(false, new ElementId(3, 3), null, '\0'), r.LocalDelete(1));
        Assert.Equal("ab", r.Text);
        // The anchor of an insert is the visible predecessor: the tombstone is skipped.
        Assert.Equal(new RgaOp(true, new ElementId(4, 3), new ElementId(1, 3), 'd'), r.LocalInsert(1, 'd'));
        Assert.Equal("adb", r.Text);
        Assert.Equal(new RgaOp(false, new ElementId(2, 3), null, '\0'), r.LocalDelete(2));
        Assert.Equal("ad", r.Text);
        Assert.Equal(0, r.Pending);
    }

    [Fact]
    public void A_received_op_advances_the_lamport_clock_past_its_counter()
    {
        var r = new RgaReplica(1);
        r.Receive(new RgaOp(true, new ElementId(5, 2), null, 'x'));
        Assert.Equal(new ElementId(6, 1), r.LocalInsert(1, 'y').Id);
        r.Receive(new RgaOp(true, new ElementId(2, 4), null, 'z')); // an older op does not move the clock back
        Assert.Equal(new ElementId(7, 1), r.LocalInsert(0, 'w').Id);
        Assert.Equal("wxyz", r.Text); // z skips x and its larger-id descendant y
    }

    [Fact]
    public void Concurrent_inserts_at_one_anchor_place_the_larger_id_first_on_every_replica()
    {
        var a = new RgaReplica(1); var b = new RgaReplica(2);
        var root = a.LocalInsert(0, 'r'); b.Receive(root);
        var x = a.LocalInsert(1, 'x');
        var y = b.LocalInsert(1, 'y');
        a.Receive(y); b.Receive(x);
        Assert.Equal("ryx", a.Text);
        Assert.Equal("ryx", b.Text);
        // A later insert (larger counter) at the same anchor goes before both.
        var z = a.LocalInsert(1, 'z'); b.Receive(z);
        Assert.Equal("rzyx", a.Text);
        Assert.Equal("rzyx", b.Text);
    }

    [Fact]
    public void Ops_whose_anchor_or_target_has_not_arrived_wait_in_the_buffer()
    {
        var src = new RgaReplica(1);
        var a = src.LocalInsert(0, 'a'); var b = src.LocalInsert(1, 'b'); var c = src.LocalInsert(2, 'c');
        var del = src.LocalDelete(1);
        var r = new RgaReplica(2);
        r.Receive(del); Assert.Equal((1, ""), (r.Pending, r.Text));
        r.Receive(c); Assert.Equal((2, ""), (r.Pending, r.Text));
        r.Receive(b); Assert.Equal((3, ""), (r.Pending, r.Text));
        r.Receive(a);
        Assert.Equal((0, "ac"), (r.Pending, r.Text));
        Assert.Equal(src.Text, r.Text);
    }

    [Fact]
    public void Receiving_an_op_twice_changes_nothing()
    {
        var src = new RgaReplica(1);
        var a = src.LocalInsert(0, 'a'); var b = src.LocalInsert(1, 'b'); var d = src.LocalDelete(0);
        var r = new RgaReplica(2);
        foreach (var op in new[] { a, b, a, b, d, d, a })
            r.Receive(op);
        Assert.Equal((0, "b"), (r.Pending, r.Text));
        Assert.Equal(new ElementId(3, 2), r.LocalInsert(1, 'c').Id);
        Assert.Equal("bc", r.Text);
    }

    [Fact]
    public void Replica_guards_name_their_parameter()
    {
        Assert.Equal("site", Assert.Throws<ArgumentOutOfRangeException>(() => new RgaReplica(-1)).ParamName);
        Assert.Equal(0, new RgaReplica(0).Site);
        var r = new RgaReplica(1);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalDelete(0)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalInsert(1, 'x')).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalInsert(-1, 'x')).ParamName);
        r.LocalInsert(0, 'a');
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalDelete(1)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalDelete(-1)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => r.LocalInsert(2, 'x')).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentNullException>(() => r.Receive(null!)).ParamName);
    }

    [Fact]
    public void Replicas_disagree_when_their_texts_differ_or_one_still_waits()
    {
        var a = new RgaReplica(1); var b = new RgaReplica(2); var c = new RgaReplica(3);
        Assert.Null(Convergence.Disagreement([a, b, c])); // all empty
        var x = a.LocalInsert(0, 'x');
        Assert.Equal(" | x", Convergence.Disagreement([b, a, c]));
        b.Receive(x); c.Receive(x);
        Assert.Null(Convergence.Disagreement([a, b, c]));
        var y = a.LocalInsert(1, 'y'); var z = a.LocalInsert(2, 'z');
        b.Receive(y); b.Receive(z); c.Receive(z); // c: z waits for its anchor y
        Assert.Equal("xyz | x", Convergence.Disagreement([a, b, c]));
        Assert.Equal(1, c.Pending);
        var stuck = new RgaReplica(4);
        stuck.Receive(new RgaOp(false, new ElementId(9, 9), null, '\0')); // deletes a character it never gets
        Assert.Equal("", Convergence.Disagreement([new RgaReplica(5), stuck])); // same text, but one still waits
        Assert.Equal("", Convergence.Disagreement([stuck, new RgaReplica(5)]));
    }

    [Fact]
    public void Rga_experiment_is_seeded_and_counts_every_operation()
    {
        Assert.Equal(new ConvergenceResult(5, 90, 0, null, "wlw"), Convergence.Rga(5, 3, 2, 3, 9));
    }

    [Fact]
    public void Plain_index_experiment_is_seeded_and_reports_the_first_divergence()
    {
        Assert.Equal(new ConvergenceResult(20, 240, 20, "bendxbqegd | bcdeebxfqg | blnbexdeqf", "bendxbqegd"),
            Convergence.PlainIndexes(20, 3, 4, 9));
        Assert.Equal(new ConvergenceResult(5, 600, 5, "ih | ddysb | af | zuow", "ih"),
            Convergence.PlainIndexes(5, 4, 30, 9));
    }

    [Fact]
    public void Plain_indexes_sometimes_agree_by_luck_and_those_trials_are_not_counted()
    {
        // One op per replica: some pairs (two deletes of one position, two equal inserts, a delete and an insert
        // of the letter it removes…) give the same text in either order even without transformation.
        Assert.Equal(new ConvergenceResult(30, 60, 22, "mabcdfgh | mabcdegh", "mabcdfgh"),
            Convergence.PlainIndexes(30, 2, 1, 1));
    }

    [Fact]
    public void Convergence_guards_name_their_parameter()
    {
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(0, 2, 1, 1, 1)).ParamName);
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(100_001, 2, 1, 1, 1)).ParamName);
        Assert.Equal("replicas", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(1, 21, 1, 1, 1)).ParamName);
        Assert.Equal("rounds", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(1, 2, 0, 1, 1)).ParamName);
        Assert.Equal("rounds", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(1, 2, 101, 1, 1)).ParamName);
        Assert.Equal("opsPerReplica", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(1, 2, 1, 0, 1)).ParamName);
        Assert.Equal("opsPerReplica", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.Rga(1, 2, 1, 101, 1)).ParamName);
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(0, 2, 1, 1)).ParamName);
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(100_001, 2, 1, 1)).ParamName);
        Assert.Equal("replicas", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(1, 1, 1, 1)).ParamName);
        Assert.Equal("replicas", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(1, 21, 1, 1)).ParamName);
        Assert.Equal("opsPerReplica", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(1, 2, 0, 1)).ParamName);
        Assert.Equal("opsPerReplica", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.PlainIndexes(1, 2, 101, 1)).ParamName);
    }

    [Fact]
    public void Lww_keeps_only_the_later_save_while_the_crdt_orders_concurrent_inserts_at_one_point()
    {
        Assert.Equal(new LwwLoss("aXb", "aYb", "aYb", "aYXb", "aYXb", 2, 1, 2),
            Convergence.LastWriterWins("ab", "X", 1, "Y", 1));
        Assert.Equal(new LwwLoss("hello big world", "hello world!!", "hello world!!", "hello big world!!",
            "hello big world!!", 6, 2, 6), Convergence.LastWriterWins("hello world", "big ", 6, "!!", 11));
        Assert.Equal(new LwwLoss("XYab", "abZ", "abZ", "XYabZ", "XYabZ", 3, 1, 3),
            Convergence.LastWriterWins("ab", "XY", 0, "Z", 2));
    }

    [Fact]
    public void Lww_guards_name_their_parameter()
    {
        Assert.Equal("start", Assert.Throws<ArgumentNullException>(() => Convergence.LastWriterWins(null!, "x", 0, "y", 0)).ParamName);
        Assert.Equal("insertA", Assert.Throws<ArgumentException>(() => Convergence.LastWriterWins("ab", "", 0, "y", 0)).ParamName);
        Assert.Equal("insertA", Assert.Throws<ArgumentNullException>(() => Convergence.LastWriterWins("ab", null!, 0, "y", 0)).ParamName);
        Assert.Equal("insertB", Assert.Throws<ArgumentException>(() => Convergence.LastWriterWins("ab", "x", 0, "", 0)).ParamName);
        Assert.Equal("posA", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.LastWriterWins("ab", "x", 3, "y", 0)).ParamName);
        Assert.Equal("posA", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.LastWriterWins("ab", "x", -1, "y", 0)).ParamName);
        Assert.Equal("posB", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.LastWriterWins("ab", "x", 0, "y", 3)).ParamName);
        Assert.Equal("posB", Assert.Throws<ArgumentOutOfRangeException>(() => Convergence.LastWriterWins("ab", "x", 0, "y", -1)).ParamName);
    }
}
