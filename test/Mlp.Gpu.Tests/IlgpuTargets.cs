using Mlp.Gpu.Backends;
using Mlp.Gpu.Backends.Ilgpu;

namespace Mlp.Gpu.Tests;

/// <summary>Where an ILGPU test body runs. The CPU simulator is always present; the GPUs are tried and skipped when absent.</summary>
public enum IlgpuTarget
{
    /// <summary>ILGPU's CPU accelerator (tiled GEMM).</summary>
    CpuSimulator,

    /// <summary>A CUDA GPU, GEMM through cuBLAS.</summary>
    Cuda,

    /// <summary>A CUDA GPU, GEMM through the tiled ILGPU kernel.</summary>
    CudaTiled,

    /// <summary>An OpenCL GPU (tiled GEMM).</summary>
    OpenCL,
}

/// <summary>
/// One ILGPU backend per target, created on first use and shared by a test class (an ILGPU context and its kernel
/// compilations are expensive); a target without hardware is reported through <see cref="Assert.Inconclusive(string)"/>.
/// </summary>
internal sealed class IlgpuTargets : IDisposable
{
    private readonly Dictionary<IlgpuTarget, (IlgpuBackend? Backend, string? Missing)> _backends = [];
    private readonly Lock _lock = new();

    /// <summary>The backend for <paramref name="target"/>; Inconclusive when the device is absent.</summary>
    public IlgpuBackend Get(IlgpuTarget target)
    {
        lock (_lock)
        {
            if (!_backends.TryGetValue(target, out var entry))
            {
                try
                {
                    entry = (Create(target), null);
                }
                catch (InvalidOperationException e)
                {
                    entry = (null, e.Message);
                }
                _backends[target] = entry;
            }
            if (entry.Backend is null)
                Assert.Inconclusive($"Skipped on {target}: {entry.Missing}");
            return entry.Backend!;
        }
    }

    private static IlgpuBackend Create(IlgpuTarget target) => target switch
    {
        IlgpuTarget.CpuSimulator => IlgpuDevices.CreateBackend(DeviceKind.IlgpuCpu),
        IlgpuTarget.Cuda => IlgpuDevices.CreateBackend(DeviceKind.Cuda, useCuBlas: true),
        IlgpuTarget.CudaTiled => IlgpuDevices.CreateBackend(DeviceKind.Cuda, useCuBlas: false),
        _ => IlgpuDevices.CreateBackend(DeviceKind.OpenCL),
    };

    public void Dispose()
    {
        foreach (var (backend, _) in _backends.Values)
            backend?.Dispose();
        _backends.Clear();
    }
}

/// <summary>Upload/download helpers and the float comparison the ILGPU parity tests share.</summary>
internal static class IlgpuParity
{
    public static DeviceBuffer<float> Upload(IBackend backend, float[] values)
    {
        var buffer = backend.Allocate(values.Length);
        backend.Upload(values, buffer);
        return buffer;
    }

    public static float[] Download(IBackend backend, DeviceBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        backend.Download(buffer, values);
        return values;
    }

    public static float[] RandomValues(int count, int seed, double scale = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(scale * TestData.Gaussian(random))).ToArray();
    }

    /// <summary>|actual − expected| ≤ absolute + relative·|expected|, element by element, naming the first mismatch.</summary>
    public static void AreClose(float[] expected, float[] actual, double relative, double absolute, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + relative * Math.Abs(expected[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance:g3}).");
        }
    }
}
