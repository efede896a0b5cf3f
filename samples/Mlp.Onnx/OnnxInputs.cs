using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mlp.Onnx;

/// <summary>
/// Builds ONNX Runtime's inputs from the raw columns of an <see cref="IDataView"/>: ML.NET's converter names each
/// graph input after the column it reads, with shape [rows x 1] for a scalar column and [rows x n] for a vector.
/// </summary>
internal static class OnnxInputs
{
    /// <summary>One tensor per graph input; the caller disposes them.</summary>
    public static Dictionary<string, OrtValue> FromDataView(InferenceSession session, IDataView data, int rows)
    {
        var inputs = new Dictionary<string, OrtValue>();
        foreach (var (name, metadata) in session.InputMetadata)
        {
            var column = data.Schema.GetColumnOrNull(name)
                ?? throw new InvalidOperationException($"The ONNX model needs the input column '{name}', which the data does not have.");
            int width = column.Type is VectorDataViewType vector ? vector.Size : 1;
            long[] shape = [rows, width];
            inputs[name] = metadata.ElementDataType switch
            {
                TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(ReadFloats(data, column, rows * width), shape),
                TensorElementType.String => Strings(ReadStrings(data, column), shape),
                var other => throw new NotSupportedException($"Input '{name}' is a {other} tensor; this sample feeds float and string columns."),
            };
        }
        return inputs;
    }

    private static float[] ReadFloats(IDataView data, DataViewSchema.Column column, int count)
    {
        var values = new float[count];
        int next = 0;
        using var cursor = data.GetRowCursor([column]);
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> row = default;
            while (cursor.MoveNext())
            {
                getter(ref row);
                foreach (float v in row.DenseValues())
                    values[next++] = v;
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values[next++] = value;
            }
        }
        return values;
    }

    private static string[] ReadStrings(IDataView data, DataViewSchema.Column column)
    {
        var values = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value.ToString());
        }
        return values.ToArray();
    }

    private static OrtValue Strings(string[] values, long[] shape)
    {
        var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (int i = 0; i < values.Length; i++)
            tensor.StringTensorSetElementAt(values[i].AsSpan(), i);
        return tensor;
    }
}
