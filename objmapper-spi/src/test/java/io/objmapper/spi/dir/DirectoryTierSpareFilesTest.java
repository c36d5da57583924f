package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpareFiles}: the unsynced writes of cache copies go into files made ahead in the root,
 * which are never taken for objects, and which close (or the next start after a crash) removes.
 */
class DirectoryTierSpareFilesTest {
  private static final long WAIT_MILLIS = 30_000;

  @TempDir Path root;

  private DirectoryTier tier(String... options) throws IOException {
    TierConfig.Builder b = TierConfig.builder().name("t").type("plain").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    for (int i = 0; i < options.length; i += 2) {
      b.option(options[i], options[i + 1]);
    }
    return DirectoryTier.start(new DirectoryTierSafetyTest.PlainTier(b.build(), root));
  }

  private List<Path> temporaries() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX))
          .collect(Collectors.toList());
    }
  }

  private static List<Object> fileKeys(List<Path> files) throws IOException {
    List<Object> keys = new java.util.ArrayList<>();
    for (Path p : files) {
      keys.add(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    }
    return keys;
  }

  private static InputStream bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return new ByteArrayInputStream(b);
  }

  @Test
  void aTierThatNeverWritesUnsyncedMakesNoFileAhead() throws IOException {
    try (DirectoryTier t = tier()) {
      t.write("/a", bytes(1, 2));
      assertThat(t.spares().readyCount()).isZero();
      assertThat(temporaries()).isEmpty();
    }
  }

  @Test
  void anUnsyncedWriteAfterTheFirstTakesAFileMadeAheadAndPublishesItWhole() throws Exception {
    try (DirectoryTier t = tier()) {
      t.write("/first", bytes(9), false);
      assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();
      List<Path> ahead = temporaries();
      assertThat(ahead).hasSize(SpareFiles.CAPACITY).allMatch(p -> p.getParent().equals(root));
      List<Object> aheadKeys = fileKeys(ahead);

      ObjectStat s = t.write("/d/e/copy", bytes(1, 2, 3), false);

      assertThat(aheadKeys).contains(s.fileKey()); // one of them, renamed into place
      assertThat(temporaries()).allMatch(p -> p.getParent().equals(root)).doesNotContainAnyElementsOf(
          List.of(root.resolve("d/e/copy")));
      assertThat(Files.readAllBytes(root.resolve("d/e/copy"))).containsExactly(1, 2, 3);
      assertThat(s.size()).isEqualTo(3);
      assertThat(t.stat("/d/e/copy")).isEqualTo(s);
      assertThat(t.objectCount()).isEqualTo(2);
      assertThat(t.usedBytes()).isEqualTo(4);
    }
  }

  @Test
  void aFileMadeAheadHasTheTiersFileMode() throws Exception {
    try (DirectoryTier t = tier(DirectoryTier.FILE_MODE, "0600")) {
      t.write("/first", bytes(1), false);
      assertThat(t.spares().awaitReady(1, WAIT_MILLIS)).isTrue();
      t.write("/second", bytes(2), false);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("second"))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void anUnsyncedWriteReplacingAnObjectCountsItOnce() throws Exception {
    try (DirectoryTier t = tier()) {
      t.write("/x", bytes(1, 2, 3, 4), false);
      assertThat(t.spares().awaitReady(1, WAIT_MILLIS)).isTrue();
      t.write("/x", bytes(5), false);
      assertThat(Files.readAllBytes(root.resolve("x"))).containsExactly(5);
      assertThat(t.objectCount()).isEqualTo(1);
      assertThat(t.usedBytes()).isEqualTo(1);
    }
  }

  @Test
  void aFailingSourceLeavesNoFileAndNoObject() throws Exception {
    try (DirectoryTier t = tier()) {
      t.write("/first", bytes(1), false);
      assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();
      InputStream broken = new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("source broke");
        }
      };
      List<Path> before = temporaries();
      assertThatThrownBy(() -> t.write("/broken", broken, false)).hasMessageContaining("source broke");
      assertThat(t.stat("/broken")).isNull();
      List<Path> gone = new java.util.ArrayList<>(before);
      gone.removeAll(temporaries()); // the thread may have made new ones meanwhile
      assertThat(gone).hasSize(1); // the one taken was removed
      assertThat(t.objectCount()).isEqualTo(1);
    }
  }

  @Test
  void closeRemovesTheFilesMadeAhead() throws Exception {
    DirectoryTier t = tier();
    t.write("/first", bytes(1), false);
    assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();
    t.close();
    assertThat(temporaries()).isEmpty();
    assertThat(Files.readAllBytes(root.resolve("first"))).containsExactly(1);
  }

  @Test
  void filesMadeAheadThatACrashLeftAreRemovedByTheFirstScanAfterTheNextStartAndAreNoObjects() throws Exception {
    // A crash leaves what was made ahead and no saved counts: the tier's first scan (here the
    // first count) counts it and removes them.
    Files.createFile(root.resolve(AtomicWrite.TEMP_PREFIX + "0123abcd"));
    try (DirectoryTier t = tier()) {
      assertThat(t.objectCount()).isZero();
      assertThat(temporaries()).isEmpty();
    }
  }

  @Test
  void takingFromAClosedPoolGivesNothing() throws Exception {
    try (DirectoryTier t = tier()) {
      SpareFiles spares = t.spares();
      spares.close();
      assertThat(spares.take()).isNull();
      assertThat(spares.awaitReady(1, WAIT_MILLIS)).isFalse();
      // Writes go on without: each creates its file itself.
      t.write("/y", bytes(7), false);
      assertThat(Files.readAllBytes(root.resolve("y"))).containsExactly(7);
    }
  }
}
