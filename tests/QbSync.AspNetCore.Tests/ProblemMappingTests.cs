using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QbSync.AspNetCore;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using QbSync.Testing;

namespace QbSync.AspNetCore.Tests;

public sealed class ProblemMappingTests
{
    [Fact]
    public void A_QuickBooks_fault_keeps_its_code_and_intuit_tid()
    {
        var fault = new QuickBooksValidationException(new QuickBooksFaultInfo
        {
            StatusCode = HttpStatusCode.BadRequest,
            FaultType = "ValidationFault",
            Errors = [new QuickBooksError("6000", "A business validation error has occurred", "Invalid Reference Id", null)],
            IntuitTid = "1-abc-tid",
        });

        var problem = QbSyncProblems.FromException(fault)!;

        problem.StatusCode.Should().Be(502);
        problem.ProblemDetails.Type.Should().Be(QbSyncProblemTypes.QuickBooksRefused);
        problem.ProblemDetails.Extensions["code"].Should().Be("6000");
        problem.ProblemDetails.Extensions["intuit_tid"].Should().Be("1-abc-tid");
        problem.ProblemDetails.Detail.Should().Contain("6000").And.Contain("A business validation error has occurred");
    }

    [Fact]
    public void Reconnect_required_is_a_conflict_of_its_own_type()
    {
        var error = new QuickBooksReconnectRequiredException("9341", QuickBooksConnectionStatus.ReconnectRequired, "invalid_grant");

        var problem = QbSyncProblems.FromException(error)!;

        problem.StatusCode.Should().Be(409);
        problem.ProblemDetails.Type.Should().Be(QbSyncProblemTypes.ReconnectRequired);
        problem.ProblemDetails.Detail.Should().NotContain("9341", "the realm is not the user's business");
    }

    [Fact]
    public void Other_exceptions_are_left_to_the_host()
    {
        QbSyncProblems.FromException(new InvalidOperationException("boom")).Should().BeNull();
    }

    [Fact]
    public void Every_problem_type_has_an_english_and_a_romanian_title()
    {
        var types = typeof(QbSyncProblemTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            foreach (var type in types)
            {
                CultureInfo.CurrentUICulture = new CultureInfo("en");
                var english = QbSyncProblems.Create(400, type).ProblemDetails.Title;
                CultureInfo.CurrentUICulture = new CultureInfo("ro");
                var romanian = QbSyncProblems.Create(400, type).ProblemDetails.Title;

                english.Should().NotBeNullOrWhiteSpace(type);
                romanian.Should().NotBeNullOrWhiteSpace(type).And.NotBe(english, type);
            }
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }

        types.Should().HaveCount(12);
    }

    [Fact]
    public async Task Webhooks_without_a_verifier_token_are_refused_as_not_configured()
    {
        await using var app = await TestApp.StartAsync(services => services.PostConfigure<QbSyncAspNetCoreOptions>(o => o.WebhookVerifierToken = null));
        using var client = app.Client();
        const string body = "{\"eventNotifications\":[]}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        content.Headers.Add("intuit-signature", WebhookSender.Sign(body, TestApp.VerifierToken));

        var response = await client.PostAsync("/qbsync/webhooks", content);

        await OAuthEndpointTests.ShouldBeProblem(response, HttpStatusCode.ServiceUnavailable, QbSyncProblemTypes.WebhooksNotConfigured);
    }
}
