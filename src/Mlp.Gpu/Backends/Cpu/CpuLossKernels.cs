using System.Runtime.CompilerServices;
using Mlp.Gpu.Network;

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
        var loader = default(Loader);
        LossHeads.Dispatch(loss, ref loader);
        var kernel = new Chunks(loader.Rows, huberDelta, output, labels, weights, rows, k, NetworkDescription.LabelWidthOf(loss, k),
            gradient, scale, chunkRows, sums);
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

    /// <summary>The row loop of one head: the instantiation that <see cref="LossHeads.Dispatch"/> picks.</summary>
    private struct Loader : ILossHeadConsumer
    {
        public delegate*<float, float*, float*, float*, int, int, int, int, float*, float, double*, void> Rows;

        public void Invoke<THead>()
            where THead : struct, ILossHead => Rows = &LossRows<THead>;
    }

    /// <summary>Items are chunks of <c>chunkRows</c> rows; chunk c writes its four sums to sums[4c..4c+3].</summary>
    private readonly struct Chunks(delegate*<float, float*, float*, float*, int, int, int, int, float*, float, double*, void> lossRows,
        float huberDelta, float* output, float* labels, float* weights, int rows, int k, int labelWidth, float* gradient, float scale,
        int chunkRows, double* sums) : IRangeKernel
    {
        public void Run(int start, int end)
        {
            for (int c = start; c < end; c++)
                lossRows(huberDelta, output, labels, weights, c * chunkRows, Math.Min(rows, (c + 1) * chunkRows), k, labelWidth, gradient, scale, sums + 4 * c);
        }
    }

    private static void LossRows<THead>(float huberDelta, float* output, float* labels, float* weights, int start, int end, int k,
        int labelWidth, float* gradient, float scale, double* sums)
        where THead : struct, ILossHead
    {
        double sumLoss = 0, sumWeight = 0, sumCorrect = 0, sumSquared = 0;
        for (int r = start; r < end; r++)
        {
            float w = weights == null ? 1f : weights[r];
            var row = new Row(output + (long)r * k, labels + (long)r * labelWidth, gradient == null ? null : gradient + (long)r * k);
            float loss = default(THead).Loss(row, k, huberDelta, scale * w, gradient != null, out float correct, out float squared);
            sumLoss += (double)w * loss;
            sumWeight += w;
            sumCorrect += (double)w * correct;
            sumSquared += (double)w * squared;
        }
        sums[0] = sumLoss;
        sums[1] = sumWeight;
        sums[2] = sumCorrect;
        sums[3] = sumSquared;
    }

    private readonly struct Row(float* z, float* y, float* g) : ILossRow
    {
        public float Output(int j) => z[j];

        public float Label(int j) => y[j];

        public void SetGradient(int j, float value) => g[j] = value;
    }
}
