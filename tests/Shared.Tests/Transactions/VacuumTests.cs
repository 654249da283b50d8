using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

[Collection(PostgresTablesCollection.Name)]
public sealed class VacuumTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(100)]
    public void Peak_heap_is_rows_plus_the_vacuum_interval(int every)
    {
        var run = VacuumSimulation.Run(1000, 3000, every, every, 1);
        Assert.Equal(1000 + every, run.PeakHeap);
        Assert.Equal(every, run.MaxDead);
    }

    [Fact]
    public void Without_vacuum_every_update_adds_a_tuple()
    {
        var run = VacuumSimulation.Run(1000, 3000, 0, 100, 1);
        Assert.Equal(4000, run.Last.HeapSlots);
        Assert.Equal(4.0, run.Last.Bloat);
    }

    [Fact]
    public void A_long_transaction_stops_reclamation_until_it_ends()
    {
        var run = VacuumSimulation.Run(1000, 3000, 100, 100, 1, longFrom: 1000, longTo: 2000);
        Assert.All(run.Vacuums.Where((v, i) => (i + 1) * 100 > 1000 && (i + 1) * 100 < 2000), v => Assert.Equal(0, v.Removed));
        Assert.Equal(1000 + 1000, run.PeakHeap);         // rows plus every update made while it was open
        Assert.Equal(run.PeakHeap, run.Last.HeapSlots);  // and the file keeps that size
        var (held, after) = VacuumSimulation.LongTransaction(100);
        Assert.Equal((0, 100, 200), (held.Removed, held.DeadNotYetRemovable, held.Remaining));
        Assert.Equal((100, 0, 100), (after.Removed, after.DeadNotYetRemovable, after.Remaining));
    }

    [Fact]
    public void Update_all_twice_doubles_the_file_once_and_vacuum_full_shrinks_it()
    {
        var pages = VacuumSimulation.UpdateAllTwice(10_000).Select(s => s.Pages).ToArray();
        Assert.Equal([45, 89, 89, 89, 89, 45], pages);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VacuumSimulation.Run(0, 10, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VacuumSimulation.Run(10, 10, 11, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VacuumSimulation.Run(10, 10, 1, 1, 1, longFrom: 5, longTo: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => VacuumSimulation.UpdateAllTwice(0));
    }

    [SkippableFact]
    public void Postgres_agrees_with_the_simulation()
    {
        using var pg = RealSystem.RequirePostgres();
        var settings = PostgresVacuum.Settings(pg);
        Assert.Equal(200_000_000, settings.AutovacuumFreezeMaxAge);
        Assert.Equal(1_600_000_000, settings.VacuumFailsafeAge);
        Assert.All(PostgresVacuum.Ages(pg), a => Assert.True(a.Agree, a.ToString()));

        var lt = PostgresVacuum.LongTransaction(pg, 1000);
        var (held, after) = VacuumSimulation.LongTransaction(1000);
        Assert.Equal((held.Removed, held.Remaining, held.DeadNotYetRemovable), ((int)lt.WhileHeld.Removed, (int)lt.WhileHeld.Remain, (int)lt.WhileHeld.DeadNotYetRemovable));
        Assert.Equal(after.Removed, lt.AfterRelease.Removed);
        Assert.Equal(1000, lt.DeadTupWhileHeld);

        var pgPages = PostgresVacuum.UpdateAllTwice(pg, 10_000).Select(s => s.Pages);
        Assert.Equal(VacuumSimulation.UpdateAllTwice(10_000).Select(s => s.Pages), pgPages);

        var f = PostgresVacuum.Freeze(pg);
        Assert.True(f.FrozenFlag);
        Assert.Equal(f.InsertXid, f.RawXminAfter);
        Assert.Equal(f.InsertXid, f.SelectXminAfter);
    }
}
