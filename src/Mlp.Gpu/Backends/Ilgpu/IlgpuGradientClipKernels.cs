using ILGPU;
using ILGPU.Runtime;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Gradient clipping by global norm without a round trip to the host: one kernel sums squares (each thread a chunk,
/// then one atomic add), a second scales every gradient by min(1, maxNorm/‖g‖) read from device memory.
/// </summary>
internal sealed class IlgpuGradientClipKernels
{
    private const int Chunk = 256;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> _squares;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float> _scale;

    public IlgpuGradientClipKernels(Accelerator accelerator)
    {
        _squares = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(SquaresKernel);
        _scale = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(ScaleKernel);
    }

    /// <summary>Scales <paramref name="gradients"/> to norm at most <paramref name="maxNorm"/>; scratch[0] receives ‖g‖².</summary>
    public void Clip(AcceleratorStream stream, ArrayView<float> gradients, ArrayView<float> scratch, float maxNorm)
    {
        if (gradients.Length == 0)
            return;
        scratch.SubView(0, 1).MemSetToZero(stream);
        _squares(stream, (int)((gradients.Length + Chunk - 1) / Chunk), gradients, scratch);
        _scale(stream, (int)gradients.Length, gradients, scratch, maxNorm);
    }

    private static void SquaresKernel(Index1D chunk, ArrayView<float> gradients, ArrayView<float> scratch)
    {
        int start = chunk * Chunk;
        int end = Math.Min(start + Chunk, (int)gradients.Length);
        float sum = 0f;
        for (int i = start; i < end; i++)
            sum += gradients[i] * gradients[i];
        Atomic.Add(ref scratch[0], sum);
    }

    private static void ScaleKernel(Index1D i, ArrayView<float> gradients, ArrayView<float> scratch, float maxNorm) =>
        gradients[i] *= GradientClipMath.Scale(scratch[0], maxNorm);
}
