package io.objmapper;

import static io.objmapper.TestStores.version;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.objmapper.TestStores.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store serves only regular files beneath its tiers' roots: a symbolic link (to a file
 * outside, or a folder), a FIFO swapped in for a served file, answer "no such object" at once,
 * and neither reads, lifecycle copies, deletes nor close follow or block on them. The timeouts
 * are hang guards only.
 */
class TierRootSafetyTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);
  private static final long REVALIDATE_MILLIS = 1_000;

  @TempDir Path dir;
  @TempDir Path outside;
  private final FakeClock clock = new FakeClock();
  private ObjMapper store;

  private ObjMapper open() throws Exception {
    store = TestStores.memoryAndDisk(dir).revalidateMillis(REVALIDATE_MILLIS).nanoClock(clock).build();
    return store;
  }

  @AfterEach
  void close() {
    if (store != null) {
      assertTimeoutPreemptively(HANG_GUARD, () -> store.close());
    }
  }

  private Path disk() {
    return dir.resolve("disk");
  }

  private Path secret() throws Exception {
    return Files.writeString(outside.resolve("secret"), "outside", UTF_8);
  }

  private static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertThat(proc.waitFor()).isZero();
  }

  @Test
  void aSymlinkPlacedInATierBeforeOpenIsNoObject() throws Exception {
    Files.createDirectories(disk());
    Files.createSymbolicLink(disk().resolve("x"), secret());
    Files.createSymbolicLink(disk().resolve("d"), outside);
    open();

    assertThat(store.exists("/x")).isFalse();
    assertThatThrownBy(() -> store.open("/x")).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.open("/d/secret")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.list("/")).isEmpty();
  }

  @Test
  void aServedFileReplacedByASymlinkIsNotFoundAfterRevalidation() throws Exception {
    open();
    store.put("/a", "inside".getBytes(UTF_8));
    store.move("/a", "disk");
    try (ObjectLease lease = store.open("/a")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("inside");
    }
    Path file = disk().resolve("a");
    Files.delete(file);
    Files.createSymbolicLink(file, secret());
    clock.advanceMillis(REVALIDATE_MILLIS * 2);

    assertThatThrownBy(() -> store.open("/a")).isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void aFifoSwappedInForAServedFileNeverBlocksReadsMovesOrClose() throws Exception {
    open();
    store.put("/f", version(1, 100));
    store.move("/f", "disk");
    Path file = disk().resolve("f");
    Files.delete(file);
    mkfifo(file);
    clock.advanceMillis(REVALIDATE_MILLIS * 2);

    assertTimeoutPreemptively(HANG_GUARD, () -> {
      assertThatThrownBy(() -> store.open("/f")).isInstanceOf(ObjectNotFoundException.class);
      assertThatThrownBy(() -> store.move("/f", "mem")).isInstanceOf(ObjMapperException.class);
      store.runLifecycle();
    });
    assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
        java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
  }

  @Test
  void writesAndDeletesThroughSymlinksAreRefusedAndTheOutsideIsUntouched() throws Exception {
    Path secret = secret();
    Files.createDirectories(disk());
    Files.createSymbolicLink(disk().resolve("x"), secret);
    Files.createSymbolicLink(disk().resolve("d"), outside);
    open();

    assertThat(store.delete("/x")).isFalse();
    assertThat(store.delete("/d/secret")).isFalse();
    // Wherever the store places it first, it never lands on disk through the linked folder.
    assertThatThrownBy(() -> {
      store.put("/d/new", new byte[] {1});
      store.move("/d/new", "disk");
    }).isInstanceOf(ObjMapperException.class);
    assertThat(Files.readString(secret)).isEqualTo("outside");
    try (var listing = Files.list(outside)) {
      assertThat(listing).containsExactly(secret);
    }
  }

  @Test
  void anImportedFileKeepsAModeNoWiderThanItsSourceOnEveryTier() throws Exception {
    Path source = Files.writeString(outside.resolve("private"), "mine", UTF_8);
    Files.setPosixFilePermissions(source, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    open();

    store.put("/p", source);
    store.move("/p", "disk"); // a copy between tiers keeps the narrow mode too
    assertThat(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
        .containsAll(Files.getPosixFilePermissions(disk().resolve("p")));
    store.move("/p", "mem");
    store.move("/p", "disk");
    assertThat(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
        .containsAll(Files.getPosixFilePermissions(disk().resolve("p")));
  }
}
