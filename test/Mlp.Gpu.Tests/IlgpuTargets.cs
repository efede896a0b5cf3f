using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using ILGPU.Runtime;
using ILGPU;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Ilgpu;
using Mlp.Gpu.Backends;

namespace Mlp.Gpu.Tests;

/// <summary>Where an ILGPU test body runs. The CPU simulator is always present; a GPU target is skipped only where no such GPU exists.</summary>
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
/// compilations are expensive). A target is skipped (<see cref="Assert.Inconclusive(string)"/>) only when ILGPU sees no
/// device of its kind; when the device is there, any failure to create the backend (cuBLAS not loadable, a driver
/// error) fails every test of that target.
/// </summary>
internal sealed class IlgpuTargets : IDisposable
{
    private readonly Dictionary<IlgpuTarget, (IlgpuBackend? Backend, string? Absent, Exception? Failure)> _backends = [];
    private readonly Lock _lock = new();

    /// <summary>The backend for <paramref name="target"/>; Inconclusive when no device of its kind exists, a failure when one
    /// exists but the backend cannot be created on it.</summary>
    public IlgpuBackend Get(IlgpuTarget target)
    {
        lock (_lock)
        {
            if (!_backends.TryGetValue(target, out var entry))
            {
                string? absent = Absent(target);
                if (absent is not null)
                {
                    entry = (null, absent, null);
                }
                else
                {
                    try
                    {
                        entry = (Create(target), null, null);
                    }
                    catch (Exception e)
                    {
                        entry = (null, null, e);
                    }
                }
                _backends[target] = entry;
            }
            if (entry.Failure is not null)
                throw new AssertFailedException($"{target}: the device is present, but its backend could not be created: {entry.Failure.Message}", entry.Failure);
            if (entry.Backend is null)
                Assert.Inconclusive($"Skipped on {target}: {entry.Absent}");
            return entry.Backend!;
        }
    }

    /// <summary>
    /// Why <paramref name="target"/> cannot run here (no device of its kind), or null when the device exists. Asked of a
    /// fresh ILGPU context, apart from the backend's own device search, so that a bug there cannot turn into a skip.
    /// </summary>
    public static string? Absent(IlgpuTarget target)
    {
        if (target == IlgpuTarget.CpuSimulator)
            return null; // ILGPU's CPU accelerator is always there
        using var context = Context.Create(builder => builder.Cuda().OpenCL());
        var devices = context.Devices.ToList();
        bool present = target == IlgpuTarget.OpenCL
            ? devices.OfType<CLDevice>().Any(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU)
            : devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
        if (present)
            return null;
        string seen = devices.Count == 0 ? "none" : string.Join(", ", devices.Select(d => $"{d.AcceleratorType} '{d.Name}'"));
        return $"no {(target == IlgpuTarget.OpenCL ? "OpenCL GPU" : "CUDA GPU")} on this machine (devices ILGPU sees: {seen}).";
    }

    private static IlgpuBackend Create(IlgpuTarget target) => target switch
    {
        IlgpuTarget.CpuSimulator => IlgpuDevices.CreateSimulatorBackend(),
        IlgpuTarget.Cuda => IlgpuDevices.CreateBackend(MlpDevice.Cuda, useCuBlas: true),
        IlgpuTarget.CudaTiled => IlgpuDevices.CreateBackend(MlpDevice.Cuda, useCuBlas: false),
        _ => IlgpuDevices.CreateBackend(MlpDevice.OpenCL),
    };

    public void Dispose()
    {
        foreach (var (backend, _, _) in _backends.Values)
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
