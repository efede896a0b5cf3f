// Serves a binary MLP model over HTTP:
//   dotnet run --project samples/Mlp.Serving -c Release -- --urls http://127.0.0.1:5080 [--model PATH]
// Without --model it trains a small demo model (breast cancer, see DemoModel.cs) at start-up.
using Mlp.Serving;

var app = ServingApp.Build(args);
await app.RunAsync();
