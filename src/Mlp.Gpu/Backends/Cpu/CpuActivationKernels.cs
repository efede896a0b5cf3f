using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>Bias + activation forward and activation backward on the CPU, vectorized with Vector256.</summary>
internal static unsafe class CpuActivationKernels
{
    /// <summary>z[r,:] += b; a[r,:] = s(z[r,:]).</summary>
    public static void BiasActivation(float* z, float* bias, float* a, int rows, int columns, Activation activation)
    {
        var b = new ReadOnlySpan<float>(bias, columns);
        for (int r = 0; r < rows; r++)
        {
            var zRow = new Span<float>(z + (long)r * columns, columns);
            TensorPrimitives.Add(zRow, b, zRow);
            if (a == null)
                continue;
            var aRow = new Span<float>(a + (long)r * columns, columns);
            switch (activation)
            {
                case Activation.Identity: zRow.CopyTo(aRow); break;
                case Activation.Relu: TensorPrimitives.Max(zRow, 0f, aRow); break;
                case Activation.Sigmoid: TensorPrimitives.Sigmoid(zRow, aRow); break;
                case Activation.Tanh: TensorPrimitives.Tanh(zRow, aRow); break;
                default:
                    for (int j = 0; j < columns; j++)
                        aRow[j] = ActivationMath.Apply(activation, zRow[j]);
                    break;
            }
        }
    }

    /// <summary>delta ⊙= s'(z) over <paramref name="count"/> elements.</summary>
    public static void Backward(float* delta, float* z, float* a, int count, Activation activation)
    {
        switch (activation)
        {
            case Activation.Identity: return;
            case Activation.Relu: Run<ReluBackward>(delta, z, a, count); return;
            case Activation.LeakyRelu: Run<LeakyReluBackward>(delta, z, a, count); return;
            case Activation.Sigmoid: Run<SigmoidBackward>(delta, z, a, count); return;
            case Activation.Tanh: Run<TanhBackward>(delta, z, a, count); return;
            default:
                for (int i = 0; i < count; i++)
                    delta[i] *= ActivationMath.Derivative(activation, z[i], a[i]);
                return;
        }
    }

    private static void Run<TOp>(float* delta, float* z, float* a, int count)
        where TOp : struct, IBackwardOp
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Store(TOp.Apply(Vector256.Load(delta + i), Vector256.Load(z + i), Vector256.Load(a + i)), delta + i);
        }
        for (; i < count; i++)
            delta[i] = TOp.Apply(delta[i], z[i], a[i]);
    }

    /// <summary>delta·s'(z) in vector and scalar form (the scalar form handles the tail).</summary>
    private interface IBackwardOp
    {
        static abstract Vector256<float> Apply(Vector256<float> delta, Vector256<float> z, Vector256<float> a);

        static abstract float Apply(float delta, float z, float a);
    }

    private readonly struct ReluBackward : IBackwardOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta & Vector256.GreaterThan(z, Vector256<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float delta, float z, float a) => z > 0f ? delta : 0f;
    }

    private readonly struct LeakyReluBackward : IBackwardOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), delta, delta * ActivationMath.LeakySlope);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float delta, float z, float a) => z > 0f ? delta : delta * ActivationMath.LeakySlope;
    }

    private readonly struct SigmoidBackward : IBackwardOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta * (a * (Vector256<float>.One - a));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float delta, float z, float a) => delta * (a * (1f - a));
    }

    private readonly struct TanhBackward : IBackwardOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta * (Vector256<float>.One - a * a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float delta, float z, float a) => delta * (1f - a * a);
    }
}
