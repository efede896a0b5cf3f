using System.Globalization;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Renders predictions as text that is equal exactly when the predictions are bit-identical (floats as their IEEE
/// bits), so the parent test and the model-loading child process can compare their outputs as strings.
/// </summary>
internal static class PredictionDump
{
    private static readonly string[] s_outputColumns = ["Score", "Probability", "PredictedLabel", "PredictedLabelValue"];

    public sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    public sealed class MulticlassPrediction
    {
        public float[] Score { get; set; } = [];

        public float PredictedLabelValue { get; set; }
    }

    public sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }

    /// <summary>One line per row of <paramref name="scored"/> with every prediction column it has.</summary>
    public static List<string> FromDataView(IDataView scored)
    {
        var columns = s_outputColumns
            .Select(name => scored.Schema.GetColumnOrNull(name))
            .Where(column => column is not null)
            .Select(column => column!.Value)
            .ToArray();
        var lines = new List<string>();
        using var cursor = scored.GetRowCursor(columns);
        var getters = columns.Select(column => MakeFormatter(cursor, column)).ToArray();
        while (cursor.MoveNext())
            lines.Add(string.Join(" ", getters.Select(getter => getter())));
        return lines;
    }

    /// <summary>One line per input row, predicted one at a time with a <see cref="PredictionEngine{TSrc, TDst}"/>.</summary>
    public static List<string> FromPredictionEngine(MLContext ml, ITransformer model, IDataView data, string task)
    {
        switch (task)
        {
            case "binary":
            {
                using var engine = ml.Model.CreatePredictionEngine<SyntheticData.BinaryRow, BinaryPrediction>(model);
                return ml.Data.CreateEnumerable<SyntheticData.BinaryRow>(data, reuseRowObject: false)
                    .Select(row => engine.Predict(row))
                    .Select(p => $"{Bits(p.Score)} {Bits(p.Probability)} {p.PredictedLabel}")
                    .ToList();
            }
            case "multiclass":
            {
                using var engine = ml.Model.CreatePredictionEngine<SyntheticData.FloatLabelRow, MulticlassPrediction>(model);
                return ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(data, reuseRowObject: false)
                    .Select(row => engine.Predict(row))
                    .Select(p => $"{string.Join(",", p.Score.Select(Bits))} {Bits(p.PredictedLabelValue)}")
                    .ToList();
            }
            case "regression":
            {
                using var engine = ml.Model.CreatePredictionEngine<SyntheticData.FloatLabelRow, RegressionPrediction>(model);
                return ml.Data.CreateEnumerable<SyntheticData.FloatLabelRow>(data, reuseRowObject: false)
                    .Select(row => engine.Predict(row))
                    .Select(p => Bits(p.Score))
                    .ToList();
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        }
    }

    /// <summary>The MLP model inside a fitted pipeline (a chain or a single prediction transformer).</summary>
    public static object FindMlpModel(ITransformer model)
    {
        IEnumerable<ITransformer> transformers = model is IEnumerable<ITransformer> chain ? chain : [model];
        foreach (var transformer in transformers.Reverse())
        {
            object? parameters = transformer switch
            {
                BinaryPredictionTransformer<CalibratedModelParametersBase<MlpBinaryModelParameters, PlattCalibrator>> binary => binary.Model.SubModel,
                MulticlassPredictionTransformer<MlpMulticlassModelParameters> multiclass => multiclass.Model,
                RegressionPredictionTransformer<MlpRegressionModelParameters> regression => regression.Model,
                _ => null,
            };
            if (parameters is not null)
                return parameters;
        }
        throw new InvalidOperationException("The pipeline has no MLP prediction transformer.");
    }

    /// <summary>The training history and the first layer's weights of the MLP inside <paramref name="model"/>.</summary>
    public static List<string> DescribeModel(ITransformer model)
    {
        var (history, weights, best, stoppedEarly) = FindMlpModel(model) switch
        {
            MlpModelParametersBase<float> scalar => (scalar.TrainingHistory, scalar.GetWeights(0), scalar.BestEpoch, scalar.StoppedEarly),
            MlpModelParametersBase<VBuffer<float>> vector => (vector.TrainingHistory, vector.GetWeights(0), vector.BestEpoch, vector.StoppedEarly),
            var other => throw new InvalidOperationException($"Unexpected model {other}."),
        };
        var lines = history.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch} {BitConverter.DoubleToInt64Bits(r.TrainingLoss):x16} {r.ValidationLoss?.ToString("R", CultureInfo.InvariantCulture) ?? "null"} {Bits(r.LearningRate)} {r.Elapsed.Ticks}")).ToList();
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"best epoch {best}, stopped early {stoppedEarly}"));
        lines.Add("weights " + string.Join(",", weights.ToArray().Select(Bits)));
        return lines;
    }

    public static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);

    private static Func<string> MakeFormatter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case NumberDataViewType when column.Type.RawType == typeof(float):
            {
                var getter = cursor.GetGetter<float>(column);
                float value = 0;
                return () => { getter(ref value); return Bits(value); };
            }
            case BooleanDataViewType:
            {
                var getter = cursor.GetGetter<bool>(column);
                bool value = false;
                return () => { getter(ref value); return value ? "T" : "F"; };
            }
            case KeyDataViewType when column.Type.RawType == typeof(uint):
            {
                var getter = cursor.GetGetter<uint>(column);
                uint value = 0;
                return () => { getter(ref value); return value.ToString(CultureInfo.InvariantCulture); };
            }
            case VectorDataViewType { ItemType: NumberDataViewType } vector when vector.ItemType.RawType == typeof(float):
            {
                var getter = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> value = default;
                return () => { getter(ref value); return string.Join(",", value.DenseValues().Select(Bits)); };
            }
            default:
                throw new NotSupportedException($"Column '{column.Name}' has unsupported type {column.Type}.");
        }
    }
}
