using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Sqlite;
using QbSync.Sync;

namespace QbSync.Samples.ConsoleHost.Cli;

/// <summary>
/// The sync engine for one command: <c>AddQbSync</c> pointed at Intuit (or the base URL given) with the chosen store,
/// the way an application wires it.
/// </summary>
internal sealed class CliServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private CliServices(ServiceProvider provider)
    {
        _provider = provider;
        _scope = provider.CreateAsyncScope();
    }

    public IAccountSyncService Sync => _scope.ServiceProvider.GetRequiredService<IAccountSyncService>();

    public QuickBooksClient QuickBooks => _scope.ServiceProvider.GetRequiredService<QuickBooksClient>();

    public QuickBooksOAuthClient OAuth => _scope.ServiceProvider.GetRequiredService<QuickBooksOAuthClient>();

    public ISyncAuthorizationPolicy Policy => _scope.ServiceProvider.GetRequiredService<ISyncAuthorizationPolicy>();

    public static CliServices Create(CliSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.None);
            if (settings.Verbose)
            {
                // Logs go to standard error so that `status --json` output stays clean.
                logging.AddSimpleConsole(c => c.SingleLine = true);
                logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
            }
        });
        var builder = services.AddQbSync(
            sync => sync.WorkerId = "qbsync-cli",
            client =>
            {
                client.Environment = settings.Environment;
                client.BaseUrl = settings.BaseUrl;
            },
            oauth =>
            {
                oauth.ClientId = settings.ClientId;
                oauth.ClientSecret = settings.ClientSecret;
                oauth.RedirectUri = settings.RedirectUri;
                if (settings.AuthorizationEndpoint is { } authorize)
                {
                    oauth.AuthorizationEndpoint = authorize;
                }

                if (settings.TokenEndpoint is { } token)
                {
                    oauth.TokenEndpoint = token;
                }

                if (settings.RevocationEndpoint is { } revoke)
                {
                    oauth.RevocationEndpoint = revoke;
                }
            });
        if (settings.Store == StoreKind.Memory)
        {
            builder.UseInMemoryStore();
        }
        else
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(settings.DatabasePath));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            builder.UseSqliteStore(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = settings.DatabasePath }.ToString());
        }

        return new CliServices(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _provider.DisposeAsync().ConfigureAwait(false);
    }
}
