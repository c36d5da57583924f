package io.objmapper;

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

/** Names too long for a file system, asked for again and again, make a few short log lines. */
@Timeout(120)
class LongNameLogTest {
  @TempDir
  Path dir;

  @Test
  void requestsNamingAPartLongerThan255BytesLogCutNamesAFewTimesAndCountTheRest() throws Exception {
    int requests = 500;
    Path err = dir.resolve("child.err");
    Process child = ChildJvm.start(LongNameLogChild.class,
        List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), List.of(dir.toString(), Integer.toString(requests)),
        err);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("answered " + requests);

    List<String> log = Files.readAllLines(err, StandardCharsets.UTF_8);
    List<String> warnings = log.stream().filter(l -> l.contains(" WARN io.objmapper.")).toList();
    assertThat(log).as("no line holds the whole name").noneMatch(l -> l.contains("n".repeat(200)));
    assertThat(log).allMatch(l -> l.length() < 1_000);
    // Two tiers, each a burst of 10 lines: not one or two per request.
    assertThat(warnings).as("stdout %s, log:%n%s", out, ChildJvm.tail(err, 30)).hasSizeLessThanOrEqualTo(20)
        .isNotEmpty();
    assertThat(String.join("\n", log).length()).isLessThan(20 * 1_000);
  }
}
