package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure on a file of a folder held open by descriptor is told with the folder's own path:
 * a user who reads "no space left" must be told where, not {@code /proc/self/fd/N}.
 */
class BeneathRootMessagesTest {
  @TempDir Path dir;

  @Test
  void aFailureInAFolderNamesWhereTheFolderIs() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root")).toRealPath();
    try (BeneathRoot b = BeneathRoot.open(root); BeneathRoot.Directory d = b.directory("a/b", true, null)) {
      String inside = d.path().resolve(".objmapper-tmp-1").toString();
      IOException full = d.shown(new FileSystemException(inside, null, "No space left on device"));
      assertThat(full).isExactlyInstanceOf(FileSystemException.class)
          .hasMessage(root.resolve("a/b/.objmapper-tmp-1") + ": No space left on device")
          .hasCause(new FileSystemException(inside, null, "No space left on device"));

      IOException moved = d.shown(new AccessDeniedException(inside, d.path().resolve("x").toString(), null));
      assertThat(moved).isExactlyInstanceOf(AccessDeniedException.class);
      assertThat(((FileSystemException) moved).getFile()).isEqualTo(root.resolve("a/b/.objmapper-tmp-1").toString());
      assertThat(((FileSystemException) moved).getOtherFile()).isEqualTo(root.resolve("a/b/x").toString());
      assertThat(d.shown(new NoSuchFileException(inside))).isExactlyInstanceOf(NoSuchFileException.class)
          .hasMessageNotContaining("/proc/");

      // what names no file of the folder is passed on as it is
      IOException plain = new IOException("No space left on device");
      assertThat(d.shown(plain)).isSameAs(plain);
      FileSystemException elsewhere = new FileSystemException(dir.resolve("other").toString());
      assertThat(d.shown(elsewhere)).isSameAs(elsewhere);
      FileSystemException longerNumber = new FileSystemException(d.path() + "0/x");
      assertThat(d.shown(longerNumber)).as("/proc/self/fd/12 is not /proc/self/fd/1").isSameAs(longerNumber);
    }
  }
}
