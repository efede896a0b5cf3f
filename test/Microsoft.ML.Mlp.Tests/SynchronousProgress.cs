using Microsoft.ML.Trainers.Mlp;

namespace Microsoft.ML.Mlp.Tests;

/// <summary>Records progress reports on the training thread (unlike <see cref="Progress{T}"/>, which posts them),
/// optionally calling back as each arrives.</summary>
internal sealed class SynchronousProgress(Action<MlpEpochReport>? onReport = null) : IProgress<MlpEpochReport>
{
    public List<MlpEpochReport> Reports { get; } = [];

    /// <summary>The epoch of the last report (0 before the first).</summary>
    public int Epochs => Reports.Count == 0 ? 0 : Reports[^1].Record.Epoch;

    public void Report(MlpEpochReport value)
    {
        Reports.Add(value);
        onReport?.Invoke(value);
    }
}
