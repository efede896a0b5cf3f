using System.Diagnostics;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// A static pool of background threads that runs one statically partitioned job at a time, without allocating:
/// the job is a function pointer and a pointer to the caller's state, part 0 runs on the calling thread.
/// Workers spin for a short while after each job (training calls kernels back to back, and waking a blocked
/// thread costs tens of microseconds), then block so an idle pool burns no CPU.
/// </summary>
internal static unsafe class CpuWorkerPool
{
    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 5000; // 200 microseconds

    private static readonly Lock s_runLock = new();
    private static Worker[] s_workers = [];
    private static delegate*<void*, int, int, void> s_body;
    private static void* s_state;
    private static int s_parts;
    private static readonly PaddedCounters s_counters = new();
    private static Exception? s_error;

    [ThreadStatic]
    private static bool t_insideJob;

    /// <summary>
    /// Runs body(state, part, parts) for every part in [0, parts) and returns when all are done. Parts run on
    /// up to parts threads; when the pool is busy with another caller's job (or this is a nested call) they all run
    /// here, one after another, so callers must not depend on which thread runs a part.
    /// </summary>
    public static void Run(delegate*<void*, int, int, void> body, void* state, int parts)
    {
        if (parts <= 1 || t_insideJob || !s_runLock.TryEnter())
        {
            RunInline(body, state, parts);
            return;
        }

        try
        {
            t_insideJob = true;
            Worker[] workers = EnsureWorkers(parts - 1);
            s_body = body;
            s_state = state;
            s_parts = parts;
            s_error = null;
            Volatile.Write(ref s_counters.Pending, parts - 1);
            for (int w = 0; w < parts - 1; w++)
                workers[w].Signal();

            body(state, 0, parts);

            // Parts are balanced, so the others finish about now: spin, and yield only if a worker was descheduled.
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref s_counters.Pending) != 0)
            {
                if (Stopwatch.GetTimestamp() - start < s_spinTicks)
                    Thread.SpinWait(8);
                else
                    Thread.Yield();
            }

            if (s_error is { } error)
                throw new AggregateException(error);
        }
        finally
        {
            t_insideJob = false;
            s_runLock.Exit();
        }
    }

    private static void RunInline(delegate*<void*, int, int, void> body, void* state, int parts)
    {
        bool outer = !t_insideJob;
        t_insideJob = true;
        try
        {
            for (int p = 0; p < Math.Max(parts, 1); p++)
                body(state, p, parts);
        }
        finally
        {
            if (outer)
                t_insideJob = false;
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count)
            return workers;
        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++)
            grown[i] = new Worker(i + 1);
        s_workers = grown;
        return grown;
    }

    private sealed class Worker
    {
        private readonly object _gate = new();
        private readonly int _part;
        private readonly PaddedCounters _signal = new(); // Pending: the job ticket; Sleeping: 1 while blocked

        public Worker(int part)
        {
            _part = part;
            var thread = new Thread(Loop, 256 * 1024) { IsBackground = true, Name = $"Mlp CPU worker {part}" };
            thread.Start();
        }

        /// <summary>Hands this worker the current job (called under the run lock).</summary>
        public void Signal()
        {
            Interlocked.Increment(ref _signal.Pending);
            // Full fence above, full fence on the worker's side before it re-checks the ticket: one of the two sees the other.
            if (Volatile.Read(ref _signal.Sleeping) != 0)
            {
                lock (_gate)
                    Monitor.Pulse(_gate);
            }
        }

        private void Loop()
        {
            t_insideJob = true; // a body that calls Run from a worker runs its parts inline
            int seen = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _signal.Pending) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start < s_spinTicks)
                    {
                        Thread.SpinWait(8);
                        continue;
                    }

                    lock (_gate)
                    {
                        Interlocked.Exchange(ref _signal.Sleeping, 1);
                        while (Volatile.Read(ref _signal.Pending) == seen)
                            Monitor.Wait(_gate);
                        _signal.Sleeping = 0;
                    }
                }

                seen++;
                try
                {
                    s_body(s_state, _part, s_parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_error, e, null);
                }

                Interlocked.Decrement(ref s_counters.Pending);
            }
        }
    }

    /// <summary>
    /// Counters spun on by one core and written by the other, alone on their cache lines: a line shared with data a
    /// core writes often would move between the cores on every spin.
    /// </summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 256)]
    private sealed class PaddedCounters
    {
        [System.Runtime.InteropServices.FieldOffset(128)]
        public int Pending;

        [System.Runtime.InteropServices.FieldOffset(132)]
        public int Sleeping;
    }
}
