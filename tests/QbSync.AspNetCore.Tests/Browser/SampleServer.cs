using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace QbSync.AspNetCore.Tests.Browser;

/// <summary>The web sample (samples/QbSync.Samples.Web) started with WebApplicationFactory on Kestrel at
/// 127.0.0.1 and a free port, with its own SQLite file, so a real browser can use it.</summary>
public sealed class SampleServer : WebApplicationFactory<Program>
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), "qbsync-web-test-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly Action<IServiceCollection>? _configureServices;

    /// <summary>Starts the sample.</summary>
    /// <param name="configureServices">Changes to the sample's services (applied after its own).</param>
    public SampleServer(Action<IServiceCollection>? configureServices = null)
    {
        _configureServices = configureServices;
        Port = FreePort();
        BaseUrl = "http://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Program reads these before the factory's own configuration applies; environment variables it sees.
        Environment.SetEnvironmentVariable("Demo__PublicUrl", BaseUrl);
        Environment.SetEnvironmentVariable("Demo__DatabasePath", _databasePath);
        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }

    public string BaseUrl { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Development");
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Environment.SetEnvironmentVariable("Demo__PublicUrl", null);
        Environment.SetEnvironmentVariable("Demo__DatabasePath", null);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _databasePath, _databasePath + "-wal", _databasePath + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
