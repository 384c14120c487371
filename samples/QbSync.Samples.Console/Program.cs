using QbSync.Samples.ConsoleHost.Cli;

// QbSync's console host. With no command: the demo, a firm connecting its (fake) QuickBooks Online company,
// registering its accounts, running the first sync and walking through the help article's statuses and actions,
// against QbSync.Testing's QuickBooksOnlineFake (no QBO account needed). With a command (connect, import, sync,
// status, customers, link, create, unsync, history, problems): an operator's tool against a real company or any
// base URL. `--help` lists them. Everything the sync does goes through IAccountSyncService.
return await Cli.RunAsync(args, CliContext.ForProcess());
