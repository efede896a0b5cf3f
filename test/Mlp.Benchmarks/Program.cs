using Mlp.Benchmarks;

// Sub-command dispatcher: `dotnet run --project test/Mlp.Benchmarks -c Release -- <command> [options]`.
var commands = new Dictionary<string, (string Help, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["gemm"] = ("SGEMM GFLOP/s at 2048^3 and MLP layer shapes [--threads N] [--kernel K] [--peers]", GemmBenchmark.Run),
    ["train"] = ("training samples/s of W1-W3 [--workload W1|W2|W3|all] [--threads N] [--epochs E] [--runs R] [--device D] [--peers]", TrainingBenchmark.Run),
    ["infer"] = ("W4: PredictionEngine latency and Transform rows/s on the W1 network [--threads N] [--peers]", InferenceBenchmark.Run),
    ["stream"] = ("streaming vs cached training from a binary IDataView file: samples/s and peak working set [--rows N] [--mode stream,cached]", StreamingBenchmark.Run),
    ["sweep"] = ("W1-shape throughput vs batch size and hidden width, ours and a peer, with a PNG [--rows N] [--peer torch|sklearn] [--out PNG]", SweepBenchmark.Run),
    ["corelatency"] = ("cache-line round trip between two threads on two cores (VM placement check) [--samples N]", CoreLatency.Run),
    ["quality"] = (QualityBenchmark.Usage, QualityBenchmark.Run),
    ["checkpoint"] = ("seconds per epoch of W1/W2 with and without a checkpoint after every epoch [--workload W1|W2|all] [--epochs E] [--runs R] [--threads N]", CheckpointBenchmark.Run),
    ["profile"] = ("time of each phase of one training step, 1 vs 2 threads [--workload W1|W2|W3]", StepProfile.Run),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine("usage: Mlp.Benchmarks <command> [options]");
    foreach (var (name, (help, _)) in commands)
        Console.Error.WriteLine($"  {name,-10} {help}");
    return args.Length == 0 ? 0 : 2;
}

return command.Run(args[1..]);
