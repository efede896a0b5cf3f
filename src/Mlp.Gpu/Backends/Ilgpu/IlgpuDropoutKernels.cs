using ILGPU;
using ILGPU.Runtime;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>Inverted dropout with the counter-based mask of <see cref="DropoutMath"/>, and its backward product.</summary>
internal sealed class IlgpuDropoutKernels
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, uint> _dropout;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> _multiply;

    public IlgpuDropoutKernels(Accelerator accelerator)
    {
        _dropout = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, uint>(DropoutKernel);
        _multiply = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(MultiplyKernel);
    }

    public void Dropout(AcceleratorStream stream, ArrayView<float> input, ArrayView<float> mask, ArrayView<float> output, float rate, uint seed)
    {
        if (input.Length > 0)
            _dropout(stream, (int)input.Length, input, mask, output, rate, seed);
    }

    public void Multiply(AcceleratorStream stream, ArrayView<float> target, ArrayView<float> factor)
    {
        if (target.Length > 0)
            _multiply(stream, (int)target.Length, target, factor);
    }

    private static void DropoutKernel(Index1D i, ArrayView<float> input, ArrayView<float> mask, ArrayView<float> output, float rate, uint seed)
    {
        float m = DropoutMath.Mask(seed, i, rate);
        mask[i] = m;
        output[i] = input[i] * m;
    }

    private static void MultiplyKernel(Index1D i, ArrayView<float> target, ArrayView<float> factor) => target[i] *= factor[i];
}
