using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Mlp.Gpu.Backends.Ilgpu;

namespace Mlp.Gpu.Tests;

/// <summary>
/// Every instantiation of the kernels generic over an activation or a loss head compiles to PTX and to OpenCL C, with no
/// GPU present. ILGPU's CPU accelerator runs kernels as .NET code, so the parity tests alone would not see a construct
/// that ILGPU's GPU compilers reject.
/// </summary>
[TestClass]
public sealed class IlgpuKernelCompileTests
{
    public static IEnumerable<object[]> Kernels()
    {
        foreach (var activation in typeof(Activations).GetNestedTypes().Where(t => t.IsValueType))
        {
            yield return [typeof(IlgpuActivationKernels), "ForwardKernel", activation];
            yield return [typeof(IlgpuActivationKernels), "BackwardKernel", activation];
        }
        foreach (var head in typeof(LossHeads).GetNestedTypes().Where(t => t.IsValueType))
            yield return [typeof(IlgpuLossKernel), "Kernel", head];
    }

    [TestMethod]
    [DynamicData(nameof(Kernels))]
    public void CompilesForCudaAndOpenCL(Type owner, string name, Type operation)
    {
        var kernel = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(operation);
        using var context = Context.Create(builder => builder.Cuda().OpenCL().EnableAlgorithms());
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        using (var ptx = new PTXBackend(context, CudaArchitecture.SM_70, CudaInstructionSet.ISA_70, nvvmAPI: null))
        {
            var compiled = (PTXCompiledKernel)ptx.Compile(entry, default(KernelSpecialization));
            StringAssert.Contains(compiled.PTXAssembly, ".entry", $"{name}<{operation.Name}>");
        }
        var capabilities = new CLCapabilityContext(false, false, false, false, false);
        using var cl = new CLBackend(context, capabilities, CLDeviceVendor.Nvidia, CLCVersion.CL20);
        var source = ((CLCompiledKernel)cl.Compile(entry, default(KernelSpecialization))).Source;
        StringAssert.Contains(source, "kernel", $"{name}<{operation.Name}>");
    }
}
