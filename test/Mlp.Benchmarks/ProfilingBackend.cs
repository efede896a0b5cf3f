using System.Diagnostics;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;

namespace Mlp.Benchmarks;

/// <summary>
/// Forwards every kernel to another backend and adds up the wall time of each call under a label (the kernel's name,
/// and for GEMMs the shape), so a training step's time can be split by kernel.
/// </summary>
internal sealed class ProfilingBackend(IBackend inner) : IBackend
{
    private readonly Dictionary<string, (long Ticks, int Calls)> _totals = [];

    /// <summary>Total seconds and calls per label since the last <see cref="Reset"/>, in first-call order.</summary>
    public IEnumerable<(string Label, double Seconds, int Calls)> Totals =>
        _totals.Select(t => (t.Key, t.Value.Ticks / (double)Stopwatch.Frequency, t.Value.Calls));

    public void Reset() => _totals.Clear();

    private void Time(string label, Action call)
    {
        long start = Stopwatch.GetTimestamp();
        call();
        long ticks = Stopwatch.GetTimestamp() - start;
        _totals[label] = _totals.TryGetValue(label, out var t) ? (t.Ticks + ticks, t.Calls + 1) : (ticks, 1);
    }

    public string Name => inner.Name;
    public long MemoryBytes => inner.MemoryBytes;
    public string MemoryName => inner.MemoryName;
    public DeviceBuffer<float> Allocate(int length) => inner.Allocate(length);
    public DeviceBuffer<int> AllocateIndices(int length) => inner.AllocateIndices(length);
    public DeviceBuffer<float> Share(float[] source) => inner.Share(source);
    public void Upload(ReadOnlySpan<float> source, DeviceBuffer<float> destination) => inner.Upload(source, destination);
    public void Upload(ReadOnlySpan<int> source, DeviceBuffer<int> destination) => inner.Upload(source, destination);
    public void Download(DeviceBuffer<float> source, Span<float> destination) => inner.Download(source, destination);
    public void Fill(DeviceBuffer<float> buffer, float value) => Time("fill", () => inner.Fill(buffer, value));

    public void GatherRows(DeviceBuffer<float> source, int width, DeviceBuffer<int> indices, int start, int count, DeviceBuffer<float> destination) =>
        Time($"gather rows ({width} wide)", () => inner.GatherRows(source, width, indices, start, count, destination));

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        BufferView a, int lda, BufferView b, int ldb, float beta, BufferView c, int ldc) =>
        Time($"gemm {(transposeA ? 'T' : 'N')}{(transposeB ? 'T' : 'N')} {m}x{n}x{k}",
            () => inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));

    public void BiasActivation(BufferView z, BufferView bias, BufferView? a, int rows, int columns, MlpActivation activation) =>
        Time($"bias + {activation} {rows}x{columns}", () => inner.BiasActivation(z, bias, a, rows, columns, activation));

    public void ActivationBackward(BufferView delta, BufferView z, BufferView a, int count, MlpActivation activation) =>
        Time($"{activation} backward ({count})", () => inner.ActivationBackward(delta, z, a, count, activation));

    public void Dropout(BufferView input, BufferView mask, BufferView output, int count, float rate, uint seed) =>
        Time("dropout", () => inner.Dropout(input, mask, output, count, rate, seed));

    public void Multiply(BufferView target, BufferView factor, int count) => Time("multiply", () => inner.Multiply(target, factor, count));

    public void ColumnSums(BufferView source, int rows, int columns, BufferView destination) =>
        Time($"column sums {rows}x{columns}", () => inner.ColumnSums(source, rows, columns, destination));

    public void LossGradient(LossFunction loss, float huberDelta, BufferView output, BufferView labels, BufferView? weights,
        int rows, int columns, BufferView? gradient, float scale, DeviceBuffer<float> accumulator) =>
        Time("loss + output gradient", () => inner.LossGradient(loss, huberDelta, output, labels, weights, rows, columns, gradient, scale, accumulator));

    public void ClipGradientNorm(DeviceBuffer<float> gradients, int count, float maxNorm, DeviceBuffer<float> scratch) =>
        Time("clip gradient norm", () => inner.ClipGradientNorm(gradients, count, maxNorm, scratch));

    public void OptimizerUpdate(in OptimizerStep step, DeviceBuffer<float> parameters, DeviceBuffer<float> gradients,
        DeviceBuffer<float>? firstMoment, DeviceBuffer<float>? secondMoment)
    {
        var copy = step;
        Time("optimizer update", () => inner.OptimizerUpdate(copy, parameters, gradients, firstMoment, secondMoment));
    }

    public void Dispose() => inner.Dispose();
}
