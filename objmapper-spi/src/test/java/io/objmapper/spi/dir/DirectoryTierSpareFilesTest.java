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

  /** The status flags of {@code fd}'s description, from /proc/self/fdinfo. */
  private static int statusFlags(java.io.FileDescriptor fd) throws IOException {
    String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + DirectoryTierSafetyTest.fdNumber(fd))).stream()
        .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).trim();
    return Integer.parseInt(flags, 8);
  }

  @Test
  void writeOpenHandsOutAReadOnlyDescriptionOfTheCopyOpenedAheadWithItsSpare() throws Exception {
    try (DirectoryTier t = tier()) {
      t.write("/first", bytes(9), false);
      assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();

      List<Object> aheadKeys = fileKeys(temporaries());
      DirectoryTier.WrittenFile w = t.writeOpen("/d/copy", bytes(1, 2, 3, 4), 4);
      try (java.io.FileInputStream in = w.reader()) {
        assertThat(in).isNotNull();
        assertThat(aheadKeys).as("written into a file made ahead").contains(w.stat().fileKey());
        assertThat(w.stat()).isEqualTo(t.stat("/d/copy"));
        assertThat(in.getChannel().position()).isZero();
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3, 4);
        assertThat(statusFlags(in.getFD()) & 3).as("O_RDONLY").isZero();
        assertThat(statusFlags(in.getFD()) & 04000).as("not O_NONBLOCK").isZero();
        // The version written, whatever the name holds later.
        t.write("/d/copy", bytes(5), false);
        assertThat(in.getChannel().size()).isEqualTo(4);
      }
      assertThat(Files.readAllBytes(root.resolve("d/copy"))).containsExactly(5);
    }
  }

  @Test
  void writeOpenWithNoSpareReadyOpensTheNewFileByTheTiersRules() throws Exception {
    try (DirectoryTier t = tier()) {
      // The first unsynced write finds no spare (the first take starts the maker).
      DirectoryTier.WrittenFile w = t.writeOpen("/n", bytes(8, 9), -1);
      try (java.io.FileInputStream in = w.reader()) {
        assertThat(in.readAllBytes()).containsExactly(8, 9);
        assertThat(statusFlags(in.getFD()) & 3).as("O_RDONLY").isZero();
      }
    }
  }

  @Test
  void writeOpenCopiesTheWholeSourceWhateverSizeItWasToldToExpect() throws Exception {
    byte[] big = new byte[200_000]; // over the copy buffer's 64 KiB, through a buffer sized for 10 bytes
    new java.util.Random(3).nextBytes(big);
    try (DirectoryTier t = tier()) {
      t.write("/first", bytes(9), false);
      assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();
      SpareFiles.Spare one = t.spares().take();
      try {
        assertThat(Native.canWrap()).as("the build's JVM flags export sun.nio.ch").isTrue();
        assertThat(one.readerFd()).as("the reader's descriptor number, to fstat the write through").isNotNegative();
        assertThat(one.fileKey()).isEqualTo(Files.readAttributes(one.path(),
            java.nio.file.attribute.BasicFileAttributes.class).fileKey());
      } finally {
        one.closeQuietly();
        Files.delete(one.path());
      }
      assertThat(t.spares().readyCount()).isEqualTo(SpareFiles.CAPACITY - 1); // more are made only below half
      List<Object> aheadKeys = fileKeys(temporaries());
      // Told too little (the buffer grows once filled), too much, nothing, or "unlimited".
      Object[][] cases = {{"/longer", big, 10L}, {"/shorter", new byte[] {1, 2, 3}, 100_000L},
          {"/exact", new byte[] {4, 5}, 2L}, {"/empty", new byte[0], 0L}, {"/empty-told-more", new byte[0], 7L},
          {"/told-empty", new byte[] {6, 7, 8}, 0L}, {"/told-unlimited", new byte[] {9}, Long.MAX_VALUE},
          {"/told-unlimited-big", big, Long.MAX_VALUE}, {"/unknown", big, -1L}};
      for (Object[] c : cases) {
        String name = (String) c[0];
        byte[] content = (byte[]) c[1];
        DirectoryTier.WrittenFile w = t.writeOpen(name, new java.io.ByteArrayInputStream(content), (Long) c[2]);
        try (java.io.FileInputStream in = w.reader()) {
          assertThat(in.readAllBytes()).as(name + " through its description").isEqualTo(content);
        }
        assertThat(Files.readAllBytes(root.resolve(name.substring(1)))).as(name).isEqualTo(content);
        // Written into a file made ahead, and stat'ed through its descriptor: what a stat of
        // the path says, key included.
        assertThat(aheadKeys).as(name + " written into a file made ahead").contains(w.stat().fileKey());
        assertThat(w.stat()).as(name).isEqualTo(t.stat(name));
      }
    }
  }

  @Test
  void aWriteThatFailsClosesBothDescriptionsOfItsSpareAndRemovesIt() throws Exception {
    try (DirectoryTier t = tier()) {
      t.write("/first", bytes(9), false);
      assertThat(t.spares().awaitReady(SpareFiles.CAPACITY, WAIT_MILLIS)).isTrue();
      List<Path> before = temporaries();
      InputStream failing = new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("source cut off");
        }
      };
      assertThatThrownBy(() -> t.writeOpen("/cut", failing, -1)).hasMessageContaining("source cut off");
      assertThat(Files.exists(root.resolve("cut"))).isFalse();
      List<Path> taken = new java.util.ArrayList<>(before);
      taken.removeAll(temporaries());
      assertThat(taken).as("the spare the write took is removed").hasSize(1);
      assertThat(descriptorsOn(taken.get(0))).as("and no description of it is left open").isEmpty();
    }
  }

  /** The descriptors of this process open on {@code file} (removed or not). */
  private static List<Path> descriptorsOn(Path file) throws IOException {
    List<Path> on = new java.util.ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) s::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.equals(file.toString()) || target.equals(file + " (deleted)")) {
            on.add(fd);
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    return on;
  }
}
