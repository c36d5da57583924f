package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one safe open of a directory tier: nothing outside the root, no link followed, nothing
 * but a regular file opened, never blocked by a FIFO; writes and deletes by the same rule.
 * The timeouts are hang guards only: each operation answers at once.
 */
class DirectoryTierSafetyTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  @TempDir Path root;
  @TempDir Path outside;
  private final List<DirectoryTier> tiers = new ArrayList<>();

  static final class PlainTier extends DirectoryTier {
    PlainTier(TierConfig config, Path root) throws IOException {
      super(config, root, DirectoryLayout.PLAIN, false);
    }
  }

  private DirectoryTier tier(String... options) throws IOException {
    return tierAt(root, options);
  }

  private DirectoryTier tierAt(Path root, String... options) throws IOException {
    TierConfig.Builder b = TierConfig.builder().name("t").type("plain").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    for (int i = 0; i < options.length; i += 2) {
      b.option(options[i], options[i + 1]);
    }
    DirectoryTier t = DirectoryTier.start(new PlainTier(b.build(), root));
    tiers.add(t);
    return t;
  }

  @AfterEach
  void close() throws IOException {
    for (DirectoryTier t : tiers) {
      t.close();
    }
  }

  private Path secret() throws IOException {
    return Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
  }

  static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertThat(proc.waitFor()).isZero();
  }

  @Test
  void aSymlinkToAFileOutsideIsNoObject() throws Exception {
    Files.createSymbolicLink(root.resolve("x"), secret());
    DirectoryTier tier = tier();

    assertThat(tier.objectCount()).isZero();
    assertThat(tier.stat("/x")).isNull();
    assertThatThrownBy(() -> tier.openRead("/x")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> tier.openStream("/x")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> tier.openReadWrite("/x")).isInstanceOf(NoSuchFileException.class);
    List<String> seen = new ArrayList<>();
    tier.scan((name, s) -> seen.add(name), (n, b) -> {});
    assertThat(seen).isEmpty();
  }

  @Test
  void theBareReadWriteDescriptorFollowsNoLinkAndIsAPlainBlockingReadWriteOne() throws Exception {
    DirectoryTier tier = tier();
    Files.createSymbolicLink(root.resolve("x"), secret());
    assertThatThrownBy(() -> tier.openReadWriteDescriptor("/x")).isInstanceOf(NoSuchFileException.class);

    tier.write("/d/f", "12345".getBytes(StandardCharsets.UTF_8));
    io.objmapper.spi.LocalFiles.ReadWrite rw = tier.openReadWriteDescriptor("/d/f");
    try (FileInputStream in = rw.stream()) {
      assertThat(rw.size()).isEqualTo(5);
      String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fdNumber(in.getFD()))).stream()
          .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).trim();
      int f = Integer.parseInt(flags, 8);
      assertThat(f & 3).as("O_RDWR").isEqualTo(2);
      assertThat(f & 04000).as("O_NONBLOCK cleared").isZero();
      try (java.io.FileOutputStream out = new java.io.FileOutputStream(in.getFD())) {
        out.write("ab".getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(Files.readString(root.resolve("d/f"))).isEqualTo("ab345");
    assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("outside");
  }

  /** The descriptor's number (sun.nio.ch is exported to the tests by the project's JVM flags). */
  static int fdNumber(java.io.FileDescriptor fd) throws IOException {
    try {
      return (int) Class.forName("sun.nio.ch.IOUtil").getMethod("fdVal", java.io.FileDescriptor.class)
          .invoke(null, fd);
    } catch (ReflectiveOperationException e) {
      throw new IOException(e);
    }
  }

  @Test
  void aSymlinkedFolderIsNotEntered() throws Exception {
    secret();
    Files.createSymbolicLink(root.resolve("d"), outside);
    DirectoryTier tier = tier();

    assertThat(tier.stat("/d/secret")).isNull();
    assertThatThrownBy(() -> tier.openRead("/d/secret")).isInstanceOf(NoSuchFileException.class);
    List<String> seen = new ArrayList<>();
    tier.scan((name, s) -> seen.add(name), (n, b) -> {});
    assertThat(seen).isEmpty();
  }

  @Test
  void aServedFileReplacedByASymlinkAfterItWasIndexedIsNoObject() throws Exception {
    DirectoryTier tier = tier();
    ObjectStat indexed = tier.write("/a", "inside".getBytes(StandardCharsets.UTF_8));
    Path file = root.resolve("a");
    Files.delete(file);
    Files.createSymbolicLink(file, secret());

    assertThat(tier.stat("/a")).isNull();
    assertThatThrownBy(() -> tier.openRead("/a", indexed)).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> tier.openRead("/a")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void anotherVersionThanTheIndexedOneIsNotOpened() throws Exception {
    DirectoryTier tier = tier();
    ObjectStat old = tier.write("/a", "old".getBytes(StandardCharsets.UTF_8));
    ObjectStat now = tier.write("/a", "newer".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> tier.openRead("/a", old)).isInstanceOf(NoSuchFileException.class);
    try (FileInputStream in = tier.openRead("/a", now)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("newer");
    }
  }

  @Test
  void aFifoSwappedInAnswersNoSuchObjectAtOnceAndNeverBlocks() throws Exception {
    DirectoryTier tier = tier();
    ObjectStat indexed = tier.write("/d/f", "x".getBytes(StandardCharsets.UTF_8));
    Path file = root.resolve("d/f");
    Files.delete(file);
    mkfifo(file);

    assertTimeoutPreemptively(HANG_GUARD, () -> {
      assertThat(tier.stat("/d/f")).isNull();
      assertThatThrownBy(() -> tier.openRead("/d/f", indexed)).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> tier.openRead("/d/f")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> tier.openReadWrite("/d/f")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> tier.openReadWriteDescriptor("/d/f")).isInstanceOf(NoSuchFileException.class);
      List<String> seen = new ArrayList<>();
      assertThat(tier.scan((name, s) -> seen.add(name), (n, b) -> {})).isZero();
      assertThat(tier.delete("/d/f")).isFalse();
    });
    // the FIFO stays where it is: the tier removes only regular files
    assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
        java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
  }

  @Test
  void aWriteThroughASymlinkedFolderFailsAndCreatesNothingOutside() throws Exception {
    Files.createSymbolicLink(root.resolve("d"), outside);
    DirectoryTier tier = tier();

    assertThatThrownBy(() -> tier.write("/d/new", new byte[] {1}))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> tier.write("/d/sub/new", new byte[] {1}))
        .isInstanceOf(FileAlreadyExistsException.class);
    try (var listing = Files.list(outside)) {
      assertThat(listing).isEmpty();
    }
  }

  @Test
  void aWriteOverASymlinkReplacesTheLinkNotItsTarget() throws Exception {
    Path secret = secret();
    Files.createSymbolicLink(root.resolve("x"), secret);
    DirectoryTier tier = tier();

    tier.write("/x", "mine".getBytes(StandardCharsets.UTF_8));

    assertThat(Files.readString(secret)).isEqualTo("outside");
    assertThat(Files.isSymbolicLink(root.resolve("x"))).isFalse();
    assertThat(Files.readString(root.resolve("x"))).isEqualTo("mine");
  }

  @Test
  void aDeleteThroughASymlinkRemovesNothing() throws Exception {
    Path secret = secret();
    Files.createSymbolicLink(root.resolve("x"), secret);
    Files.createSymbolicLink(root.resolve("d"), outside);
    DirectoryTier tier = tier();

    assertThat(tier.delete("/x")).isFalse();
    assertThat(tier.delete("/d/secret")).isFalse();
    assertThat(secret).exists();
    assertThat(Files.isSymbolicLink(root.resolve("x"))).isTrue();
  }

  @Test
  void aRootSwappedForASymlinkWhileOpenKeepsWritesAndDeletesInTheDirectoryHeld() throws Exception {
    Path held = root.resolve("tier");
    Files.createDirectory(held);
    DirectoryTier tier = tierAt(held);
    tier.write("/top", "old".getBytes(StandardCharsets.UTF_8));
    tier.write("/sub/s", "old".getBytes(StandardCharsets.UTF_8));
    Path victim = Files.writeString(outside.resolve("top"), "outside", StandardCharsets.UTF_8);
    Path moved = root.resolve("moved");
    Files.move(held, moved);
    Files.createSymbolicLink(held, outside);

    tier.write("/top", "new".getBytes(StandardCharsets.UTF_8));
    tier.write("/new", "new".getBytes(StandardCharsets.UTF_8));
    tier.write("/sub/new", "new".getBytes(StandardCharsets.UTF_8));
    tier.write("/newdir/x", "new".getBytes(StandardCharsets.UTF_8)); // a first-level folder made now

    assertThat(Files.readString(victim)).isEqualTo("outside");
    try (var listing = Files.list(outside)) {
      assertThat(listing).containsExactly(victim);
    }
    assertThat(Files.readString(moved.resolve("top"))).isEqualTo("new");
    assertThat(Files.readString(moved.resolve("new"))).isEqualTo("new");
    assertThat(Files.readString(moved.resolve("sub/new"))).isEqualTo("new");
    assertThat(Files.readString(moved.resolve("newdir/x"))).isEqualTo("new");

    assertThat(tier.delete("/top")).isTrue();
    assertThat(victim).exists();
    assertThat(moved.resolve("top")).doesNotExist();
    tier.close();
    try (var listing = Files.list(outside)) {
      assertThat(listing).as("the counts saved at close go to the directory held too").containsExactly(victim);
    }
  }

  @Test
  void aCommitWhoseTemporaryFileWasSwappedPublishesNothingAndKeepsTheOldVersion() throws Exception {
    DirectoryTier tier = tier();
    tier.write("/obj", "old".getBytes(StandardCharsets.UTF_8));
    Path secret = Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
    for (String swap : List.of("fifo", "link", "other file")) {
      try (io.objmapper.spi.StagedWrite w = tier.stage("/obj")) {
        w.channel().write(java.nio.ByteBuffer.wrap("new bytes".getBytes(StandardCharsets.UTF_8)), 0);
        Path temp;
        try (var listing = Files.list(root)) {
          temp = listing.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX))
              .findFirst().orElseThrow();
        }
        Files.delete(temp);
        switch (swap) {
          case "fifo" -> mkfifo(temp);
          case "link" -> Files.createSymbolicLink(temp, secret);
          default -> Files.writeString(temp, "planted", StandardCharsets.UTF_8);
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(w::commit).as(swap)
            .isInstanceOf(IOException.class).hasMessageContaining("replaced before its commit"));
      }
      assertThat(Files.isRegularFile(root.resolve("obj"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(swap).isTrue();
      assertThat(Files.readString(root.resolve("obj"))).as(swap).isEqualTo("old");
      try (var listing = Files.list(root)) {
        assertThat(listing.map(p -> p.getFileName().toString())).as("the swapped-in file is removed at close")
            .noneMatch(n -> n.startsWith(AtomicWrite.TEMP_PREFIX));
      }
    }
    assertThat(Files.readString(secret)).isEqualTo("outside");
  }

  @Test
  void aFileWhoseNameCannotBeDecodedIsNoObjectButARealReplacementCharacterIs() throws Exception {
    DirectoryTier tier = tier();
    tier.write("/good", "g".getBytes(StandardCharsets.UTF_8));
    // bad<0xff>name: no UTF-8 text names it; Java shows the byte as U+FFFD
    Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'bad\\377name')\"").directory(root.toFile()).start();
    assertThat(touch.waitFor()).isZero();
    tier.write("/real\uFFFDchar", "r".getBytes(StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    tier.scan((name, st) -> seen.add(name), (n, b) -> {});
    assertThat(seen).containsExactlyInAnyOrder("/good", "/real\uFFFDchar");
    assertThat(tier.stat("/bad\uFFFDname")).isNull();
  }

  @Test
  void aRecursiveDeleteRemovesLinksNeverTheirTargets() throws Exception {
    Path secret = secret();
    Path tree = Files.createDirectories(root.resolve("tree/a/b"));
    Files.createSymbolicLink(tree.resolve("folder-link"), outside);
    Files.createSymbolicLink(tree.resolve("file-link"), secret);
    Files.write(tree.resolve("f"), new byte[] {1});
    Path linkedTree = Files.createSymbolicLink(root.resolve("linked"), outside);

    DirectoryTier.deleteRecursively(root.resolve("tree"));
    DirectoryTier.deleteRecursively(linkedTree);
    DirectoryTier.deleteRecursively(root.resolve("absent"));

    assertThat(root.resolve("tree")).doesNotExist();
    assertThat(linkedTree).doesNotExist();
    assertThat(Files.readString(secret)).isEqualTo("outside");
  }

  @Test
  void aFolderSwappedForALinkDuringARecursiveDeleteNeverLeadsItOutside() throws Exception {
    for (int i = 0; i < 100; i++) {
      Files.write(outside.resolve("keep" + i), new byte[] {1});
    }
    for (int round = 0; round < 20; round++) {
      Path tree = Files.createDirectories(root.resolve("tree" + round));
      Path sub = Files.createDirectories(tree.resolve("sub"));
      for (int i = 0; i < 100; i++) {
        Files.write(sub.resolve("keep" + i), new byte[] {2});
      }
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      Thread swapper = new Thread(() -> { // sub and a link to outside, in turn, until the delete ends
        Path aside = tree.resolveSibling("aside" + tree.getFileName());
        while (!done.get()) {
          try {
            Files.move(sub, aside);
            Files.createSymbolicLink(sub, outside);
            Files.delete(sub);
            Files.move(aside, sub);
          } catch (IOException e) {
            return; // the delete reached the folder first
          }
        }
      });
      swapper.start();
      try {
        DirectoryTier.deleteRecursively(tree);
      } catch (IOException raced) {
        // a folder swapped at the wrong moment may be reported; nothing outside may be lost
      } finally {
        done.set(true);
        swapper.join();
      }
    }
    try (var listing = Files.list(outside)) {
      assertThat(listing).hasSize(100);
    }
  }

  @Test
  void writtenFilesAndFoldersGetTheDefaultModesOrTheConfiguredOne() throws Exception {
    DirectoryTier tier = tier();
    tier.write("/d/a", new byte[] {1});
    Set<PosixFilePermission> file = Files.getPosixFilePermissions(root.resolve("d/a"));
    Set<PosixFilePermission> dir = Files.getPosixFilePermissions(root.resolve("d"));
    assertThat(PosixFilePermissions.fromString("rw-r-----")).containsAll(file);
    assertThat(PosixFilePermissions.fromString("rwxr-x---")).containsAll(dir);
    tier.close();

    DirectoryTier narrow = tier(DirectoryTier.FILE_MODE, "0600");
    narrow.write("/e/b", new byte[] {1});
    assertThat(PosixFilePermissions.fromString("rw-------"))
        .containsAll(Files.getPosixFilePermissions(root.resolve("e/b")));
    assertThat(PosixFilePermissions.fromString("rwx------"))
        .containsAll(Files.getPosixFilePermissions(root.resolve("e")));
  }

  @Test
  void aBadFileModeIsRefused() {
    assertThatThrownBy(() -> tier(DirectoryTier.FILE_MODE, "rw-r-----"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DirectoryTier.FILE_MODE);
    assertThatThrownBy(() -> tier(DirectoryTier.FILE_MODE, "01777"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0777");
  }

  @Test
  void theOpenIsCheckedOnTheDescriptorOnLinux() {
    assertThat(BeneathRoot.isRaceFree()).isEqualTo(System.getProperty("os.name").equals("Linux"));
  }
}
