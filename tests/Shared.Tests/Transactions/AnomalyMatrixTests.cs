using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Transactions;

[Collection(PostgresTablesCollection.Name)]
public sealed class AnomalyMatrixTests(ITestOutputHelper log)
{
    [SkippableFact]
    public void Postgres_matrix_matches_the_simulation_cell_by_cell()
    {
        using var pg = RealSystem.RequirePostgres();
        using var runner = new PostgresAnomalies(pg);
        var real = runner.Matrix();
        var sim = AnomalyMatrix.Simulate();
        foreach (var c in AnomalyMatrix.Compare(sim, real)) log.WriteLine($"{c.Level,-18} {c.Anomaly,-24} sim={c.Simulation,-45} pg={c.PostgreSQL} {(c.Agree ? "" : "  <<<<<")}");
        foreach (var r in real.Runs.Where(r => r.Aborts.Count > 0)) log.WriteLine($"{r.Level} {r.Scenario.Name}: {r.Aborts[0].Message} siread={r.MaxSiReadLocks}");
        var extra = runner.Run(Anomalies.AbortAtRead, IsolationLevel.Serializable);
        var extraSim = Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.Serializable);
        log.WriteLine($"abort-at-read: sim={extraSim.Cell} pg={extra.Cell} {string.Join(",", extra.Aborts.Select(a => a.Message))}");
        Assert.All(AnomalyMatrix.Compare(sim, real), c => Assert.True(c.Agree, $"{c.Level} {c.Anomaly}: sim {c.Simulation}, pg {c.PostgreSQL}"));
        Assert.Equal(extraSim.Cell, extra.Cell);
        Assert.Equal("read uncommitted", runner.ReportedLevel(IsolationLevel.ReadUncommitted)); // accepted, behaves as read committed
        Assert.True(real[IsolationLevel.Serializable, Anomalies.WriteSkew].MaxSiReadLocks > 0);
        Assert.Equal(0, real[IsolationLevel.RepeatableRead, Anomalies.WriteSkew].MaxSiReadLocks);
    }
}

[Collection(PostgresTablesCollection.Name)]
public sealed class BlockingTests
{
    [SkippableFact]
    public void Postgres_readers_do_not_wait_but_writers_do()
    {
        using var pg = RealSystem.RequirePostgres();
        using var runner = new PostgresAnomalies(pg);
        var b = runner.Blocking();
        Assert.Equal(100, b.ReadValue);
        Assert.Equal("55P03", b.UpdateSqlState);
        Assert.Equal("55P03", b.ForUpdateSqlState);
        Assert.Equal(200, b.ValueAfterCommit);
    }
}

[Collection(PostgresTablesCollection.Name)]
public sealed class PostgresGuardTests
{
    [Fact]
    public void Postgres_entry_points_reject_bad_arguments_before_touching_a_server()
    {
        Assert.Throws<ArgumentNullException>(() => new PostgresAnomalies(null!));
        Assert.Throws<ArgumentNullException>(() => PostgresRowHistory.Run(null!, []));
        Assert.Throws<ArgumentNullException>(() => PostgresVacuum.LongTransaction(null!, 10));
        Assert.Throws<ArgumentNullException>(() => PostgresVacuum.Settings(null!));
        Assert.Throws<ArgumentNullException>(() => PostgresBank.IdempotencyExperiment(null!));
        using var closed = new Npgsql.NpgsqlConnection(SystemDesign.RealSystems.Servers.PostgresConnectionString);
        Assert.Throws<ArgumentException>(() => new PostgresAnomalies(closed));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresBank.TransferPessimistic(closed, 0, 1, 5));
        Assert.Throws<ArgumentException>(() => PostgresBank.TransferOptimistic(closed, 2, 2, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresBank.TransferIdempotent(closed, Guid.NewGuid(), 1, 2, 0));
    }
}
