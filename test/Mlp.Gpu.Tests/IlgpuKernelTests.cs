using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;
using static Mlp.Gpu.Tests.IlgpuParity;

namespace Mlp.Gpu.Tests;

/// <summary>
/// Every non-GEMM kernel of the ILGPU backend against the CPU backend on the same inputs: on ILGPU's CPU accelerator
/// always, and on CUDA/OpenCL GPUs when present (Inconclusive otherwise). Views start at odd offsets to catch
/// addressing mistakes.
/// </summary>
[TestClass]
internal sealed class IlgpuKernelTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;
    private static IlgpuTargets _targets = null!;
    private static CpuBackend _cpu = null!;

    [ClassInitialize]
    public static void Initialize(TestContext context)
    {
        _targets = new IlgpuTargets();
        _cpu = new CpuBackend();
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _targets.Dispose();
        _cpu.Dispose();
    }

    public static IEnumerable<object[]> Devices() => [[IlgpuTarget.CpuSimulator], [IlgpuTarget.Cuda], [IlgpuTarget.OpenCL]];

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void FillGatherAndCopiesMatch(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        var source = RandomValues(9 * 5, seed: 1);
        int[] order = [8, 3, 3, 0, 7, 1, 5];
        foreach (var backend in new IBackend[] { _cpu, gpu })
        {
            using var src = Upload(backend, source);
            using var idx = backend.AllocateIndices(order.Length);
            using var dst = backend.Allocate(4 * 5 + 3);
            backend.Upload(order, idx);
            backend.Fill(dst, -2.5f);
            backend.GatherRows(src, 5, idx, start: 2, count: 4, dst);
            var result = Download(backend, dst);
            float[] expected = [.. source.AsSpan(15, 5), .. source.AsSpan(0, 5), .. source.AsSpan(35, 5), .. source.AsSpan(5, 5), -2.5f, -2.5f, -2.5f];
            CollectionAssert.AreEqual(expected, result, $"{backend.Name}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void BiasActivationMatchesEveryActivation(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        const int rows = 7, columns = 13, offset = 3;
        var z0 = RandomValues(offset + rows * columns, seed: 2, scale: 3);
        var bias = RandomValues(offset + columns, seed: 3);
        foreach (var activation in Enum.GetValues<MlpActivation>())
            foreach (bool withA in new[] { true, false })
            {
                var (zCpu, aCpu) = Forward(_cpu, z0, bias, rows, columns, offset, activation, withA);
                var (zGpu, aGpu) = Forward(gpu, z0, bias, rows, columns, offset, activation, withA);
                AreClose(zCpu, zGpu, Relative, Absolute, $"z, {activation}");
                AreClose(aCpu, aGpu, Relative, Absolute, $"a, {activation}, withA={withA}");
            }
    }

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void ActivationBackwardMatchesEveryActivation(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        const int count = 37, offset = 5;
        var z = RandomValues(offset + count, seed: 4, scale: 3);
        var delta = RandomValues(offset + count, seed: 5);
        foreach (var activation in Enum.GetValues<MlpActivation>())
        {
            var a = z.Select(v => ActivationAndLossHeadTests.Scalar.Apply(activation, v, 1f).A).ToArray();
            var expected = Backward(_cpu, delta, z, a, count, offset, activation);
            var actual = Backward(gpu, delta, z, a, count, offset, activation);
            AreClose(expected, actual, Relative, Absolute, $"delta, {activation}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void ColumnSumsMatch(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        const int rows = 23, columns = 11;
        var source = RandomValues(2 + rows * columns, seed: 6);
        float[] Sums(IBackend backend)
        {
            using var src = Upload(backend, source);
            using var dst = backend.Allocate(1 + columns);
            backend.Fill(dst, 9f);
            backend.ColumnSums(new BufferView(src, 2), rows, columns, new BufferView(dst, 1));
            return Download(backend, dst);
        }
        var expected = Sums(_cpu);
        var actual = Sums(gpu);
        Assert.AreEqual(9f, actual[0], "the element before the view is untouched");
        AreClose(expected, actual, Relative, Absolute, "column sums");
    }

    public static IEnumerable<object[]> LossCases()
    {
        foreach (var target in new[] { IlgpuTarget.CpuSimulator, IlgpuTarget.Cuda, IlgpuTarget.OpenCL })
            foreach (var loss in Enum.GetValues<LossFunction>())
                yield return [target, loss];
    }

    [TestMethod]
    [DynamicData(nameof(LossCases))]
    public void LossGradientMatches(IlgpuTarget target, LossFunction loss)
    {
        var gpu = _targets.Get(target);
        const int rows = 29;
        int k = loss switch { LossFunction.BinaryCrossEntropy => 1, LossFunction.SoftmaxCrossEntropy => 4, _ => 3 };
        var net = new NetworkDescription(2, [], MlpActivation.Identity, k, loss, huberDelta: 0.7f);
        var data = TestData.Random(rows, net, seed: 7, weighted: true);
        var output = RandomValues(rows * k, seed: 8, scale: 2.5);
        foreach (bool weighted in new[] { false, true })
            foreach (bool withGradient in new[] { true, false })
            {
                var (gCpu, sCpu) = Loss(_cpu, loss, output, data, rows, k, weighted, withGradient);
                var (gGpu, sGpu) = Loss(gpu, loss, output, data, rows, k, weighted, withGradient);
                string what = $"{loss}, weighted={weighted}, gradient={withGradient}";
                AreClose(gCpu, gGpu, Relative, Absolute, $"gradient, {what}");
                AreClose(sCpu, sGpu, 1e-5, 1e-5, $"loss sums, {what}"); // atomics add in any order
            }
    }

    public static IEnumerable<object[]> OptimizerCases()
    {
        foreach (var target in new[] { IlgpuTarget.CpuSimulator, IlgpuTarget.Cuda, IlgpuTarget.OpenCL })
            foreach (var kind in Enum.GetValues<MlpOptimizer>())
                yield return [target, kind];
    }

    [TestMethod]
    [DynamicData(nameof(OptimizerCases))]
    public void OptimizerUpdateMatches(IlgpuTarget target, MlpOptimizer kind)
    {
        var gpu = _targets.Get(target);
        const int count = 53, weights = 37; // a vector body and a tail on the CPU; weights and biases on both
        var settings = CoreTestOptions.Optimizer with { Kind = kind, LearningRate = 0.05f, Momentum = 0.8f, L2Regularization = 0.01f, WeightDecay = kind == MlpOptimizer.AdamW ? 0.02f : 0f };
        var initial = RandomValues(count, seed: 9);
        float[][] Run(IBackend backend)
        {
            using var w = Upload(backend, initial);
            using var g = backend.Allocate(count);
            using var m = backend.Allocate(count);
            using var v = backend.Allocate(count);
            for (int t = 1; t <= 3; t++)
            {
                backend.Upload(RandomValues(count, seed: 10 + t), g);
                backend.OptimizerUpdate(OptimizerStep.Create(settings, t, settings.LearningRate, weights), w, g,
                    OptimizerStep.NeedsFirstMoment(kind) ? m : null, OptimizerStep.NeedsSecondMoment(kind) ? v : null);
            }
            return [Download(backend, w), Download(backend, m), Download(backend, v)];
        }
        var expected = Run(_cpu);
        var actual = Run(gpu);
        AreClose(expected[0], actual[0], Relative, Absolute, $"{kind} parameters");
        AreClose(expected[1], actual[1], Relative, Absolute, $"{kind} first moment");
        AreClose(expected[2], actual[2], Relative, Absolute, $"{kind} second moment");
    }

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void DropoutAndMultiplyMatch(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        const int count = 101, offset = 3;
        var input = RandomValues(offset + count, seed: 8);
        var results = new List<(float[] Mask, float[] Output, float[] Product)>();
        foreach (var backend in new IBackend[] { _cpu, gpu })
        {
            using var x = Upload(backend, input);
            using var mask = backend.Allocate(offset + count);
            using var y = backend.Allocate(offset + count);
            backend.Dropout(new BufferView(x, offset), new BufferView(mask, offset), new BufferView(y, offset), count, 0.3f, seed: 12345u);
            var maskValues = Download(backend, mask);
            var output = Download(backend, y);
            backend.Multiply(new BufferView(x, offset), new BufferView(mask, offset), count);
            results.Add((maskValues, output, Download(backend, x)));
        }
        CollectionAssert.AreEqual(results[0].Mask, results[1].Mask, "the counter-based masks are the same on every backend");
        AreClose(results[0].Output, results[1].Output, Relative, Absolute, "dropout output");
        AreClose(results[0].Product, results[1].Product, Relative, Absolute, "multiply");
    }

    [TestMethod]
    [DynamicData(nameof(Devices))]
    public void GradientClippingMatches(IlgpuTarget target)
    {
        var gpu = _targets.Get(target);
        var gradients = RandomValues(1000, seed: 9, scale: 2);
        double norm = Math.Sqrt(gradients.Sum(g => (double)g * g));
        foreach (float maxNorm in new[] { (float)norm / 4, (float)norm * 2 })
        {
            var results = new List<float[]>();
            foreach (var backend in new IBackend[] { _cpu, gpu })
            {
                using var g = Upload(backend, gradients);
                using var scratch = backend.Allocate(1);
                backend.ClipGradientNorm(g, 999, maxNorm, scratch); // the last element is outside the range
                results.Add(Download(backend, g));
            }
            AreClose(results[0], results[1], 1e-5, 1e-6, $"clip to {maxNorm}");
            Assert.AreEqual(gradients[999], results[1][999], "elements past count are untouched");
            double clipped = Math.Sqrt(results[0].Take(999).Sum(v => (double)v * v));
            Assert.AreEqual(Math.Min(maxNorm, Math.Sqrt(gradients.Take(999).Sum(v => (double)v * v))), clipped, 1e-3 * clipped);
        }
    }

    [TestMethod]
    public void ViewsAreValidated()
    {
        var gpu = _targets.Get(IlgpuTarget.CpuSimulator);
        using var small = gpu.Allocate(10);
        using var foreign = _cpu.Allocate(10);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => gpu.ColumnSums(small, rows: 3, columns: 4, new BufferView(small, 0)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => gpu.BiasActivation(new BufferView(small, 8), small, null, 1, 3, MlpActivation.Relu));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => gpu.Gemm(false, false, 2, 2, 3, 1f, small, 3, small, 2, 0f, new BufferView(small, 8), 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => gpu.Gemm(false, true, 2, 2, 3, 1f, small, 2, small, 3, 0f, small, 2));
        Assert.ThrowsExactly<ArgumentException>(() => gpu.Fill(foreign, 1f));
        Assert.ThrowsExactly<ArgumentException>(() => gpu.Upload(new float[11], small));
    }

    private static (float[] Z, float[] A) Forward(IBackend backend, float[] z0, float[] bias, int rows, int columns, int offset,
        MlpActivation activation, bool withA)
    {
        using var z = Upload(backend, z0);
        using var b = Upload(backend, bias);
        using var a = backend.Allocate(offset + rows * columns);
        backend.BiasActivation(new BufferView(z, offset), new BufferView(b, offset), withA ? new BufferView(a, offset) : (BufferView?)null, rows, columns, activation);
        return (Download(backend, z), Download(backend, a));
    }

    private static float[] Backward(IBackend backend, float[] delta, float[] z, float[] a, int count, int offset, MlpActivation activation)
    {
        using var d = Upload(backend, delta);
        using var zb = Upload(backend, z);
        using var ab = Upload(backend, a);
        backend.ActivationBackward(new BufferView(d, offset), new BufferView(zb, offset), new BufferView(ab, offset), count, activation);
        return Download(backend, d);
    }

    private static (float[] Gradient, float[] Sums) Loss(IBackend backend, LossFunction loss, float[] output, Dataset data,
        int rows, int k, bool weighted, bool withGradient)
    {
        using var z = Upload(backend, [0f, .. output]);
        using var y = Upload(backend, data.Labels);
        using var w = Upload(backend, data.Weights!);
        using var g = backend.Allocate(1 + rows * k);
        using var acc = backend.Allocate(LossAccumulator.Length);
        backend.Fill(acc, 0.5f); // the kernel adds into the accumulator
        backend.LossGradient(loss, 0.7f, new BufferView(z, 1), y, weighted ? new BufferView(w, 0) : (BufferView?)null, rows, k,
            withGradient ? new BufferView(g, 1) : (BufferView?)null, 1f / rows, acc);
        return (Download(backend, g), Download(backend, acc));
    }
}
