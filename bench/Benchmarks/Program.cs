using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Benchmarks -- --filter '*'
// Figures go to docs/benchmarks.md by hand, with the date and the machine: they are not tests.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
