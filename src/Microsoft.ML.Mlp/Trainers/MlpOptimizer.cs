namespace Microsoft.ML.Trainers.Mlp;

/// <summary>The minibatch gradient method that updates the weights.</summary>
public enum MlpOptimizer
{
    /// <summary>Plain stochastic gradient descent, w ← w − η·g.</summary>
    Sgd = 0,

    /// <summary>SGD with classical (heavy-ball) momentum; see <see cref="MlpTrainerOptionsBase.Momentum"/>.</summary>
    Momentum = 1,

    /// <summary>SGD with Nesterov momentum; see <see cref="MlpTrainerOptionsBase.Momentum"/>.</summary>
    Nesterov = 2,

    /// <summary>Adam (Kingma and Ba, 2015). The default.</summary>
    Adam = 3,

    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter, 2019); see <see cref="MlpTrainerOptionsBase.WeightDecay"/>.</summary>
    AdamW = 4,
}
