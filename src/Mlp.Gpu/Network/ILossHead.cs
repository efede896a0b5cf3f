namespace Mlp.Gpu.Network;

/// <summary>
/// One output head and its loss as a tiny stateless struct that kernels are generic over (as <see cref="IActivation"/>):
/// the CPU and ILGPU loss kernels run the same row code, each over its own <see cref="ILossRow"/>. Throw-free and
/// float-only, because ILGPU kernels call it (GPUs run float64 at a fraction of the rate, many OpenCL devices not at all).
/// </summary>
internal interface ILossHead
{
    /// <summary>
    /// The loss L of one row of <c>k</c> outputs z and its labels (δ: the Huber threshold, unused by the other heads); when
    /// <c>writeGradient</c>, writes <c>gradientScale</c>·∂L/∂z_j for every output. <c>correct</c> is 1 when a classifier's
    /// prediction matches the label, else 0; <c>squared</c> is Σ_j (z_j − y_j)² for regression heads (for R²), else 0.
    /// </summary>
    float Loss<TRow>(TRow row, int k, float huberDelta, float gradientScale, bool writeGradient, out float correct, out float squared)
        where TRow : struct, ILossRow;

    /// <summary>Turns the outputs z into what a prediction reports, in place (on the CPU).</summary>
    void Score(Span<float> output);
}

/// <summary>A backend's access to one row: its outputs, its labels and its gradient.</summary>
internal interface ILossRow
{
    /// <summary>z_j.</summary>
    float Output(int j);

    /// <summary>The j-th label float (a 0/1 label or class index at 0, or the target of output j).</summary>
    float Label(int j);

    /// <summary>Writes ∂L/∂z_j (scaled); called only when the gradient is wanted.</summary>
    void SetGradient(int j, float value);
}

/// <summary>Code generic over the loss head, called by <see cref="LossHeads.Dispatch"/> with the struct of a runtime value.</summary>
internal interface ILossHeadConsumer
{
    /// <summary>Runs with <typeparamref name="THead"/> as the head.</summary>
    void Invoke<THead>()
        where THead : struct, ILossHead;
}
