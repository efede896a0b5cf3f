using System.Collections;
using System.Globalization;
using System.Reflection;
using Mlp.Gpu.Training;

namespace Microsoft.ML.Trainers.Mlp.Training;

/// <summary>
/// Maps <see cref="MlpTrainerOptionsBase.CheckpointDirectory"/> and <see cref="MlpTrainerOptionsBase.KeepLastCheckpoint"/>
/// onto the core's <see cref="CheckpointSettings"/>, with the options' part of the run's fingerprint: every public
/// option field of the task's options class (so an option added later is covered without a change here), by its
/// public name, except those that cannot change the trained model.
/// </summary>
internal static class CheckpointOptions
{
    /// <summary>Fields left out of the fingerprint: where checkpoints go, and the thread count (the model is the same
    /// bit for bit for every value). The seed is replaced by the seed actually used.</summary>
    private static readonly HashSet<string> s_notInFingerprint =
    [
        nameof(MlpTrainerOptionsBase.CheckpointDirectory),
        nameof(MlpTrainerOptionsBase.KeepLastCheckpoint),
        nameof(MlpTrainerOptionsBase.NumberOfThreads),
        nameof(MlpTrainerOptionsBase.Seed),
    ];

    /// <summary>The core's checkpoint settings, or null when <see cref="MlpTrainerOptionsBase.CheckpointDirectory"/> is null.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="seed">The seed of the run (the options' or the one drawn from the MLContext).</param>
    public static CheckpointSettings? Create(MlpTrainerOptionsBase options, int seed)
    {
        if (options.CheckpointDirectory is not { } directory)
            return null;
        var fingerprint = options.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(field => !s_notInFingerprint.Contains(field.Name))
            .OrderBy(field => field.Name, StringComparer.Ordinal)
            .Select(field => new KeyValuePair<string, string>(field.Name, Format(field.GetValue(options))))
            .Append(new(nameof(MlpTrainerOptionsBase.Seed), seed.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        return new CheckpointSettings(Path.GetFullPath(directory), options.KeepLastCheckpoint, fingerprint);
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
