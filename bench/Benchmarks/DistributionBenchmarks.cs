using BenchmarkDotNet.Attributes;
using SystemDesign.Distribution;

namespace SystemDesign.Benchmarks;

/// <summary>Ring lookup with N = 100 nodes and V = 150 virtual nodes each (15,000 tokens): hash + binary search.</summary>
[MemoryDiagnoser]
public class HashRingBenchmarks
{
    private HashRing _ring = null!;
    private string[] _keys = null!;
    private ulong[] _positions = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _ring = HashRing.Create(Enumerable.Range(0, 100).Select(i => $"node-{i}"), 150);
        _keys = Enumerable.Range(0, 1 << 16).Select(i => $"user:{i}").ToArray();
        _positions = _keys.Select(HashRing.KeyPosition).ToArray();
    }

    [Benchmark(Description = "Owner(key): XxHash3 + binary search")]
    public string Owner() => _ring.Owner(_keys[_i++ & 0xFFFF]);

    [Benchmark(Description = "OwnerOfPosition: binary search only")]
    public string OwnerOfPosition() => _ring.OwnerOfPosition(_positions[_i++ & 0xFFFF]);

    [Benchmark(Description = "KeyPosition: XxHash3 only")]
    public ulong KeyPosition() => HashRing.KeyPosition(_keys[_i++ & 0xFFFF]);
}
