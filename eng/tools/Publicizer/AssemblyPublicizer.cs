using Mono.Cecil;

namespace Mlp.Build.Publicizer;

/// <summary>
/// Widens the accessibility of every type and member of an assembly for use as a compile-time reference.
/// </summary>
/// <remarks>
/// The mapping keeps the consumer's public surface honest:
/// <list type="bullet">
/// <item>types: public (nested types: nested public);</item>
/// <item>private, internal, compiler-controlled members: public;</item>
/// <item><c>private protected</c> and <c>protected internal</c> members: <c>protected</c>, which is what another
/// assembly can override, so overrides in the consumer stay <c>protected override</c> rather than public.</item>
/// </list>
/// The strong-name signature of the copy becomes invalid; that is harmless because compilers do not verify the
/// signatures of references, and the identity (name, version, public key token) is unchanged, so the consumer
/// binds to the real assembly at run time.
/// </remarks>
internal static class AssemblyPublicizer
{
    /// <summary>How many types, methods and fields were widened.</summary>
    internal readonly record struct Statistics(int Types, int Methods, int Fields);

    /// <summary>Reads <paramref name="inputPath"/>, widens it and writes the copy to <paramref name="outputPath"/>.</summary>
    internal static Statistics Publicize(string inputPath, string outputPath)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(inputPath)!);
        var readerParameters = new ReaderParameters
        {
            AssemblyResolver = resolver,
            ReadingMode = ReadingMode.Immediate,
            InMemory = true, // the output may overwrite a file next to the input
        };

        int types = 0, methods = 0, fields = 0;
        using (AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(inputPath, readerParameters))
        {
            foreach (ModuleDefinition module in assembly.Modules)
            {
                foreach (TypeDefinition type in module.GetTypes()) // nested types included
                {
                    if (type.Name == "<Module>")
                        continue;
                    if (WidenType(type))
                        types++;
                    methods += WidenMethods(type);
                    fields += WidenFields(type);
                }
            }

            // Write atomically: a concurrent or interrupted build never sees a half-written reference.
            string temporary = outputPath + ".tmp";
            assembly.Write(temporary);
            File.Move(temporary, outputPath, overwrite: true);
        }
        resolver.Dispose();
        return new Statistics(types, methods, fields);
    }

    private static bool WidenType(TypeDefinition type)
    {
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        TypeAttributes target = type.IsNested ? TypeAttributes.NestedPublic : TypeAttributes.Public;
        if (visibility == target)
            return false;
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | target;
        return true;
    }

    private static int WidenMethods(TypeDefinition type)
    {
        int count = 0;
        foreach (MethodDefinition method in type.Methods)
        {
            var access = (MemberAccess)(ushort)(method.Attributes & MethodAttributes.MemberAccessMask);
            MemberAccess widened = Widen(access);
            if (widened == access)
                continue;
            method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | (MethodAttributes)(ushort)widened;
            count++;
        }
        return count;
    }

    private static int WidenFields(TypeDefinition type)
    {
        // Compiler-generated backing fields ("<Name>k__BackingField") stay private, and so do the backing fields
        // of field-like events, which share the event's name: public, they would make every use ambiguous (CS0229).
        var eventNames = new HashSet<string>(type.Events.Select(e => e.Name), StringComparer.Ordinal);
        int count = 0;
        foreach (FieldDefinition field in type.Fields)
        {
            if (field.Name.Contains('<', StringComparison.Ordinal) || eventNames.Contains(field.Name))
                continue;
            var access = (MemberAccess)(ushort)(field.Attributes & FieldAttributes.FieldAccessMask);
            MemberAccess widened = Widen(access);
            if (widened == access)
                continue;
            field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)(ushort)widened;
            count++;
        }
        return count;
    }

    private static MemberAccess Widen(MemberAccess access) => access switch
    {
        MemberAccess.FamilyAndAssembly => MemberAccess.Family, // private protected
        MemberAccess.FamilyOrAssembly => MemberAccess.Family,  // protected internal
        MemberAccess.Family => MemberAccess.Family,
        _ => MemberAccess.Public,                               // compiler-controlled, private, internal, public
    };

    /// <summary>ECMA-335 member access, encoded identically in method and field attributes (low 3 bits).</summary>
    private enum MemberAccess : ushort
    {
        CompilerControlled = 0,
        Private = 1,
        FamilyAndAssembly = 2,
        Assembly = 3,
        Family = 4,
        FamilyOrAssembly = 5,
        Public = 6,
    }
}
