using ILGPU;
using ILGPU.Runtime;
using BackwardKernelLauncher = System.Action<ILGPU.Runtime.AcceleratorStream, ILGPU.Index1D, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>>;
using ForwardKernelLauncher = System.Action<ILGPU.Runtime.AcceleratorStream, ILGPU.Index1D, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, int, int>;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Bias + activation forward and activation backward, one thread per element, generic over the <see cref="IActivation"/>
/// struct; an activation's kernels are compiled on its first use and kept.
/// </summary>
internal sealed class IlgpuActivationKernels(Accelerator accelerator)
{
    private readonly ForwardKernelLauncher?[] _forward = new ForwardKernelLauncher?[Enum.GetValues<Activation>().Length];
    private readonly BackwardKernelLauncher?[] _backward = new BackwardKernelLauncher?[Enum.GetValues<Activation>().Length];

    /// <summary>z[r, :] += b; a = s(z) when <paramref name="a"/> is given.</summary>
    public void BiasActivation(AcceleratorStream stream, ArrayView<float> z, ArrayView<float> bias, ArrayView<float>? a,
        int columns, Activation activation)
    {
        if (z.Length == 0)
            return;
        var launch = new ForwardLaunch(accelerator, _forward, stream, z, bias, a ?? z, columns, a.HasValue ? 1 : 0, activation);
        Activations.Dispatch(activation, ref launch);
    }

    /// <summary>delta ⊙= s'(z), given a = s(z).</summary>
    public void Backward(AcceleratorStream stream, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, Activation activation)
    {
        if (activation == Activation.Identity || delta.Length == 0)
            return;
        var launch = new BackwardLaunch(accelerator, _backward, stream, delta, z, a, activation);
        Activations.Dispatch(activation, ref launch);
    }

    private readonly struct ForwardLaunch(Accelerator accelerator, ForwardKernelLauncher?[] kernels, AcceleratorStream stream,
        ArrayView<float> z, ArrayView<float> bias, ArrayView<float> a, int columns, int writeA, Activation activation) : IActivationConsumer
    {
        public void Invoke<T>()
            where T : struct, IActivation
        {
            var kernel = kernels[(int)activation] ??=
                accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ForwardKernel<T>);
            kernel(stream, (int)z.Length, z, bias, a, columns, writeA);
        }
    }

    private readonly struct BackwardLaunch(Accelerator accelerator, BackwardKernelLauncher?[] kernels, AcceleratorStream stream,
        ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, Activation activation) : IActivationConsumer
    {
        public void Invoke<T>()
            where T : struct, IActivation
        {
            var kernel = kernels[(int)activation] ??=
                accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardKernel<T>);
            kernel(stream, (int)delta.Length, delta, z, a);
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
