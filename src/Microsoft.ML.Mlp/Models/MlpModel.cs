using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;

namespace Microsoft.ML.Trainers.Mlp;

/// <summary>
/// Finds the MLP inside a trained or loaded model, whatever wraps it: a <see cref="TransformerChain{TLastTransformer}"/>
/// (also nested, as <c>mlContext.Model.Load</c> returns it), ML.NET's prediction transformers, and the calibrated
/// wrapper of binary models.
/// </summary>
/// <example>
/// <code>
/// var loaded = mlContext.Model.Load("model.zip", out var schema);
/// var mlp = MlpModel.GetModelParameters&lt;MlpRegressionModelParameters&gt;(loaded);
/// Console.WriteLine($"best epoch {mlp.BestEpoch} of {mlp.TrainingHistory.Count}");
/// </code>
/// </example>
public static class MlpModel
{
    /// <summary>
    /// Looks for model parameters of type <typeparamref name="TModel"/> in <paramref name="model"/>: the last prediction
    /// step of a chain first (searching backwards through nested chains), looking through a calibrated wrapper.
    /// </summary>
    /// <typeparam name="TModel">What to find: <see cref="MlpBinaryModelParameters"/> (binary),
    /// <see cref="MlpMulticlassModelParameters"/>, <see cref="MlpRegressionModelParameters"/>, or a base type such as
    /// <see cref="MlpModelParametersBase{TOutput}"/> of <see cref="float"/> (binary or regression).</typeparam>
    /// <param name="model">A trained or loaded model: a pipeline, a single prediction transformer, or any transformer.</param>
    /// <param name="modelParameters">The model parameters found, or <see langword="null"/>.</param>
    /// <returns>Whether <paramref name="model"/> holds model parameters of type <typeparamref name="TModel"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    public static bool TryGetModelParameters<TModel>(ITransformer model, [NotNullWhen(true)] out TModel? modelParameters)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var candidate in ModelParametersIn(model))
        {
            if (candidate is TModel found)
            {
                modelParameters = found;
                return true;
            }
        }
        modelParameters = null;
        return false;
    }

    /// <summary>Returns the model parameters of type <typeparamref name="TModel"/> in <paramref name="model"/>, as
    /// <see cref="TryGetModelParameters{TModel}(ITransformer, out TModel)"/> finds them.</summary>
    /// <typeparam name="TModel">What to find, e.g. <see cref="MlpMulticlassModelParameters"/>.</typeparam>
    /// <param name="model">A trained or loaded model.</param>
    /// <returns>The model parameters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The model holds no such model parameters; the message names the
    /// model parameters it does hold.</exception>
    public static TModel GetModelParameters<TModel>(ITransformer model) where TModel : class
    {
        if (TryGetModelParameters(model, out TModel? found))
            return found;
        var present = ModelParametersIn(model).Select(p => p.GetType().Name).Distinct().ToList();
        throw new InvalidOperationException(
            $"The model holds no {typeof(TModel).Name}; " +
            (present.Count == 0
                ? $"it has no prediction step (a {model.GetType().Name})."
                : $"its prediction steps hold {string.Join(", ", present)}."));
    }

    /// <summary>The model parameters of every prediction step, last step first, calibrated wrappers opened.</summary>
    private static IEnumerable<object> ModelParametersIn(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var step in chain.Reverse())
            {
                foreach (var found in ModelParametersIn(step))
                    yield return found;
            }
            yield break;
        }
        // IPredictionTransformer<out TModel> is covariant: every prediction transformer is one of object.
        if (model is not IPredictionTransformer<object> { Model: { } parameters })
            yield break;
        if (parameters is CalibratedModelParametersBase { SubModel: { } subModel })
            yield return subModel;
        yield return parameters;
    }
}
