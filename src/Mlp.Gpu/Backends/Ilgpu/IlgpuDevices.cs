using ILGPU.Algorithms;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using ILGPU.Runtime;
using ILGPU;
using Microsoft.ML.Trainers.Mlp;

namespace Mlp.Gpu.Backends.Ilgpu;

/// <summary>
/// Finds the ILGPU device for a <see cref="MlpDevice"/> and creates the backend on it. CUDA and OpenCL mean GPUs
/// (an OpenCL CPU runtime would be slower than the SIMD backend); ILGPU's CPU accelerator is only ever used when
/// asked for by name (<see cref="CreateSimulatorBackend"/>, for tests: no device choice reaches it).
/// </summary>
internal static class IlgpuDevices
{
    /// <summary>
    /// The simulated device of <see cref="CreateSimulatorBackend"/>: one multiprocessor of 16 warps of 4 threads, so a
    /// group holds the tiled GEMM's 64 threads (ILGPU's default CPU device allows only 16).
    /// </summary>
    public static CPUDevice CpuSimulator { get; } = new(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 16, numMultiprocessors: 1);

    private static volatile bool s_noGpu;

    /// <summary>The backend on the best GPU (CUDA first, then OpenCL), or null when there is none.</summary>
    public static IlgpuBackend? TryCreateGpuBackend()
    {
        if (s_noGpu)
            return null;
        Context context;
        try
        {
            context = CreateContext(includeCpuSimulator: false);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            s_noGpu = true; // a broken or absent driver stack means no usable GPU
            return null;
        }
        var device = Best(context, AcceleratorType.Cuda) ?? Best(context, AcceleratorType.OpenCL);
        if (device is null)
        {
            context.Dispose();
            s_noGpu = true;
            return null;
        }
        return new IlgpuBackend(context, device);
    }

    /// <summary>The backend on the device of <paramref name="kind"/> (Cuda or OpenCL); a clear error when absent.</summary>
    /// <exception cref="InvalidOperationException">No such device; the message lists the devices ILGPU saw.</exception>
    public static IlgpuBackend CreateBackend(MlpDevice kind, bool? useCuBlas = null) => kind switch
    {
        MlpDevice.Cuda => CreateBackend(AcceleratorType.Cuda, useCuBlas),
        MlpDevice.OpenCL => CreateBackend(AcceleratorType.OpenCL, useCuBlas),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected Cuda or OpenCL."),
    };

    /// <summary>The ILGPU kernels on ILGPU's CPU accelerator (<see cref="CpuSimulator"/>): the parity tests' target,
    /// about 100x slower than the SIMD backend, never chosen by a device option.</summary>
    public static IlgpuBackend CreateSimulatorBackend() => CreateBackend(AcceleratorType.CPU, useCuBlas: false);

    private static IlgpuBackend CreateBackend(AcceleratorType type, bool? useCuBlas)
    {
        var context = CreateContext(includeCpuSimulator: type == AcceleratorType.CPU);
        var device = Best(context, type);
        if (device is null)
        {
            string seen = Describe(context);
            context.Dispose();
            throw new InvalidOperationException(
                $"Device {type} was requested, but ILGPU found no {type switch { AcceleratorType.Cuda => "CUDA GPU", AcceleratorType.OpenCL => "OpenCL GPU", _ => "CPU accelerator" }}. " +
                $"Devices seen: {seen}. Use {nameof(MlpDevice)}.{nameof(MlpDevice.Auto)} to fall back to the CPU, or {nameof(MlpDevice)}.{nameof(MlpDevice.Cpu)}.");
        }
        return new IlgpuBackend(context, device, useCuBlas);
    }

    /// <summary>One line per device ILGPU can see (CUDA and every OpenCL device), for messages and logs.</summary>
    private static string Describe(Context context)
    {
        var names = context.Devices.Select(d => $"{d.AcceleratorType} '{d.Name}'").ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static Context CreateContext(bool includeCpuSimulator) => Context.Create(builder =>
    {
        builder.Cuda().OpenCL().EnableAlgorithms();
        if (includeCpuSimulator)
            builder.CPU(CpuSimulator);
    });

    // The device of that type with the most memory; OpenCL counts GPUs only.
    private static Device? Best(Context context, AcceleratorType type) => context.Devices
        .Where(d => d.AcceleratorType == type && (d is not CLDevice cl || cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU))
        .OrderByDescending(d => d.MemorySize)
        .FirstOrDefault();
}
