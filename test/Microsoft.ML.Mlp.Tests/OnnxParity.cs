using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Exports a fitted pipeline with <c>ConvertToOnnx</c>, scores its raw input rows with ONNX Runtime itself and compares
/// every output the graph has with the same column of ML.NET's <c>Transform</c>.
/// </summary>
internal static class OnnxParity
{
    /// <summary>The largest relative difference accepted between ONNX Runtime and ML.NET.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>ML.NET's converter names each graph output after its column with this suffix.</summary>
    public const string OutputSuffix = ".output";

    /// <summary>The model as ONNX bytes.</summary>
    public static byte[] Export(MLContext ml, ITransformer model, IDataView data, int? opSetVersion = null)
    {
        using var stream = new MemoryStream();
        if (opSetVersion is { } opset)
            ml.Model.ConvertToOnnx(model, data, opset, stream);
        else
            ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Runs <paramref name="onnx"/> in ONNX Runtime on the raw columns of <paramref name="data"/> (one batch) and
    /// compares each output with ML.NET's column of the same name; returns the largest relative difference per column.
    /// Fails if one of <paramref name="requiredColumns"/> is not among the graph's outputs.
    /// </summary>
    public static Dictionary<string, double> Compare(byte[] onnx, ITransformer model, IDataView data, params string[] requiredColumns)
    {
        var expected = model.Transform(data);
        int rows = (int)(data.GetRowCount() ?? throw new ArgumentException("The data must know its row count."));
        // Warnings off: ML.NET's one-hot export declares a shape ONNX Runtime corrects (and says so at load).
        using var sessionOptions = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnx, sessionOptions);

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var (name, metadata) in session.InputMetadata)
                inputs[name] = InputTensor(data, name, metadata, rows);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, session.OutputNames);

            var differences = new Dictionary<string, double>();
            for (int i = 0; i < session.OutputNames.Count; i++)
            {
                string outputName = session.OutputNames[i];
                if (!outputName.EndsWith(OutputSuffix, StringComparison.Ordinal))
                    continue; // the converter's "mlnet.<column>.unusedOutput": a transform's by-product, not a column
                string column = outputName[..^OutputSuffix.Length];
                Assert.IsNotNull(expected.Schema.GetColumnOrNull(column), $"The ONNX output '{outputName}' has no ML.NET column.");
                differences[column] = CompareColumn(column, ReadOrt(outputs.ElementAt(i)), ReadColumn(expected, column), rows);
            }
            foreach (string column in requiredColumns)
                Assert.IsTrue(differences.ContainsKey(column), $"The ONNX graph has no '{column}' output; outputs: {string.Join(", ", session.OutputNames)}.");
            return differences;
        }
        finally
        {
            foreach (var value in inputs.Values)
                value.Dispose();
        }
    }

    /// <summary>
    /// The largest relative difference |a − b| / max(|a|, |b|, f) over the column, where the floor f is the column's
    /// largest |b| and at least 1 (the column's scale); fails if it exceeds <see cref="Tolerance"/>, and on any difference in
    /// labels or text.
    /// </summary>
    /// <remarks>
    /// The floor: a score is a float32 sum of products that are larger than the score itself when it cancels to near
    /// zero (a logit of 0.007 from terms of 0.3), and it keeps their absolute rounding, a few 1e-7 after ONNX Runtime's
    /// and .NET's approximations of tanh, sigmoid and exp; its own relative difference would measure the cancellation,
    /// not the export. The standardisation folded into the first and last layers (b' = b − W'·μ, b' = σ·b + μ) makes
    /// those terms larger still. So every value is held to 1e-5 of the column's scale; a wrong constant or operator in
    /// the export shows as a difference of 1e-3 or more.
    /// </remarks>
    public static double CompareColumn(string column, IReadOnlyList<object> actual, IReadOnlyList<object> expected, int rows)
    {
        Assert.HasCount(expected.Count, actual, $"Column '{column}': ONNX Runtime gave {actual.Count} values, ML.NET {expected.Count} ({rows} rows).");
        double floor = expected.OfType<double>().Where(double.IsFinite).Select(Math.Abs).Append(1.0).Max();
        double worst = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i] is double e && actual[i] is double a)
            {
                if (double.IsNaN(e) && double.IsNaN(a))
                    continue;
                double scale = Math.Max(Math.Max(Math.Abs(a), Math.Abs(e)), floor);
                double relative = scale == 0 ? 0 : Math.Abs(a - e) / scale;
                Assert.IsLessThanOrEqualTo(Tolerance, relative,
                    $"Column '{column}', value {i}: ONNX Runtime {a.ToString("R", CultureInfo.InvariantCulture)}, ML.NET {e.ToString("R", CultureInfo.InvariantCulture)}.");
                worst = Math.Max(worst, relative);
            }
            else
            {
                Assert.AreEqual(expected[i], actual[i], $"Column '{column}', value {i}.");
            }
        }
        return worst;
    }

    /// <summary>An ML.NET column flattened row by row: numbers and bools as doubles, text as strings.</summary>
    public static IReadOnlyList<object> ReadColumn(IDataView view, string name)
    {
        var column = view.Schema[name];
        var values = new List<object>();
        using var cursor = view.GetRowCursor([column]);
        var type = column.Type;
        var item = type is VectorDataViewType vector ? vector.ItemType : type;
        Func<List<object>, Action> reader = item.RawType switch
        {
            Type t when t == typeof(float) => list => Read<float>(cursor, column, list, v => (double)v),
            Type t when t == typeof(double) => list => Read<double>(cursor, column, list, v => v),
            Type t when t == typeof(bool) => list => Read<bool>(cursor, column, list, v => v ? 1.0 : 0.0),
            Type t when t == typeof(uint) => list => Read<uint>(cursor, column, list, v => (double)v),
            Type t when t == typeof(long) => list => Read<long>(cursor, column, list, v => (double)v),
            Type t when t == typeof(ReadOnlyMemory<char>) => list => Read<ReadOnlyMemory<char>>(cursor, column, list, v => v.ToString()),
            _ => throw new NotSupportedException($"Column '{name}' has type {type}, which this comparison does not read."),
        };
        var next = reader(values);
        while (cursor.MoveNext())
            next();
        return values;
    }

    private static Action Read<T>(DataViewRowCursor cursor, DataViewSchema.Column column, List<object> values, Func<T, object> convert)
    {
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<T>>(column);
            VBuffer<T> buffer = default;
            return () =>
            {
                getter(ref buffer);
                foreach (var v in buffer.DenseValues())
                    values.Add(convert(v));
            };
        }
        var scalar = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            scalar(ref value);
            values.Add(convert(value));
        };
    }

    /// <summary>An ONNX Runtime output flattened: numbers and bools as doubles, text as strings.</summary>
    public static IReadOnlyList<object> ReadOrt(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Select(v => (object)(double)v).ToList(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray().Select(v => (object)v).ToList(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray().Select(v => (object)(v ? 1.0 : 0.0)).ToList(),
            TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray().Select(v => (object)(double)v).ToList(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray().Select(v => (object)(double)v).ToList(),
            TensorElementType.String => value.GetStringTensorAsArray().Select(v => (object)v).ToList(),
            var other => throw new NotSupportedException($"ONNX Runtime returned a {other} tensor, which this comparison does not read."),
        };
    }

    /// <summary>The raw column <paramref name="name"/> as the [rows x width] tensor the graph input asks for.</summary>
    private static OrtValue InputTensor(IDataView data, string name, NodeMetadata metadata, int rows)
    {
        var column = data.Schema.GetColumnOrNull(name) ?? throw new AssertFailedException($"The ONNX input '{name}' is not a column of the data.");
        var values = ReadColumn(data, column.Name);
        long width = values.Count / rows;
        long[] shape = metadata.Dimensions.Length == 1 ? [rows] : [rows, width];
        switch (metadata.ElementDataType)
        {
            case TensorElementType.Float:
                return OrtValue.CreateTensorValueFromMemory(values.Select(v => (float)(double)v).ToArray(), shape);
            case TensorElementType.Bool:
                return OrtValue.CreateTensorValueFromMemory(values.Select(v => (double)v != 0).ToArray(), shape);
            case TensorElementType.UInt32:
                return OrtValue.CreateTensorValueFromMemory(values.Select(v => (uint)(double)v).ToArray(), shape);
            case TensorElementType.String:
                var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                for (int i = 0; i < values.Count; i++)
                    strings.StringTensorSetElementAt(((string)values[i]).AsSpan(), i);
                return strings;
            default:
                throw new NotSupportedException($"The ONNX input '{name}' is a {metadata.ElementDataType} tensor, which this comparison does not build.");
        }
    }
}
