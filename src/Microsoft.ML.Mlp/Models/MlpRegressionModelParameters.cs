using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.Mlp;
using Microsoft.ML.Trainers.Mlp.Models;
using Mlp.Gpu.Network;

[assembly: LoadableClass(typeof(MlpRegressionModelParameters), null, typeof(SignatureLoadModel),
    "MLP regression model", MlpRegressionModelParameters.LoaderSignature)]

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// A multilayer perceptron for regression, trained by <see cref="MlpRegressionTrainer"/>: its score is the linear
/// output of the last layer.
/// </summary>
public sealed class MlpRegressionModelParameters : MlpModelParametersBase<float>
{
    internal const string LoaderSignature = "MlpRegressionModel";
    private const string RegistrationName = "MlpRegressionModel";

    internal MlpRegressionModelParameters(IHostEnvironment env, MlpNetwork network)
        : base(env, RegistrationName, network)
    {
        Host.Check(network.Description.Loss is LossFunction.Squared or LossFunction.Huber && network.Description.OutputCount == 1,
            "A regression MLP model needs one output and the squared or Huber loss.");
    }

    private MlpRegressionModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, LossFunction.Squared, LossFunction.Huber)
    {
        Host.CheckDecode(NumberOfOutputs == 1, "A regression MLP model has one output.");
    }

    /// <summary>The loss the model was trained with.</summary>
    public MlpRegressionLoss Loss => Network.Description.Loss == LossFunction.Huber ? MlpRegressionLoss.Huber : MlpRegressionLoss.Squared;

    /// <summary>The Huber threshold δ the model was trained with (meaningful when <see cref="Loss"/> is
    /// <see cref="MlpRegressionLoss.Huber"/>).</summary>
    public float HuberDelta => Network.Description.HuberDelta;

    /// <summary>The kind of prediction: regression.</summary>
    protected override PredictionKind PredictionKind => PredictionKind.Regression;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    internal static MlpRegressionModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(CurrentVersion);
        return new MlpRegressionModelParameters(env, ctx);
    }

    private static VersionInfo CurrentVersion => new(
        modelSignature: "MLPREGRS",
        //verWrittenCur: 0x00010001, // Initial
        verWrittenCur: 0x00010002, // Best epoch and early-stopping flag
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(MlpRegressionModelParameters).Assembly.FullName);

    private protected override VersionInfo GetVersionInfo() => CurrentVersion;

    private protected override ValueMapper<VBuffer<float>, float> CreateMapper() => CreateScalarMapper();
}
