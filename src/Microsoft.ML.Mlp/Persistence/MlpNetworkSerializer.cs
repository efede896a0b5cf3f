using System.Globalization;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp.Models;
using Microsoft.ML.Trainers.Mlp.Training;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp.Persistence;

/// <summary>
/// The one binary format of a trained network inside an ML.NET model file, shared by the three model-parameter
/// classes. Reading checks every size against its limits, against the load budget (<see cref="MlpModelLoadLimits"/>)
/// and against the bytes left in the stream before it allocates, so a corrupt or hostile file fails with a decode error
/// instead of exhausting memory; every history field is range-checked.
/// </summary>
/// <remarks>
/// <code>
/// *** Binary format *** (version 0x00010002, after ModelParametersBase's header)
/// int        number of features F (&gt;= 1)
/// int        number of hidden layers H (0 .. 64)
/// int[H]     hidden layer widths (each &gt;= 1)
/// int        hidden activation (MlpActivation value)
/// int        number of outputs K
/// int        loss: 0 binary cross-entropy, 1 softmax cross-entropy, 2 squared, 3 Huber
/// float      Huber delta (&gt; 0)
/// int        parameter count P (must match the architecture)
/// float[P]   parameters: all weights layer by layer (W is [outputs x inputs] row-major), then all biases
/// int        number of epoch records E
/// E records: int epoch, double training loss, byte presence flags (1 training metric, 2 validation loss,
///            4 validation metric), one double per flag set, float learning rate, long elapsed ticks
/// int        best epoch: the epoch number whose parameters are stored (0 without history)   [since 0x00010002]
/// byte       1 when early stopping ended the last training run, else 0                    [since 0x00010002]
/// </code>
/// Version 0x00010001 ends after the epoch records; its best epoch is the last record's and it did not stop early.
/// </remarks>
internal static class MlpNetworkSerializer
{
    private const int MinRecordBytes = sizeof(int) + sizeof(double) + sizeof(byte) + sizeof(float) + sizeof(long);
    /// <summary>A century: more wall time than any training run, and small enough that continued training can add
    /// two of them without overflowing a <see cref="TimeSpan"/>.</summary>
    private const long MaxElapsedTicks = 100 * 366 * TimeSpan.TicksPerDay;

    /// <summary>Slack above 1 for an accuracy or R² summed in float on a device whose additions run in any order.</summary>
    private const double MetricTolerance = 1e-3;

    /// <summary>The format written now: adds the best epoch and the early-stopping flag.</summary>
    public const uint VersionBestEpoch = 0x00010002;

    /// <summary>The first format: architecture, parameters and history.</summary>
    public const uint VersionInitial = 0x00010001;

    private const byte HasTrainingMetric = 1;
    private const byte HasValidationLoss = 2;
    private const byte HasValidationMetric = 4;

    public static void Write(BinaryWriter writer, MlpNetwork network)
    {
        var description = network.Description;
        writer.Write(description.InputCount);
        writer.Write(network.HiddenLayerSizes.Count);
        foreach (int width in network.HiddenLayerSizes)
            writer.Write(width);
        writer.Write((int)network.Activation);
        writer.Write(description.OutputCount);
        writer.Write(LossCode(description.Loss));
        writer.Write(description.HuberDelta);
        writer.Write(network.Parameters.Length);
        foreach (float value in network.Parameters)
            writer.Write(value);

        writer.Write(network.History.Count);
        foreach (var record in network.History)
        {
            writer.Write(record.Epoch);
            writer.Write(record.TrainingLoss);
            byte flags = (byte)((record.TrainingMetric.HasValue ? HasTrainingMetric : 0)
                | (record.ValidationLoss.HasValue ? HasValidationLoss : 0)
                | (record.ValidationMetric.HasValue ? HasValidationMetric : 0));
            writer.Write(flags);
            if (record.TrainingMetric is { } trainingMetric)
                writer.Write(trainingMetric);
            if (record.ValidationLoss is { } validationLoss)
                writer.Write(validationLoss);
            if (record.ValidationMetric is { } validationMetric)
                writer.Write(validationMetric);
            writer.Write(record.LearningRate);
            writer.Write(record.Elapsed.Ticks);
        }
        writer.Write(network.BestEpoch);
        writer.Write((byte)(network.StoppedEarly ? 1 : 0));
    }

    /// <summary>Reads a network written in format <paramref name="version"/> whose loss must be one of
    /// <paramref name="allowedLosses"/>.</summary>
    public static MlpNetwork Read(BinaryReader reader, IExceptionContext ectx, uint version, params LossFunction[] allowedLosses)
    {
        if (version is not (VersionInitial or VersionBestEpoch))
        {
            throw ectx.ExceptDecode(string.Create(CultureInfo.InvariantCulture,
                $"Unknown MLP model format version 0x{version:X8}; this version of Microsoft.ML.Mlp reads 0x{VersionInitial:X8} to 0x{VersionBestEpoch:X8}. ") +
                "A file from a newer version of Microsoft.ML.Mlp needs that version (or later) to load.");
        }
        int featureCount = reader.ReadInt32();
        ectx.CheckDecode(featureCount is >= 1 and <= NetworkDescription.MaxParameterCount, "Invalid number of features.");
        int hiddenCount = reader.ReadInt32();
        ectx.CheckDecode(hiddenCount is >= 0 and <= MlpTrainerOptionsBase.Defaults.MaxHiddenLayerCount, "Invalid number of hidden layers.");
        var hidden = new int[hiddenCount];
        for (int i = 0; i < hidden.Length; i++)
        {
            hidden[i] = reader.ReadInt32();
            ectx.CheckDecode(hidden[i] is >= 1 and <= NetworkDescription.MaxParameterCount, "Invalid hidden layer width.");
        }
        var activation = (MlpActivation)reader.ReadInt32();
        ectx.CheckDecode(Enum.IsDefined(activation), "Invalid activation.");
        int outputCount = reader.ReadInt32();
        ectx.CheckDecode(outputCount is >= 1 and <= NetworkDescription.MaxParameterCount, "Invalid number of outputs.");
        int lossCode = reader.ReadInt32();
        ectx.CheckDecode(lossCode is >= 0 and <= 3, "Invalid loss.");
        var loss = LossFromCode(lossCode);
        ectx.CheckDecode(Array.IndexOf(allowedLosses, loss) >= 0, "The model's loss does not match its task.");
        float huberDelta = reader.ReadSingle();
        ectx.CheckDecode(float.IsFinite(huberDelta) && huberDelta > 0, "Invalid Huber delta.");

        // The architecture fixes the parameter count; check it (in long arithmetic) before building anything.
        long expected = 0;
        int previous = featureCount;
        foreach (int width in hidden.Append(outputCount))
        {
            expected += (long)previous * width + width;
            ectx.CheckDecode(expected <= NetworkDescription.MaxParameterCount, "The network is too large.");
            previous = width;
        }
        int parameterCount = reader.ReadInt32();
        ectx.CheckDecode(parameterCount == expected, "The parameter count does not match the architecture.");

        NetworkDescription description;
        try
        {
            description = new NetworkDescription(featureCount, hidden, activation, outputCount, loss, huberDelta);
        }
        catch (ArgumentException e)
        {
            // The argument error is the core's check, not a failure of the loader: report its text as the decode error.
            throw ectx.ExceptDecode("Invalid network architecture: {0}", e.Message.Split(" (Parameter '")[0]);
        }
        ectx.CheckDecode(description.ParameterCount == parameterCount, "The parameter count does not match the architecture.");
        // The budget (parameters and the predictor's packed copy) before the bytes are even looked for.
        var limits = MlpModelLoadLimits.Current;
        limits.Check(description, epochRecords: 0);
        CheckRemaining(reader, ectx, (long)parameterCount * sizeof(float));

        var parameters = new float[parameterCount];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = reader.ReadSingle();
            ectx.CheckDecode(float.IsFinite(parameters[i]), "A parameter is not finite.");
        }

        int recordCount = reader.ReadInt32();
        ectx.CheckDecode(recordCount >= 0, "Invalid number of epoch records.");
        limits.Check(description, recordCount);
        CheckRemaining(reader, ectx, (long)recordCount * MinRecordBytes);
        var history = new MlpEpochRecord[recordCount];
        for (int i = 0; i < history.Length; i++)
        {
            // Every field in the range training produces: epochs numbered 1, 2, ... on (continued training goes on
            // from the last), finite non-negative losses, accuracy in [0, 1] or R² at most 1, a finite non-negative
            // learning rate, an elapsed time of less than a century.
            int epoch = reader.ReadInt32();
            ectx.CheckDecode(epoch >= 1 && (i == 0 || epoch > history[i - 1].Epoch), "Invalid epoch number in the training history.");
            double trainingLoss = reader.ReadDouble();
            ectx.CheckDecode(IsLoss(trainingLoss), "Invalid training loss in the training history.");
            byte flags = reader.ReadByte();
            ectx.CheckDecode((flags & ~(HasTrainingMetric | HasValidationLoss | HasValidationMetric)) == 0, "Invalid epoch record.");
            double? trainingMetric = (flags & HasTrainingMetric) != 0 ? reader.ReadDouble() : null;
            ectx.CheckDecode(trainingMetric is null || IsMetric(trainingMetric.Value, description), "Invalid training metric in the training history.");
            double? validationLoss = (flags & HasValidationLoss) != 0 ? reader.ReadDouble() : null;
            ectx.CheckDecode(validationLoss is null || IsLoss(validationLoss.Value), "Invalid validation loss in the training history.");
            double? validationMetric = (flags & HasValidationMetric) != 0 ? reader.ReadDouble() : null;
            ectx.CheckDecode(validationMetric is null || IsMetric(validationMetric.Value, description), "Invalid validation metric in the training history.");
            float learningRate = reader.ReadSingle();
            ectx.CheckDecode(float.IsFinite(learningRate) && learningRate >= 0, "Invalid learning rate in the training history.");
            long ticks = reader.ReadInt64();
            ectx.CheckDecode(ticks is >= 0 and <= MaxElapsedTicks, "Invalid elapsed time in the training history.");
            history[i] = new MlpEpochRecord(epoch, trainingLoss, trainingMetric, validationLoss, validationMetric, learningRate, TimeSpan.FromTicks(ticks));
        }
        if (version < VersionBestEpoch)
            return new MlpNetwork(description, activation, parameters, history);

        int bestEpoch = reader.ReadInt32();
        ectx.CheckDecode(recordCount == 0 ? bestEpoch == 0 : history.Any(r => r.Epoch == bestEpoch), "Invalid best epoch.");
        byte stoppedEarly = reader.ReadByte();
        ectx.CheckDecode(stoppedEarly <= 1, "Invalid early-stopping flag.");
        return new MlpNetwork(description, activation, parameters, history, bestEpoch, stoppedEarly == 1);
    }

    private static bool IsLoss(double value) => double.IsFinite(value) && value >= 0;

    /// <summary>Accuracy for classification (in [0, 1]), R² for regression (at most 1, unbounded below).</summary>
    private static bool IsMetric(double value, NetworkDescription network) =>
        double.IsFinite(value) && value <= 1 + MetricTolerance && (!network.IsClassification || value >= 0);

    /// <summary>A short human-readable description, saved next to the binary stream.</summary>
    public static void WriteSummary(TextWriter writer, MlpNetwork network)
    {
        var d = network.Description;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Multilayer perceptron: {d.InputCount} inputs, hidden layers [{string.Join(", ", network.HiddenLayerSizes)}] ({network.Activation}), {d.OutputCount} output(s), loss {d.Loss}"));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parameters: {d.ParameterCount}"));
        if (network.History.Count > 0)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Weights of epoch {network.BestEpoch}{(network.StoppedEarly ? " (early stopping)" : "")}"));
        foreach (var record in network.History)
            writer.WriteLine(record.ToString());
    }

    private static void CheckRemaining(BinaryReader reader, IExceptionContext ectx, long bytes)
    {
        var stream = reader.BaseStream;
        if (stream.CanSeek)
            ectx.CheckDecode(stream.Length - stream.Position >= bytes, "The model stream is shorter than its header says.");
    }

    private static int LossCode(LossFunction loss) => loss switch
    {
        LossFunction.BinaryCrossEntropy => 0,
        LossFunction.SoftmaxCrossEntropy => 1,
        LossFunction.Squared => 2,
        LossFunction.Huber => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    private static LossFunction LossFromCode(int code) => code switch
    {
        0 => LossFunction.BinaryCrossEntropy,
        1 => LossFunction.SoftmaxCrossEntropy,
        2 => LossFunction.Squared,
        _ => LossFunction.Huber,
    };
}
