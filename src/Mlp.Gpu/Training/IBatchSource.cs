namespace Mlp.Gpu.Training;

/// <summary>Where the training loop gets its minibatches: a dataset held on the device, or a stream of rows.</summary>
internal interface IBatchSource : IDisposable
{
    /// <summary>Whether batches carry example weights.</summary>
    bool Weighted { get; }

    /// <summary>Σ_i w_i·Σ_j (y_ij − ȳ_j)² over the rows of the last complete epoch (the denominator of R²).</summary>
    double TotalSquares { get; }

    /// <summary>Starts an epoch; with <paramref name="shuffle"/> the row order is drawn from <paramref name="random"/>.</summary>
    void StartEpoch(Random random, bool shuffle);

    /// <summary>Draws from <paramref name="random"/> exactly what an epoch of <paramref name="rowsPerEpoch"/> rows would,
    /// without reading any data: how a resumed run brings the shuffling to where the checkpoint left it.</summary>
    void SkipEpoch(Random random, bool shuffle, long rowsPerEpoch);

    /// <summary>Loads the next minibatch of at most <paramref name="batchSize"/> rows into the workspace; 0 at the epoch's end.</summary>
    int LoadNext(NetworkWorkspace workspace, int batchSize);
}
