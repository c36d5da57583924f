package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store's own files opened by path: only regular files, never through a link, never blocked by a FIFO. */
class RegularFileTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aRegularFileIsReadWrittenAndCreatedWithTheModeAsked() throws Exception {
    Path f = dir.resolve("f");
    try (FileChannel ch = RegularFile.open(f, RegularFile.OWN_MODE, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(PosixFilePermissions.fromString("rw-r-----")).containsAll(Files.getPosixFilePermissions(f));
    assertThat(RegularFile.readAll(f, 5)).asString(StandardCharsets.UTF_8).isEqualTo("hello");
    try (FileChannel ch = RegularFile.open(f, RegularFile.OWN_MODE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      assertThat(ch.size()).isZero();
    }
    assertThatThrownBy(() -> RegularFile.open(f, RegularFile.OWN_MODE, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)).isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void aLinkIsRefusedAndItsTargetLeftAlone(@TempDir Path outside) throws Exception {
    Path secret = Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
    Path link = Files.createSymbolicLink(dir.resolve("l"), secret);
    Path dangling = Files.createSymbolicLink(dir.resolve("d"), outside.resolve("absent"));

    assertThatThrownBy(() -> RegularFile.readAll(link, 100)).isInstanceOf(FileSystemException.class)
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> RegularFile.open(link, RegularFile.OWN_MODE, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)).isInstanceOf(FileSystemException.class);
    assertThatThrownBy(() -> RegularFile.open(dangling, RegularFile.OWN_MODE, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)).isInstanceOf(FileSystemException.class);
    assertThat(Files.readString(secret)).isEqualTo("outside");
    assertThat(outside.resolve("absent")).doesNotExist();

    try (FileChannel ch = RegularFile.createAnew(link, RegularFile.OWN_MODE)) {
      ch.write(ByteBuffer.wrap("mine".getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(Files.isSymbolicLink(link)).as("the link is replaced by a file of its own").isFalse();
    assertThat(Files.readString(link)).isEqualTo("mine");
    assertThat(Files.readString(secret)).isEqualTo("outside");
  }

  @Test
  void aFifoOrAFolderIsRefusedAtOnce() throws Exception {
    Path fifo = dir.resolve("p");
    DirectoryTierSafetyTest.mkfifo(fifo);
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      assertThatThrownBy(() -> RegularFile.readAll(fifo, 100)).isInstanceOf(FileSystemException.class)
          .hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> RegularFile.open(fifo, RegularFile.OWN_MODE, StandardOpenOption.WRITE))
          .isInstanceOf(FileSystemException.class).hasMessageContaining("not a regular file");
    });
    assertThatThrownBy(() -> RegularFile.readAll(dir, 100)).isInstanceOf(FileSystemException.class);
  }

  @Test
  void aMissingFileOrAnOversizedOneIsSaidSo() throws Exception {
    assertThatThrownBy(() -> RegularFile.readAll(dir.resolve("none"), 10)).isInstanceOf(NoSuchFileException.class);
    Path big = Files.write(dir.resolve("big"), new byte[11]);
    assertThatThrownBy(() -> RegularFile.readAll(big, 10)).isInstanceOf(FileSystemException.class)
        .hasMessageContaining("11 bytes");
  }
}
