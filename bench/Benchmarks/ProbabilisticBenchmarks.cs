using BenchmarkDotNet.Attributes;
using SystemDesign.Probabilistic;

namespace SystemDesign.Benchmarks;

/// <summary>Bloom filter sized for 1M items at 1% (k = 7): cost of one add and one lookup.</summary>
[MemoryDiagnoser]
public class BloomFilterBenchmarks
{
    private BloomFilter _filter = null!;
    private byte[][] _keys = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _filter = BloomFilter.ForCapacity(1_000_000, 0.01);
        _keys = Enumerable.Range(0, 1 << 16).Select(i => System.Text.Encoding.UTF8.GetBytes($"user:{i}")).ToArray();
        foreach (var k in _keys) _filter.Add(k);
    }

    [Benchmark]
    public void Add() => _filter.Add(_keys[_i++ & 0xFFFF]);

    [Benchmark]
    public bool MightContain() => _filter.MightContain(_keys[_i++ & 0xFFFF]);
}
