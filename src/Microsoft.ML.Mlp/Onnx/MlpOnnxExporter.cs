using System.Globalization;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

namespace Microsoft.ML.Trainers.Mlp.Onnx;

/// <summary>
/// Writes a trained MLP into the ONNX graph that ML.NET's converter (<c>MLContext.Model.ConvertToOnnx</c>) builds:
/// one <c>Gemm</c> per layer (z = a·Wᵀ + b, W stored [out x in] as we keep it, so transB = 1 and no copy is
/// transposed), then the hidden activation, then the task's head. The model types implement ML.NET's
/// <c>ISingleCanSaveOnnx</c> by delegating here.
/// </summary>
/// <remarks>
/// <para>
/// What each task writes, matching what ML.NET's own predictors write so that its scorers and calibrators add the rest:
/// binary and regression write the network's output to the Score variable (for binary, ML.NET's calibrated model asks
/// for the Score only and its Platt calibrator adds Probability = sigmoid(Score); the binary scorer adds PredictedLabel
/// = Score &gt; threshold); multiclass writes Score = softmax(z) and PredictedLabel = argmax(Score) + 1 as a uint32 key,
/// as ML.NET's multiclass logistic regression does.
/// </para>
/// <para>
/// Opset: the graph needs opset 9 and reads the same in every opset from 9 to 12, the range ML.NET's converter writes
/// (12 by default, which is what we recommend). Every operator used (Gemm with its bias row broadcast, Relu, LeakyRelu,
/// Tanh, Sigmoid, Mul, Add, Softmax, ArgMax, Cast) has had its current meaning since opset 9 or earlier, so the choice is
/// the converter's floor, as for ML.NET's own predictors. <c>Gelu</c> exists as an operator only from opset 20, past
/// the converter's ceiling, so GELU is written out of elementary operators. <c>Softmax</c> before opset 13 flattens its
/// input to 2-D at the axis, which for our [N x classes] scores is exactly the row-wise softmax.
/// </para>
/// </remarks>
internal static class MlpOnnxExporter
{
    /// <summary>The lowest opset the exported graph needs (see the remarks on the class).</summary>
    public const int MinimumOpSetVersion = 9;

    /// <summary>
    /// The most parameter bytes an exported network may hold: ONNX files are one protocol-buffer message, which cannot
    /// exceed 2 GiB, and ML.NET's converter writes weights inline. 64 MiB are left for the rest of the pipeline.
    /// </summary>
    public const long MaxParameterBytes = int.MaxValue - (64L << 20);

    /// <summary>
    /// Throws a <see cref="NotSupportedException"/> when the network has more parameters than one ONNX file holds
    /// (every activation and head has an ONNX form).
    /// </summary>
    /// <param name="description">The network's architecture.</param>
    public static void CheckExportable(NetworkDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        long bytes = (long)description.ParameterCount * sizeof(float);
        if (bytes > MaxParameterBytes)
        {
            const double GiB = 1024.0 * 1024 * 1024;
            throw new NotSupportedException(string.Format(CultureInfo.InvariantCulture,
                "The MLP model ({0}) cannot be exported to ONNX: the network has {1:N0} parameters ({2:F2} GiB), more than one "
                + "ONNX file holds ({3:F2} GiB of weights: an ONNX file is one protocol-buffer message of at most 2 GiB).",
                description, description.ParameterCount, bytes / GiB, MaxParameterBytes / GiB));
        }
    }

    /// <summary>
    /// Adds the network to <paramref name="ctx"/>, reading the features from the ONNX variable
    /// <paramref name="featureVariable"/> and writing the variables named in <paramref name="outputNames"/>.
    /// </summary>
    /// <param name="network">The trained network.</param>
    /// <param name="ctx">The ONNX graph being built.</param>
    /// <param name="outputNames">The output variables the scorer asks for: [Score] or [PredictedLabel, Score].</param>
    /// <param name="featureVariable">The ONNX variable holding the [N x features] input.</param>
    /// <returns>Always true: a network that cannot be exported throws instead, naming the reason.</returns>
    public static bool Save(MlpNetwork network, OnnxContext ctx, string[] outputNames, string featureVariable)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (outputNames.Length is < 1 or > 2)
            throw new ArgumentException($"Expected the output names [Score] or [PredictedLabel, Score]; got {outputNames.Length} names.", nameof(outputNames));
        var description = network.Description;
        CheckExportable(description);
        ctx.CheckOpSetVersion(MinimumOpSetVersion, "MLP");

        // ML.NET's scorers pass [PredictedLabel, Score] or just [Score]; the score is always the last one.
        string scoreName = outputNames[^1];
        bool multiclass = description.Loss == LossFunction.SoftmaxCrossEntropy;

        string input = featureVariable;
        var layers = description.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            bool last = l == layers.Count - 1;
            string output = last && !multiclass ? scoreName : ctx.AddIntermediateVariable(null, last ? "MlpLogits" : $"MlpHidden{l}", true);
            input = AddLayer(ctx, network.Parameters, layers[l], l, input, output);
        }

        if (!multiclass)
            return true;

        // Score = softmax(z) over the classes (axis 1 of [N x classes]).
        var softmax = ctx.CreateNode("Softmax", input, scoreName, ctx.GetNodeName("Softmax"), "");
        softmax.AddAttribute("axis", 1L);
        if (outputNames.Length == 2)
            AddPredictedLabel(ctx, scoreName, outputNames[0]);
        return true;
    }

    /// <summary>z = input·Wᵀ + b (one Gemm), then a = s(z) into <paramref name="output"/>.</summary>
    private static string AddLayer(OnnxContext ctx, float[] parameters, DenseLayer layer, int index, string input, string output)
    {
        string weights = ctx.AddInitializer(new ArraySegment<float>(parameters, layer.WeightOffset, layer.WeightCount),
            [layer.OutputCount, layer.InputCount], $"MlpW{index}");
        string biases = ctx.AddInitializer(new ArraySegment<float>(parameters, layer.BiasOffset, layer.OutputCount),
            [layer.OutputCount], $"MlpB{index}");

        string z = layer.Activation == MlpActivation.Identity ? output : ctx.AddIntermediateVariable(null, $"MlpZ{index}", true);
        var gemm = ctx.CreateNode("Gemm", [input, weights, biases], [z], ctx.GetNodeName("Gemm"), "");
        gemm.AddAttribute("transB", 1L);

        switch (layer.Activation)
        {
            case MlpActivation.Identity:
                break;
            case MlpActivation.Relu:
                AddUnary(ctx, "Relu", z, output);
                break;
            case MlpActivation.Tanh:
                AddUnary(ctx, "Tanh", z, output);
                break;
            case MlpActivation.Sigmoid:
                AddUnary(ctx, "Sigmoid", z, output);
                break;
            case MlpActivation.LeakyRelu:
                AddUnary(ctx, "LeakyRelu", z, output).AddAttribute("alpha", (double)Activations.LeakyRelu.Slope);
                break;
            case MlpActivation.Gelu:
                AddGelu(ctx, z, output);
                break;
            default:
                throw new NotSupportedException($"The activation '{layer.Activation}' of layer {index} has no ONNX form in this exporter.");
        }
        return output;
    }

    /// <summary>
    /// GELU as we compute it (tanh approximation): a = z/2·(1 + tanh(√(2/π)·(z + 0.044715·z³))), in the same order of
    /// operations as the core's activation structs.
    /// </summary>
    private static void AddGelu(OnnxContext ctx, string z, string output)
    {
        string zz = Binary(ctx, "Mul", z, z, "MlpGeluZ2");
        string zzz = Binary(ctx, "Mul", zz, z, "MlpGeluZ3");
        string cubic = Binary(ctx, "Mul", zzz, ctx.AddInitializer(Activations.Gelu.A, "MlpGeluA"), "MlpGeluCubic");
        string inner = Binary(ctx, "Add", z, cubic, "MlpGeluInner");
        string scaled = Binary(ctx, "Mul", inner, ctx.AddInitializer(Activations.Gelu.C, "MlpGeluC"), "MlpGeluScaled");
        string tanh = ctx.AddIntermediateVariable(null, "MlpGeluTanh", true);
        AddUnary(ctx, "Tanh", scaled, tanh);
        string onePlus = Binary(ctx, "Add", tanh, ctx.AddInitializer(1f, "MlpOne"), "MlpGeluOnePlus");
        string half = Binary(ctx, "Mul", z, ctx.AddInitializer(0.5f, "MlpHalf"), "MlpGeluHalf");
        ctx.CreateNode("Mul", [half, onePlus], [output], ctx.GetNodeName("Mul"), "");
    }

    /// <summary>PredictedLabel = argmax(Score) + 1 as a uint32 key (ONNX's ArgMax keeps the first of equal maxima, as
    /// ML.NET's scorer does); the key's value 0 would mean "missing".</summary>
    private static void AddPredictedLabel(OnnxContext ctx, string score, string predictedLabel)
    {
        string argMax = ctx.AddIntermediateVariable(null, "MlpArgMax", true);
        var node = ctx.CreateNode("ArgMax", score, argMax, ctx.GetNodeName("ArgMax"), "");
        node.AddAttribute("axis", 1L);
        node.AddAttribute("keepdims", 1L);
        string key = Binary(ctx, "Add", argMax, ctx.AddInitializer(1L, "MlpKeyOffset"), "MlpKey");
        ctx.CreateNode("Cast", key, predictedLabel, ctx.GetNodeName("Cast"), "").AddAttribute("to", typeof(uint));
    }

    private static OnnxNode AddUnary(OnnxContext ctx, string opType, string input, string output) =>
        ctx.CreateNode(opType, input, output, ctx.GetNodeName(opType), "");

    private static string Binary(OnnxContext ctx, string opType, string left, string right, string outputPrefix)
    {
        string output = ctx.AddIntermediateVariable(null, outputPrefix, true);
        ctx.CreateNode(opType, [left, right], [output], ctx.GetNodeName(opType), "");
        return output;
    }
}
