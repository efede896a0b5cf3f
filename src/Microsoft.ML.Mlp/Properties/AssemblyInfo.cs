// The runtime honours IgnoresAccessChecksToAttribute (matched by full name, declared in any assembly): this assembly
// may use the non-public types and members of the named assemblies. The compiler does not know the attribute; it
// accepts those uses because it compiles against publicized copies (eng/Publicize.targets, PublicizeReference in
// the project file). Without it, ML.NET's component catalog would also ignore our [assembly: LoadableClass] entries.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

// The option enums that the compute core uses down to its kernels are defined in Mlp.Gpu (shipped in the same package);
// code compiled against an earlier Microsoft.ML.Mlp that defined them here still binds.
[assembly: System.Runtime.CompilerServices.TypeForwardedTo(typeof(Microsoft.ML.Trainers.Mlp.MlpOptimizer))]
[assembly: System.Runtime.CompilerServices.TypeForwardedTo(typeof(Microsoft.ML.Trainers.Mlp.MlpDevice))]
[assembly: System.Runtime.CompilerServices.TypeForwardedTo(typeof(Microsoft.ML.Trainers.Mlp.MlpActivation))]

namespace System.Runtime.CompilerServices;

/// <summary>Lets this assembly access the non-public members of the named assembly at run time.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Initializes the attribute with the simple name of the assembly whose internals are used.</summary>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose internals are used.</summary>
    public string AssemblyName { get; }
}
