using System.Reflection;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Backends;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using ILGPU.Runtime;
using ILGPU;
using Microsoft.ML.Trainers.Mlp;
using Mlp.Gpu.Backends.Cpu;
using Mlp.Gpu.Backends.Ilgpu;
using Mlp.Gpu.Backends;
using Mlp.Gpu.Network;
using Mlp.Gpu.Optimizers;
using Mlp.Gpu.Training;
using Mlp.Testing;

namespace Mlp.Gpu.Tests;

/// <summary>
/// Device choice (Auto never picks the simulator; an absent GPU is a clear error), the public training entry point on
/// the simulator, and every ILGPU kernel compiled to PTX and OpenCL C without a GPU (so kernels that only the CPU
/// simulator accepts are caught here).
/// </summary>
[TestClass]
internal sealed class IlgpuDeviceTests
{
    [TestMethod]
    public void AutoTakesAGpuOrTheSimdCpuBackendNeverTheSimulator()
    {
        using var backend = BackendFactory.Create(MlpDevice.Auto);
        if (backend is IlgpuBackend gpu)
            Assert.AreNotEqual(AcceleratorType.CPU, gpu.AcceleratorType, gpu.Name);
        else
            Assert.IsInstanceOfType<CpuBackend>(backend);
    }

    [TestMethod]
    [DataRow(MlpDevice.Cuda)]
    [DataRow(MlpDevice.OpenCL)]
    public void AnAbsentGpuIsAClearErrorAndAPresentOneIsTaken(MlpDevice device)
    {
        string? absent = IlgpuTargets.Absent(device == MlpDevice.Cuda ? IlgpuTarget.Cuda : IlgpuTarget.OpenCL);
        if (absent is null)
        {
            // On a machine with that GPU the factory must give a backend on it (never a skip: a GPU run fails on skips).
            using var backend = BackendFactory.Create(device);
            var gpu = Assert.IsInstanceOfType<IlgpuBackend>(backend);
            Assert.AreEqual(device == MlpDevice.Cuda ? AcceleratorType.Cuda : AcceleratorType.OpenCL, gpu.AcceleratorType, gpu.Name);
            return;
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => BackendFactory.Create(device).Dispose(), absent);
        StringAssert.Contains(e.Message, device.ToString());
        StringAssert.Contains(e.Message, "Devices seen:");
    }

    [TestMethod]
    public void PublicTrainingRunsOnTheSimulatorLikeOnTheCpu()
    {
        var data = TestData.Xor();
        var net = new NetworkDescription(2, [8], MlpActivation.Tanh, 1, LossFunction.BinaryCrossEntropy);
        var initial = ParameterInitializer.Create(net, 1);
        var options = CoreTestOptions.Training with
        {
            Device = MlpDevice.Cpu, Epochs = 30, BatchSize = 4, Optimizer = CoreTestOptions.Optimizer with { Kind = MlpOptimizer.Adam, LearningRate = 0.05f },
        };
        var cpu = NetworkTrainer.Train(net, initial, data, null, options);
        using var simulator = IlgpuDevices.CreateSimulatorBackend();
        var simulated = NetworkTrainer.Train(simulator, net, initial, data, null, options);
        IlgpuParity.AreClose(cpu.Parameters, simulated.Parameters, 1e-3, 1e-4, "XOR parameters after 30 steps");
    }

    // A kernel generic over an activation or a loss head is listed once per struct: each instantiation is compiled on its own.
    public static IEnumerable<object[]> Kernels() => typeof(IlgpuBackend).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(IlgpuBackend).Namespace)
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal) && m.ReturnType == typeof(void))
        .SelectMany(m => !m.IsGenericMethodDefinition ? [$"{m.DeclaringType!.Name}.{m.Name}"]
            : Operations(m.GetGenericArguments()[0]).Select(o => $"{m.DeclaringType!.Name}.{m.Name}<{o.Name}>"))
        .Select(name => new object[] { name });

    // 9 plain kernels; forward and backward for 6 activations; the loss kernel for 4 heads.
    [TestMethod]
    public void EveryKernelIsFound() => Assert.HasCount(9 + 2 * 6 + 4, Kernels().ToList(), string.Join(", ", Kernels().Select(k => k[0])));

    [TestMethod]
    [DynamicData(nameof(Kernels))]
    public void KernelCompilesToPtxAndOpenCL(string kernel)
    {
        var method = FindKernel(kernel);
        var entry = method.GetParameters()[0].ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(method);
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        var sm90 = CudaArchitecture.SM_90;
        using var ptx = new PTXBackend(context, new CudaCapabilityContext(sm90), sm90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var compiled = (PTXCompiledKernel)ptx.Compile(entry, default);
        StringAssert.Contains(compiled.PTXAssembly, ".entry", kernel);
        // A minimal OpenCL device: no float64, float16, int64 atomics, sub-groups or generic address space.
        using var cl = new CLBackend(context, new CLCapabilityContext(false, false, false, false, false), CLDeviceVendor.Nvidia, CLCVersion.CL20);
        var source = ((CLCompiledKernel)cl.Compile(entry, default)).Source;
        StringAssert.Contains(source, "kernel", kernel);
    }

    private static MethodInfo FindKernel(string name)
    {
        var parts = name.Split('.', '<', '>');
        var type = typeof(IlgpuBackend).Assembly.GetTypes().Single(t => t.Namespace == typeof(IlgpuBackend).Namespace && t.Name == parts[0]);
        var method = type.GetMethod(parts[1], BindingFlags.Static | BindingFlags.NonPublic)!;
        return method.IsGenericMethodDefinition
            ? method.MakeGenericMethod(Operations(method.GetGenericArguments()[0]).Single(o => o.Name == parts[2]))
            : method;
    }

    // The structs a kernel's type parameter can take: every IActivation or every ILossHead.
    private static IEnumerable<Type> Operations(Type parameter) => parameter.GetGenericParameterConstraints()
        .Where(c => c.IsInterface && c != typeof(ValueType))
        .SelectMany(c => c.Assembly.GetTypes().Where(t => t.IsValueType && c.IsAssignableFrom(t) && !t.IsGenericType))
        .Where(t => t.DeclaringType == typeof(Activations) || t.DeclaringType == typeof(LossHeads));
}
