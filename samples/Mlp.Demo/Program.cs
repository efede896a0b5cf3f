// The main demo: an MLP next to the course's baselines (LinearSvm, LdSvm, RBF kernel map + LinearSvm, FastTree)
// on real data, then save, load in a fresh MLContext and predict; then regression on bike sharing next to Sdca and FastTree.
//   dotnet run --project samples/Mlp.Demo -c Release [-- --epochs N]
using Mlp.Demo;

int epochs = args.Length >= 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 10;
MainDemo.Run(epochs, Console.Out);
BikeSharingDemo.Run(epochs, Console.Out);
