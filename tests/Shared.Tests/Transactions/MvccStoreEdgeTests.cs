using SystemDesign.Transactions;
using static SystemDesign.Tests.Transactions.MvccStoreTests;

namespace SystemDesign.Tests.Transactions;

/// <summary>
/// The branches of <see cref="MvccStore"/> that the story-level tests pass by: inserts over dead, locked and
/// deleted rows, dirty writes, vacuum's bookkeeping, and the SSI rules that decide when an edge is drawn and who
/// is rolled back.
/// </summary>
public sealed class MvccStoreEdgeTests
{
    [Fact]
    public void Status_of_an_unknown_xid_is_refused_and_the_reserved_ones_are_committed()
    {
        var store = WithRows((1, 1));
        Assert.Equal(TransactionStatus.Committed, store.StatusOf(Xid.FirstNormal));
        Assert.Equal(TransactionStatus.Committed, store.StatusOf(Xid.Frozen));
        Assert.Equal(TransactionStatus.Committed, store.StatusOf(Xid.Bootstrap));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => store.StatusOf(99));
        Assert.StartsWith("xid 99 was never assigned by this store.", e.Message);
    }

    [Fact]
    public void Scan_returns_only_the_keys_in_range_in_key_order()
    {
        var store = WithRows((5, 50), (1, 10), (9, 90), (3, 30), (12, 120));
        var tx = store.Begin();
        Assert.Equal([(3, 30L), (5, 50L), (9, 90L)], store.Scan(tx, 3, 9));
        Assert.Equal([(12, 120L)], store.Scan(tx, 10, 12));
        Assert.Empty(store.Scan(tx, 13, 20));
    }

    [Fact]
    public void Insert_passes_aborted_rows_waits_for_writers_and_reuses_deleted_keys()
    {
        var store = new MvccStore();
        var aborted = store.Begin();
        store.Insert(aborted, 1, 10);
        store.Rollback(aborted);
        Assert.Equal(1, store.DeadTuples);   // the aborted insert at slot 0
        Assert.Empty(store.Active);

        var writer = store.Begin();
        store.Insert(writer, 1, 20);         // over the aborted version
        var e = Assert.Throws<RowLockedException>(() => store.Insert(store.Begin(), 1, 30));
        Assert.Equal((1, writer.Xid), (e.Key, e.HolderXid));
        store.Commit(writer);

        var dup = Assert.Throws<InvalidOperationException>(() => store.Insert(store.Begin(), 1, 40));
        Assert.Equal("duplicate key value violates unique constraint: key 1 exists", dup.Message);

        var deleter = store.Begin();
        Assert.True(store.Delete(deleter, 1));
        e = Assert.Throws<RowLockedException>(() => store.Insert(store.Begin(), 1, 50));
        Assert.Equal(deleter.Xid, e.HolderXid);
        store.Rollback(deleter);
        Assert.Throws<InvalidOperationException>(() => store.Insert(store.Begin(), 1, 60));   // the delete was undone

        var gone = store.Begin();
        Assert.True(store.Delete(gone, 1));
        store.Commit(gone);
        var again = store.Begin();
        store.Insert(again, 1, 90);
        store.Commit(again);
        Assert.Equal(90, store.Read(store.Begin(), 1));
    }

    [Fact]
    public void Updates_that_find_no_row_report_false_and_additions_are_checked()
    {
        var store = WithRows((1, long.MaxValue));
        var tx = store.Begin();
        Assert.Throws<OverflowException>(() => store.Add(tx, 1, 1));
        Assert.False(store.Update(tx, 2, 5));
        Assert.False(store.Delete(tx, 2));
        var ser = store.Begin(IsolationLevel.Serializable);
        Assert.False(store.Update(ser, 2, 5));
        Assert.Null(store.Read(ser, 2));
        Assert.Empty(store.Scan(ser, 2, 4));
    }

    [Fact]
    public void A_rolled_back_update_leaves_one_dead_tuple_and_a_later_delete_points_the_chain_at_itself()
    {
        var store = WithRows((1, 100));
        var upd = store.Begin();
        store.Update(upd, 1, 200);
        store.Rollback(upd);
        Assert.Equal(1, store.DeadTuples);
        Assert.Equal(new Ctid(0, 2), store.Versions(1)[0].Next);
        var del = store.Begin();
        Assert.True(store.Delete(del, 1));
        store.Commit(del);
        Assert.Equal(2, store.DeadTuples);
        var v = store.Versions(1)[0];
        Assert.Equal(v.Ctid, v.Next);
        Assert.False(store.Update(store.Begin(), 1, 5));
    }

    [Fact]
    public void Dirty_readers_see_and_write_the_newest_version()
    {
        var store = WithRows(new MvccStore(dirtyReadsAtReadUncommitted: true), (1, 100), (2, 200), (3, 300), (5, 500));
        var undone = store.Begin();
        store.Update(undone, 1, 111);
        store.Rollback(undone);
        var r = store.Begin(IsolationLevel.ReadUncommitted);
        Assert.Equal(100, store.Read(r, 1));   // the newest version's inserter aborted: the one before it

        var deleter = store.Begin();
        store.Delete(deleter, 2);
        Assert.Null(store.Read(r, 2));
        var e = Assert.Throws<RowLockedException>(() => store.Update(r, 2, 5));
        Assert.Equal(deleter.Xid, e.HolderXid);
        store.Rollback(deleter);
        Assert.Equal(200, store.Read(r, 2));

        var inserter = store.Begin();
        store.Insert(inserter, 4, 400);
        Assert.Equal(400, store.Read(r, 4));
        e = Assert.Throws<RowLockedException>(() => store.Update(r, 4, 1));
        Assert.Equal(inserter.Xid, e.HolderXid);
        store.Rollback(inserter);

        Assert.True(store.Delete(r, 3));
        Assert.False(store.Update(r, 3, 7));   // its own delete: nothing left to update

        var gone = store.Begin();
        store.Delete(gone, 5);
        store.Commit(gone);
        Assert.False(store.Update(r, 5, 1));
        Assert.Null(store.Read(r, 5));
    }

    [Fact]
    public void Vacuum_reuses_the_lowest_free_slot_and_tracks_the_oldest_unfrozen_xmin()
    {
        var store = new MvccStore();
        var aborted = store.Begin();
        store.Insert(aborted, 1, 1);
        store.Rollback(aborted);
        WithRows(store, (2, 2), (3, 3), (4, 4));
        Assert.Equal(4u, store.OldestUnfrozenXmin());   // the aborted xid 3 does not count
        var del = store.Begin();
        store.Delete(del, 4);
        store.Commit(del);
        Assert.Equal(2, store.Vacuum().Removed);       // slots 0 and 3
        Assert.Equal(4u, store.OldestUnfrozenXmin());
        WithRows(store, (7, 7), (8, 8));
        Assert.Equal(new Ctid(0, 1), store.Versions(7)[0].Ctid);
        Assert.Equal(new Ctid(0, 4), store.Versions(8)[0].Ctid);
        Assert.Equal(4, store.Vacuum(freezeMinAge: 0).Frozen);     // keys 2, 3, 7, 8
        Assert.Null(store.OldestUnfrozenXmin());
    }

    [Fact]
    public void Vacuum_full_renumbers_the_slots_of_running_transactions()
    {
        var store = new MvccStore();
        var aborted = store.Begin();
        store.Insert(aborted, 9, 0);
        store.Rollback(aborted);
        WithRows(store, (1, 10));
        var updater = store.Begin();
        store.Update(updater, 1, 11);
        var inserter = store.Begin();
        store.Insert(inserter, 2, 20);
        var full = store.VacuumFull();
        Assert.Equal((1, 3, 3, 0), (full.Removed, full.Remaining, full.HeapSlots, full.FreeSlots));
        Assert.Equal(0, store.DeadTuples);
        store.Commit(updater);      // its old version moved from slot 1 to slot 0
        Assert.Equal(1, store.DeadTuples);
        store.Rollback(inserter);   // its insert moved from slot 3 to slot 2
        Assert.Equal(2, store.DeadTuples);
        var r = store.Begin();
        Assert.Equal(11, store.Read(r, 1));
        Assert.Null(store.Read(r, 2));
    }

    [Fact]
    public void A_doomed_pivot_fails_at_its_next_statement_and_is_rolled_back()
    {
        var store = WithRows((1, 1), (2, 1));
        var alice = store.Begin(IsolationLevel.Serializable);
        var bob = store.Begin(IsolationLevel.Serializable);
        store.Scan(alice, 1, 2);
        store.Scan(bob, 1, 2);
        store.Update(alice, 1, 0);
        store.Update(bob, 2, 0);
        store.Commit(alice);
        var e = Assert.Throws<SerializationFailureException>(() => store.Read(bob, 1));
        Assert.Equal("could not serialize access due to read/write dependencies among transactions "
            + $"(T{bob.Id} was chosen as the pivot of a dangerous structure)", e.Message);
        Assert.Equal((bob.Id, TransactionStatus.Aborted), (e.Transaction, bob.Status));
        Assert.DoesNotContain(bob, store.Active);
        Assert.Equal(1, store.Read(store.Begin(), 2));
    }

    [Fact]
    public void A_transaction_that_reads_its_own_write_commits()
    {
        var store = WithRows((1, 1));
        var ser = store.Begin(IsolationLevel.Serializable);
        store.Update(ser, 1, 2);
        Assert.Equal(2, store.Read(ser, 1));
        Assert.Equal([(1, 2L)], store.Scan(ser, 1, 1));
        store.Commit(ser);
        Assert.Equal(TransactionStatus.Committed, ser.Status);
    }

    [Fact]
    public void A_scan_that_meets_a_newer_committed_version_fails_the_writer_at_once()
    {
        var store = WithRows((1, 1), (2, 1), (9, 0));
        var t1 = store.Begin(IsolationLevel.Serializable);
        store.Read(t1, 9);
        var t2 = store.Begin(IsolationLevel.Serializable);
        store.Scan(t2, 1, 2);
        store.Update(t2, 2, 0);
        store.Commit(t2);
        Assert.Equal(2, store.Scan(t1, 1, 2).Sum(r => r.Value));   // t1 → t2: it read what t2 overwrote
        var e = Assert.Throws<SerializationFailureException>(() => store.Update(t1, 1, 0));
        Assert.Equal(ConflictKind.ReadWriteDependencies, e.Kind);
        Assert.Contains($"(T{t2.Id} → T{t1.Id} → T{t2.Id} with T{t2.Id} committed first)", e.Message);
        Assert.Equal(TransactionStatus.Aborted, t1.Status);
        Assert.DoesNotContain(t1, store.Active);
    }

    [Fact]
    public void Reads_of_versions_committed_before_the_snapshot_or_by_other_levels_draw_no_edge()
    {
        var store = WithRows((1, 0), (5, 0));
        var r = store.Begin(IsolationLevel.Serializable);
        Assert.Equal(0, store.Read(r, 5));
        var c = store.Begin(IsolationLevel.Serializable);
        store.Update(c, 1, 10);
        store.Commit(c);
        var t = store.Begin(IsolationLevel.Serializable);
        Assert.Equal(10, store.Read(t, 1));        // c committed before t's snapshot: no t → c
        Assert.True(store.Update(t, 5, 50));       // r → t alone is harmless
        var rc = store.Begin();
        store.Update(rc, 1, 20);
        store.Commit(rc);
        Assert.Equal(0, store.Read(r, 1));         // rc's version is invisible to r, but rc is not serializable
        store.Commit(t);
        store.Commit(r);
        Assert.Equal((TransactionStatus.Committed, TransactionStatus.Committed), (t.Status, r.Status));
    }

    [Fact]
    public void A_read_committed_writer_takes_part_in_no_dangerous_structure()
    {
        var store = WithRows((1, 0), (5, 0));
        var t3 = store.Begin(IsolationLevel.Serializable);
        store.Read(t3, 5);
        var p = store.Begin(IsolationLevel.Serializable);
        store.Read(p, 1);
        var w = store.Begin();
        store.Update(w, 1, 7);
        store.Commit(w);
        Assert.True(store.Update(p, 5, 9));
        store.Commit(p);
        store.Commit(t3);
        Assert.Equal(TransactionStatus.Committed, t3.Status);
    }

    [Fact]
    public void Inserts_into_a_range_or_a_missing_key_another_transaction_read_are_conflicts()
    {
        var store = new MvccStore();
        var s1 = store.Begin(IsolationLevel.Serializable);
        var s2 = store.Begin(IsolationLevel.Serializable);
        Assert.Empty(store.Scan(s1, 1, 10));
        Assert.Empty(store.Scan(s2, 1, 10));
        store.Insert(s1, 5, 1);
        store.Insert(s2, 6, 1);
        store.Commit(s1);
        Assert.Throws<SerializationFailureException>(() => store.Commit(s2));

        var a = store.Begin(IsolationLevel.Serializable);
        var b = store.Begin(IsolationLevel.Serializable);
        Assert.False(store.Update(a, 7, 1));   // "insert if absent": both look first
        Assert.False(store.Update(b, 8, 1));
        store.Insert(a, 8, 1);
        store.Insert(b, 7, 1);
        store.Commit(a);
        Assert.Throws<SerializationFailureException>(() => store.Commit(b));
    }

    [Fact]
    public void Writes_outside_every_range_read_are_no_conflict()
    {
        var store = WithRows((1, 0), (2, 0), (3, 0), (4, 0));
        var a = store.Begin(IsolationLevel.Serializable);
        var b = store.Begin(IsolationLevel.Serializable);
        store.Scan(a, 1, 1);
        store.Scan(b, 2, 2);
        store.Update(a, 3, 1);
        store.Update(b, 4, 1);
        store.Commit(a);
        store.Commit(b);
        Assert.Equal(TransactionStatus.Committed, b.Status);
    }

    [Fact]
    public void Ssi_aborts_only_when_t_out_commits_before_the_pivot_and_t_in()
    {
        // a → b → c, but b commits before c: no anomaly is possible.
        var store = WithRows((1, 0), (2, 0));
        var a = store.Begin(IsolationLevel.Serializable);
        store.Read(a, 1);
        var b = store.Begin(IsolationLevel.Serializable);
        store.Read(b, 2);
        store.Update(b, 1, 1);
        var c = store.Begin(IsolationLevel.Serializable);
        store.Update(c, 2, 2);
        store.Commit(b);
        store.Commit(c);
        store.Commit(a);
        Assert.Equal(TransactionStatus.Committed, a.Status);

        // t → p → u, but t commits before u: no anomaly either.
        store = WithRows((5, 0), (6, 0));
        var t = store.Begin(IsolationLevel.Serializable);
        store.Read(t, 5);
        var p = store.Begin(IsolationLevel.Serializable);
        store.Update(p, 5, 1);
        store.Commit(t);
        store.Read(p, 6);
        var u = store.Begin(IsolationLevel.Serializable);
        store.Update(u, 6, 1);
        store.Commit(u);
        store.Commit(p);
        Assert.Equal(TransactionStatus.Committed, p.Status);
    }

    [Fact]
    public void A_committed_writer_is_remembered_while_the_oldest_running_reader_overlaps_it()
    {
        var store = WithRows((1, 0), (2, 0), (9, 0));
        var r1 = store.Begin(IsolationLevel.Serializable);
        store.Read(r1, 9);
        var c = store.Begin(IsolationLevel.Serializable);
        store.Update(c, 1, 10);
        store.Commit(c);
        var r2 = store.Begin(IsolationLevel.Serializable);
        store.Read(r2, 2);
        var d = store.Begin(IsolationLevel.Serializable);
        store.Read(d, 9);
        store.Commit(d);                             // r2 started after c committed, r1 before: keep c
        Assert.Equal(0, store.Read(r1, 1));          // r1 → c
        Assert.Throws<SerializationFailureException>(() => store.Update(r1, 2, 5));   // r2 → r1 → c
    }
}
