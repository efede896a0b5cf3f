namespace Microsoft.ML.Mlp.Tests;

/// <summary>
/// Entry point of the test executable. <c>load-and-predict ...</c> runs <see cref="ModelLoaderProcess"/> (the
/// "other process" of the save/load round trips), <c>train-under-memory-limit</c> runs <see cref="MemoryLimitProcess"/>,
/// <c>train-with-checkpoints</c> runs <see cref="CheckpointProcess"/> (the process the resume tests kill); anything else
/// runs the tests.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        args.Length > 0 && args[0] == ModelLoaderProcess.Command
            ? Task.FromResult(ModelLoaderProcess.Run(args[1..]))
            : args.Length > 0 && args[0] == MemoryLimitProcess.Command
            ? Task.FromResult(MemoryLimitProcess.RunChild())
            : args.Length > 0 && args[0] == CheckpointProcess.Command
            ? Task.FromResult(CheckpointProcess.RunChild(args[1..]))
            : MicrosoftTestingPlatformApplication.RunAsync(args);
}
