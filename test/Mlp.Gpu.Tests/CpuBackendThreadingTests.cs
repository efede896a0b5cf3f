using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using static Mlp.Gpu.Tests.IlgpuParity;

namespace Mlp.Gpu.Tests;

/// <summary>
/// The CPU backend splits row- and element-wise kernels over the cores above a size threshold. On shapes above it,
/// every such kernel must give the same bits on 1 and 2 threads and agree with a scalar reference.
/// </summary>
[TestClass]
internal sealed class CpuBackendThreadingTests
{
    private const int Rows = 300, Columns = 257; // 77k floats: above every kernel's parallel threshold

    [TestMethod]
    public void GatherRowsCopiesTheIndexedRows()
    {
        var source = RandomValues(Rows * Columns, seed: 1);
        int[] order = Enumerable.Range(0, Rows).Select(i => (i * 7919) % Rows).ToArray();
        var results = OnOneAndTwoThreads(backend =>
        {
            using var src = Upload(backend, source);
            using var idx = backend.AllocateIndices(Rows);
            using var dst = backend.Allocate((Rows - 5) * Columns);
            backend.Upload(order, idx);
            backend.GatherRows(src, Columns, idx, start: 5, count: Rows - 5, dst);
            return Download(backend, dst);
        });
        for (int i = 0; i < Rows - 5; i++)
            CollectionAssert.AreEqual(source.AsSpan(order[i + 5] * Columns, Columns).ToArray(), results[0].AsSpan(i * Columns, Columns).ToArray(), $"row {i}");
    }

    [TestMethod]
    public void GatherRowsRejectsAnIndexOutsideTheSource()
    {
        using var backend = new CpuBackend();
        using var src = backend.Allocate(4 * 3);
        using var idx = backend.AllocateIndices(2);
        using var dst = backend.Allocate(2 * 3);
        backend.Upload([1, 4], idx);
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => backend.GatherRows(src, 3, idx, 0, 2, dst));
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Gelu)]
    public void BiasActivationAndItsBackwardMatchTheReference(MlpActivation activation)
    {
        var z0 = RandomValues(Rows * Columns, seed: 2);
        var bias = RandomValues(Columns, seed: 3);
        var delta0 = RandomValues(Rows * Columns, seed: 4);
        var results = OnOneAndTwoThreads(backend =>
        {
            using var z = Upload(backend, z0);
            using var b = Upload(backend, bias);
            using var a = backend.Allocate(Rows * Columns);
            using var delta = Upload(backend, delta0);
            backend.BiasActivation(new BufferView(z, 0), new BufferView(b, 0), new BufferView(a, 0), Rows, Columns, activation);
            backend.ActivationBackward(new BufferView(delta, 0), new BufferView(z, 0), new BufferView(a, 0), Rows * Columns, activation);
            return [.. Download(backend, z), .. Download(backend, a), .. Download(backend, delta)];
        });
        int n = Rows * Columns;
        var expected = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            // The float64 reference network, written from the math: not the activation structs the kernels call.
            float z = z0[i] + bias[i % Columns];
            expected[i] = z;
            expected[n + i] = (float)ReferenceNetwork.Activate(activation, z);
            expected[2 * n + i] = (float)(delta0[i] * ReferenceNetwork.Derivative(activation, z));
        }
        AreClose(expected, results[0], 1e-5, 1e-6, activation.ToString());
    }

    [TestMethod]
    [DataRow(LossFunction.SoftmaxCrossEntropy, 10)]
    [DataRow(LossFunction.Squared, 3)]
    public void LossGradientSumsDoNotDependOnTheThreadCount(LossFunction loss, int k)
    {
        var net = new NetworkDescription(2, [], MlpActivation.Identity, k, loss);
        var data = TestData.Random(Rows, net, seed: 5, weighted: true);
        var output = RandomValues(Rows * k, seed: 6, scale: 2);
        var results = OnOneAndTwoThreads(backend =>
        {
            using var z = Upload(backend, output);
            using var labels = Upload(backend, data.Labels);
            using var weights = Upload(backend, data.Weights!);
            using var gradient = backend.Allocate(Rows * k);
            using var sums = backend.Allocate(LossAccumulator.Length);
            backend.LossGradient(loss, 1f, new BufferView(z, 0), new BufferView(labels, 0), new BufferView(weights, 0),
                Rows, k, new BufferView(gradient, 0), 1f / Rows, sums);
            return [.. Download(backend, gradient), .. Download(backend, sums)];
        });
        double expectedLoss = 0;
        for (int r = 0; r < Rows; r++)
        {
            var z = output.AsSpan(r * k, k);
            double rowLoss;
            if (loss == LossFunction.SoftmaxCrossEntropy)
            {
                double max = z.ToArray().Max(), logSum = max + Math.Log(z.ToArray().Sum(v => Math.Exp(v - max)));
                rowLoss = logSum - z[(int)data.Labels[r]];
            }
            else
            {
                rowLoss = 0;
                for (int j = 0; j < k; j++)
                    rowLoss += Math.Pow(z[j] - data.Labels[r * k + j], 2) / k;
            }
            expectedLoss += data.Weights![r] * rowLoss;
        }
        var sums = results[0].AsSpan(Rows * k);
        Assert.AreEqual(expectedLoss, sums[LossAccumulator.WeightedLoss], 1e-5 * Math.Abs(expectedLoss));
        Assert.AreEqual(data.Weights!.Sum(w => (double)w), sums[LossAccumulator.Weight], 1e-5 * Rows);
    }

    /// <summary>Runs <paramref name="run"/> on a fresh CPU backend with 1, 2 and again 1 thread; asserts equal bits.</summary>
    private static List<float[]> OnOneAndTwoThreads(Func<IBackend, float[]> run)
    {
        var results = new List<float[]>();
        foreach (int threads in new[] { 1, 2, 1 })
        {
            using var backend = new CpuBackend(threads);
            results.Add(run(backend));
        }
        CollectionAssert.AreEqual(results[0], results[1], "1 vs 2 threads");
        CollectionAssert.AreEqual(results[0], results[2], "1 thread twice");
        return results;
    }
}
