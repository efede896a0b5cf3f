using ILGPU;
using ILGPU.Runtime;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Fused loss + output gradient, one thread per row (k is small), built on <see cref="LossMath"/> and
/// <see cref="ActivationMath.Sigmoid"/> as the CPU kernel is. Each row adds w·L, w, w·correct and w·squared error
/// into the 4-float accumulator with atomics (so the sums' rounding order varies run to run on a GPU; the values
/// agree with the CPU backend within float tolerance).
/// </summary>
internal sealed class IlgpuLossKernel
{
    private readonly Action<AcceleratorStream, Index1D, LossShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _kernel;

    public IlgpuLossKernel(Accelerator accelerator) =>
        _kernel = accelerator.LoadAutoGroupedKernel<Index1D, LossShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Kernel);

    /// <summary>Launches over <paramref name="rows"/> rows; a missing weights/gradient view is passed as null.</summary>
    public void LossGradient(AcceleratorStream stream, LossFunction loss, float huberDelta, ArrayView<float> output,
        ArrayView<float> labels, ArrayView<float>? weights, int rows, int columns, ArrayView<float>? gradient, float scale,
        ArrayView<float> accumulator)
    {
        if (rows == 0)
            return;
        var shape = new LossShape(loss, huberDelta, columns, scale, weights.HasValue, gradient.HasValue);
        // Absent buffers are replaced by a valid view that the kernel never touches.
        _kernel(stream, rows, shape, output, labels, weights ?? output, gradient ?? output, accumulator);
    }

    /// <summary>The loss's scalars, passed to the kernel as one value (flags as ints: kernel arguments must be blittable).</summary>
    internal readonly record struct LossShape(LossFunction Loss, float HuberDelta, int Columns, float Scale,
        int HasWeights, int HasGradient)
    {
        public LossShape(LossFunction loss, float huberDelta, int columns, float scale, bool hasWeights, bool hasGradient)
            : this(loss, huberDelta, columns, scale, hasWeights ? 1 : 0, hasGradient ? 1 : 0)
        {
        }
    }

    private static void Kernel(Index1D row, LossShape s, ArrayView<float> output, ArrayView<float> labels,
        ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> accumulator)
    {
        int k = s.Columns;
        long zBase = (long)row.X * k;
        float w = s.HasWeights != 0 ? weights[row] : 1f;
        float gradientScale = s.Scale * w;
        float rowLoss = 0f, correct = 0f, squared = 0f;
        if (s.Loss == LossFunction.BinaryCrossEntropy)
        {
            float z = output[zBase], y = labels[row];
            rowLoss = LossMath.BinaryCrossEntropy(z, y);
            correct = (z > 0f) == (y > 0.5f) ? 1f : 0f;
            if (s.HasGradient != 0)
                gradient[zBase] = gradientScale * (ActivationMath.Sigmoid(z) - y);
        }
        else if (s.Loss == LossFunction.SoftmaxCrossEntropy)
        {
            // L = log Σ_j e^{z_j − max} + max − z_y; ∂L/∂z_j = softmax_j − [j = y].
            int label = (int)labels[row];
            float max = output[zBase];
            int argMax = 0;
            for (int j = 1; j < k; j++)
            {
                float zj = output[zBase + j];
                if (zj > max)
                {
                    max = zj;
                    argMax = j;
                }
            }
            float sum = 0f;
            for (int j = 0; j < k; j++)
                sum += MathF.Exp(output[zBase + j] - max);
            correct = argMax == label ? 1f : 0f;
            rowLoss = max + MathF.Log(sum) - output[zBase + label];
            if (s.HasGradient != 0)
            {
                float inverse = 1f / sum;
                for (int j = 0; j < k; j++)
                    gradient[zBase + j] = gradientScale * (MathF.Exp(output[zBase + j] - max) * inverse - (j == label ? 1f : 0f));
            }
        }
        else
        {
            // Squared: (1/k)·Σ r²; Huber: (1/k)·Σ huber(r); r = z − y.
            bool huber = s.Loss == LossFunction.Huber;
            for (int j = 0; j < k; j++)
            {
                float residual = output[zBase + j] - labels[zBase + j];
                squared += residual * residual;
                rowLoss += huber ? LossMath.Huber(residual, s.HuberDelta) : residual * residual;
                if (s.HasGradient != 0)
                    gradient[zBase + j] = gradientScale * (huber ? LossMath.HuberGradient(residual, s.HuberDelta) : 2f * residual) / k;
            }
            rowLoss /= k;
        }
        Atomic.Add(ref accumulator[LossAccumulator.WeightedLoss], w * rowLoss);
        Atomic.Add(ref accumulator[LossAccumulator.Weight], w);
        if (correct != 0f)
            Atomic.Add(ref accumulator[LossAccumulator.WeightedCorrect], w * correct);
        if (squared != 0f)
            Atomic.Add(ref accumulator[LossAccumulator.WeightedSquaredError], w * squared);
    }
}
