namespace Mlp.Gpu.Network;

/// <summary>The output head and loss of a network. The output layer itself is linear (logits z).</summary>
internal enum LossFunction
{
    /// <summary>One logit z; p = sigmoid(z); binary cross-entropy computed on the logit
    /// (max(z,0) − z·y + log(1 + e^−|z|)) so it never overflows. Labels are 0 or 1.</summary>
    BinaryCrossEntropy,

    /// <summary>k logits; softmax fused with cross-entropy through log-sum-exp. Labels are class indices 0..k−1.</summary>
    SoftmaxCrossEntropy,

    /// <summary>k linear outputs; mean squared error over the outputs, (1/k)·Σ(z − y)².</summary>
    Squared,

    /// <summary>k linear outputs; Huber loss averaged over the outputs: ½r² for |r| ≤ δ, else δ(|r| − ½δ).</summary>
    Huber,
}
