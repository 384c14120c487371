using System.Globalization;
using QbSync.Samples.ConsoleHost;

// QbSync's console demo: a firm connects its (fake) QuickBooks Online company, registers its accounts, runs the
// first sync and walks through the help article's statuses and actions. Needs no QBO account: it runs against
// QbSync.Testing's QuickBooksOnlineFake. Everything the sync does goes through IAccountSyncService.
var arguments = DemoArguments.Parse(args, out var error);
if (arguments is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(DemoArguments.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 1;
}

CultureInfo.CurrentCulture = arguments.Culture;
CultureInfo.CurrentUICulture = arguments.Culture;

if (!DemoHost.IsStoreAvailable(arguments.Store, out var storeMessage))
{
    Console.Error.WriteLine(storeMessage);
    return 2;
}

using var demo = DemoHost.Start(arguments);
await new Walkthrough(demo).RunAsync();
return 0;
