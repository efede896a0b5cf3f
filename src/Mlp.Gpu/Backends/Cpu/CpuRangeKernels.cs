namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// The CPU backend's row- and element-wise kernels as <see cref="IRangeKernel"/>s, so <see cref="CpuParallel"/> can
/// split them over the cores. Each item is computed the same way in any range, so results do not depend on the split.
/// </summary>
internal static unsafe class CpuRangeKernels
{
    /// <summary>destination[i, :] = source[indices[i], :]; items are destination rows.</summary>
    public readonly struct GatherRows(float* source, int sourceLength, int width, int* indices, float* destination) : IRangeKernel
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                long offset = (long)indices[i] * width;
                if (indices[i] < 0 || offset + width > sourceLength)
                    throw new IndexOutOfRangeException($"Row index {indices[i]} is outside the source buffer.");
                new ReadOnlySpan<float>(source + offset, width).CopyTo(new Span<float>(destination + (long)i * width, width));
            }
        }
    }
}
