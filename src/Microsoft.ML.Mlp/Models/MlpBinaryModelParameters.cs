using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

[assembly: LoadableClass(typeof(MlpBinaryModelParameters), null, typeof(SignatureLoadModel),
    "MLP binary classification model", MlpBinaryModelParameters.LoaderSignature)]

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// A multilayer perceptron for binary classification, trained by <see cref="MlpBinaryTrainer"/>. Its score is the
/// logit z of the positive class; the trainer wraps it in ML.NET's calibrated model with a Platt calibrator fixed to
/// the plain sigmoid, so <c>Probability</c> = 1 / (1 + e^−z) is the network's own probability.
/// </summary>
public sealed class MlpBinaryModelParameters : MlpModelParametersBase<float>
{
    internal const string LoaderSignature = "MlpBinaryModel";
    private const string RegistrationName = "MlpBinaryModel";

    internal MlpBinaryModelParameters(IHostEnvironment env, MlpNetwork network)
        : base(env, RegistrationName, network)
    {
        Host.Check(network.Description.Loss == LossFunction.BinaryCrossEntropy, "A binary MLP model needs the binary cross-entropy head.");
    }

    private MlpBinaryModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, LossFunction.BinaryCrossEntropy)
    {
    }

    /// <summary>The kind of prediction: binary classification.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    internal static MlpBinaryModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(CurrentVersion);
        return new MlpBinaryModelParameters(env, ctx);
    }

    private static VersionInfo CurrentVersion => new(
        modelSignature: "MLPBINRY",
        //verWrittenCur: 0x00010001, // Initial
        verWrittenCur: 0x00010002, // Best epoch and early-stopping flag
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(MlpBinaryModelParameters).Assembly.FullName);

    private protected override VersionInfo GetVersionInfo() => CurrentVersion;

    private protected override ValueMapper<VBuffer<float>, float> CreateMapper() => CreateScalarMapper();
}
