using SystemDesign.Distribution;

namespace SystemDesign.Tests.Distribution;

public sealed class ReplicaReportTests
{
    [Fact]
    public void A_failed_node_is_replaced_by_exactly_one_node_per_affected_key()
    {
        var before = HashRing.Create(Data.Nodes(8), 16);
        var after = before.WithoutNode("node-2");
        var keys = Data.Keys(5000);
        var report = ReplicaReport.Between(keys, before, after, 3);
        Assert.Equal(0, report.KeysWithRepeatedNode);
        Assert.Equal(keys.Count(k => before.Replicas(k, 3).Contains("node-2")), report.Changes.Count);
        Assert.All(report.Changes, c =>
        {
            Assert.Equal(["node-2"], c.Lost);
            Assert.Single(c.Gained);
        });
        Assert.Equal(report.Changes.Count, report.CopiesToMake);
        Assert.Equal(7, report.CopiesByNode().Count);
        Assert.InRange(report.FractionChanged, 0.2, 0.55); // ≈ 3/8
    }

    [Fact]
    public void Replica_tokens_name_the_replicas_in_clockwise_order()
    {
        var ring = HashRing.Create(Data.Nodes(5), 4);
        var tokens = ring.ReplicaTokens("user:42", 3);
        Assert.Equal(ring.Replicas("user:42", 3), tokens.Select(t => t.Node).ToArray());
        ulong h = HashRing.KeyPosition("user:42");
        var distances = tokens.Select(t => unchecked(t.Position - h)).ToArray();
        Assert.True(distances.Zip(distances.Skip(1)).All(p => p.First < p.Second));
        Assert.InRange(tokens[0].Degrees, 0, 360);
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        var ring = HashRing.Create(Data.Nodes(3), 4);
        Assert.Equal("replicationFactor", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicaReport.Between(["k"], ring, ring.WithoutNode("node-0"), 3)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentException>(() => ReplicaReport.Between([], ring, ring, 1)).ParamName);
        Assert.Equal("after", Assert.Throws<ArgumentNullException>(() => ReplicaReport.Between(["k"], ring, null!, 1)).ParamName);
    }
}

public sealed class PowerLawFitTests
{
    [Fact]
    public void Recovers_an_exact_power_law()
    {
        double[] x = [1, 2, 4, 8, 16];
        var fit = PowerLawFit.Of(x, x.Select(v => 3 / Math.Sqrt(v)).ToArray());
        Assert.Equal(-0.5, fit.Exponent, 12);
        Assert.Equal(3, fit.Coefficient, 10);
        Assert.True(fit.ExponentStdError < 1e-10);
        Assert.Equal(5, fit.Points);
    }

    [Fact]
    public void Noise_shows_up_in_the_standard_error()
    {
        var random = new Random(3);
        double[] x = Enumerable.Range(0, 10).Select(i => Math.Pow(2, i)).ToArray();
        var fit = PowerLawFit.Of(x, x.Select(v => Math.Pow(v, -0.5) * Math.Exp(0.05 * (random.NextDouble() - 0.5))).ToArray());
        Assert.InRange(fit.ExponentStdError, 1e-4, 0.02);
        Assert.InRange(fit.Exponent, -0.5 - 4 * fit.ExponentStdError, -0.5 + 4 * fit.ExponentStdError);
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => PowerLawFit.Of([1, 2], [1, 2])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => PowerLawFit.Of([1, 2, 3], [1, 2])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => PowerLawFit.Of([1, 2, 3], [1, 0, 2])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => PowerLawFit.Of([2, 2, 2], [1, 2, 3])).ParamName);
    }
}

public sealed class RingChartTests
{
    [Fact]
    public void Draws_arcs_tokens_key_and_replicas()
    {
        var ring = HashRing.Create(Data.Nodes(4), 3);
        string json = Plotly.NET.GenericChart.toJson(RingChart.Draw(ring, "user:42", 3));
        Assert.Contains("barpolar", json);
        Assert.Contains("scatterpolar", json);
        Assert.Contains("user:42", json);
        Assert.Contains("replicas (RF = 3)", json);
        Assert.Contains("\"direction\":\"clockwise\"", json);
        Assert.Contains("barpolar", Plotly.NET.GenericChart.toJson(RingChart.Draw(HashRing.Create(["solo"], 1))));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        var ring = HashRing.Create(Data.Nodes(2), 3);
        Assert.Equal("replicas", Assert.Throws<ArgumentOutOfRangeException>(() => RingChart.Draw(ring, "k", 3)).ParamName);
        Assert.Equal("ring", Assert.Throws<ArgumentNullException>(() => RingChart.Draw(null!)).ParamName);
    }
}
