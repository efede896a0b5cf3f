using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Mlp.Gpu.Network;

/// <summary>The <see cref="ILossHead"/> of every <see cref="LossFunction"/>, and the one map from the enum to them.</summary>
internal static class LossHeads
{
    /// <summary>Calls <paramref name="consumer"/> with the struct of <paramref name="loss"/>: the only switch on it.</summary>
    public static void Dispatch<TConsumer>(LossFunction loss, ref TConsumer consumer)
        where TConsumer : ILossHeadConsumer, allows ref struct
    {
        switch (loss)
        {
            case LossFunction.BinaryCrossEntropy: consumer.Invoke<BinaryCrossEntropy>(); break;
            case LossFunction.SoftmaxCrossEntropy: consumer.Invoke<SoftmaxCrossEntropy>(); break;
            case LossFunction.Squared: consumer.Invoke<Squared>(); break;
            case LossFunction.Huber: consumer.Invoke<Huber>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(loss), loss, $"Unknown loss {loss}.");
        }
    }

    /// <summary>
    /// One logit; L = −y·log σ(z) − (1−y)·log(1−σ(z)) computed as max(z,0) − z·y + log(1 + e^−|z|), which never
    /// overflows; ∂L/∂z = σ(z) − y. The score is the logit.
    /// </summary>
    public readonly struct BinaryCrossEntropy : ILossHead
    {
        public float Loss<TRow>(TRow row, int k, float huberDelta, float gradientScale, bool writeGradient, out float correct, out float squared)
            where TRow : struct, ILossRow
        {
            float z = row.Output(0), y = row.Label(0);
            correct = (z > 0f) == (y > 0.5f) ? 1f : 0f;
            squared = 0f;
            if (writeGradient)
                row.SetGradient(0, gradientScale * (Activations.Sigmoid.Logistic(z) - y));
            return MathF.Max(z, 0f) - z * y + Log1PExp(-MathF.Abs(z));
        }

        public void Score(Span<float> output) { } // the outputs as they are

        // log(1 + e^x) for x <= 0 as log(u)·e/(u − 1), u = 1 + e, which cancels the rounding of u (Goldberg's trick),
        // and e itself when u rounds to 1.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Log1PExp(float x)
        {
            float e = MathF.Exp(x);
            float u = 1f + e;
            return u == 1f ? e : MathF.Log(u) * e / (u - 1f);
        }
    }

    /// <summary>
    /// k logits, softmax fused with cross-entropy: L = (max − z_y) + log Σ_j e^{z_j − max}; ∂L/∂z_j = softmax_j − [j = y].
    /// The sum is in float on every backend: its k terms lie in (0, 1] with one of them 1, so float loses at most about
    /// k ulps. The score is the class probabilities.
    /// </summary>
    public readonly struct SoftmaxCrossEntropy : ILossHead
    {
        public float Loss<TRow>(TRow row, int k, float huberDelta, float gradientScale, bool writeGradient, out float correct, out float squared)
            where TRow : struct, ILossRow
        {
            int label = (int)row.Label(0);
            float max = row.Output(0);
            int argMax = 0;
            for (int j = 1; j < k; j++)
            {
                float z = row.Output(j);
                if (z > max)
                    (max, argMax) = (z, j);
            }
            float sum = 0f;
            for (int j = 0; j < k; j++)
                sum += MathF.Exp(row.Output(j) - max);
            correct = argMax == label ? 1f : 0f;
            squared = 0f;
            if (writeGradient)
            {
                float inverse = 1f / sum;
                for (int j = 0; j < k; j++)
                    row.SetGradient(j, gradientScale * (MathF.Exp(row.Output(j) - max) * inverse - (j == label ? 1f : 0f)));
            }
            return max - row.Output(label) + MathF.Log(sum); // max − z_y first: exact when they are close
        }

        public void Score(Span<float> output) => TensorPrimitives.SoftMax(output, output);
    }

    /// <summary>k linear outputs; L = (1/k)·Σ_j r_j², r = z − y; ∂L/∂z_j = 2r_j/k. The score is the outputs.</summary>
    public readonly struct Squared : ILossHead
    {
        public float Loss<TRow>(TRow row, int k, float huberDelta, float gradientScale, bool writeGradient, out float correct, out float squared)
            where TRow : struct, ILossRow
        {
            squared = 0f;
            for (int j = 0; j < k; j++)
            {
                float r = row.Output(j) - row.Label(j);
                squared += r * r;
                if (writeGradient)
                    row.SetGradient(j, gradientScale * 2f * r / k);
            }
            correct = 0f;
            return squared / k;
        }

        public void Score(Span<float> output) { } // the outputs as they are
    }

    /// <summary>
    /// k linear outputs; L = (1/k)·Σ_j huber(r_j) with huber(r) = ½r² for |r| ≤ δ, else δ(|r| − ½δ); ∂L/∂z_j = clip(r_j, ±δ)/k.
    /// The score is the outputs.
    /// </summary>
    public readonly struct Huber : ILossHead
    {
        public float Loss<TRow>(TRow row, int k, float huberDelta, float gradientScale, bool writeGradient, out float correct, out float squared)
            where TRow : struct, ILossRow
        {
            float loss = 0f;
            squared = 0f;
            for (int j = 0; j < k; j++)
            {
                float r = row.Output(j) - row.Label(j), abs = MathF.Abs(r);
                squared += r * r;
                loss += abs <= huberDelta ? 0.5f * r * r : huberDelta * (abs - 0.5f * huberDelta);
                if (writeGradient)
                    row.SetGradient(j, gradientScale * MathF.Min(MathF.Max(r, -huberDelta), huberDelta) / k); // not Math.Clamp: it throws
            }
            correct = 0f;
            return loss / k;
        }

        public void Score(Span<float> output) { } // the outputs as they are
    }
}
