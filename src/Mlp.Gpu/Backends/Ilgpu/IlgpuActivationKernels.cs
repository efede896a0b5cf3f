using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Bias + activation forward and activation backward, one thread per element, with the scalar definitions of
/// <see cref="ActivationMath"/> (the activation is a launch argument: one compiled kernel serves all of them, and the
/// switch on it is uniform across the launch).
/// </summary>
internal sealed class IlgpuActivationKernels
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, Activation, int> _forward;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Activation> _backward;

    public IlgpuActivationKernels(Accelerator accelerator)
    {
        _forward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, Activation, int>(ForwardKernel);
        _backward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Activation>(BackwardKernel);
    }

    /// <summary>z[r, :] += b; a = s(z) when <paramref name="a"/> is given (otherwise <paramref name="a"/> must be null).</summary>
    public void BiasActivation(AcceleratorStream stream, ArrayView<float> z, ArrayView<float> bias, ArrayView<float>? a,
        int columns, Activation activation)
    {
        if (z.Length > 0)
            _forward(stream, (int)z.Length, z, bias, a ?? z, columns, activation, a.HasValue ? 1 : 0);
    }

    /// <summary>delta ⊙= s'(z), given a = s(z).</summary>
    public void Backward(AcceleratorStream stream, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, Activation activation)
    {
        if (activation != Activation.Identity && delta.Length > 0)
            _backward(stream, (int)delta.Length, delta, z, a, activation);
    }

    // z = z + b (broadcast over rows); a = s(z). Without an a buffer, a aliases z and is not written (writeA = 0; kernel arguments must be blittable, so no bool).
    private static void ForwardKernel(Index1D i, ArrayView<float> z, ArrayView<float> bias, ArrayView<float> a,
        int columns, Activation activation, int writeA)
    {
        float zi = z[i] + bias[i % columns];
        z[i] = zi;
        if (writeA != 0)
            a[i] = ActivationMath.Apply(activation, zi);
    }

    private static void BackwardKernel(Index1D i, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, Activation activation) =>
        delta[i] *= ActivationMath.Derivative(activation, z[i], a[i]);
}
