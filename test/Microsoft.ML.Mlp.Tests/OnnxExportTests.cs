using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML.Transforms;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Whole pipelines (missing-value replacement, one-hot, concatenate, normaliser, our trainer, key-to-value) exported
/// with ML.NET's <c>ConvertToOnnx</c> and checked by ONNX Runtime itself: raw input columns in, every output column
/// equal to ML.NET's <c>Transform</c> within a relative 1e-5, for every task and activation.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private const int Rows = 240;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Raw rows as an application would have them: a missing income now and then, a categorical colour, a
    /// small vector, and one label per task.</summary>
    public sealed class RawRow
    {
        public float Age { get; set; }

        public float Income { get; set; }

        public string Color { get; set; } = "";

        [VectorType(3)]
        public float[] Extra { get; set; } = [];

        public bool Sick { get; set; }

        public string Kind { get; set; } = "";

        public float Amount { get; set; }
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Gelu)]
    [DataRow(MlpActivation.Identity)]
    public void BinaryPipelineScoresTheSameInOnnxRuntime(MlpActivation activation)
    {
        var (ml, data) = NewData(seed: 1);
        var model = BinaryPipeline(ml, [8, 5], activation).Fit(data);

        var differences = OnnxParity.Compare(OnnxParity.Export(ml, model, data), model, data, "Score", "Probability", "PredictedLabel");

        Report(differences);
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Gelu)]
    [DataRow(MlpActivation.Identity)]
    public void MulticlassPipelineScoresTheSameInOnnxRuntime(MlpActivation activation)
    {
        var (ml, data) = NewData(seed: 2);
        var model = MulticlassPipeline(ml, [8, 5], activation).Fit(data);

        var differences = OnnxParity.Compare(OnnxParity.Export(ml, model, data), model, data, "Score", "PredictedLabel", "PredictedKind");

        Report(differences);
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Gelu)]
    [DataRow(MlpActivation.Identity)]
    public void RegressionPipelineScoresTheSameInOnnxRuntime(MlpActivation activation)
    {
        var (ml, data) = NewData(seed: 3);
        var model = RegressionPipeline(ml, [8, 5], activation, MlpRegressionLoss.Squared).Fit(data);

        var differences = OnnxParity.Compare(OnnxParity.Export(ml, model, data), model, data, "Score");

        Report(differences);
    }

    [TestMethod]
    public void LinearModelsExportForEveryTask()
    {
        var (ml, data) = NewData(seed: 4);
        var binary = BinaryPipeline(ml, [], MlpActivation.Relu).Fit(data);
        var multiclass = MulticlassPipeline(ml, [], MlpActivation.Relu).Fit(data);
        var regression = RegressionPipeline(ml, [], MlpActivation.Relu, MlpRegressionLoss.Huber).Fit(data);

        Report(OnnxParity.Compare(OnnxParity.Export(ml, binary, data), binary, data, "Score", "Probability", "PredictedLabel"));
        Report(OnnxParity.Compare(OnnxParity.Export(ml, multiclass, data), multiclass, data, "Score", "PredictedLabel"));
        Report(OnnxParity.Compare(OnnxParity.Export(ml, regression, data), regression, data, "Score"));
    }

    [TestMethod]
    public void DeepNetworkExportsOneGemmPerLayer()
    {
        var (ml, data) = NewData(seed: 5);
        var model = MulticlassPipeline(ml, [9, 8, 7, 6, 5], MlpActivation.LeakyRelu).Fit(data);
        byte[] onnx = OnnxParity.Export(ml, model, data);

        Report(OnnxParity.Compare(onnx, model, data, "Score", "PredictedLabel"));
        // ONNX's protobuf stores each node's op type as a length-prefixed string: count the Gemm nodes.
        Assert.AreEqual(6, CountOccurrences(onnx, [0x22, 0x04, (byte)'G', (byte)'e', (byte)'m', (byte)'m']), "one Gemm per dense layer");
    }

    [TestMethod]
    [DataRow(9)]
    [DataRow(12)]
    public void ExportsAtEveryOpsetTheConverterWrites(int opset)
    {
        var (ml, data) = NewData(seed: 6);
        var model = MulticlassPipeline(ml, [6], MlpActivation.Gelu).Fit(data);

        Report(OnnxParity.Compare(OnnxParity.Export(ml, model, data, opset), model, data, "Score", "PredictedLabel"));
    }

    [TestMethod]
    public void ApplyOnnxModelReadsTheExportBackIntoMlNet()
    {
        var (ml, data) = NewData(seed: 7);
        string directory = Directory.CreateTempSubdirectory("mlp-onnx-").FullName;
        try
        {
            foreach (var (task, model, columns) in new (string, ITransformer, string[])[]
            {
                ("binary", BinaryPipeline(ml, [6], MlpActivation.Tanh).Fit(data), ["Score", "Probability", "PredictedLabel"]),
                ("multiclass", MulticlassPipeline(ml, [6], MlpActivation.Relu).Fit(data), ["Score", "PredictedLabel", "PredictedKind"]),
                ("regression", RegressionPipeline(ml, [6], MlpActivation.Gelu, MlpRegressionLoss.Squared).Fit(data), ["Score"]),
            })
            {
                string path = Path.Combine(directory, task + ".onnx");
                File.WriteAllBytes(path, OnnxParity.Export(ml, model, data));
                var onnxModel = ml.Transforms.ApplyOnnxModel(path).Fit(data);
                var fromOnnx = onnxModel.Transform(data);
                var expected = model.Transform(data);
                // ApplyOnnxModel names its columns after the graph's outputs without the ".output" suffix.
                foreach (string column in columns)
                {
                    double worst = OnnxParity.CompareColumn(column,
                        OnnxParity.ReadColumn(fromOnnx, column), OnnxParity.ReadColumn(expected, column), Rows);
                    TestContext.WriteLine($"{task} {column}: max relative difference {worst:E2}");
                }
                (onnxModel as IDisposable)?.Dispose();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The user guide's example columns, without a label.</summary>
    public class Patient
    {
        public float Age { get; set; }

        public float Chol { get; set; }

        public float Thalach { get; set; }
    }

    /// <summary>The same with the label, for training.</summary>
    public sealed class LabelledPatient : Patient
    {
        public bool Label { get; set; }
    }

    [TestMethod]
    public void UserGuideExampleScoresFromTheThreeRawColumnsAlone()
    {
        // The user guide's C# example: the quick start's pipeline, exported from a data view whose columns are the
        // three features only (the converter walks back to the data's source, so that source must lack the label).
        var ml = new MLContext(seed: 1);
        var random = new Random(8);
        var patients = Enumerable.Range(0, Rows).Select(_ => new LabelledPatient
        {
            Age = 30 + 50 * (float)random.NextDouble(),
            Chol = 150 + 200 * (float)random.NextDouble(),
            Thalach = 90 + 110 * (float)random.NextDouble(),
        }).ToArray();
        foreach (var p in patients)
            p.Label = (p.Age - 55) / 25 + (p.Chol - 250) / 100 - (p.Thalach - 145) / 55 > 0;
        var model = ml.Transforms.Concatenate("Features", "Age", "Chol", "Thalach")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 5 }))
            .Fit(ml.Data.LoadFromEnumerable(patients));
        var features = ml.Data.LoadFromEnumerable(patients.Select(p => new Patient { Age = p.Age, Chol = p.Chol, Thalach = p.Thalach }).ToArray());
        // As in the guide: the converter needs the schema only, so an empty list of inputs will do.
        byte[] onnx = OnnxParity.Export(ml, model, ml.Data.LoadFromEnumerable(new List<Patient>()));

        using var session = new InferenceSession(onnx);
        CollectionAssert.AreEquivalent(new[] { "Age", "Chol", "Thalach" }, session.InputMetadata.Keys.ToArray());
        Report(OnnxParity.Compare(onnx, model, features, "Score", "Probability", "PredictedLabel"));
    }

    [TestMethod]
    public void OnnxRuntimeLoadsItsNativeLibraryFromTheNuGetPackage()
    {
        // Creating the environment loads the native library; a clean machine has nothing but the package's copy.
        string version = OrtEnv.Instance().GetVersionString();
        Assert.StartsWith("1.", version);
        if (!OperatingSystem.IsLinux())
            return;
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "libonnxruntime.so");
        Assert.IsTrue(File.Exists(packaged), $"The package's native library is not in the output: {packaged}");
        string loaded = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]) == "libonnxruntime.so").Select(fields => fields[5]).FirstOrDefault()
            ?? throw new AssertFailedException("libonnxruntime.so is not mapped into the process.");
        Assert.AreEqual(Path.GetFullPath(packaged), Path.GetFullPath(loaded), "ONNX Runtime must come from the NuGet package, not the system.");
    }

    [TestMethod]
    public void NetworkTooLargeForOneOnnxFileIsRefusedWithTheReason()
    {
        // No real model this large fits a test; the check runs on the architecture alone (no weights are allocated).
        var exporter = typeof(MlpBinaryModelParameters).Assembly.GetType("Microsoft.ML.Trainers.Mlp.Onnx.MlpOnnxExporter", throwOnError: true)!;
        var check = exporter.GetMethod("CheckExportable", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        var huge = new NetworkDescription(100_000, [6_000], MlpActivation.Relu, 1, LossFunction.BinaryCrossEntropy);

        var e = Assert.Throws<TargetInvocationException>(() => check.Invoke(null, [huge]));

        var inner = e.InnerException as NotSupportedException ?? throw new AssertFailedException($"Expected NotSupportedException, got {e.InnerException}");
        StringAssert.Contains(inner.Message, "cannot be exported to ONNX");
        StringAssert.Contains(inner.Message, "600,012,001 parameters");
        StringAssert.Contains(inner.Message, "2 GiB");
        check.Invoke(null, [new NetworkDescription(784, [256, 128], MlpActivation.Gelu, 10, LossFunction.SoftmaxCrossEntropy)]);
    }

    private static IEstimator<ITransformer> Featurize(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues("Income", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.Categorical.OneHotEncoding("ColorOneHot", "Color"))
            .Append(ml.Transforms.Concatenate("Features", "Age", "Income", "ColorOneHot", "Extra"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));

    private static IEstimator<ITransformer> BinaryPipeline(MLContext ml, int[] hidden, MlpActivation activation) =>
        Featurize(ml).Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            LabelColumnName = nameof(RawRow.Sick), HiddenLayerSizes = hidden, Activation = activation, NumberOfEpochs = 8, LearningRate = 0.01f,
        }));

    private static IEstimator<ITransformer> MulticlassPipeline(MLContext ml, int[] hidden, MlpActivation activation) =>
        ml.Transforms.Conversion.MapValueToKey("Label", nameof(RawRow.Kind))
            .Append(Featurize(ml))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = hidden, Activation = activation, NumberOfEpochs = 8, LearningRate = 0.01f,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedKind", "PredictedLabel"));

    private static IEstimator<ITransformer> RegressionPipeline(MLContext ml, int[] hidden, MlpActivation activation, MlpRegressionLoss loss) =>
        ml.Transforms.ReplaceMissingValues("Income", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.Categorical.OneHotEncoding("ColorOneHot", "Color"))
            .Append(ml.Transforms.Concatenate("Features", "Age", "Income", "ColorOneHot", "Extra"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
            {
                LabelColumnName = nameof(RawRow.Amount), HiddenLayerSizes = hidden, Activation = activation, NumberOfEpochs = 8, Loss = loss,
            }));

    private static (MLContext Ml, IDataView Data) NewData(int seed)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(seed);
        string[] colors = ["red", "green", "blue"];
        var rows = new RawRow[Rows];
        for (int i = 0; i < Rows; i++)
        {
            float age = 20 + 60 * (float)random.NextDouble();
            float income = 1000 + 9000 * (float)random.NextDouble();
            int color = random.Next(colors.Length);
            var extra = new[] { (float)random.NextDouble() - 0.5f, (float)random.NextDouble() * 4, (float)random.NextDouble() - 0.5f };
            float risk = (age - 50) / 15 + (income - 5500) / 4000 + (color - 1) + 2 * extra[0] + 0.3f * (float)(random.NextDouble() - 0.5);
            rows[i] = new RawRow
            {
                Age = age,
                Income = i % 7 == 3 ? float.NaN : income, // missing values for ReplaceMissingValues to fill
                Color = colors[color],
                Extra = extra,
                Sick = risk > 0,
                Kind = risk < -1 ? "low" : risk < 1 ? "mid" : "high",
                Amount = 10 * risk + extra[1] * extra[1],
            };
        }
        return (ml, ml.Data.LoadFromEnumerable(rows));
    }

    private void Report(Dictionary<string, double> differences)
    {
        foreach (var (column, worst) in differences)
            TestContext.WriteLine($"{column}: max relative difference {worst:E2}");
    }

    private static int CountOccurrences(byte[] haystack, byte[] needle)
    {
        int count = 0;
        for (int i = haystack.AsSpan().IndexOf(needle); i >= 0; )
        {
            count++;
            int next = haystack.AsSpan(i + 1).IndexOf(needle);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return count;
    }
}
