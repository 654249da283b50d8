using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

/// <summary>
/// HOT pruning on PostgreSQL, measured alone: any transaction with an xid elsewhere on the server holds pruning
/// back. Beside the parallel tests a rehearsal's HOT heap reached 23 pages with none seen by the run's check
/// (it samples other sessions every 500 updates), so this class runs after them, by itself.
/// </summary>
[Collection(Name)]
public sealed class PostgresPruningTests
{
    public const string Name = "PostgreSQL pruning, alone";

    [SkippableFact]
    public void On_PostgreSQL_a_held_snapshot_grows_the_heap_as_the_model_does_and_HOT_plateaus()
    {
        using var pg = RealSystem.RequirePostgres();
        var held = PostgresBloat.UpdateGrowth(pg, UpdateWorkload.HeldSnapshot, 1000, 4000, 2000);
        Assert.Equal(PostgresBloat.ModelPages(1000, 4000, 2000).Select(p => p.HeapPages), held.Points.Select(p => p.HeapPages));
        var hot = PostgresBloat.UpdateGrowth(pg, UpdateWorkload.Hot, 1000, 8000, 4000);
        Skip.If(hot.Disturbed, $"another session held pruning back in all {hot.Attempts} attempts");
        Assert.True(hot.Last.HeapPages < 23, $"HOT heap {hot.Last.HeapPages} pages");
        Assert.True(hot.HotShare > 0.5, $"HOT share {hot.HotShare}");
        var nonHot = PostgresBloat.UpdateGrowth(pg, UpdateWorkload.NonHot, 1000, 4000, 2000);
        Assert.Equal(0, nonHot.HotUpdates);
        Assert.True(nonHot.Last.HeapPages > nonHot.Points[1].HeapPages);
        Assert.Throws<ArgumentException>(() => PostgresBloat.UpdateGrowth(pg, UpdateWorkload.Hot, 1000, 4000, 3000));
    }
}

[CollectionDefinition(PostgresPruningTests.Name, DisableParallelization = true)]
public sealed class PostgresPruningCollection;
