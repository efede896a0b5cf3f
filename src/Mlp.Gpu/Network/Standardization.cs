namespace Mlp.Gpu.Network;

/// <summary>
/// A per-column affine map x̂ = (x − μ)/σ (features, or a regression label), and its folding into a trained network so
/// that the network takes raw values and gives raw outputs at no cost at inference:
/// first layer W' = W·diag(1/σ), b' = b − W'·μ; output layer W' = σ_y·W, b' = σ_y·b + μ_y.
/// </summary>
/// <param name="Mean">μ per column.</param>
/// <param name="Scale">σ per column, positive (a constant column has 1).</param>
internal sealed record Standardization(double[] Mean, double[] Scale)
{
    /// <summary>Number of columns.</summary>
    public int Width => Mean.Length;

    /// <summary>Standardizes row-major values [rows x <see cref="Width"/>] in place.</summary>
    public void Apply(Span<float> values)
    {
        int d = Width;
        for (int start = 0; start + d <= values.Length; start += d)
        {
            var row = values.Slice(start, d);
            for (int j = 0; j < d; j++)
                row[j] = (float)((row[j] - Mean[j]) / Scale[j]);
        }
    }

    /// <summary>Makes the first layer take raw features: W' = W·diag(1/σ), b' = b − W'·μ (in double, rounded once).</summary>
    public void FoldIntoFirstLayer(NetworkDescription network, float[] parameters) => MapFirstLayer(network, parameters, fold: true);

    /// <summary>The inverse of <see cref="FoldIntoFirstLayer"/>: a raw-feature first layer in these coordinates.</summary>
    public void UnfoldFromFirstLayer(NetworkDescription network, float[] parameters) => MapFirstLayer(network, parameters, fold: false);

    /// <summary>Makes the single-output last layer give raw labels: W' = σ·W, b' = σ·b + μ.</summary>
    public void FoldIntoOutputLayer(NetworkDescription network, float[] parameters) => MapOutputLayer(network, parameters, fold: true);

    /// <summary>The inverse of <see cref="FoldIntoOutputLayer"/>.</summary>
    public void UnfoldFromOutputLayer(NetworkDescription network, float[] parameters) => MapOutputLayer(network, parameters, fold: false);

    private void MapFirstLayer(NetworkDescription network, float[] parameters, bool fold)
    {
        var layer = network.Layers[0];
        int inputs = layer.InputCount;
        for (int j = 0; j < layer.OutputCount; j++)
        {
            var w = parameters.AsSpan(layer.WeightOffset + j * inputs, inputs);
            double shift = 0;
            for (int i = 0; i < inputs; i++)
            {
                // fold: w' = w/σ, b' = b − Σ w'μ; unfold: w = w'·σ, b = b' + Σ w'μ (w' is the raw-feature weight).
                double raw = fold ? w[i] / Scale[i] : w[i];
                shift += raw * Mean[i];
                w[i] = (float)(fold ? raw : raw * Scale[i]);
            }
            ref float b = ref parameters[layer.BiasOffset + j];
            b = (float)(fold ? b - shift : b + shift);
        }
    }

    private void MapOutputLayer(NetworkDescription network, float[] parameters, bool fold)
    {
        var layer = network.Layers[^1];
        double mean = Mean[0], scale = Scale[0];
        var w = parameters.AsSpan(layer.WeightOffset, layer.WeightCount);
        for (int i = 0; i < w.Length; i++)
            w[i] = (float)(fold ? w[i] * scale : w[i] / scale);
        ref float b = ref parameters[layer.BiasOffset];
        b = (float)(fold ? b * scale + mean : (b - mean) / scale);
    }
}
