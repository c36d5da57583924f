package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A map found damaged while in use is replaced by an empty one, kept aside, and rebuilt. */
@Timeout(120)
class TierIndexReplacementTest {
  @TempDir
  Path dir;

  @Test
  void damageFoundInUseReplacesTheMapKeepsItAsideAndTheIndexIsRebuiltFromTheTier() throws Exception {
    Path file = dir.resolve("tier.idx");
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 5_000)) {
      for (int i = 0; i < 100; i++) {
        index.put(name(i), entry(i));
      }
      Path damagedMap = index.mapFile();
      CountDownLatch replaced = new CountDownLatch(1);
      index.onReplaced(replaced::countDown);

      IndexCorruptedException e = index.reportDamage(new IllegalStateException("bad segment"));
      assertThat(e).hasMessageContaining(file.toString());
      // A write after the damage was seen waits for the new map and lands there.
      index.put(name(1_000), entry(1_000));
      assertThat(replaced.await(60, TimeUnit.SECONDS)).isTrue();

      assertThat(index.replacements()).isEqualTo(1);
      assertThat(index.mapFile()).isNotEqualTo(damagedMap);
      assertThat(damagedMap).doesNotExist();
      assertThat(asides()).hasSize(1);
      assertThat(index.needsReconciliation()).isTrue();
      assertThat(index.get(name(1_000))).isEqualTo(entry(1_000));
      assertThat(index.get(name(5))).as("only the rebuild brings old entries back").isNull();

      index.reconcile(new FilesOf(1_000, 1_001));
      assertThat(index.needsReconciliation()).isFalse();
      assertThat(index.size()).isEqualTo(101);
      assertThat(index.get(name(5)).size()).isEqualTo(entry(5).size());
    }
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 5_000)) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.size()).isEqualTo(101);
    }
  }

  @Test
  void anIndexClosedWhileDamagedMovesItsMapAsideAndTheNextOpenStartsEmpty() throws IOException {
    Path file = dir.resolve("tier.idx");
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 5_000)) {
      index.put(name(1), entry(1));
      index.reportDamage(new IllegalStateException("bad segment"));
    }
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 5_000)) {
      // Either the replacement ran before close (a fresh empty map, closed cleanly) or close moved
      // the damaged map aside (the next open resets): never the damaged entries.
      assertThat(index.get(name(1))).isNull();
      assertThat(asides()).hasSize(1);
    }
  }

  private Stream<Path> asides() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("tier.idx.damaged-")).toList().stream();
    }
  }

  /** A tier holding the files of entries 0 .. 99 and {@code from} .. {@code to - 1}. */
  private static final class FilesOf implements TierFiles {
    private final long from;
    private final long to;

    FilesOf(long from, long to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public void scan(ScanSink sink) {
      for (long i = 0; i < to; i = i == 99 ? from : i + 1) {
        IndexEntry e = entry(i);
        sink.file(name(i), e.size(), e.mtimeMillis(), e.fileKeyHash());
      }
    }

    @Override
    public boolean stat(String name, IndexEntry into) {
      return true;
    }
  }
}
