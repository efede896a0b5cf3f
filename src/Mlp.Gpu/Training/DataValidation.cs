namespace Mlp.Gpu;

/// <summary>Checks rows before training: finite features, labels valid for the head, finite non-negative weights.</summary>
internal static class DataValidation
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad row (counted from <paramref name="firstRow"/>) and column.</summary>
    public static void Validate(NetworkDescription network, ReadOnlySpan<float> features, ReadOnlySpan<float> labels,
        ReadOnlySpan<float> weights, string name, long firstRow)
    {
        int d = network.InputCount, k = network.LabelWidth;
        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
                throw new ArgumentException($"The {name} has a non-finite feature value ({features[i]}) at row {firstRow + i / d}, feature {i % d}.");
        }
        for (int i = 0; i < labels.Length; i++)
        {
            float y = labels[i];
            string? problem = network.Loss switch
            {
                LossFunction.BinaryCrossEntropy when y is not (0f or 1f) => "a binary label must be 0 or 1",
                LossFunction.SoftmaxCrossEntropy when !(y >= 0 && y < network.OutputCount && y == MathF.Floor(y)) =>
                    $"a class label must be an integer in [0, {network.OutputCount - 1}]",
                _ when !float.IsFinite(y) => "a label must be finite",
                _ => null,
            };
            if (problem is not null)
                throw new ArgumentException($"The {name} has an invalid label {y} at row {firstRow + i / k}: {problem}.");
        }
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(weights[i] >= 0f) || !float.IsFinite(weights[i]))
                throw new ArgumentException($"The {name} has an invalid example weight {weights[i]} at row {firstRow + i}: weights must be finite and non-negative.");
        }
    }
}
