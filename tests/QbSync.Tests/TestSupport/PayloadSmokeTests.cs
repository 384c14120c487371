using QbSync.Tests.TestSupport;

namespace QbSync.Tests.TestSupport;

public class PayloadSmokeTests
{
    [Fact]
    public void Payload_files_are_copied_next_to_the_tests()
    {
        File.Exists(Payload.PathOf("SOURCES.md")).Should().BeTrue();
        Payload.Read("faults/6240-duplicate-name-no-id.json").Should().Contain("6240");
    }
}
