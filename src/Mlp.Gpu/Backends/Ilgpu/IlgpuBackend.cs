using ILGPU.Runtime.Cuda;
using ILGPU.Runtime;
using ILGPU;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;

// ILGPU's CPU accelerator emits a dynamic assembly that must see the kernels' internal argument types.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ILGPURuntime")]

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// The GPU backend: ILGPU kernels for everything element-wise and for the reductions, GEMM through cuBLAS on CUDA and a
/// tiled ILGPU kernel elsewhere (OpenCL, the CPU simulator). It owns its ILGPU context and accelerator; kernels are
/// compiled once (those generic over an activation or loss head at their first use, the others with the backend), and
/// every launch and copy goes to the accelerator's default stream (the one cuBLAS is bound to), so work runs in issue
/// order and only downloads wait for the device.
/// </summary>
internal sealed class IlgpuBackend : IBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly IIlgpuGemm _gemm;
    private readonly IlgpuMemoryKernels _memory;
    private readonly IlgpuActivationKernels _activation;
    private readonly IlgpuColumnSumKernel _columnSums;
    private readonly IlgpuDropoutKernels _dropout;
    private readonly IlgpuGradientClipKernels _clip;
    private readonly IlgpuLossKernel _loss;
    private readonly IlgpuOptimizerKernel _optimizer;
    private bool _disposed;

    /// <summary>Creates the backend on <paramref name="device"/>, taking ownership of <paramref name="context"/>.</summary>
    /// <param name="context">The ILGPU context <paramref name="device"/> belongs to; disposed with the backend (or on failure here).</param>
    /// <param name="device">The device to run on.</param>
    /// <param name="useCuBlas">GEMM through cuBLAS (CUDA only); null means "on CUDA". False forces the tiled kernel (tests).</param>
    public IlgpuBackend(Context context, Device device, bool? useCuBlas = null)
    {
        _context = context;
        try
        {
            _accelerator = device.CreateAccelerator(context);
            _stream = _accelerator.DefaultStream;
            bool cuBlas = useCuBlas ?? _accelerator is CudaAccelerator;
            if (cuBlas && _accelerator is not CudaAccelerator)
                throw new NotSupportedException($"cuBLAS needs a CUDA accelerator; {_accelerator.Name} is {_accelerator.AcceleratorType}.");
            _gemm = cuBlas ? CreateCuBlas((CudaAccelerator)_accelerator) : new TiledGemm(_accelerator, _stream);
            _memory = new IlgpuMemoryKernels(_accelerator);
            _activation = new IlgpuActivationKernels(_accelerator);
            _columnSums = new IlgpuColumnSumKernel(_accelerator);
            _dropout = new IlgpuDropoutKernels(_accelerator);
            _clip = new IlgpuGradientClipKernels(_accelerator);
            _loss = new IlgpuLossKernel(_accelerator);
            _optimizer = new IlgpuOptimizerKernel(_accelerator);
        }
        catch
        {
            _gemm?.Dispose();
            _accelerator?.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name => $"ILGPU {_accelerator.AcceleratorType} '{_accelerator.Name}', GEMM: {_gemm.Name}";

    /// <inheritdoc/>
    // ILGPU's CPU accelerator reports long.MaxValue; its buffers live in host memory.
    public long MemoryBytes => _accelerator.AcceleratorType == AcceleratorType.CPU ? MemoryEstimate.AvailableHostBytes : _accelerator.MemorySize;

    /// <inheritdoc/>
    public string MemoryName => $"memory of the {_accelerator.AcceleratorType} device '{_accelerator.Name}'";

    /// <summary>The kind of accelerator this backend runs on.</summary>
    public AcceleratorType AcceleratorType => _accelerator.AcceleratorType;

    /// <inheritdoc/>
    public DeviceBuffer<float> Allocate(int length) => Zeroed<float>(length);

    /// <inheritdoc/>
    public DeviceBuffer<int> AllocateIndices(int length) => Zeroed<int>(length);

    /// <inheritdoc/>
    public DeviceBuffer<float> Share(float[] source)
    {
        var buffer = Allocate(source.Length);
        Upload(source, buffer);
        return buffer;
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, DeviceBuffer<float> destination) => CopyIn(source, Own(destination, nameof(destination)));

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<int> source, DeviceBuffer<int> destination) => CopyIn(source, Own(destination, nameof(destination)));

    /// <inheritdoc/>
    public void Download(DeviceBuffer<float> source, Span<float> destination)
    {
        var view = Own(source, nameof(source));
        CheckFits(destination.Length, view.Length, nameof(destination));
        if (destination.Length == 0)
            return;
        unsafe
        {
            fixed (float* host = destination)
            {
                view.SubView(0, destination.Length).CopyToCPUUnsafeAsync(_stream, ref *host, destination.Length);
                _stream.Synchronize(); // completes the copy (and all work before it) while the host memory is pinned
            }
        }
    }

    /// <inheritdoc/>
    public void Fill(DeviceBuffer<float> buffer, float value) => _memory.Fill(_stream, Own(buffer, nameof(buffer)), value);

    /// <inheritdoc/>
    public void GatherRows(DeviceBuffer<float> source, int width, DeviceBuffer<int> indices, int start, int count, DeviceBuffer<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var index = Slice(Own(indices, nameof(indices)), start, count, nameof(indices));
        var from = Own(source, nameof(source));
        var to = Slice(Own(destination, nameof(destination)), 0, (long)count * width, nameof(destination));
        _memory.GatherRows(_stream, from, width, index, to);
    }

    /// <inheritdoc/>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        BufferView a, int lda, BufferView b, int ldb, float beta, BufferView c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be non-negative, got m={m}, n={n}, k={k}.");
        if (m == 0 || n == 0)
            return;
        var av = MatrixView(a, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        var bv = MatrixView(b, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        var cv = MatrixView(c, m, n, ldc, nameof(c));
        _gemm.Multiply(transposeA, transposeB, m, n, k, alpha, av, lda, bv, ldb, beta, cv, ldc);
    }

    /// <inheritdoc/>
    public void BiasActivation(BufferView z, BufferView bias, BufferView? a, int rows, int columns, MlpActivation activation)
    {
        long count = CheckMatrix(rows, columns);
        var zv = View(z, count, nameof(z));
        var bv = View(bias, columns, nameof(bias));
        ArrayView<float>? av = a is { } view ? View(view, count, nameof(a)) : null;
        _activation.BiasActivation(_stream, zv, bv, av, columns, activation);
    }

    /// <inheritdoc/>
    public void ActivationBackward(BufferView delta, BufferView z, BufferView a, int count, MlpActivation activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _activation.Backward(_stream, View(delta, count, nameof(delta)), View(z, count, nameof(z)), View(a, count, nameof(a)), activation);
    }

    /// <inheritdoc/>
    public void Dropout(BufferView input, BufferView mask, BufferView output, int count, float rate, uint seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _dropout.Dropout(_stream, View(input, count, nameof(input)), View(mask, count, nameof(mask)), View(output, count, nameof(output)), rate, seed);
    }

    /// <inheritdoc/>
    public void Multiply(BufferView target, BufferView factor, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _dropout.Multiply(_stream, View(target, count, nameof(target)), View(factor, count, nameof(factor)));
    }

    /// <inheritdoc/>
    public void ColumnSums(BufferView source, int rows, int columns, BufferView destination)
    {
        long count = CheckMatrix(rows, columns);
        _columnSums.ColumnSums(_stream, View(source, count, nameof(source)), rows, View(destination, columns, nameof(destination)));
    }

    /// <inheritdoc/>
    public void LossGradient(LossFunction loss, float huberDelta, BufferView output, BufferView labels, BufferView? weights,
        int rows, int columns, BufferView? gradient, float scale, DeviceBuffer<float> accumulator)
    {
        long count = CheckMatrix(rows, columns);
        int labelWidth = NetworkDescription.LabelWidthOf(loss, columns);
        var ov = View(output, count, nameof(output));
        var lv = View(labels, (long)rows * labelWidth, nameof(labels));
        ArrayView<float>? wv = weights is { } w ? View(w, rows, nameof(weights)) : null;
        ArrayView<float>? gv = gradient is { } g ? View(g, count, nameof(gradient)) : null;
        var acc = Slice(Own(accumulator, nameof(accumulator)), 0, LossAccumulator.Length, nameof(accumulator));
        _loss.LossGradient(_stream, loss, huberDelta, ov, lv, wv, rows, columns, gv, scale, acc);
    }

    /// <inheritdoc/>
    public void ClipGradientNorm(DeviceBuffer<float> gradients, int count, float maxNorm, DeviceBuffer<float> scratch)
    {
        var g = Slice(Own(gradients, nameof(gradients)), 0, count, nameof(gradients));
        _clip.Clip(_stream, g, Slice(Own(scratch, nameof(scratch)), 0, 1, nameof(scratch)), maxNorm);
    }

    /// <inheritdoc/>
    public void OptimizerUpdate(in OptimizerStep step, DeviceBuffer<float> parameters, DeviceBuffer<float> gradients,
        DeviceBuffer<float>? firstMoment, DeviceBuffer<float>? secondMoment)
    {
        var w = Own(parameters, nameof(parameters));
        var g = Slice(Own(gradients, nameof(gradients)), 0, w.Length, nameof(gradients));
        ArrayView<float>? m = firstMoment is null ? null : Slice(Own(firstMoment, nameof(firstMoment)), 0, w.Length, nameof(firstMoment));
        ArrayView<float>? v = secondMoment is null ? null : Slice(Own(secondMoment, nameof(secondMoment)), 0, w.Length, nameof(secondMoment));
        if (OptimizerStep.NeedsFirstMoment(step.Kind) && m is null || OptimizerStep.NeedsSecondMoment(step.Kind) && v is null)
            throw new ArgumentException($"The {step.Kind} update needs its moment buffers.");
        _optimizer.Update(_stream, step, w, g, m, v);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _gemm.Dispose();
        _accelerator.Dispose(); // frees the kernels and any buffer still alive
        _context.Dispose();
    }

    private static IIlgpuGemm CreateCuBlas(CudaAccelerator accelerator)
    {
        try
        {
            return new CuBlasGemm(accelerator);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CuBlasException)
        {
            throw new InvalidOperationException(
                $"cuBLAS could not be loaded for {accelerator.Name} ({e.Message}). Install the CUDA toolkit's cuBLAS " +
                "(libcublas.so.13/.12 on Linux, cublas64_13/12.dll on Windows) or choose another device.", e);
        }
    }

    // Copies host data to the start of the view and waits, so the caller may reuse its memory as soon as we return.
    private unsafe void CopyIn<T>(ReadOnlySpan<T> source, ArrayView<T> view)
        where T : unmanaged
    {
        CheckFits(source.Length, view.Length, nameof(source));
        if (source.Length == 0)
            return;
        fixed (T* host = source)
        {
            view.SubView(0, source.Length).CopyFromCPUUnsafeAsync(_stream, ref *host, source.Length);
            _stream.Synchronize();
        }
    }

    private IlgpuBuffer<T> Zeroed<T>(int length)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var buffer = new IlgpuBuffer<T>(this, _accelerator, length);
        if (length > 0)
            buffer.View.MemSetToZero(_stream);
        return buffer;
    }

    private static long CheckMatrix(int rows, int columns)
    {
        if (rows < 0 || columns < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix sizes must be non-negative, got {rows} x {columns}.");
        return (long)rows * columns;
    }

    private static void CheckFits(long count, long capacity, string name)
    {
        if (count > capacity)
            throw new ArgumentException($"{count} elements do not fit a buffer of {capacity}.", name);
    }

    private ArrayView<T> Own<T>(DeviceBuffer<T> buffer, string name)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer is not IlgpuBuffer<T> own || own.Owner != this)
            throw new ArgumentException("The buffer belongs to another backend.", name);
        return own.View;
    }

    private static ArrayView<T> Slice<T>(ArrayView<T> view, long offset, long count, string name)
        where T : unmanaged
    {
        if (offset < 0 || count < 0 || offset + count > view.Length)
            throw new ArgumentOutOfRangeException(name, $"Elements [{offset}, {offset + count}) lie outside the buffer of {view.Length}.");
        // ILGPU asserts (and ends the process) on a sub-view that starts at the end, even an empty one.
        return count == 0 ? view.SubView(0, 0) : view.SubView(offset, count);
    }

    private ArrayView<float> View(BufferView view, long count, string name) => Slice(Own(view.Buffer, name), view.Offset, count, name);

    // A row-major rows x columns operand with leading dimension ld spans (rows − 1)·ld + columns elements.
    private ArrayView<float> MatrixView(BufferView view, int rows, int columns, int ld, string name)
    {
        if (ld < Math.Max(columns, 1))
            throw new ArgumentOutOfRangeException(name, $"Leading dimension {ld} is smaller than the {columns} columns of {name}.");
        long span = rows == 0 || columns == 0 ? 0 : (long)(rows - 1) * ld + columns;
        return View(view, span, name);
    }
}
