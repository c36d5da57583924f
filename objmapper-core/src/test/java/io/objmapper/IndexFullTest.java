package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills while a tier's index must grow (the child may write no file past 10 MB, so
 * the grown map cannot be made): the puts that need the room fail with a typed {@link
 * StorageException} (STORAGE_ERROR on the wire), leave no file behind, and the store goes on
 * serving what it has.
 */
@Timeout(300)
class IndexFullTest {
  @TempDir Path dir;

  @Test
  void putsThatNeedAnIndexGrowthTheDiskCannotHoldFailTypedAndLeaveNothing() throws Exception {
    Path err = dir.resolve("child.err");
    Process child = ChildJvm.startWithFileSizeLimit(10 * 1024, IndexFullChild.class,
        List.of("-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error"), List.of(dir.toString(), "40000"), err);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String why = String.format("stdout:%n%s%nstderr:%n%s", out, ChildJvm.tail(err, 20));
    assertThat(out).as(why).contains("bulk-failure StorageException STORAGE_ERROR", "bulk-leftover false", "closed");
    // The next put may find room the failed ones left in the map; if it does not, it fails the same way.
    if (out.contains("put ok")) {
      assertThat(out).as(why).contains("put-leftover true", "exists true");
    } else {
      assertThat(out).as(why).contains("put-failure StorageException STORAGE_ERROR", "put-leftover false", "exists false");
    }
    List<String> served = out.lines().filter(l -> l.startsWith("served ")).toList();
    assertThat(served).as(why).singleElement().satisfies(l -> {
      String[] f = l.split(" ");
      assertThat(f[1]).isEqualTo(f[3]);
      assertThat(Integer.parseInt(f[1])).isPositive();
    });
  }
}
