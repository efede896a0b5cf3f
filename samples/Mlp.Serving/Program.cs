// Serves a saved ML.NET pipeline that ends in an MLP (binary, multiclass or regression) over HTTP:
//   dotnet run --project samples/Mlp.Serving -c Release -- --urls http://127.0.0.1:5080 [--model PATH]
// Without --model it trains a small demo model (breast cancer, see DemoModel.cs) at start-up.
using Mlp.Serving;

return await ServingApp.RunAsync(args, Console.Error);
