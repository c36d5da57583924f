package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTierProviderTest {
  private final MemoryTierProvider provider = new MemoryTierProvider();

  @TempDir
  Path base;

  @Test
  void withoutARootTheTierMakesAPrivateDirectoryOfItsOwn() throws IOException {
    try (Tier tier = provider.create(withOwnDirectory().build())) {
      Path own = tier.config().root().orElseThrow();

      assertThat(own.getParent()).isEqualTo(base);
      assertThat(own.getFileName().toString()).startsWith("objmapper-" + ProcessHandle.current().pid() + "-");
      assertThat(own).isDirectory();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(own))).isEqualTo("rwx------");
    }
  }

  @Test
  void theDirectoryItMadeIsRemovedWithItsObjectsOnClose() throws IOException {
    Tier tier = provider.create(withOwnDirectory().build());
    Path own = tier.config().root().orElseThrow();
    tier.write("/a/b/c", new byte[] {1, 2});
    tier.write("/d", new byte[] {3});

    tier.close();

    assertThat(own).doesNotExist();
    assertThat(listing(base)).isEmpty();
  }

  @Test
  void twoTiersWithoutARootGetDifferentDirectories() throws IOException {
    try (Tier one = provider.create(withOwnDirectory().build());
        Tier two = provider.create(withOwnDirectory().build())) {
      assertThat(one.config().root()).isNotEqualTo(two.config().root());
    }
  }

  @Test
  void aConfiguredRootIsLeftInPlaceOnClose() throws IOException {
    Path root = Files.createDirectory(base.resolve("configured"));
    try (Tier tier = provider.create(TierConfig.builder().type("memory").root(root).build())) {
      tier.write("/a", new byte[] {1});
    }

    assertThat(root.resolve("a")).hasBinaryContent(new byte[] {1});
  }

  @Test
  void anOpenChannelStillReadsAfterTheTierRemovedItsDirectory() throws IOException {
    Tier tier = provider.create(withOwnDirectory().build());
    tier.write("/a", new byte[] {7, 8, 9});
    try (FileChannel ch = tier.localFiles().get().openRead("/a").getChannel()) {
      tier.close();

      ByteBuffer buf = ByteBuffer.allocate(3);
      assertThat(ch.read(buf, 0)).isEqualTo(3);
      assertThat(buf.array()).containsExactly(7, 8, 9);
    }
  }

  @Test
  void aMemoryTierIsEphemeral() throws IOException {
    try (Tier tier = provider.create(withOwnDirectory().build())) {
      assertThat(tier.config().flags())
          .containsExactlyInAnyOrder(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE);
    }
  }

  @Test
  void aMemoryTierCannotBePersistent() {
    assertThatThrownBy(() -> provider.create(withOwnDirectory().name("Memory Cache")
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memory tier \"Memory Cache\" cannot be persistent");
    assertThat(listing(base)).isEmpty();
  }

  @Test
  void aMemoryTierNeverPersistsAnIndex() {
    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("memory").root(base)
            .persistIndex(true).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never persists an index");
  }

  @Test
  void baseDirDoesNotApplyWhenARootIsSet() {
    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("memory").root(base)
            .option("base_dir", base.toString()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base_dir does not apply");
  }

  @Test
  void createRootDoesNotApplyWithoutARoot() {
    assertThatThrownBy(() -> provider.create(withOwnDirectory().option("create_root", "true").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("create_root does not apply");
  }

  @Test
  void aMissingBaseDirIsReported() {
    Path missing = base.resolve("no-shm");

    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("memory")
            .option("base_dir", missing.toString()).build()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void unknownOptionsAreRejected() {
    assertThatThrownBy(() -> provider.create(withOwnDirectory().option("size", "1g").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("known options: base_dir, create_root");
    assertThat(listing(base)).isEmpty();
  }

  private TierConfig.Builder withOwnDirectory() {
    return TierConfig.builder().type("memory").option("base_dir", base.toString());
  }

  private static List<Path> listing(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
