using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Bias + activation forward and activation backward on the CPU, generic over the <see cref="IActivation"/> struct and
/// split over the cores by <see cref="CpuParallel"/> (items are rows, resp. elements, each computed the same way in any range).
/// </summary>
internal static unsafe class CpuActivationKernels
{
    /// <summary>z[r,:] += b; a[r,:] = s(z[r,:]) (only z when <paramref name="a"/> is null).</summary>
    public static void BiasActivation(Activation activation, float* z, float* bias, float* a, int rows, int columns, int threads)
    {
        var launch = new ForwardLaunch(z, bias, a, rows, columns, threads);
        Activations.Dispatch(activation, ref launch);
    }

    /// <summary>delta ⊙= s'(z) over <paramref name="count"/> elements.</summary>
    public static void Backward(Activation activation, float* delta, float* z, float* a, int count, int threads)
    {
        if (activation == Activation.Identity)
            return;
        var launch = new BackwardLaunch(delta, z, a, count, threads);
        Activations.Dispatch(activation, ref launch);
    }

    private readonly struct ForwardLaunch(float* z, float* bias, float* a, int rows, int columns, int threads) : IActivationConsumer
    {
        public void Invoke<T>()
            where T : struct, IActivation
        {
            var kernel = new ForwardRows<T>(z, bias, a, columns);
            CpuParallel.For(ref kernel, rows, 1, CpuBackend.ParallelMinFloats / Math.Max(columns, 1), threads);
        }
    }

    private readonly struct BackwardLaunch(float* delta, float* z, float* a, int count, int threads) : IActivationConsumer
    {
        public void Invoke<T>()
            where T : struct, IActivation
        {
            var kernel = new BackwardElements<T>(delta, z, a);
            CpuParallel.For(ref kernel, count, 16, 2 * CpuBackend.ParallelMinFloats, threads);
        }
    }

    // The range kernels pass their fields on as arguments: in a loop, a field would be reloaded after every store
    // through a pointer (the store might alias it), arguments stay in registers.
    private readonly struct ForwardRows<T>(float* z, float* bias, float* a, int columns) : IRangeKernel
        where T : struct, IActivation
    {
        public void Run(int start, int end) => Forward<T>(z, bias, a, columns, start, end);
    }

    private readonly struct BackwardElements<T>(float* delta, float* z, float* a) : IRangeKernel
        where T : struct, IActivation
    {
        public void Run(int start, int end) => Backward<T>(delta, z, a, start, end);
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

    private static void Backward<T>(float* delta, float* z, float* a, int start, int end)
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
