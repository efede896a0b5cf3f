using System.Runtime.CompilerServices;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>A kernel over a range of independent items (rows, elements, columns) that <see cref="CpuParallel"/> can split.</summary>
internal interface IRangeKernel
{
    /// <summary>Processes items [start, end).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Splits an element-wise or row-wise kernel over <see cref="CpuWorkerPool"/> in contiguous ranges. Every item is
/// computed the same way whatever the split, so results never depend on the thread count.
/// </summary>
internal static unsafe class CpuParallel
{
    /// <summary>
    /// Runs <paramref name="kernel"/> over [0, <paramref name="count"/>) in up to <paramref name="threads"/>
    /// ranges whose boundaries are multiples of <paramref name="align"/> (16 floats = one cache line keeps threads off
    /// each other's lines). Below <paramref name="minParallel"/> items it runs on this thread: waking a worker would
    /// cost more than the work.
    /// </summary>
    public static void For<TKernel>(ref TKernel kernel, int count, int align, int minParallel, int threads)
        where TKernel : unmanaged, IRangeKernel
    {
        int chunks = (count + align - 1) / align;
        int parts = count < minParallel ? 1 : Math.Min(Math.Max(threads, 1), chunks);
        if (parts <= 1)
        {
            if (count > 0)
                kernel.Run(0, count);
            return;
        }

        var job = new Job<TKernel> { Kernel = (TKernel*)Unsafe.AsPointer(ref kernel), Count = count, Align = align, Chunks = chunks };
        CpuWorkerPool.Run(&RunPart<TKernel>, &job, parts);
    }

    private struct Job<TKernel>
        where TKernel : unmanaged
    {
        public TKernel* Kernel;
        public int Count, Align, Chunks;
    }

    private static void RunPart<TKernel>(void* state, int part, int parts)
        where TKernel : unmanaged, IRangeKernel
    {
        var job = (Job<TKernel>*)state;
        int first = (int)((long)job->Chunks * part / parts), last = (int)((long)job->Chunks * (part + 1) / parts);
        int start = Math.Min(job->Count, first * job->Align), end = Math.Min(job->Count, last * job->Align);
        if (start < end)
            job->Kernel->Run(start, end);
    }
}
