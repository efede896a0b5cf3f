using Microsoft.ML.Runtime;

namespace Microsoft.ML.Trainers.Mlp.Training;

/// <summary>
/// One token for both ways to stop training: the options' <see cref="MlpTrainerOptionsBase.CancellationToken"/> and
/// <c>MLContext.CancelExecution</c> (ML.NET's host has no token, so it is polled).
/// </summary>
internal sealed class HostCancellation : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IHost _host;
    private readonly CancellationToken _userToken;
    private readonly CancellationTokenSource _source;
    private readonly Timer? _poll;

    public HostCancellation(IHost host, CancellationToken userToken)
    {
        _host = host;
        _userToken = userToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(userToken);
        if (host is ICancelable cancelable)
            _poll = new Timer(_ => Poll(cancelable), null, s_pollInterval, s_pollInterval);
    }

    /// <summary>Fires when either source asks to stop.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>When the host (not the options' token) stopped training, reports it the way ML.NET's own trainers do.</summary>
    public void ThrowIfHostCancelled()
    {
        if (Token.IsCancellationRequested && !_userToken.IsCancellationRequested)
            _host.CheckAlive();
    }

    public void Dispose()
    {
        _poll?.Dispose();
        _source.Dispose();
    }

    private void Poll(ICancelable cancelable)
    {
        try
        {
            if (cancelable.IsCanceled)
                _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Training finished while the timer fired.
        }
    }
}
