using ILGPU.Runtime;
using ILGPU;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Bias + activation forward and activation backward, one thread per element, generic over the <see cref="IActivation"/>
/// struct; an activation's two kernels are compiled at its first use and kept.
/// </summary>
internal sealed class IlgpuActivationKernels(Accelerator accelerator)
{
    private readonly Loader[] _kernels = new Loader[Enum.GetValues<MlpActivation>().Length];

    /// <summary>z[r, :] += b; a = s(z) when <paramref name="a"/> is given.</summary>
    public void BiasActivation(AcceleratorStream stream, ArrayView<float> z, ArrayView<float> bias, ArrayView<float>? a,
        int columns, MlpActivation activation)
    {
        if (z.Length > 0)
            Kernels(activation).Forward!(stream, (int)z.Length, z, bias, a ?? z, columns, a.HasValue ? 1 : 0);
    }

    /// <summary>delta ⊙= s'(z), given a = s(z).</summary>
    public void Backward(AcceleratorStream stream, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, MlpActivation activation)
    {
        if (activation != MlpActivation.Identity && delta.Length > 0)
            Kernels(activation).Backward!(stream, (int)delta.Length, delta, z, a);
    }

    private Loader Kernels(MlpActivation activation)
    {
        ref var kernels = ref _kernels[(int)activation];
        if (kernels.Forward is null)
        {
            kernels = new Loader(accelerator);
            Activations.Dispatch(activation, ref kernels);
        }
        return kernels;
    }

    private struct Loader(Accelerator accelerator) : IActivationConsumer
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? Forward;
        public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? Backward;

        public void Invoke<T>()
            where T : struct, IActivation
        {
            Forward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ForwardKernel<T>);
            Backward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardKernel<T>);
        }
    }

    // z = z + b (broadcast over rows); a = s(z). Without an a buffer, a aliases z and is not written (writeA = 0; kernel arguments must be blittable, so no bool).
    private static void ForwardKernel<T>(Index1D i, ArrayView<float> z, ArrayView<float> bias, ArrayView<float> a, int columns, int writeA)
        where T : struct, IActivation
    {
        float zi = z[i] + bias[i % columns];
        z[i] = zi;
        if (writeA != 0)
            a[i] = default(T).Forward(zi);
    }

    private static void BackwardKernel<T>(Index1D i, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a)
        where T : struct, IActivation =>
        delta[i] = default(T).Backward(delta[i], z[i], a[i]);
}
