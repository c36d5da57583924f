package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A flood of failing requests from one client makes a bounded number of short WARN lines. */
@Timeout(120)
class ServerLogFloodTest {
  @TempDir Path dir;

  @Test
  void aFloodOfFailingRequestsFromOnePeerLogsABurstThenOneLineASecondWithCounts() throws Exception {
    int requests = 2_000;
    Path err = dir.resolve("child.err");
    long began = System.nanoTime();
    Process child = ChildJvm.start(ServerLogFloodChild.class,
        List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), List.of(dir.toString(), Integer.toString(requests)),
        err);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began) + 1;
    assertThat(out).contains("answered " + requests);

    List<String> log = Files.readAllLines(err, StandardCharsets.UTF_8);
    List<String> warnings = log.stream().filter(l -> l.contains(" WARN io.objmapper.server.")).toList();
    assertThat(log).as("no line holds the whole name").noneMatch(l -> l.contains("n".repeat(300)));
    assertThat(log).allMatch(l -> l.length() < 1_000);
    // The limiter's burst of 10, then at most one line for each second the child ran: not one per request.
    assertThat(warnings).as("log:%n%s", ChildJvm.tail(err, 30)).isNotEmpty().hasSizeLessThanOrEqualTo((int) (10 + seconds))
        .allMatch(l -> l.contains("handler failed"));
    if (warnings.size() > 10) {
      assertThat(warnings.get(10)).contains("similar suppressed");
    }
  }
}
