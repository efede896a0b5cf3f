using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>Fill and row gather (the minibatch copy), one thread per element.</summary>
internal sealed class IlgpuMemoryKernels
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, float> _fill;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<int>, ArrayView<float>> _gather;

    public IlgpuMemoryKernels(Accelerator accelerator)
    {
        _fill = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(FillKernel);
        _gather = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<int>, ArrayView<float>>(GatherKernel);
    }

    public void Fill(AcceleratorStream stream, ArrayView<float> buffer, float value)
    {
        if (buffer.Length > 0)
            _fill(stream, (int)buffer.Length, buffer, value);
    }

    /// <summary>destination[i, :] = source[indices[i], :] for every index in <paramref name="indices"/>.</summary>
    public void GatherRows(AcceleratorStream stream, ArrayView<float> source, int width, ArrayView<int> indices, ArrayView<float> destination)
    {
        if (indices.Length > 0 && width > 0)
            _gather(stream, (int)indices.Length * width, source, width, indices, destination);
    }

    private static void FillKernel(Index1D i, ArrayView<float> buffer, float value) => buffer[i] = value;

    private static void GatherKernel(Index1D i, ArrayView<float> source, int width, ArrayView<int> indices, ArrayView<float> destination)
    {
        int row = i / width;
        int column = i - row * width;
        destination[i] = source[(long)indices[row] * width + column];
    }
}
