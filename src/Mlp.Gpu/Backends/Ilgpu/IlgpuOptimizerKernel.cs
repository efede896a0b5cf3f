using ILGPU;
using ILGPU.Runtime;
using Mlp.Gpu.Optimizers;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// The fused optimizer update over the flat parameter buffer, one thread per parameter, calling
/// <see cref="OptimizerMath.Update"/> (the same scalar rule the CPU backend's tail and tests use).
/// </summary>
internal sealed class IlgpuOptimizerKernel
{
    private readonly Action<AcceleratorStream, Index1D, OptimizerStep, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _kernel;

    public IlgpuOptimizerKernel(Accelerator accelerator) =>
        _kernel = accelerator.LoadAutoGroupedKernel<Index1D, OptimizerStep, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(Kernel);

    /// <summary>Updates every parameter; absent moment buffers are passed as null.</summary>
    public void Update(AcceleratorStream stream, in OptimizerStep step, ArrayView<float> parameters, ArrayView<float> gradients,
        ArrayView<float>? firstMoment, ArrayView<float>? secondMoment)
    {
        if (parameters.Length == 0)
            return;
        int moments = (firstMoment.HasValue ? 1 : 0) | (secondMoment.HasValue ? 2 : 0);
        // Absent moments are replaced by a valid view the kernel never touches.
        _kernel(stream, (int)parameters.Length, step, parameters, gradients, firstMoment ?? gradients, secondMoment ?? gradients, moments);
    }

    private static void Kernel(Index1D i, OptimizerStep step, ArrayView<float> parameters, ArrayView<float> gradients,
        ArrayView<float> firstMoment, ArrayView<float> secondMoment, int moments)
    {
        float w = parameters[i];
        float m = (moments & 1) != 0 ? firstMoment[i] : 0f;
        float v = (moments & 2) != 0 ? secondMoment[i] : 0f;
        OptimizerMath.Update(step, i < step.WeightCount, ref w, gradients[i], ref m, ref v);
        parameters[i] = w;
        if ((moments & 1) != 0)
            firstMoment[i] = m;
        if ((moments & 2) != 0)
            secondMoment[i] = v;
    }
}
