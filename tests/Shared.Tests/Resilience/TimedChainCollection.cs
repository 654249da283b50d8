namespace SystemDesign.Tests.Resilience;

/// <summary>
/// Tests of the real chain whose outcomes rest on a timeout of tens of milliseconds (a healthy hop answers within
/// 50 ms): they run alone, after the parallel tests, so that a busy thread pool cannot turn a 200 into a 502.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedChainCollection
{
    public const string Name = "timed chain";
}
