using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>
/// W1–W4 of test/Mlp.Benchmarks in TorchSharp, line for line what eng/bench/peers.py does in PyTorch: seeded random
/// float32 data of the workload's shape, nn.Sequential of Linear layers, a fresh permutation every epoch, whole epochs
/// timed after one warm-up epoch.
/// </summary>
internal static class Workloads
{
    /// <summary>A training workload: rows, layer widths, tanh (else ReLU), BCE with logits (else softmax), SGD (else Adam), batch.</summary>
    private sealed record Spec(int Rows, int[] Widths, bool Tanh, bool Bce, bool Sgd, int Batch);

    private static readonly Dictionary<string, Spec> Specs = new()
    {
        ["W1"] = new(60_000, [784, 256, 128, 10], Tanh: false, Bce: false, Sgd: false, Batch: 128),
        ["W2"] = new(20_000, [1024, 2048, 2048, 10], Tanh: false, Bce: false, Sgd: false, Batch: 256),
        ["W3"] = new(100_000, [2, 16, 16, 1], Tanh: true, Bce: true, Sgd: true, Batch: 32),
    };

    /// <summary>N intra-op threads, one inter-op thread, global seed 1 (weights, data and permutations).</summary>
    private static void Setup(int threads)
    {
        torch.set_num_interop_threads(1);
        torch.set_num_threads(threads);
        torch.manual_seed(1);
    }

    /// <summary>Samples per second of <paramref name="epochs"/> epochs of minibatch training, after one warm-up epoch.</summary>
    public static double Train(string workload, int threads, int epochs)
    {
        Setup(threads);
        var (rows, widths, tanh, bce, sgd, batch) = Specs[workload];
        var layers = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < widths.Length - 1; i++)
        {
            layers.Add(nn.Linear(widths[i], widths[i + 1]));
            if (i < widths.Length - 2)
                layers.Add(tanh ? nn.Tanh() : nn.ReLU());
        }

        using var model = nn.Sequential(layers.ToArray());
        var optimizer = sgd ? (optim.Optimizer)optim.SGD(model.parameters(), 0.01) : optim.Adam(model.parameters(), 1e-3);
        nn.Module<Tensor, Tensor, Tensor> criterion = bce ? nn.BCEWithLogitsLoss() : nn.CrossEntropyLoss();
        using var x = torch.randn(rows, widths[0]);
        using var y = bce ? torch.randint(0, 2, [rows, 1]).to(float32) : torch.randint(0, widths[^1], [rows], dtype: int64);

        void Epoch()
        {
            using var perm = torch.randperm(rows);
            for (int s = 0; s < rows; s += batch)
            {
                using var scope = torch.NewDisposeScope();
                var idx = perm.slice(0, s, Math.Min(s + batch, rows), 1);
                // peers.py's optimizer.zero_grad(set_to_none=True); TorchSharp's Optimizer.zero_grad() has no set_to_none.
                model.zero_grad(set_to_none: true);
                var loss = criterion.call(model.call(x.index_select(0, idx)), y.index_select(0, idx));
                loss.backward();
                optimizer.step();
            }
        }

        Epoch(); // warm-up
        var clock = Stopwatch.StartNew();
        for (int e = 0; e < epochs; e++)
            Epoch();
        return (double)rows * epochs / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// W4 with the W1 network (784-256-128-10, softmax) in eval mode under inference_mode (as peers.py): the median
    /// microseconds of 5,000 single-row forwards after 2,000 warm-up calls (as Mlp.Benchmarks times its own; peers.py
    /// takes 2,000 after 200), each copying its 10 outputs out, and rows per second of one forward over 10,000 rows
    /// (median of 5 after one warm-up; peers.py times one).
    /// </summary>
    public static (double LatencyUs, double RowsPerSecond) Infer(int threads)
    {
        Setup(threads);
        const int Rows = 10_000, Warmup = 2_000, Calls = 5_000, BatchRuns = 5;
        using var model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(1));
        model.eval();
        using var x = torch.randn(Rows, 784);
        using var mode = torch.inference_mode();
        var scores = new float[10];

        void Row(int i)
        {
            using var scope = torch.NewDisposeScope();
            model.call(x.slice(0, i % Rows, i % Rows + 1, 1)).data<float>().CopyTo(scores);
        }

        for (int i = 0; i < Warmup; i++)
            Row(i);
        var times = new double[Calls];
        for (int i = 0; i < Calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Row(i);
            times[i] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency; // not TimeSpan: 0.1 us ticks
        }

        var batches = new double[BatchRuns];
        var all = new float[Rows * 10];
        for (int r = -1; r < BatchRuns; r++) // r = -1: warm-up
        {
            using var scope = torch.NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            model.call(x).data<float>().CopyTo(all);
            if (r >= 0)
                batches[r] = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
        }

        return (Median(times), Rows / Median(batches));
    }

    /// <summary>The median (upper middle) of <paramref name="values"/>, sorting them in place.</summary>
    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
