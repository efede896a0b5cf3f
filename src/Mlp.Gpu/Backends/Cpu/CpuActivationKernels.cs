using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Network;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Bias + activation forward and activation backward on the CPU, generic over the <see cref="IActivation"/> struct and
/// split over the cores by <see cref="CpuParallel"/> (items are rows, resp. elements, each computed the same way in any range).
/// </summary>
internal static unsafe class CpuActivationKernels
{
    /// <summary>z[r,:] += b; a[r,:] = s(z[r,:]) (only z when <paramref name="a"/> is null).</summary>
    public static void BiasActivation(MlpActivation activation, float* z, float* bias, float* a, int rows, int columns, int threads)
    {
        var kernel = new Range(Load(activation).Forward, z, bias, a, columns);
        CpuParallel.For(ref kernel, rows, 1, CpuBackend.ParallelMinFloats / Math.Max(columns, 1), threads);
    }

    /// <summary>delta ⊙= s'(z) over <paramref name="count"/> elements.</summary>
    public static void Backward(MlpActivation activation, float* delta, float* z, float* a, int count, int threads)
    {
        if (activation == MlpActivation.Identity)
            return;
        var kernel = new Range(Load(activation).Backward, delta, z, a, 0);
        CpuParallel.For(ref kernel, count, 16, 2 * CpuBackend.ParallelMinFloats, threads);
    }

    private static Loader Load(MlpActivation activation)
    {
        var loader = default(Loader);
        Activations.Dispatch(activation, ref loader);
        return loader;
    }

    /// <summary>The two kernels of one activation: the instantiations that <see cref="Activations.Dispatch"/> picks.</summary>
    private struct Loader : IActivationConsumer
    {
        public delegate*<float*, float*, float*, int, int, int, void> Forward, Backward;

        public void Invoke<T>()
            where T : struct, IActivation
        {
            Forward = &Forward<T>;
            Backward = &Backward<T>;
        }
    }

    /// <summary>Runs a kernel over the items [start, end) (rows or elements) of its three buffers.</summary>
    private readonly struct Range(delegate*<float*, float*, float*, int, int, int, void> kernel, float* x, float* y, float* w, int columns) : IRangeKernel
    {
        public void Run(int start, int end) => kernel(x, y, w, columns, start, end);
    }

    private static void Forward<T>(float* z, float* bias, float* a, int columns, int start, int end)
        where T : struct, IActivation
    {
        var b = new ReadOnlySpan<float>(bias, columns);
        for (int r = start; r < end; r++)
        {
            var zRow = new Span<float>(z + (long)r * columns, columns);
            TensorPrimitives.Add(zRow, b, zRow);
            if (a != null)
                default(T).Forward(zRow, new Span<float>(a + (long)r * columns, columns));
        }
    }

    private static void Backward<T>(float* delta, float* z, float* a, int unused, int start, int end)
        where T : struct, IActivation
    {
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Store(default(T).Backward(Vector256.Load(delta + i), Vector256.Load(z + i), Vector256.Load(a + i)), delta + i);
        }
        for (; i < end; i++)
            delta[i] = default(T).Backward(delta[i], z[i], a[i]);
    }
}
