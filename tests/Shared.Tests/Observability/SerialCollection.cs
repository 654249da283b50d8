namespace SystemDesign.Tests.Observability;

/// <summary>
/// Tests that block on real servers and timeouts (the live experiment, with its 2 s HTTP timeout and its lock on
/// Prometheus; the traced chain of Kestrel apps, with its 2 s export wait) run on their own, after the parallel
/// ones: on a loaded machine, other tests' blocking calls starving the thread pool could push them past a timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Observability: serial";
}
