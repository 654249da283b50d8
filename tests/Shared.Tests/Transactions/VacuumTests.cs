using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Transactions;

public sealed class VacuumTests(ITestOutputHelper log)
{
    [SkippableFact]
    public void Postgres_vacuum_experiments_agree_with_the_simulation()
    {
        using var pg = RealSystem.RequirePostgres();
        var w = System.Diagnostics.Stopwatch.StartNew();
        var settings = PostgresVacuum.Settings(pg);
        log.WriteLine(settings.ToString());
        foreach (var a in PostgresVacuum.Ages(pg)) log.WriteLine(a.ToString());
        var lt = PostgresVacuum.LongTransaction(pg, 1000);
        log.WriteLine(lt.ToString());
        var (held, after) = VacuumSimulation.LongTransaction(1000);
        log.WriteLine($"sim {held} / {after}");
        var stages = PostgresVacuum.UpdateAllTwice(pg, 10000);
        var simStages = VacuumSimulation.UpdateAllTwice(10000);
        for (int i = 0; i < stages.Count; i++) log.WriteLine($"{stages[i]}   sim {simStages[i]}");
        var f = PostgresVacuum.Freeze(pg);
        log.WriteLine(f.ToString());
        log.WriteLine($"{w.ElapsedMilliseconds} ms");
    }
}
