using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Transactions;

[Collection(PostgresTablesCollection.Name)]
public sealed class RowHistoryTests(ITestOutputHelper log)
{
    [Fact]
    public void The_default_story_ends_with_four_versions_and_none_visible_to_new_snapshots()
    {
        var steps = RowHistory.Simulate(RowHistory.Parse(RowHistory.DefaultScript));
        var last = steps[^1];
        Assert.Equal(4, last.Versions.Count);
        Assert.Equal("—", last.Visible[RowHistory.NewSnapshot]);
        Assert.Equal("(0,1)", last.Visible["S1"]);
        Assert.Equal("(0,2)", last.Visible["S2"]);
        Assert.Equal("T3", steps[4].Versions[1].Xmax);            // the aborted updater's xid stays in xmax …
        Assert.Equal("aborted", steps[4].Versions[1].XmaxStatus);
        Assert.Equal("T4", steps[6].Versions[1].Xmax);            // … until the next updater overwrites it
        var (ctids, _, z) = RowHistory.StateGrid(steps);
        Assert.Equal(4, ctids.Length);
        Assert.Equal(steps.Count, z[0].Length);
    }

    [Theory]
    [InlineData("update 5")]
    [InlineData("insert 1; insert 2")]
    [InlineData("insert 1; update 2 open; update 3")]
    [InlineData("commit")]
    [InlineData("insert x")]
    [InlineData("snapshot S1; snapshot S1")]
    [InlineData("end S9")]
    [InlineData("jump")]
    [InlineData("")]
    public void Bad_scripts_are_rejected_with_a_reason(string script) =>
        Assert.ThrowsAny<ArgumentException>(() => RowHistory.Parse(script));

    [Fact]
    public void Open_writers_commit_or_abort_later()
    {
        var a = RowHistory.Parse("insert 1 open; commit; update 2 abort; delete open; abort; update 3");
        Assert.Equal(6, a.Count);
        var steps = RowHistory.Simulate(a);
        Assert.Equal("(0,3)", steps[^1].Visible[RowHistory.NewSnapshot]); // a delete adds no tuple
    }

    [SkippableFact]
    public void Postgres_heap_has_the_same_shape_as_the_simulation()
    {
        using var pg = RealSystem.RequirePostgres();
        foreach (var script in new[] { RowHistory.DefaultScript, "insert 1 open; snapshot A; commit; snapshot B; update 2; delete abort; end A; update 3" })
        {
            var actions = RowHistory.Parse(script);
            var comparison = RowHistory.Compare(RowHistory.Simulate(actions), PostgresRowHistory.Run(pg, actions));
            foreach (var c in comparison.Where(c => !c.Agree)) log.WriteLine($"{c.Step} {c.Action}: {c.Simulation} | {c.PostgreSQL}");
            Assert.All(comparison, c => Assert.True(c.Agree));
        }
    }
}
