using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// A model file is data, not code: truncated, damaged, foreign or future files fail to load with one of the documented
/// exceptions (<c>MLContext.Model.Load</c>: see the remarks of <see cref="MlpModelParametersBase{TOutput}"/>;
/// <see cref="MlpModelFile.Load(MLContext, Stream, out DataViewSchema)"/>: <see cref="InvalidDataException"/>), never
/// with an access violation, an out-of-memory error, a stack overflow or a hang.
/// </summary>
[TestClass]
public sealed class ModelFileTests
{
    private const string MlpLoaderSignature = "MlpBinaryModel";

    private static readonly Lazy<(byte[] Zip, string MlpEntry)> s_model = new(SaveSmallModel);

    [TestMethod]
    public void ATruncatedFileFailsWithADocumentedException()
    {
        var (zip, entry) = s_model.Value;
        foreach (int length in new[] { 0, 22, zip.Length / 3, zip.Length / 2, zip.Length - 1 })
            AssertDocumentedFailure(zip[..length], $"file truncated to {length} of {zip.Length} bytes");

        byte[] mlp = ModelZip.ReadEntries(zip)[entry];
        foreach (int length in new[] { 0, ModelZip.HeaderSize - 1, ModelZip.HeaderSize + 10, mlp.Length / 2, mlp.Length - 8 })
        {
            var e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, mlp[..length]), $"MLP stream truncated to {length} bytes");
            Assert.IsInstanceOfType<FormatException>(Causes(e).Last(), e.ToString());
        }
    }

    [TestMethod]
    public void DamagedSizesInTheMlpStreamAreRefusedBeforeAllocating()
    {
        var (zip, entry) = s_model.Value;
        byte[] mlp = ModelZip.ReadEntries(zip)[entry];
        // The MLP's own stream, after ML.NET's header and ModelParametersBase's int: features (6), hidden layer count
        // (2), widths (4, 3), activation, outputs, loss, Huber delta, parameter count.
        int body = mlp.AsSpan().IndexOf(new byte[] { 4, 0, 0, 0, SyntheticData.FeatureCount, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0 }) + sizeof(int);
        Assert.IsGreaterThan(ModelZip.HeaderSize, body, "The MLP stream was not found.");
        (int Offset, int Value, string Message)[] cases =
        [
            (0, int.MaxValue, "Invalid number of features"),
            (0, -1, "Invalid number of features"),
            (4, 100_000, "Invalid number of hidden layers"),
            (8, 0, "Invalid hidden layer width"),
            (8, 1 << 29, "network is too large"),
            (12, 1 << 20, "parameter count does not match"),
            (16, 99, "Invalid activation"),
            (24, 7, "Invalid loss"),
            (24, 2, "loss does not match its task"),
            (32, int.MaxValue, "parameter count does not match"),
        ];
        foreach (var (offset, value, message) in cases)
        {
            byte[] damaged = (byte[])mlp.Clone();
            BitConverter.TryWriteBytes(damaged.AsSpan(body + offset), value);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, damaged), $"{value} at +{offset}");
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var cause = Causes(e).OfType<FormatException>().LastOrDefault();
            Assert.IsNotNull(cause, e.ToString());
            Assert.Contains(message, cause.Message, $"{value} at +{offset}");
            Assert.IsLessThan(32L << 20, allocated, $"{value} at +{offset}: {allocated:N0} bytes allocated");
        }
    }

    [TestMethod]
    public void AModelSavedByAnotherTrainerIsNotReadAsAnMlp()
    {
        // A LinearSvm model's predictor stream handed to the MLP's loader (its loader signature rewritten to ours):
        // the model signature in ML.NET's header tells them apart.
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 40, seed: 1);
        var svm = ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: 2).Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(svm, data.Schema, saved);
        var svmEntries = ModelZip.ReadEntries(saved.ToArray());
        byte[] svmPredictor = svmEntries[ModelZip.FindEntry(saved.ToArray(), "Linear2CExec")];
        ModelZip.SetLoaderSignature(svmPredictor, MlpLoaderSignature);

        var (zip, entry) = s_model.Value;
        var context = new MLContext();
        context.Model.Load(new MemoryStream(zip), out _); // an intact MLP model first, so the MLP loader is registered
        var e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, svmPredictor), "LinearSvm stream", context);
        Assert.Contains("Unknown file type", Causes(e).OfType<FormatException>().Last().Message);

        // Without it, ML.NET finds no loader for the signature in the assembly the stream names.
        e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, svmPredictor), "LinearSvm stream, fresh context");
        Assert.Contains("Couldn't load model", Causes(e).OfType<FormatException>().Last().Message);
    }

    [TestMethod]
    public void AFutureFormatVersionIsRefused()
    {
        var (zip, entry) = s_model.Value;
        byte[] mlp = ModelZip.ReadEntries(zip)[entry];
        BitConverter.TryWriteBytes(mlp.AsSpan(ModelZip.ModelVersionOffset), 0x00020001u);     // written
        BitConverter.TryWriteBytes(mlp.AsSpan(ModelZip.ModelVersionOffset + 4), 0x00020001u); // readable
        var e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, mlp), "future version");
        Assert.Contains("too new", Causes(e).OfType<FormatException>().Last().Message);

        // A newer writer that says this version can still read its file: the MLP's own format check decides.
        mlp = ModelZip.ReadEntries(zip)[entry];
        BitConverter.TryWriteBytes(mlp.AsSpan(ModelZip.ModelVersionOffset), 0x00010003u);
        e = AssertDocumentedFailure(ModelZip.Replace(zip, entry, mlp), "newer writer");
        string message = Causes(e).OfType<FormatException>().Last().Message;
        Assert.Contains("MLP model format version 0x00010003", message);
        Assert.Contains("newer version of Microsoft.ML.Mlp", message);
    }

    [TestMethod]
    public void MlpModelFileChecksTheContainerAndReportsEveryFailureAsInvalidDataException()
    {
        var (zip, entry) = s_model.Value;
        var ml = new MLContext();

        // Intact: loads, also from a stream that cannot seek.
        AssertSameStructure(MlpModelFile.Load(ml, new MemoryStream(zip), out var schema), "intact");
        Assert.IsNotNull(schema.GetColumnOrNull("Features"));
        AssertSameStructure(MlpModelFile.Load(ml, new ForwardOnlyStream(zip), out _), "forward-only stream");

        // One flipped bit inside a compressed entry: MLContext.Model.Load does not check the CRC-32 and would hand the
        // garbage to ML.NET's readers (its schema reader can loop for minutes on some); the check stops it first.
        var entries = ModelZip.ReadEntries(zip);
        byte[] damaged = (byte[])zip.Clone();
        damaged[damaged.Length / 2] ^= 0x10;
        var crc = Assert.ThrowsExactly<InvalidDataException>(() => MlpModelFile.Load(ml, new MemoryStream(damaged), out _));
        Assert.Contains("could not be loaded", crc.Message);

        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => MlpModelFile.Load(ml, new MemoryStream(zip[..(zip.Length / 2)]), out _));
        Assert.IsNotNull(truncated.InnerException);

        byte[] future = entries[entry];
        BitConverter.TryWriteBytes(future.AsSpan(ModelZip.ModelVersionOffset), 0x00020001u);
        BitConverter.TryWriteBytes(future.AsSpan(ModelZip.ModelVersionOffset + 4), 0x00020001u);
        var tooNew = Assert.ThrowsExactly<InvalidDataException>(() => MlpModelFile.Load(ml, new MemoryStream(ModelZip.Replace(zip, entry, future)), out _));
        Assert.Contains("too new", tooNew.Message);

        var notAModel = Assert.ThrowsExactly<InvalidDataException>(() => MlpModelFile.Load(ml, new MemoryStream(ModelZip.Write([new("readme.txt", "hello"u8.ToArray())])), out _));
        Assert.Contains("could not be loaded", notAModel.Message);

        string missing = Path.Combine(Path.GetTempPath(), "no-such-mlp-model.zip");
        Assert.ThrowsExactly<FileNotFoundException>(() => MlpModelFile.Load(ml, missing, out _));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void FuzzedModelFilesLoadWithTheSameStructureOrFailWithInvalidDataException()
    {
        const int iterations = 1000;
        var perIteration = TimeSpan.FromSeconds(10);
        var (zip, entry) = s_model.Value;
        byte[] mlp = ModelZip.ReadEntries(zip)[entry];
        var random = new Random(20240601);
        var ml = new MLContext(seed: 1);
        int loaded = 0;
        for (int i = 0; i < iterations; i++)
        {
            // Even iterations damage the MLP's own stream (re-zipped intact), odd ones the zip container itself.
            bool inner = i % 2 == 0;
            byte[] bytes = inner ? ModelZip.Replace(zip, entry, Mutate(mlp, random)) : Mutate(zip, random);
            string what = string.Create(CultureInfo.InvariantCulture, $"iteration {i} ({(inner ? "MLP stream" : "zip")})");

            var clock = Stopwatch.StartNew();
            var load = Task.Run(() => MlpModelFile.Load(ml, new MemoryStream(bytes), out _));
            bool finished = ((IAsyncResult)load).AsyncWaitHandle.WaitOne(perIteration);
            Assert.IsTrue(finished, $"{what}: loading took more than {perIteration.TotalSeconds} s");
            if (load.IsCompletedSuccessfully)
            {
                AssertSameStructure(load.Result, what);
                loaded++;
            }
            else
            {
                var error = load.Exception!.InnerException!;
                Assert.IsInstanceOfType<InvalidDataException>(error, $"{what}: {error}");
                Assert.IsTrue(error.InnerException is null || IsDocumented(error.InnerException), $"{what}: undocumented cause {error}");
                Assert.Contains("could not be loaded", error.Message);
            }
            Assert.IsLessThan(perIteration, clock.Elapsed, what);
        }
        // Some damage is harmless (a weight or a logged loss changes); most is caught.
        Assert.IsTrue(loaded is > 0 and < iterations / 2, $"{loaded} of {iterations} damaged files loaded");
    }

    /// <summary>
    /// The exceptions <c>MLContext.Model.Load</c> may throw for a damaged or foreign file, as documented in the remarks
    /// of <see cref="MlpModelParametersBase{TOutput}"/>: <see cref="FormatException"/> (a decode error: the only kind
    /// the MLP's own loader throws; <see cref="MlpModelFile"/>'s container check throws InvalidDataException), <see cref="InvalidOperationException"/> (ML.NET's wrapper around a component's
    /// error), <see cref="InvalidDataException"/> and other <see cref="IOException"/>s (the zip container, a truncated
    /// stream, a damaged assembly name), <see cref="ArgumentException"/>s and <see cref="NotSupportedException"/> (ML.NET's
    /// schema reader and assembly-name parser on damaged bytes), and <see cref="TargetInvocationException"/> around any of
    /// these. Never a crash-class exception anywhere in the chain.
    /// </summary>
    internal static bool IsDocumented(Exception e) => Causes(e).All(c => !IsBug(c) && !(ThrownByTheMlp(c) && c is not (FormatException or InvalidDataException))) && e switch
    {
        TargetInvocationException { InnerException: { } inner } => IsDocumented(inner),
        FormatException or InvalidOperationException or InvalidDataException or IOException or ArgumentException or NotSupportedException => true,
        _ => false,
    };

    private static bool IsBug(Exception e) => e is NullReferenceException or IndexOutOfRangeException or AccessViolationException
        or OutOfMemoryException or InvalidCastException or OverflowException or DivideByZeroException or StackOverflowException;

    private static bool ThrownByTheMlp(Exception e) =>
        e.TargetSite?.DeclaringType?.Namespace is "Microsoft.ML.Trainers.Mlp" or "Mlp.Gpu";

    private static Exception AssertDocumentedFailure(byte[] file, string what, MLContext? context = null)
    {
        try
        {
            (context ?? new MLContext()).Model.Load(new MemoryStream(file), out _);
        }
        catch (Exception e)
        {
            Assert.IsTrue(IsDocumented(e), $"{what}: undocumented exception {e}");
            return e;
        }
        throw new AssertFailedException($"{what}: the damaged file loaded.");
    }

    private static void AssertSameStructure(ITransformer model, string what)
    {
        var last = ((IEnumerable<ITransformer>)model).Last() as IPredictionTransformer<object>;
        var mlp = (last?.Model as CalibratedModelParametersBase)?.SubModel as MlpBinaryModelParameters;
        Assert.IsNotNull(mlp, $"{what}: the loaded model has no MLP");
        Assert.AreEqual(SyntheticData.FeatureCount, mlp.NumberOfFeatures, what);
        CollectionAssert.AreEqual(new[] { 4, 3 }, mlp.HiddenLayerSizes.ToArray(), what);
        Assert.AreEqual(1, mlp.NumberOfOutputs, what);
        Assert.IsTrue(BadDataTests.Weights(mlp).All(layer => layer.All(float.IsFinite)), $"{what}: a loaded weight is not finite");
    }

    private static (byte[] Zip, string MlpEntry) SaveSmallModel()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 60, seed: 3);
        var model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = [4, 3], NumberOfEpochs = 2 }))
            .Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        // Rewritten with fixed time stamps, so that the seeded fuzzing damages the same bytes in every run.
        byte[] zip = ModelZip.Write(ModelZip.ReadEntries(stream.ToArray()));
        return (zip, ModelZip.FindEntry(zip, MlpLoaderSignature));
    }

    private static readonly int[] s_extremeInts = [0, -1, 1, 255, 0x10000, 1 << 30, int.MaxValue, int.MinValue];

    /// <summary>One random damage: bit flips, a random byte, an extreme int, truncation, a deletion or an insertion.</summary>
    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = (byte[])source.Clone();
        switch (random.Next(6))
        {
            case 0:
                for (int n = random.Next(1, 5); n > 0; n--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 2:
                BitConverter.TryWriteBytes(bytes.AsSpan(random.Next(bytes.Length - sizeof(int))), s_extremeInts[random.Next(s_extremeInts.Length)]);
                return bytes;
            case 3:
                return bytes[..random.Next(bytes.Length)];
            case 4:
            {
                int start = random.Next(bytes.Length);
                int count = Math.Min(random.Next(1, 64), bytes.Length - start);
                return [.. bytes[..start], .. bytes[(start + count)..]];
            }
            default:
            {
                int start = random.Next(bytes.Length);
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. bytes[..start], .. extra, .. bytes[start..]];
            }
        }
    }

    /// <summary>A read-only stream that cannot seek (a network stream, say).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            yield return current;
    }
}
