using System.Reflection;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>The public surface: names from the issue, namespaces, and no ML.NET internal type leaking out.</summary>
[TestClass]
public sealed class PublicApiTests
{
    private static readonly Assembly s_assembly = typeof(MlpCatalog).Assembly;

    /// <summary>The compute core's assembly (Mlp.Gpu), which the package carries beside the trainers.</summary>
    private static readonly Assembly s_core = typeof(MlpOptimizer).Assembly;

    /// <summary>Every public type a user of the package sees, in both assemblies.</summary>
    private static IEnumerable<Type> PublicTypes => s_assembly.GetExportedTypes().Concat(s_core.GetExportedTypes());

    /// <summary>
    /// No public member, and no protected member of a type that can be derived from, mentions a type that is
    /// non-public in Microsoft.ML.Core or Microsoft.ML.Data (we compile against publicized copies of them, so the
    /// compiler would not catch such a leak). Protected members of types no other assembly can derive from are unreachable and not scanned.
    /// </summary>
    [TestMethod]
    public void PublicApiExposesNoMlNetInternalType()
    {
        var leaks = new List<string>();
        foreach (var type in PublicTypes)
        {
            Report(leaks, type.BaseType, $"{type} base type");
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(all))
            {
                if (!IsVisible(member, type))
                    continue;
                foreach (var mentioned in SignatureTypes(member))
                    Report(leaks, mentioned, $"{type}.{member.Name}");
            }
        }
        Assert.IsEmpty(leaks, "ML.NET internal types in the public API:\n" + string.Join("\n", leaks));
    }

    [TestMethod]
    public void ScanFindsALeakWhenThereIsOne()
    {
        // The scan must recognize ML.NET's internal types, or the test above would pass vacuously.
        var internalType = typeof(MLContext).Assembly.GetType("Microsoft.ML.Data.CatalogUtils", throwOnError: true)!;
        var leaks = new List<string>();
        Report(leaks, typeof(List<>).MakeGenericType(internalType), "probe");
        Assert.HasCount(1, leaks);
    }

    [TestMethod]
    public void PublicTypesLiveInTheDocumentedNamespaces()
    {
        foreach (var type in PublicTypes)
        {
            string expected = type == typeof(MlpCatalog) ? "Microsoft.ML" : "Microsoft.ML.Trainers.Mlp";
            Assert.AreEqual(expected, type.Namespace, type.FullName);
        }
        var names = PublicTypes.Select(t => t.Name).ToHashSet();
        foreach (string name in new[]
        {
            "MlpCatalog", "MlpBinaryTrainer", "MlpMulticlassTrainer", "MlpRegressionTrainer", "MlpTrainerOptionsBase",
            "MlpActivation", "MlpOptimizer", "MlpDevice", "MlpBinaryModelParameters", "MlpMulticlassModelParameters",
            "MlpRegressionModelParameters", "MlpEpochRecord", "MlpEpochReport", "MlpLearningRateSchedule", "MlpModelFile", "MlpModelLoadLimits", "MlpModel",
        })
        {
            Assert.Contains(name, names);
        }
    }

    [TestMethod]
    public void TheCoreExportsOnlyTheOptionEnumsAndTheTrainersAssemblyForwardsThem()
    {
        // One enum per concept from the option to the kernel: the core defines them, everything else in it is internal.
        Type[] enums = [typeof(MlpActivation), typeof(MlpOptimizer), typeof(MlpDevice)];
        CollectionAssert.AreEquivalent(enums, s_core.GetExportedTypes());
        Assert.AreEqual("Mlp.Gpu", s_core.GetName().Name);
        // Code compiled when the enums lived in Microsoft.ML.Mlp still binds through the forwards.
        CollectionAssert.IsSubsetOf(enums, s_assembly.GetForwardedTypes());
    }

    [TestMethod]
    public void OptionEnumValuesKeepTheirNumbers()
    {
        // Model files store the activation's number, and compiled user code the numbers of all three: never renumber.
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4, 5 }, new[] { MlpActivation.Relu, MlpActivation.Tanh, MlpActivation.Sigmoid,
            MlpActivation.LeakyRelu, MlpActivation.Gelu, MlpActivation.Identity }.Select(a => (int)a).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, new[] { MlpOptimizer.Sgd, MlpOptimizer.Momentum, MlpOptimizer.Nesterov,
            MlpOptimizer.Adam, MlpOptimizer.AdamW }.Select(o => (int)o).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, new[] { MlpDevice.Auto, MlpDevice.Cpu, MlpDevice.Cuda, MlpDevice.OpenCL }
            .Select(d => (int)d).ToArray());
        Assert.HasCount(6, Enum.GetValues<MlpActivation>());
        Assert.HasCount(5, Enum.GetValues<MlpOptimizer>());
        Assert.HasCount(4, Enum.GetValues<MlpDevice>());
    }

    [TestMethod]
    public void CatalogMethodsReturnTheConcreteTrainers()
    {
        var ml = new MLContext(seed: 1);
        MlpBinaryTrainer binary = ml.BinaryClassification.Trainers.Mlp();
        MlpMulticlassTrainer multiclass = ml.MulticlassClassification.Trainers.Mlp();
        MlpRegressionTrainer regression = ml.Regression.Trainers.Mlp();
        // The trainers standardize the features themselves; without that, they need a normalizer in the pipeline.
        Assert.IsFalse(binary.Info.NeedNormalization);
        Assert.IsFalse(multiclass.Info.NeedNormalization);
        Assert.IsFalse(regression.Info.NeedNormalization);
        Assert.IsTrue(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { StandardizeFeatures = false }).Info.NeedNormalization);
    }

    [TestMethod]
    public void OptionsHaveTheDocumentedDefaults()
    {
        // The literals of the user guide's options table, not the implementation's Defaults class: changing a default
        // must change this test and the guide together.
        var options = new MlpBinaryTrainer.Options();
        CollectionAssert.AreEqual(new[] { 64 }, options.HiddenLayerSizes);
        Assert.AreEqual(MlpActivation.Relu, options.Activation);
        Assert.AreEqual(MlpOptimizer.Adam, options.Optimizer);
        Assert.AreEqual(0.001f, options.LearningRate);
        Assert.AreEqual(32, options.BatchSize);
        Assert.AreEqual(50, options.NumberOfEpochs);
        Assert.AreEqual(0f, options.L2Regularization);
        Assert.IsNull(options.WeightDecay);
        Assert.AreEqual(0.9f, options.Momentum);
        Assert.AreEqual(0.9f, options.Beta1);
        Assert.AreEqual(0.999f, options.Beta2);
        Assert.AreEqual(1e-7f, options.Epsilon);
        Assert.AreEqual(MlpLearningRateSchedule.Constant, options.LearningRateSchedule);
        Assert.IsNull(options.LearningRateDecay);
        Assert.AreEqual(10, options.LearningRateDecayEpochs);
        Assert.AreEqual(5, options.LearningRatePatience);
        Assert.AreEqual(0f, options.MinimumLearningRate);
        Assert.AreEqual(0f, options.ValidationFraction);
        Assert.IsNull(options.EarlyStoppingPatience);
        Assert.AreEqual(0f, options.EarlyStoppingMinDelta);
        Assert.AreEqual(0f, options.DropoutRate);
        Assert.IsNull(options.GradientClipNorm);
        Assert.IsTrue(options.Shuffle);
        Assert.IsNull(options.Seed);
        Assert.AreEqual(MlpDevice.Auto, options.Device);
        Assert.IsNull(options.NumberOfThreads);
        Assert.IsFalse(options.CancellationToken.CanBeCanceled);
        Assert.IsNull(options.Progress);
        Assert.IsFalse(options.StreamTrainingData);
        Assert.AreEqual(65_536, options.StreamBlockRows);
        Assert.IsFalse(options.SkipRowsWithNonFiniteFeatures);
        Assert.AreEqual("Label", options.LabelColumnName);
        Assert.AreEqual("Features", options.FeatureColumnName);
        Assert.IsNull(options.ExampleWeightColumnName);
        Assert.AreEqual(1f, options.PositiveClassWeight);
        Assert.IsNull(new MlpMulticlassTrainer.Options().ClassWeights);
        var regression = new MlpRegressionTrainer.Options();
        Assert.AreEqual(MlpRegressionLoss.Squared, regression.Loss);
        Assert.AreEqual(1f, regression.HuberDelta);

        // Each Options object gets its own array: changing one trainer's layers must not change the next one's default.
        options.HiddenLayerSizes[0] = 7;
        CollectionAssert.AreEqual(new[] { 64 }, new MlpBinaryTrainer.Options().HiddenLayerSizes);
    }

    private static bool IsVisible(MemberInfo member, Type declaringType)
    {
        bool isPublic, isFamily;
        switch (member)
        {
            case MethodBase method:
                (isPublic, isFamily) = (method.IsPublic, method.IsFamily || method.IsFamilyOrAssembly);
                break;
            case FieldInfo field:
                (isPublic, isFamily) = (field.IsPublic, field.IsFamily || field.IsFamilyOrAssembly);
                break;
            case PropertyInfo property:
                return property.GetAccessors(nonPublic: true).Any(accessor => IsVisible(accessor, declaringType));
            case EventInfo @event:
                return @event.AddMethod is { } add && IsVisible(add, declaringType);
            default:
                return false; // nested types are scanned as exported types
        }
        return isPublic || (isFamily && CanBeDerivedOutside(declaringType));
    }

    /// <summary>Protected members are reachable only from a type that another assembly can derive: not sealed, and
    /// with a public or protected constructor (the trainers' base class has only private protected ones).</summary>
    private static bool CanBeDerivedOutside(Type type) =>
        !type.IsSealed && type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Any(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly);

    private static IEnumerable<Type> SignatureTypes(MemberInfo member) => member switch
    {
        FieldInfo field => [field.FieldType],
        PropertyInfo property => property.GetIndexParameters().Select(p => p.ParameterType).Append(property.PropertyType),
        MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
        ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
        EventInfo @event => [@event.EventHandlerType!],
        _ => [],
    };

    private static void Report(List<string> leaks, Type? type, string where)
    {
        if (type is null)
            return;
        if (type.HasElementType)
        {
            Report(leaks, type.GetElementType(), where);
            return;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            Report(leaks, type.GetGenericTypeDefinition(), where);
            foreach (var argument in type.GetGenericArguments())
                Report(leaks, argument, where);
            return;
        }
        if (type.IsGenericParameter)
            return;
        string assembly = type.Assembly.GetName().Name!;
        if (assembly is "Microsoft.ML.Core" or "Microsoft.ML.Data" && !IsPubliclyVisible(type))
            leaks.Add($"{where}: {type.FullName} ({assembly})");
    }

    private static bool IsPubliclyVisible(Type type) =>
        type.IsPublic || (type.IsNestedPublic && IsPubliclyVisible(type.DeclaringType!));
}
