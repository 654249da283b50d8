using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

public sealed class ScenarioTests
{
    [Theory]
    [InlineData(IsolationLevel.ReadCommitted, "prevented", "occurs", "occurs", "occurs", "prevented", "occurs")]
    [InlineData(IsolationLevel.RepeatableRead, "prevented", "prevented", "prevented", "40001 T2 at WRITEFROM (concurrent update)", "40001 T2 at ADD (concurrent update)", "occurs")]
    [InlineData(IsolationLevel.Serializable, "prevented", "prevented", "prevented", "40001 T2 at WRITEFROM (concurrent update)", "40001 T2 at ADD (concurrent update)", "40001 T2 at COMMIT (rw-dependencies)")]
    public void Simulated_matrix_row(IsolationLevel level, params string[] expected)
    {
        var row = Anomalies.All.Select(s => Anomalies.Simulate(s, level).Cell).ToArray();
        Assert.Equal(expected, row);
    }

    [Fact]
    public void Read_uncommitted_reads_dirty_data_only_in_the_standard_mode()
    {
        Assert.Equal(Outcome.Occurs, Anomalies.Simulate(Anomalies.Dirty, IsolationLevel.ReadUncommitted, dirtyReadsAtReadUncommitted: true).Outcome);
        Assert.Equal(Outcome.Prevented, Anomalies.Simulate(Anomalies.Dirty, IsolationLevel.ReadUncommitted).Outcome);
        var pgLike = AnomalyMatrix.Simulate();
        Assert.All(Anomalies.All, s => Assert.Equal(pgLike[IsolationLevel.ReadCommitted, s.Name].Cell, pgLike[IsolationLevel.ReadUncommitted, s.Name].Cell));
    }

    [Fact]
    public void Write_skew_leaves_nobody_on_call_under_snapshot_isolation()
    {
        var run = Anomalies.Simulate(Anomalies.Skew, IsolationLevel.RepeatableRead);
        Assert.Equal((2L, 2L), (run.Value("oncall1.sum")!.Value, run.Value("oncall2.sum")!.Value));
        Assert.Equal(0, run.Final[1] + run.Final[2]);
        Assert.Empty(run.Aborts);
        var ser = Anomalies.Simulate(Anomalies.Skew, IsolationLevel.Serializable);
        Assert.Equal(1, ser.Final[1] + ser.Final[2]);
    }

    [Fact]
    public void Ssi_can_abort_at_a_read()
    {
        var run = Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.Serializable);
        Assert.Equal("40001 T1 at READ (rw-dependencies)", run.Cell);
        Assert.Equal(Outcome.Prevented, Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.RepeatableRead).Outcome);
    }

    [Fact]
    public void Matrix_helpers_validate_and_compare()
    {
        var a = AnomalyMatrix.Simulate();
        var b = AnomalyMatrix.Simulate(dirtyReadsAtReadUncommitted: true);
        var diff = AnomalyMatrix.Compare(a, b).Where(c => !c.Agree).ToList();
        Assert.Equal([("READ UNCOMMITTED", Anomalies.DirtyRead)], diff.Select(d => (d.Level, d.Anomaly)));
        Assert.Equal(4, a.Rows().Count);
        Assert.Equal(2.0, a.Codes([IsolationLevel.ReadCommitted], [Anomalies.Skew])[0][0]);
        Assert.Throws<ArgumentException>(() => a[IsolationLevel.ReadCommitted, "no such anomaly"]);
        Assert.Throws<ArgumentException>(() => new AnomalyMatrix("x", []));
        Assert.Equal(ConflictKind.ConcurrentUpdate, Anomalies.KindOf("could not serialize access due to concurrent update"));
        Assert.Null(Anomalies.KindOf("deadlock detected"));
        Assert.Equal("UPDATE SET v=a+10 WHERE k=1", ScriptStep.WriteFrom(1, 1, "a", 10).Sql);
    }
}
