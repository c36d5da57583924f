package io.objmapper.spi.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Each kit test a tier skips tells, in the test report, why it does not apply to that tier. */
class ContractKitSkipReasonsTest {
  /** Skipped and aborted tests of one run of the kit, with their reasons. */
  private static List<String> skipsOf(Class<?> kit) {
    List<String> skips = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build(),
        new TestExecutionListener() {
          @Override
          public void executionSkipped(TestIdentifier test, String reason) {
            skips.add(test.getDisplayName() + ": " + reason);
          }

          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
              skips.add(test.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
            } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
              failures.add(test.getDisplayName());
            }
          }
        });
    assertThat(failures).as("kit failures").isEmpty();
    return skips;
  }

  @Test
  void theTestsARemoteTierSkipsSayTheyNeedALocalTier() {
    List<String> skips = skipsOf(InMemoryRemoteTierContractTest.class);
    assertThat(skips).isNotEmpty().allSatisfy(s -> assertThat(s)
        .contains(": Assumption failed: skipped: checks the files of a local tier (Tier.localFiles(): path")
        .endsWith("the tier under test is not local"));
  }
}
