using System.Diagnostics;
using System.Globalization;

namespace Mlp.Benchmarks;

/// <summary>
/// Round trip of one cache line between two threads spinning on two cores. On a VM the host may place the two vCPUs on
/// cores that share an L3 (tens of nanoseconds) or on different chiplets (hundreds): work split over the cores that
/// passes matrices between them (every training step does) slows down in the second case while independent processes
/// do not notice. The 2-thread benchmarks print it next to each run so such runs can be recognised.
/// </summary>
internal static class CoreLatency
{
    private const int RoundTrips = 100_000;

    public static int Run(string[] args)
    {
        int samples = int.Parse(BenchmarkUtil.Option(args, "--samples") ?? "5", CultureInfo.InvariantCulture);
        for (int i = 0; i < samples; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"core-to-core round trip: {MeasureNanoseconds():F0} ns"));
        return 0;
    }

    /// <summary>Mean nanoseconds for one cache line to go to the other thread and back.</summary>
    public static double MeasureNanoseconds()
    {
        var line = new long[32]; // the counter at index 8: a line of its own whatever the array's alignment
        var partner = new Thread(() =>
        {
            for (long i = 1; i <= RoundTrips; i++)
            {
                while (Volatile.Read(ref line[8]) != 2 * i - 1)
                {
                }
                Volatile.Write(ref line[8], 2 * i);
            }
        }) { IsBackground = true };
        partner.Start();
        while (partner.ThreadState == System.Threading.ThreadState.Unstarted)
            Thread.Yield();
        long start = Stopwatch.GetTimestamp();
        for (long i = 1; i <= RoundTrips; i++)
        {
            Volatile.Write(ref line[8], 2 * i - 1);
            while (Volatile.Read(ref line[8]) != 2 * i)
            {
            }
        }
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / RoundTrips;
        partner.Join();
        return ns;
    }
}
