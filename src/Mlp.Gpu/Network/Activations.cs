using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Network;

/// <summary>The <see cref="IActivation"/> of every <see cref="MlpActivation"/>, and the one map from the enum to them.</summary>
internal static class Activations
{
    /// <summary>Calls <paramref name="consumer"/> with the struct of <paramref name="activation"/>: the only switch on it.</summary>
    public static void Dispatch<TConsumer>(MlpActivation activation, ref TConsumer consumer)
        where TConsumer : IActivationConsumer, allows ref struct
    {
        switch (activation)
        {
            case MlpActivation.Identity: consumer.Invoke<Identity>(); break;
            case MlpActivation.Sigmoid: consumer.Invoke<Sigmoid>(); break;
            case MlpActivation.Tanh: consumer.Invoke<Tanh>(); break;
            case MlpActivation.Relu: consumer.Invoke<Relu>(); break;
            case MlpActivation.LeakyRelu: consumer.Invoke<LeakyRelu>(); break;
            case MlpActivation.Gelu: consumer.Invoke<Gelu>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, $"Unknown activation {activation}.");
        }
    }

    /// <summary>s(z) = z.</summary>
    public readonly struct Identity : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => z;
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => z.CopyTo(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Backward(float delta, float z, float a) => delta;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) => delta;
    }

    /// <summary>s(z) = 1/(1 + e^−z), s' = a(1 − a).</summary>
    public readonly struct Sigmoid : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => Logistic(z);
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Sigmoid(z, a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Backward(float delta, float z, float a) => delta * (a * (1f - a));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta * (a * (Vector256<float>.One - a));

        /// <summary>Numerically stable logistic function (no overflow of e^−z for very negative z).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Logistic(float z)
        {
            float e = MathF.Exp(-MathF.Abs(z));
            return z >= 0f ? 1f / (1f + e) : e / (1f + e);
        }
    }

    /// <summary>s(z) = tanh(z), s' = 1 − a².</summary>
    public readonly struct Tanh : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => MathF.Tanh(z);
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Tanh(z, a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Backward(float delta, float z, float a) => delta * (1f - a * a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta * (Vector256<float>.One - a * a);
    }

    /// <summary>s(z) = max(0, z); the backward step passes delta where z &gt; 0 and writes +0 elsewhere.</summary>
    public readonly struct Relu : IActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => z > 0f ? z : 0f;
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Max(z, 0f, a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Backward(float delta, float z, float a) => z > 0f ? delta : 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            delta & Vector256.GreaterThan(z, Vector256<float>.Zero);
    }

    /// <summary>s(z) = z for z &gt; 0, else <see cref="Slope"/>·z.</summary>
    public readonly struct LeakyRelu : IActivation
    {
        /// <summary>The slope for z &lt;= 0.</summary>
        public const float Slope = 0.01f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => z > 0f ? z : Slope * z;
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => Scalar(this, z, a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Backward(float delta, float z, float a) => z > 0f ? delta : delta * Slope;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), delta, delta * Slope);
    }

    /// <summary>Gaussian error linear unit, tanh approximation: s(z) = z/2·(1 + tanh(u)), u = √(2/π)(z + 0.044715 z³).</summary>
    public readonly struct Gelu : IActivation
    {
        /// <summary>√(2/π).</summary>
        public const float C = 0.7978845608028654f;

        /// <summary>The cubic term's coefficient.</summary>
        public const float A = 0.044715f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Forward(float z) => 0.5f * z * (1f + MathF.Tanh(C * (z + A * z * z * z)));
        public void Forward(ReadOnlySpan<float> z, Span<float> a) => Scalar(this, z, a);

        // s'(z) = (1 + tanh u)/2 + z/2·(1 − tanh² u)·u'(z).
        public float Backward(float delta, float z, float a)
        {
            float t = MathF.Tanh(C * (z + A * z * z * z));
            return delta * (0.5f * (1f + t) + 0.5f * z * (1f - t * t) * (C * (1f + 3f * A * z * z)));
        }

        public Vector256<float> Backward(Vector256<float> delta, Vector256<float> z, Vector256<float> a) => Vector256.Create( // lane by lane: no vector tanh
            Backward(delta[0], z[0], a[0]), Backward(delta[1], z[1], a[1]), Backward(delta[2], z[2], a[2]), Backward(delta[3], z[3], a[3]),
            Backward(delta[4], z[4], a[4]), Backward(delta[5], z[5], a[5]), Backward(delta[6], z[6], a[6]), Backward(delta[7], z[7], a[7]));
    }

    private static void Scalar<TActivation>(TActivation activation, ReadOnlySpan<float> z, Span<float> a)
        where TActivation : struct, IActivation
    {
        for (int j = 0; j < z.Length; j++)
            a[j] = activation.Forward(z[j]);
    }
}
