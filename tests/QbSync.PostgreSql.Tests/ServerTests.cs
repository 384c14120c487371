namespace QbSync.PostgreSql.Tests;

/// <summary>The first thing CI learns: the server .ci/run prepared answers (with QBSYNC_REQUIRE_POSTGRES=1 a missing
/// server fails here, and in every other test, instead of skipping).</summary>
public sealed class ServerTests
{
    [Fact]
    public async Task The_test_server_answers()
    {
        await using var command = PostgreSqlServer.DataSource.CreateCommand("SELECT current_setting('server_version_num')::integer;");

        var version = (int)(await command.ExecuteScalarAsync())!;

        version.Should().BeGreaterThanOrEqualTo(130000, "the store needs PostgreSQL 13 or later");
    }
}
