using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// The library is compiled once, against one ML.NET release, and the package admits a range of them. These sources
/// run twice: in Microsoft.ML.Mlp.Tests on the release the library is compiled against, and in
/// Microsoft.ML.Mlp.Tests.MlNet5 on the oldest release the package admits. There the library binary (compiled
/// against the newer release, as shipped) meets the older ML.NET, so every type and member it uses, internals
/// included, must exist in both.
/// </summary>
[TestClass]
public sealed class MlNetCompatibilityTests
{
    private static readonly Assembly s_library = typeof(MlpCatalog).Assembly;

    /// <summary>The ML.NET release this test project was built for (its MlNetVersion), and that it must run on.</summary>
    [TestMethod]
    public void RunsOnTheMlNetReleaseItWasBuiltFor()
    {
        string expected = Metadata(typeof(MlNetCompatibilityTests).Assembly, "MlNetVersion");
        string compiledAgainst = Metadata(s_library, "CompiledAgainstMlNet");
        foreach (var assembly in new[] { typeof(MLContext).Assembly, typeof(IDataView).Assembly })
            Assert.AreEqual(expected, ReleaseOf(assembly), $"{assembly.GetName().Name} at {assembly.Location}");
        Assert.IsFalse(string.IsNullOrEmpty(compiledAgainst), "Microsoft.ML.Mlp does not say which ML.NET it was compiled against");
    }

    /// <summary>
    /// Loads every type of Microsoft.ML.Mlp (a changed base class or abstract member fails the load) and resolves
    /// every type and member that any of its method bodies or attributes uses against the ML.NET loaded now.
    /// </summary>
    [TestMethod]
    public void EveryTypeAndMemberTheLibraryUsesExistsInTheLoadedMlNet()
    {
        var report = MetadataScan.Run(s_library);
        Assert.IsEmpty(report.Failures,
            $"Microsoft.ML.Mlp (compiled against ML.NET {Metadata(s_library, "CompiledAgainstMlNet")}) uses what ML.NET " +
            $"{ReleaseOf(typeof(MLContext).Assembly)} does not have:\n" + string.Join("\n", report.Failures));

        // The scan must reach the internals we depend on, or it would pass vacuously.
        foreach (string member in new[] { ".ModelLoadContext.CheckAtModel", ".VersionInfo..ctor", ".ModelSaveContext.SetVersionInfo" })
        {
            Assert.IsTrue(report.ResolvedMlNetMembers.Any(m => m.EndsWith(member, StringComparison.Ordinal)),
                $"the scan did not reach the internal member {member[1..]}; it reached: {string.Join(", ", report.ResolvedMlNetMembers.Order())}");
        }
        Assert.IsGreaterThan(50, report.ResolvedMlNetMembers.Count);
    }

    [TestMethod]
    public void ScanReportsAMemberOrTypeThatDoesNotExist()
    {
        // An assembly written here whose one method calls MLContext.NoSuchMethod() and NoSuchType.Run(): what a
        // library compiled against another ML.NET looks like when a member it uses has gone. The scan must name both.
        var probe = Assembly.Load(ProbeAssembly.Build());
        var report = MetadataScan.Run(probe, ProbeAssembly.TypeName);
        Assert.HasCount(2, report.Failures, string.Join("\n", report.Failures));
        Assert.IsTrue(report.Failures.Any(f => f.Contains("NoSuchMethod", StringComparison.Ordinal) && f.Contains("MissingMethodException", StringComparison.Ordinal)), string.Join("\n", report.Failures));
        Assert.IsTrue(report.Failures.Any(f => f.Contains("NoSuchType", StringComparison.Ordinal) && f.Contains("TypeLoadException", StringComparison.Ordinal)), string.Join("\n", report.Failures));
    }

    private static string Metadata(Assembly assembly, string key) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no [AssemblyMetadata(\"{key}\")]");

    /// <summary>The release from the informational version ("6.0.0+sha" → "6.0.0").</summary>
    private static string ReleaseOf(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

/// <summary>Writes a small assembly that refers to an ML.NET method and an ML.NET type that exist in no release.</summary>
internal static class ProbeAssembly
{
    public const string TypeName = "MissingMemberProbe";

    public static byte[] Build()
    {
        var metadata = new MetadataBuilder();
        StringHandle S(string value) => metadata.GetOrAddString(value);
        AssemblyReferenceHandle Reference(AssemblyName name) => metadata.AddAssemblyReference(
            S(name.Name!), name.Version!, default, metadata.GetOrAddBlob(name.GetPublicKeyToken() ?? []), default, default);

        metadata.AddModule(0, S("MlpScanProbe.dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(S("MlpScanProbe"), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        var coreLibrary = Reference(typeof(object).Assembly.GetName());
        var mlNet = Reference(typeof(MLContext).Assembly.GetName());
        var objectType = metadata.AddTypeReference(coreLibrary, S("System"), S("Object"));
        var contextType = metadata.AddTypeReference(mlNet, S("Microsoft.ML"), S("MLContext"));
        var missingType = metadata.AddTypeReference(mlNet, S("Microsoft.ML"), S("NoSuchType"));

        var instanceVoid = new BlobBuilder();
        new BlobEncoder(instanceVoid).MethodSignature(isInstanceMethod: true).Parameters(0, r => r.Void(), _ => { });
        var staticVoid = new BlobBuilder();
        new BlobEncoder(staticVoid).MethodSignature().Parameters(0, r => r.Void(), _ => { });
        var missingMethod = metadata.AddMemberReference(contextType, S("NoSuchMethod"), metadata.GetOrAddBlob(instanceVoid));
        var missingTypeMethod = metadata.AddMemberReference(missingType, S("Run"), metadata.GetOrAddBlob(staticVoid));

        // static void Call() { ((MLContext)null).NoSuchMethod(); NoSuchType.Run(); }
        var il = new InstructionEncoder(new BlobBuilder());
        il.OpCode(ILOpCode.Ldnull);
        il.Call(missingMethod);
        il.Call(missingTypeMethod);
        il.OpCode(ILOpCode.Ret);
        var bodies = new MethodBodyStreamEncoder(new BlobBuilder());
        int bodyOffset = bodies.AddMethodBody(il);

        metadata.AddTypeDefinition(default, default, S("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        metadata.AddTypeDefinition(TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class,
            S("Probes"), S(TypeName), objectType, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        metadata.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig, MethodImplAttributes.IL,
            S("Call"), metadata.GetOrAddBlob(staticVoid), bodyOffset, default);

        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), bodies.Builder).Serialize(image);
        return image.ToArray();
    }
}

/// <summary>Resolves what the method bodies and attributes of an assembly refer to, against the assemblies loaded now.</summary>
internal static class MetadataScan
{
    private static readonly OpCode[] s_oneByte = new OpCode[256];
    private static readonly OpCode[] s_twoByte = new OpCode[256];

    static MetadataScan()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)code.Value);
            if (code.Size == 1)
                s_oneByte[value] = code;
            else
                s_twoByte[value & 0xFF] = code;
        }
    }

    public sealed record Report(List<string> Failures, HashSet<string> ResolvedMlNetMembers);

    /// <param name="assembly">The assembly to scan.</param>
    /// <param name="onlyType">When given, scan only the type of that name (tests of the scan itself).</param>
    public static Report Run(Assembly assembly, string? onlyType = null)
    {
        var report = new Report([], []);
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            report.Failures.AddRange(e.LoaderExceptions.Select(x => $"type load: {x?.Message}"));
            types = e.Types.Where(t => t is not null).ToArray()!;
        }
        if (onlyType is null)
            ScanTypeReferences(assembly, report);

        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types.Where(t => onlyType is null || t.Name == onlyType))
        {
            Attributes(report, type.ToString(), () => type.GetCustomAttributesData());
            foreach (var method in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
            {
                string where = $"{type}.{method.Name}";
                Attributes(report, where, () => method.GetCustomAttributesData());
                byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null)
                    continue;
                Type[]? typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
                Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
                foreach (int token in Tokens(il))
                    Resolve(report, method.Module, token, typeArguments, methodArguments, where);
            }
            foreach (var member in type.GetFields(declared).Cast<MemberInfo>().Concat(type.GetProperties(declared)))
                Attributes(report, $"{type}.{member.Name}", () => member.GetCustomAttributesData());
        }
        if (onlyType is null)
            Attributes(report, assembly.GetName().Name!, () => assembly.GetCustomAttributesData());
        return report;
    }

    /// <summary>Every type reference in the metadata (signatures, base types, casts), resolved by name.</summary>
    private static void ScanTypeReferences(Assembly assembly, Report report)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var module = assembly.ManifestModule;
        foreach (var handle in reader.TypeReferences)
        {
            var reference = reader.GetTypeReference(handle);
            string name = reader.GetString(reference.Namespace) is { Length: > 0 } ns
                ? $"{ns}.{reader.GetString(reference.Name)}"
                : reader.GetString(reference.Name);
            try
            {
                module.ResolveType(MetadataTokens.GetToken(handle));
            }
            catch (Exception e) when (e is TypeLoadException or ArgumentException or FileNotFoundException or BadImageFormatException)
            {
                report.Failures.Add($"type {name}: {e.Message}");
            }
        }
    }

    private static void Resolve(Report report, Module module, int token, Type[]? typeArguments, Type[]? methodArguments, string where)
    {
        int table = token >>> 24;
        // 0x01 TypeRef, 0x0A MemberRef, 0x1B TypeSpec, 0x2B MethodSpec: what another assembly may lack. Definitions in
        // this module (0x02, 0x04, 0x06) and user strings (0x70) cannot.
        if (table is not (0x01 or 0x0A or 0x1B or 0x2B))
            return;
        try
        {
            var member = module.ResolveMember(token, typeArguments, methodArguments);
            if (member is not null && IsMlNet(member.DeclaringType ?? member as Type))
                report.ResolvedMlNetMembers.Add(member is Type type ? type.FullName ?? type.Name : $"{member.DeclaringType!.FullName?.Split('`')[0]}.{member.Name}");
        }
        catch (Exception e) when (e is MissingMemberException or TypeLoadException or ArgumentException or FileNotFoundException or BadImageFormatException)
        {
            report.Failures.Add($"{where}: token 0x{token:X8}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static void Attributes(Report report, string where, Func<IList<CustomAttributeData>> read)
    {
        try
        {
            foreach (var attribute in read())
                _ = attribute.ConstructorArguments.Count;
        }
        catch (Exception e) when (e is MissingMemberException or TypeLoadException or FileNotFoundException or CustomAttributeFormatException)
        {
            report.Failures.Add($"{where}: attribute: {e.GetType().Name}: {e.Message}");
        }
    }

    private static bool IsMlNet(Type? type) =>
        type?.Assembly.GetName().Name is { } name && name.StartsWith("Microsoft.ML", StringComparison.Ordinal) && name != "Microsoft.ML.Mlp";

    /// <summary>The metadata tokens among the operands of an IL stream.</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        for (int i = 0; i < il.Length;)
        {
            OpCode code = il[i] == 0xFE ? s_twoByte[il[i + 1]] : s_oneByte[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    i += 4;
                    break;
            }
        }
    }
}
