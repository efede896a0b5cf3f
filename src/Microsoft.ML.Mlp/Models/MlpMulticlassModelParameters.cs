using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

[assembly: LoadableClass(typeof(MlpMulticlassModelParameters), null, typeof(SignatureLoadModel),
    "MLP multiclass classification model", MlpMulticlassModelParameters.LoaderSignature)]

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// A multilayer perceptron for multiclass classification, trained by <see cref="MlpMulticlassTrainer"/>: its score
/// is the vector of class probabilities, softmax(z) of the last layer's outputs.
/// </summary>
public sealed class MlpMulticlassModelParameters : MlpModelParametersBase<VBuffer<float>>
{
    internal const string LoaderSignature = "MlpMulticlassModel";
    private const string RegistrationName = "MlpMulticlassModel";

    private readonly VectorDataViewType _outputType;

    internal MlpMulticlassModelParameters(IHostEnvironment env, MlpNetwork network)
        : base(env, RegistrationName, network)
    {
        Host.Check(network.Description.Loss == LossFunction.SoftmaxCrossEntropy, "A multiclass MLP model needs the softmax head.");
        _outputType = new VectorDataViewType(NumberDataViewType.Single, NumberOfOutputs);
    }

    private MlpMulticlassModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, LossFunction.SoftmaxCrossEntropy)
    {
        _outputType = new VectorDataViewType(NumberDataViewType.Single, NumberOfOutputs);
    }

    /// <summary>Number of classes: the length of the score vector.</summary>
    public int NumberOfClasses => NumberOfOutputs;

    /// <summary>The kind of prediction: multiclass classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    private protected override DataViewType OutputType => _outputType;

    internal static MlpMulticlassModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(CurrentVersion);
        return new MlpMulticlassModelParameters(env, ctx);
    }

    private static VersionInfo CurrentVersion => new(
        modelSignature: "MLPMULTI",
        //verWrittenCur: 0x00010001, // Initial
        verWrittenCur: 0x00010002, // Best epoch and early-stopping flag
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(MlpMulticlassModelParameters).Assembly.FullName);

    private protected override VersionInfo GetVersionInfo() => CurrentVersion;

    private protected override ValueMapper<VBuffer<float>, VBuffer<float>> CreateMapper()
    {
        int classCount = NumberOfClasses;
        return (in VBuffer<float> features, ref VBuffer<float> probabilities) =>
        {
            var editor = VBufferEditor.Create(ref probabilities, classCount);
            Predict(in features, editor.Values);
            probabilities = editor.Commit();
        };
    }
}
