package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index's own files (manifest, map, clean marker, lock, spill) replaced by a link, a FIFO or
 * a folder by whoever can write the folder they are in: never followed, never blocking an open
 * or a close, never written through; the index is rebuilt instead, or refuses to open with the
 * file named. The timeouts are hang guards only: each open answers at once.
 */
class TierIndexHostileFilesTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @TempDir Path dir;
  @TempDir Path outside;

  private Path indexFile() {
    return dir.resolve("tier.idx");
  }

  private PersistentTierIndex open() {
    return assertTimeoutPreemptively(HANG_GUARD, () -> PersistentTierIndex.open(indexFile(), 5_000));
  }

  private Path writeAndClose(int count) throws IOException {
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < count; i++) {
        index.put(name(i), entry(i));
      }
      return index.mapFile();
    }
  }

  private static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertThat(proc.waitFor()).isZero();
  }

  private Path secret() throws IOException {
    return Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
  }

  /** Which of the index's files, after a clean close, is swapped; by its suffix ("" for the manifest). */
  private Path swapped(String which, Path map) {
    return which.equals("map") ? map : dir.resolve("tier.idx" + which);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".clean", "map"})
  void aFifoInPlaceOfAnIndexFileIsAResetNotAHang(String which) throws Exception {
    Path map = writeAndClose(10);
    Path file = swapped(which, map);
    Files.delete(file);
    mkfifo(file);

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
      index.put(name(1), entry(1));
    }
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).as("usable again after the reset").isEqualTo(OpenState.CLEAN);
      assertThat(index.get(name(1))).isEqualTo(entry(1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".clean", "map"})
  void aSymlinkInPlaceOfAnIndexFileIsNotFollowed(String which) throws Exception {
    Path map = writeAndClose(10);
    Path file = swapped(which, map);
    Path copy = Files.copy(file, outside.resolve("copy")); // a valid file, reached only through the link
    Files.delete(file);
    Files.createSymbolicLink(file, copy);

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
    }
    assertThat(copy).exists();
  }

  @Test
  void aCleanMarkerLinkedOutsideWhileOpenIsReplacedAtCloseNotWrittenThrough() throws Exception {
    Path secret = secret();
    try (PersistentTierIndex index = open()) {
      index.put(name(1), entry(1));
      Files.createSymbolicLink(dir.resolve("tier.idx.clean"), secret);
    }

    assertThat(Files.readString(secret)).isEqualTo("outside");
    assertThat(Files.isSymbolicLink(dir.resolve("tier.idx.clean"))).isFalse();
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.get(name(1))).isEqualTo(entry(1));
    }
  }

  @Test
  void aFifoOrLinkAsTheLockFileRefusesTheOpenNamingIt() throws Exception {
    mkfifo(dir.resolve("tier.idx.lock"));
    assertThatThrownBy(() -> assertTimeoutPreemptively(HANG_GUARD, () -> PersistentTierIndex.open(indexFile(), 5_000)))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("tier.idx.lock")
        .hasMessageContaining("not a regular file");

    Files.delete(dir.resolve("tier.idx.lock"));
    Path secret = secret();
    Files.createSymbolicLink(dir.resolve("tier.idx.lock"), secret);
    assertThatThrownBy(() -> PersistentTierIndex.open(indexFile(), 5_000))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("tier.idx.lock");
    assertThat(Files.readString(secret)).isEqualTo("outside");
  }

  @Test
  void closedCleanlyLooksAtTheFilesNotAtWhatLinksPointTo() throws Exception {
    writeAndClose(1);
    assertThat(PersistentTierIndex.closedCleanly(indexFile())).isTrue();
    Path marker = dir.resolve("tier.idx.clean");
    Files.move(marker, outside.resolve("marker"));
    Files.createSymbolicLink(marker, outside.resolve("marker"));
    assertThat(PersistentTierIndex.closedCleanly(indexFile())).isFalse();
  }

  @Test
  void aWalkThatNeverEndsDoesNotHoldTheCloseAndTheNextOpenRebuilds() throws Exception {
    // Stands for a walk over a damaged map whose links loop with no entry met (a forged clean
    // marker let the map through): the visitor never returns until the test lets it.
    IndexOptions options = IndexOptions.builder().expectedEntries(5_000).closeWaitMillis(200).build();
    PersistentTierIndex index = PersistentTierIndex.open(indexFile(), options);
    index.put(name(1), entry(1));
    java.util.concurrent.CountDownLatch inWalk = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread walker = new Thread(() -> index.forEachWithPrefix("/", (n, e) -> {
      inWalk.countDown();
      try {
        release.await();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      return true;
    }));
    walker.start();
    inWalk.await();
    try {
      assertTimeoutPreemptively(HANG_GUARD, index::close);
      assertThat(dir.resolve("tier.idx.clean")).as("no marker for a map still in use").doesNotExist();
    } finally {
      release.countDown();
      walker.join();
    }
    try (PersistentTierIndex again = open()) {
      assertThat(again.openState()).isEqualTo(OpenState.RESET);
    }
  }

  @Test
  void anOversizedManifestIsUnreadableNotLoaded() throws Exception {
    writeAndClose(1);
    Files.write(indexFile(), new byte[IndexManifest.MAX_TEXT_BYTES + 1]);
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
    }
  }
}
