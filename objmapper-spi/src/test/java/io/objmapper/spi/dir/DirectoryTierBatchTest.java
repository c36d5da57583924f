package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DirectoryTier.Batch}: staged files are invisible, unsynced ones cannot be published. */
class DirectoryTierBatchTest {
  @TempDir Path root;
  @TempDir Path src;

  private DirectoryTier tier(TierFlag... flags) throws IOException {
    TierConfig c = TierConfig.builder().name("t").type("plain").root(root).flags(flags).build();
    return DirectoryTier.start(new DirectoryTierSafetyTest.PlainTier(c, root));
  }

  private FileChannel source(byte[] bytes) throws IOException {
    Path f = Files.createTempFile(src, "s", "");
    Files.write(f, bytes);
    return FileChannel.open(f, StandardOpenOption.READ);
  }

  private long temporaries() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX)).count();
    }
  }

  @Test
  void stagedIsInvisibleUntilSyncedAndPublished() throws IOException {
    try (DirectoryTier t = tier(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
         DirectoryTier.Batch b = t.batch(); FileChannel a = source(new byte[] {1, 2, 3})) {
      DirectoryTier.Staged s = b.stage("/d/a", a, 0, 3, null);
      assertThat(t.stat("/d/a")).isNull();
      assertThat(t.objectCount()).isZero();
      assertThatThrownBy(() -> b.publish(s)).isInstanceOf(IllegalStateException.class).hasMessageContaining("sync");
      b.sync();
      ObjectStat stat = b.publish(s);
      b.syncDirectories();
      assertThat(stat.size()).isEqualTo(3);
      assertThat(Files.readAllBytes(root.resolve("d/a"))).containsExactly(1, 2, 3);
      assertThat(t.objectCount()).isEqualTo(1);
      assertThat(t.usedBytes()).isEqualTo(3);
      assertThatThrownBy(() -> b.publish(s)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
    }
  }

  @Test
  void closeRemovesWhatWasNotPublished() throws IOException {
    try (DirectoryTier t = tier(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
         FileChannel a = source(new byte[] {1})) {
      try (DirectoryTier.Batch b = t.batch()) {
        b.stage("/x", a, 0, 1, null);
        assertThat(temporaries()).isEqualTo(1);
      }
      assertThat(temporaries()).isZero();
      assertThat(t.stat("/x")).isNull();
    }
  }

  @Test
  void aShortSourceStagesNothing() throws IOException {
    try (DirectoryTier t = tier(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
         DirectoryTier.Batch b = t.batch(); FileChannel a = source(new byte[] {1})) {
      assertThatThrownBy(() -> b.stage("/x", a, 0, 5, null)).isInstanceOf(EOFException.class);
      assertThatThrownBy(() -> b.stage("/y", a, -1, 1, null)).isInstanceOf(IllegalArgumentException.class);
      assertThat(temporaries()).isZero();
    }
  }

  @Test
  void aReadOnlyTierHasNoBatch() throws IOException {
    try (DirectoryTier t = tier(TierFlag.PERSISTENT, TierFlag.READABLE)) {
      assertThatThrownBy(t::batch).isInstanceOf(TierAccessException.class);
    }
  }
}
