using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace Mlp.Benchmarks;

/// <summary>
/// W4's ONNX Runtime row: the W1 network exported with <c>ConvertToOnnx</c> and scored by ONNX Runtime, one row at a
/// time (latency) and the 10,000 rows in one <c>Run</c> (throughput), the Score output read as our Transform's is.
/// </summary>
internal sealed class OnnxRuntimeScoring : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string[] _outputs = ["Score.output"];

    /// <summary>Exports <paramref name="model"/> (applied to <paramref name="data"/>'s schema) and opens it with
    /// <paramref name="threads"/> intra-op threads.</summary>
    public OnnxRuntimeScoring(MLContext ml, ITransformer model, IDataView data, int threads)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        _options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(stream.ToArray(), _options);
    }

    /// <summary>The graph's inputs for <paramref name="rows"/> rows: the 784 features, and the label column the
    /// converter also declares (unused by the scorer, filled with zeros).</summary>
    public Dictionary<string, OrtValue> Inputs(float[][] features, int rows)
    {
        var inputs = new Dictionary<string, OrtValue>();
        foreach (var (name, metadata) in _session.InputMetadata)
        {
            inputs[name] = metadata.ElementDataType switch
            {
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float =>
                    OrtValue.CreateTensorValueFromMemory(features.Take(rows).SelectMany(f => f).ToArray(), [rows, features[0].Length]),
                Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory(new uint[rows], [rows, 1]),
                var other => throw new NotSupportedException($"Input '{name}' is a {other} tensor."),
            };
        }
        return inputs;
    }

    /// <summary>One Run over <paramref name="inputs"/>, the scores read.</summary>
    public float Score(Dictionary<string, OrtValue> inputs)
    {
        using var results = _session.Run(_run, inputs, _outputs);
        return results[0].GetTensorDataAsSpan<float>()[^1];
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
    }
}
