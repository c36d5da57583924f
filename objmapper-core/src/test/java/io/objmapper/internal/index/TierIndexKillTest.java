package io.objmapper.internal.index;

import io.objmapper.testing.ChildJvm;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code kill -9} of a process writing the index, then a reopen in this JVM. */
@Timeout(300)
class TierIndexKillTest {

  @TempDir
  Path dir;

  @Test
  void anIndexKilledMidWriteIsRebuiltFromTheTierWithoutReadingItsMap() throws Exception {
    Path file = dir.resolve("tier.idx");
    Path childErr = dir.resolve("child.err");
    Process child = startChild(file, 5_000_000, childErr);
    long committed = 0;
    String last = "";
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = ChildJvm.pumpLines(child, lines, "kill-test-child-stdout");
      while (committed < 30_000) {
        String line = lines.poll(120, TimeUnit.SECONDS);
        assertThat(line).as("child output (stderr in %s: %s)", childErr, ChildJvm.tail(childErr, 20)).isNotNull().isNotEqualTo(ChildJvm.EOF);
        committed = Math.max(committed, parseCommitted(line));
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no marker
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      pump.join(TimeUnit.SECONDS.toMillis(30));
      for (String line = lines.poll(); line != null && !line.equals(ChildJvm.EOF); line = lines.poll()) {
        committed = Math.max(committed, parseCommitted(line));
        last = line;
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(child.isAlive()).isFalse();
    assertThat(last).as("killed mid-way").isNotEqualTo("done");
    assertThat(Files.exists(dir.resolve("tier.idx.clean"))).isFalse();

    long reported = committed;
    // The map a killed process left is never read: it is moved aside and the index rebuilt.
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 2_000)) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
      assertThat(index.movedAside().orElseThrow()).exists();
      index.reconcile(new EntriesAsFiles(reported));
      assertThat(index.size()).isEqualTo(reported);
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < reported; i++) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into.size()).isEqualTo(entry(i).size());
      }
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        for (long i = reported; i < reported + 1_000; i++) {
          index.put(name(i), entry(i));
        }
      });
      assertThat(index.size()).isEqualTo(reported + 1_000);
    }
  }

  /** A tier holding the files of entries 0 .. n-1, as a rebuild scans them. */
  private static final class EntriesAsFiles implements TierFiles {
    private final long n;

    EntriesAsFiles(long n) {
      this.n = n;
    }

    @Override
    public void scan(ScanSink sink) {
      for (long i = 0; i < n; i++) {
        IndexEntry e = entry(i);
        sink.file(name(i), e.size(), e.mtimeMillis(), e.fileKeyHash());
      }
    }

    @Override
    public boolean stat(String name, IndexEntry into) {
      return true;
    }
  }

  private static Process startChild(Path file, int limit, Path stderr) throws IOException {
    return ChildJvm.start(TierIndexKillChild.class, List.of("-Xmx256m"), List.of(file.toString(),
        Integer.toString(limit)), stderr);
  }

  private static long parseCommitted(String line) {
    return line.startsWith("committed ") ? Long.parseLong(line.substring("committed ".length())) : 0;
  }

}
