package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Index files sized to their use: small when empty, growing as entries arrive, typed failure when the disk is full. */
@Timeout(300)
class TierIndexSizingTest {
  private static final long EIGHT_MB = 8L << 20;

  @TempDir
  Path dir;

  @Test
  void anEmptyIndexWithDefaultOptionsTakesAtMostEightMegabytesOnDisk() throws IOException {
    try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("tier.idx"), IndexOptions.builder().build())) {
      assertThat(Files.size(index.mapFile())).isLessThanOrEqualTo(EIGHT_MB);
      assertThat(allocatedBytes(index.mapFile())).isLessThanOrEqualTo(EIGHT_MB);
    }
    assertThat(allocatedBytes(dir)).as("everything the index keeps").isLessThanOrEqualTo(EIGHT_MB);
  }

  @Test
  void aDefaultIndexGrowsPastSeveralDoublingsKeepingEveryEntry() throws IOException {
    int n = 450_000; // 50,000 declared: 100K, 200K, 400K, 800K
    try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("tier.idx"), IndexOptions.builder().build())) {
      long emptyBytes = Files.size(index.mapFile());
      for (int i = 0; i < n; i++) {
        index.put(name(i), entry(i));
      }
      assertThat(index.size()).isEqualTo(n);
      // A map takes about twice its declared entries: 450,000 needed one declared for 400,000.
      assertThat(index.growths()).isGreaterThanOrEqualTo(3);
      assertThat(index.capacity()).isGreaterThanOrEqualTo(400_000);
      assertThat(Files.size(index.mapFile())).isGreaterThan(emptyBytes * 4);
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < n; i += 7) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into).isEqualTo(entry(i));
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().contains(".map."))).as("replaced maps deleted").hasSize(1);
    }
  }

  @Test
  void anIndexThatCannotPreallocateFailsWithAStorageExceptionNamingTheFile() throws Exception {
    Path file = dir.resolve("tier.idx");
    Path err = dir.resolve("child.err");
    // 1M entries need about 125 MB; the child may write no file beyond 16 MB.
    Process child = ChildJvm.startWithFileSizeLimit(16 * 1024, TierIndexDiskFullChild.class, List.of("-Xmx128m"),
        List.of(file.toString(), "1000000"), err);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("stdout %s, stderr %s", out, ChildJvm.tail(err, 30)).isZero();
    assertThat(out).startsWith("failed io.objmapper.StorageException: ").contains(file + ".map.1");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no partial map left").noneMatch(n -> n.contains(".map."));
    }
  }

  /** Bytes of disk blocks allocated to {@code path} (a file, or a folder and everything in it), as {@code du} counts them. */
  static long allocatedBytes(Path path) throws IOException {
    Process du = new ProcessBuilder("du", "-s", "-B1", path.toString()).redirectErrorStream(true).start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return Long.parseLong(out.split("\\s+")[0]);
  }
}
