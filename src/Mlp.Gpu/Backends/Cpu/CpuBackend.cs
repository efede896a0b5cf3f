using System.Numerics.Tensors;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// The production CPU backend: managed SIMD kernels and a packed, blocked, threaded SGEMM
/// (<see cref="CpuGemm"/>). Buffers are pinned arrays, so kernels work on raw pointers and nothing is
/// allocated per minibatch.
/// </summary>
internal sealed unsafe class CpuBackend : IBackend
{
    /// <summary>A backend whose kernels use up to <paramref name="threads"/> cores (null: <see cref="Environment.ProcessorCount"/>).</summary>
    public CpuBackend(int? threads = null)
    {
        if (threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread count must be at least 1 or null.");
        Threads = threads ?? Environment.ProcessorCount;
    }

    /// <summary>Cores the kernels may use.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Name => $"CPU ({Threads} threads, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")})";

    /// <inheritdoc/>
    public long MemoryBytes => MemoryEstimate.AvailableHostBytes;

    /// <inheritdoc/>
    public string MemoryName => "host memory available to .NET";

    /// <inheritdoc/>
    public DeviceBuffer<float> Allocate(int length) => new CpuBuffer<float>(length);

    /// <inheritdoc/>
    public DeviceBuffer<int> AllocateIndices(int length) => new CpuBuffer<int>(length);

    /// <inheritdoc/>
    public DeviceBuffer<float> Share(float[] source) => new CpuBuffer<float>(source);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, DeviceBuffer<float> destination) => source.CopyTo(Host(destination).Span);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<int> source, DeviceBuffer<int> destination) => source.CopyTo(((CpuBuffer<int>)destination).Span);

    /// <inheritdoc/>
    public void Download(DeviceBuffer<float> source, Span<float> destination) =>
        Host(source).Span[..destination.Length].CopyTo(destination);

    /// <inheritdoc/>
    public void Fill(DeviceBuffer<float> buffer, float value) => Host(buffer).Span.Fill(value);

    /// <inheritdoc/>
    public void GatherRows(DeviceBuffer<float> source, int width, DeviceBuffer<int> indices, int start, int count, DeviceBuffer<float> destination)
    {
        var src = Host(source);
        var idx = (CpuBuffer<int>)indices;
        if (start < 0 || count < 0 || start + count > idx.Length || (long)count * width > destination.Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) do not fit the index or destination buffer.");
        var kernel = new GatherRowsKernel(src.Pointer, src.Length, width, idx.Pointer + start, Host(destination).Pointer);
        CpuParallel.For(ref kernel, count, 1, ParallelMinFloats / Math.Max(width, 1), Threads);
    }

    /// <inheritdoc/>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        BufferView a, int lda, BufferView b, int ldb, float beta, BufferView c, int ldc) =>
        CpuGemm.Multiply(GemmKernelKind.Auto, Threads, transposeA, transposeB, m, n, k, alpha, Ptr(a), lda, Ptr(b), ldb, beta, Ptr(c), ldc);

    /// <inheritdoc/>
    public void BiasActivation(BufferView z, BufferView bias, BufferView? a, int rows, int columns, MlpActivation activation)
        => CpuActivationKernels.BiasActivation(activation, Ptr(z), Ptr(bias), a is { } av ? Ptr(av) : null, rows, columns, Threads);

    /// <inheritdoc/>
    public void ActivationBackward(BufferView delta, BufferView z, BufferView a, int count, MlpActivation activation)
        => CpuActivationKernels.Backward(activation, Ptr(delta), Ptr(z), Ptr(a), count, Threads);

    /// <inheritdoc/>
    public void Dropout(BufferView input, BufferView mask, BufferView output, int count, float rate, uint seed)
    {
        float* x = Ptr(input), m = Ptr(mask), y = Ptr(output);
        for (int i = 0; i < count; i++)
        {
            m[i] = DropoutMath.Mask(seed, i, rate);
            y[i] = x[i] * m[i];
        }
    }

    /// <inheritdoc/>
    public void Multiply(BufferView target, BufferView factor, int count)
    {
        var t = new Span<float>(Ptr(target), count);
        TensorPrimitives.Multiply(t, new ReadOnlySpan<float>(Ptr(factor), count), t);
    }

    /// <inheritdoc/>
    public void ColumnSums(BufferView source, int rows, int columns, BufferView destination)
    {
        // On this thread: a pass over one delta matrix is shorter than a worker's hand-off.
        var dst = new Span<float>(Ptr(destination), columns);
        float* src = Ptr(source);
        dst.Clear();
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(dst, new ReadOnlySpan<float>(src + (long)r * columns, columns), dst);
    }

    /// <inheritdoc/>
    public void LossGradient(LossFunction loss, float huberDelta, BufferView output, BufferView labels, BufferView? weights,
        int rows, int columns, BufferView? gradient, float scale, DeviceBuffer<float> accumulator) =>
        CpuLossKernels.LossGradient(loss, huberDelta, Ptr(output), Ptr(labels), weights is { } w ? Ptr(w) : null,
            rows, columns, gradient is { } g ? Ptr(g) : null, scale, Host(accumulator).Pointer, Threads);

    /// <inheritdoc/>
    public void ClipGradientNorm(DeviceBuffer<float> gradients, int count, float maxNorm, DeviceBuffer<float> scratch)
    {
        var g = Host(gradients).Span[..count];
        float squared = TensorPrimitives.SumOfSquares(g);
        Host(scratch).Span[0] = squared;
        float scale = GradientClipMath.Scale(squared, maxNorm);
        if (scale != 1f)
            TensorPrimitives.Multiply(g, scale, g);
    }

    /// <inheritdoc/>
    public void OptimizerUpdate(in OptimizerStep step, DeviceBuffer<float> parameters, DeviceBuffer<float> gradients,
        DeviceBuffer<float>? firstMoment, DeviceBuffer<float>? secondMoment)
    {
        var job = new OptimizerJob
        {
            Step = step,
            Parameters = Host(parameters).Pointer,
            Gradients = Host(gradients).Pointer,
            FirstMoment = firstMoment is null ? null : Host(firstMoment).Pointer,
            SecondMoment = secondMoment is null ? null : Host(secondMoment).Pointer,
            Length = parameters.Length,
        };
        // The update is memory-bound: one pass over 4 buffers. Large networks (millions of parameters) split it over
        // the cores; small ones stay on this thread, where waking workers would cost more than the pass.
        int parts = job.Length >= ParallelOptimizerMinLength ? Threads : 1;
        CpuWorkerPool.Run(&OptimizerPart, &job, parts);
    }

    private const int ParallelOptimizerMinLength = 1 << 16;

    // Row- and element-wise kernels split over the cores from about this many floats (64 KB) on; below it a worker's
    // hand-off (2-3 µs, measured with `Mlp.Benchmarks profile`) costs more than it saves.
    internal const int ParallelMinFloats = 1 << 14;

    /// <summary>destination[i, :] = source[indices[i], :]; items are destination rows.</summary>
    private readonly struct GatherRowsKernel(float* source, int sourceLength, int width, int* indices, float* destination) : IRangeKernel
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                long offset = (long)indices[i] * width;
                if (indices[i] < 0 || offset + width > sourceLength)
                    throw new IndexOutOfRangeException($"Row index {indices[i]} is outside the source buffer.");
                new ReadOnlySpan<float>(source + offset, width).CopyTo(new Span<float>(destination + (long)i * width, width));
            }
        }
    }

    private struct OptimizerJob
    {
        public OptimizerStep Step;
        public float* Parameters;
        public float* Gradients;
        public float* FirstMoment;
        public float* SecondMoment;
        public int Length;
    }

    private static void OptimizerPart(void* state, int part, int parts)
    {
        var job = (OptimizerJob*)state;
        // Boundaries on 16-float (cache line) multiples; element-wise, so the result does not depend on the split.
        int chunk = (job->Length / parts + 15) & ~15;
        int start = Math.Min(job->Length, part * chunk);
        int end = part == parts - 1 ? job->Length : Math.Min(job->Length, start + chunk);
        CpuOptimizerKernels.Update(job->Step, job->Parameters, job->Gradients, job->FirstMoment, job->SecondMoment, start, end);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static CpuBuffer<float> Host(DeviceBuffer<float> buffer) =>
        buffer as CpuBuffer<float> ?? throw new ArgumentException("The buffer belongs to another backend.", nameof(buffer));

    private static float* Ptr(BufferView view) => Host(view.Buffer).Pointer + view.Offset;
}
