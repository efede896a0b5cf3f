// Exports the main demo's MLP pipeline (featurization + MLP) to ONNX, scores the test rows with ONNX Runtime and
// compares with ML.NET.
//   dotnet run --project samples/Mlp.Onnx -c Release [-- --epochs N]
using Mlp.Onnx;

int epochs = args.Length >= 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 10;
OnnxDemo.Run(epochs, Path.GetTempPath(), Console.Out);
