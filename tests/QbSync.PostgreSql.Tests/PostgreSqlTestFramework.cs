using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("QbSync.PostgreSql.Tests.PostgreSqlTestFramework", "QbSync.PostgreSql.Tests")]

namespace QbSync.PostgreSql.Tests;

/// <summary>
/// xunit's framework, except that without a PostgreSQL server to test against every test of this assembly is
/// reported skipped with a message saying how to run them (xunit 2 has no dynamic skip, and the conformance suite's
/// tests are inherited <c>[Fact]</c>s). With <c>QBSYNC_REQUIRE_POSTGRES=1</c> (CI) nothing is skipped: the tests run
/// and fail if the server is missing.
/// </summary>
public sealed class PostgreSqlTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgreSqlServer.SkipReason is not { } reason || !testMethod.Method.GetCustomAttributes(typeof(Xunit.FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var testCase = new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                reason);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}
