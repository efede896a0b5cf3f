using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// destination[j] = Σ_r source[r, j] (the bias gradient): one thread per column walking the rows in order, so the sum
/// is deterministic and adjacent threads read adjacent addresses.
/// </summary>
internal sealed class IlgpuColumnSumKernel
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>> _kernel;

    public IlgpuColumnSumKernel(Accelerator accelerator) =>
        _kernel = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(Kernel);

    public void ColumnSums(AcceleratorStream stream, ArrayView<float> source, int rows, ArrayView<float> destination)
    {
        if (destination.Length > 0)
            _kernel(stream, (int)destination.Length, source, rows, destination);
    }

    private static void Kernel(Index1D j, ArrayView<float> source, int rows, ArrayView<float> destination)
    {
        int columns = (int)destination.Length;
        float sum = 0f;
        for (int r = 0; r < rows; r++)
            sum += source[(long)r * columns + j];
        destination[j] = sum;
    }
}
