using System.Text;
using QbSync.QuickBooks.Webhooks;
using QbSync.Tests.TestSupport;

namespace QbSync.Tests.Webhooks;

public class QuickBooksWebhookParserTests
{
    private static IReadOnlyList<QuickBooksWebhookEvent> ParseFile(string name) =>
        QuickBooksWebhookParser.Parse(Payload.ReadBytes("webhooks/" + name));

    [Fact]
    public void Legacy_doc_sample_with_offset_without_colon_parses_both_entities()
    {
        var events = ParseFile("legacy-doc-sample-two-entities.json");

        var when = new DateTimeOffset(2015, 10, 5, 14, 42, 19, TimeSpan.FromHours(-7));
        events.Should().Equal(
            new QuickBooksWebhookEvent { RealmId = "1185883450", EntityName = "Customer", EntityId = "1", Operation = QuickBooksWebhookOperation.Create, EventType = "Create", OccurredAt = when },
            new QuickBooksWebhookEvent { RealmId = "1185883450", EntityName = "Vendor", EntityId = "1", Operation = QuickBooksWebhookOperation.Create, EventType = "Create", OccurredAt = when });
    }

    [Fact]
    public void Legacy_dotnet_sdk_sample_parses_update_and_create()
    {
        var events = ParseFile("legacy-dotnet-sdk-test.json");

        events.Should().HaveCount(2);
        events[0].Should().BeEquivalentTo(new
        {
            RealmId = "1269959970", EntityName = "Vendor", EntityId = "40", Operation = QuickBooksWebhookOperation.Update,
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2016, 10, 5, 3, 9, 4, TimeSpan.Zero),
        });
        events[1].Should().BeEquivalentTo(new
        {
            RealmId = "1269959970", EntityName = "Customer", EntityId = "43", Operation = QuickBooksWebhookOperation.Create,
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2016, 10, 5, 3, 7, 4, TimeSpan.Zero),
            DeletedId = (string?)null, EventId = (string?)null,
        });
    }

    [Fact]
    public void Legacy_java_sdk_sample_parses()
    {
        ParseFile("legacy-java-sdk-test.json").Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            RealmId = "1185883450", EntityName = "Customer", EntityId = "1", Operation = QuickBooksWebhookOperation.Create,
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2015, 10, 5, 14, 42, 19, TimeSpan.FromHours(-7)),
        });
    }

    [Fact]
    public void Legacy_blog_sample_parses_milliseconds_utc()
    {
        ParseFile("legacy-blog-sample.json").Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            RealmId = "310687", EntityName = "Account", EntityId = "1234", Operation = QuickBooksWebhookOperation.Create,
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2025, 9, 8, 20, 52, 31, 657, TimeSpan.Zero),
        });
    }

    [Fact]
    public void CloudEvents_merge_gives_deleted_id()
    {
        ParseFile("cloudevents-doc-customer-merged.json").Should().ContainSingle().Which.Should().Be(new QuickBooksWebhookEvent
        {
            RealmId = "93414556*********",
            EntityName = "Customer",
            EntityId = "123",
            Operation = QuickBooksWebhookOperation.Merge,
            EventType = "qbo.customer.merged.v1",
            DeletedId = "27",
            OccurredAt = new DateTimeOffset(2025, 12, 4, 15, 25, 5, TimeSpan.Zero),
            EventId = "********-****-****-****-************-Customer-123",
        });
    }

    [Fact]
    public void CloudEvents_time_with_nine_fractional_digits_parses()
    {
        var single = ParseFile("cloudevents-blog-sample.json").Should().ContainSingle().Subject;

        single.Should().BeEquivalentTo(new
        {
            RealmId = "310687", EntityName = "Account", EntityId = "1234", Operation = QuickBooksWebhookOperation.Create,
            EventType = "qbo.account.created.v1", DeletedId = (string?)null, EventId = "88cd52aa-33b6-4351-9aa4-47572edbd068",
        });
        single.OccurredAt.Should().Be(new DateTimeOffset(2025, 9, 10, 21, 31, 25, TimeSpan.Zero).AddTicks(1798515));
    }

    [Fact]
    public void CloudEvents_employee_with_alternative_ids_parses()
    {
        ParseFile("cloudevents-doc-employee-created.json").Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            RealmId = "9341455*********", EntityName = "Employee", EntityId = "000000011", Operation = QuickBooksWebhookOperation.Create,
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2026, 2, 24, 15, 28, 19, 910, TimeSpan.Zero), DeletedId = (string?)null,
        });
    }

    [Fact]
    public void CloudEvents_without_data_parses()
    {
        ParseFile("cloudevents-doc-salesreceipt-updated-no-data.json").Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            RealmId = "9341455*********", EntityName = "SalesReceipt", EntityId = "150", Operation = QuickBooksWebhookOperation.Update,
            EventType = "qbo.salesreceipt.updated.v1",
            OccurredAt = (DateTimeOffset?)new DateTimeOffset(2026, 3, 17, 16, 19, 17, TimeSpan.Zero), DeletedId = (string?)null,
        });
    }

    [Fact]
    public void CloudEvents_dotnet_sdk_sample_parses()
    {
        var single = ParseFile("cloudevents-dotnet-sdk-test.json").Should().ContainSingle().Subject;

        single.Should().BeEquivalentTo(new
        {
            RealmId = "310687", EntityName = "Class", EntityId = "1234", Operation = QuickBooksWebhookOperation.Create,
            EventType = "qbo.class.created.v1", EventId = "d1a3aedd-9670-41bf-a4f9-c148a1cc4e03",
        });
        single.OccurredAt.Should().Be(new DateTimeOffset(2025, 10, 7, 19, 59, 7, TimeSpan.Zero).AddTicks(343593));
    }

    [Fact]
    public void Every_webhook_payload_file_parses_to_at_least_one_event()
    {
        foreach (var file in Directory.GetFiles(Payload.PathOf("webhooks"), "*.json"))
        {
            QuickBooksWebhookParser.Parse(File.ReadAllBytes(file)).Should().NotBeEmpty(file)
                .And.OnlyContain(e => e.OccurredAt != null && e.Operation != QuickBooksWebhookOperation.Unknown);
        }
    }

    [Theory]
    [InlineData("Void", QuickBooksWebhookOperation.Void)]
    [InlineData("Emailed", QuickBooksWebhookOperation.Emailed)]
    [InlineData("Merge", QuickBooksWebhookOperation.Merge)]
    [InlineData("Delete", QuickBooksWebhookOperation.Delete)]
    [InlineData("Archive", QuickBooksWebhookOperation.Unknown)]
    public void Legacy_operations_map_to_the_enum(string operation, QuickBooksWebhookOperation expected)
    {
        var body = "{\"eventNotifications\":[{\"realmId\":\"1\",\"dataChangeEvent\":{\"entities\":[{\"name\":\"Invoice\",\"id\":\"9\",\"operation\":\""
            + operation + "\",\"deletedId\":\"7\",\"lastUpdated\":\"2015-10-05T14:42:19.123-0700\"}]}}]}";

        var single = QuickBooksWebhookParser.Parse(body).Should().ContainSingle().Subject;

        single.Operation.Should().Be(expected);
        single.EventType.Should().Be(operation);
        single.DeletedId.Should().Be("7");
        single.OccurredAt.Should().Be(new DateTimeOffset(2015, 10, 5, 14, 42, 19, 123, TimeSpan.FromHours(-7)));
    }

    [Fact]
    public void Body_with_bom_parses()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Payload.ReadBytes("webhooks/legacy-java-sdk-test.json")).ToArray();

        QuickBooksWebhookParser.Parse(body).Should().ContainSingle();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"something\":1}")]
    [InlineData("42")]
    public void Invalid_body_throws_format_exception(string body)
    {
        var parse = () => QuickBooksWebhookParser.Parse(Encoding.UTF8.GetBytes(body));

        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void Incomplete_entries_are_skipped()
    {
        const string body = """[{"type":"qbo.customer.created.v1","intuitaccountid":"1"},{"type":"qbo.customer.deleted.v1","intuitaccountid":"1","intuitentityid":"5"}]""";

        QuickBooksWebhookParser.Parse(body).Should().ContainSingle().Which.Operation.Should().Be(QuickBooksWebhookOperation.Delete);
    }
}
