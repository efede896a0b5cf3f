using System.Runtime.CompilerServices;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Fused loss + output gradient on the CPU, one row at a time (k is small), in chunks of rows that the cores share.
/// Sums are kept in double per chunk and added chunk by chunk in order; the chunks depend on the row count alone, so
/// the sums do not depend on the thread count.
/// </summary>
internal static unsafe class CpuLossKernels
{
    private const int MaxChunks = 64;
    private const int MinChunkRows = 32;

    [SkipLocalsInit]
    public static void LossGradient(LossFunction loss, float huberDelta, float* output, float* labels, float* weights,
        int rows, int k, float* gradient, float scale, float* accumulator, int threads)
    {
        int chunkRows = Math.Max(MinChunkRows, (rows + MaxChunks - 1) / MaxChunks);
        int chunks = (rows + chunkRows - 1) / chunkRows;
        double* sums = stackalloc double[4 * MaxChunks];
        var kernel = new Chunks(loss, huberDelta, output, labels, weights, rows, k, gradient, scale, chunkRows, sums);
        // A row costs about as much as k exponentials: worth a second core from a few hundred rows x classes on.
        CpuParallel.For(ref kernel, chunks, 1, rows * k >= 512 ? 2 : int.MaxValue, threads);
        double sumLoss = 0, sumWeight = 0, sumCorrect = 0, sumSquared = 0;
        for (int c = 0; c < chunks; c++)
        {
            sumLoss += sums[4 * c];
            sumWeight += sums[4 * c + 1];
            sumCorrect += sums[4 * c + 2];
            sumSquared += sums[4 * c + 3];
        }
        accumulator[LossAccumulator.WeightedLoss] += (float)sumLoss;
        accumulator[LossAccumulator.Weight] += (float)sumWeight;
        accumulator[LossAccumulator.WeightedCorrect] += (float)sumCorrect;
        accumulator[LossAccumulator.WeightedSquaredError] += (float)sumSquared;
    }

    /// <summary>Items are chunks of <c>chunkRows</c> rows; chunk c writes its four sums to sums[4c..4c+3].</summary>
    private readonly struct Chunks(LossFunction loss, float huberDelta, float* output, float* labels, float* weights,
        int rows, int k, float* gradient, float scale, int chunkRows, double* sums) : IRangeKernel
    {
        public void Run(int start, int end)
        {
            for (int c = start; c < end; c++)
                LossRows(loss, huberDelta, output, labels, weights, c * chunkRows, Math.Min(rows, (c + 1) * chunkRows), k, gradient, scale, sums + 4 * c);
        }
    }

    private static void LossRows(LossFunction loss, float huberDelta, float* output, float* labels, float* weights,
        int start, int end, int k, float* gradient, float scale, double* sums)
    {
        double sumLoss = 0, sumWeight = 0, sumCorrect = 0, sumSquared = 0;
        int labelWidth = NetworkDescription.LabelWidthOf(loss, k);
        for (int r = start; r < end; r++)
        {
            float w = weights == null ? 1f : weights[r];
            float* z = output + (long)r * k;
            float* y = labels + (long)r * labelWidth;
            float* g = gradient == null ? null : gradient + (long)r * k;
            float rowLoss, correct = 0f, squared = 0f;
            switch (loss)
            {
                case LossFunction.BinaryCrossEntropy:
                    rowLoss = LossMath.BinaryCrossEntropy(z[0], y[0]);
                    correct = (z[0] > 0f) == (y[0] > 0.5f) ? 1f : 0f;
                    if (g != null)
                        g[0] = scale * w * (ActivationMath.Sigmoid(z[0]) - y[0]);
                    break;
                case LossFunction.SoftmaxCrossEntropy:
                    rowLoss = SoftmaxCrossEntropy(z, (int)y[0], k, g, scale * w, out correct);
                    break;
                default:
                    rowLoss = 0f;
                    for (int j = 0; j < k; j++)
                    {
                        float residual = z[j] - y[j];
                        squared += residual * residual;
                        if (loss == LossFunction.Squared)
                        {
                            rowLoss += residual * residual;
                            if (g != null)
                                g[j] = scale * w * 2f * residual / k;
                        }
                        else
                        {
                            rowLoss += LossMath.Huber(residual, huberDelta);
                            if (g != null)
                                g[j] = scale * w * LossMath.HuberGradient(residual, huberDelta) / k;
                        }
                    }
                    rowLoss /= k;
                    break;
            }
            sumLoss += (double)w * rowLoss;
            sumWeight += w;
            sumCorrect += (double)w * correct;
            sumSquared += (double)w * squared;
        }
        sums[0] = sumLoss;
        sums[1] = sumWeight;
        sums[2] = sumCorrect;
        sums[3] = sumSquared;
    }

    // L = log Σ_j e^{z_j} − z_y through the max shift; ∂L/∂z_j = softmax_j − [j = y].
    private static float SoftmaxCrossEntropy(float* z, int label, int k, float* g, float gradientScale, out float correct)
    {
        float max = z[0];
        int argMax = 0;
        for (int j = 1; j < k; j++)
            if (z[j] > max) { max = z[j]; argMax = j; }
        double sum = 0;
        for (int j = 0; j < k; j++)
            sum += Math.Exp(z[j] - max);
        correct = argMax == label ? 1f : 0f;
        if (g != null)
        {
            double inverse = 1.0 / sum;
            for (int j = 0; j < k; j++)
                g[j] = gradientScale * ((float)(Math.Exp(z[j] - max) * inverse) - (j == label ? 1f : 0f));
        }
        return (float)(max + Math.Log(sum) - z[label]);
    }
}
