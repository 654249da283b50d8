using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Transactions;

public sealed class RowHistoryTests(ITestOutputHelper log)
{
    [SkippableFact]
    public void Postgres_heap_has_the_same_shape_as_the_simulation()
    {
        using var pg = RealSystem.RequirePostgres();
        var actions = RowHistory.Parse(RowHistory.DefaultScript);
        var sim = RowHistory.Simulate(actions);
        var real = PostgresRowHistory.Run(pg, actions);
        foreach (var c in RowHistory.Compare(sim, real)) log.WriteLine($"{c.Step} {c.Action,-16} {c.Simulation}\n{"",19}{c.PostgreSQL} {(c.Agree ? "" : "<<<<")}");
        Assert.All(RowHistory.Compare(sim, real), c => Assert.True(c.Agree));
    }
}
