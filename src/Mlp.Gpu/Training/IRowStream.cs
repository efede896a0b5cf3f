namespace Mlp.Gpu.Training;

/// <summary>
/// Training rows read in order, for data too large to hold in memory (e.g. an ML.NET IDataView cursor over a file).
/// The trainer reads blocks of rows, shuffles within each block and trains on them while the next block is read on
/// another thread, so memory stays bounded by two blocks. Calls never overlap, but may come from a worker thread.
/// </summary>
internal interface IRowStream
{
    /// <summary>Features per row.</summary>
    int FeatureCount { get; }

    /// <summary>Floats per label (see <see cref="Mlp.Gpu.Network.NetworkDescription.LabelWidth"/>).</summary>
    int LabelWidth { get; }

    /// <summary>Whether rows carry example weights.</summary>
    bool HasWeights { get; }

    /// <summary>Goes back to the first row (the start of an epoch).</summary>
    void Reset();

    /// <summary>
    /// Copies up to <paramref name="maxRows"/> next rows, row-major, into the spans; returns how many were read,
    /// 0 at the end of the data. <paramref name="weights"/> is empty when <see cref="HasWeights"/> is false.
    /// </summary>
    int Read(Span<float> features, Span<float> labels, Span<float> weights, int maxRows);
}
