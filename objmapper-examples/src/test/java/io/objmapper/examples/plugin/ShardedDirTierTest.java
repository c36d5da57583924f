package io.objmapper.examples.plugin;

import static io.objmapper.spi.TierFlag.EPHEMERAL;
import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sharded tier does beyond the contract kit: its provider, layout and edges. */
class ShardedDirTierTest {
  @TempDir
  Path dir;

  @Test
  void theProviderAnswersToTypeSharded() {
    assertThat(new ShardedDirTierProvider().type()).isEqualTo("sharded");
    assertThat(new ShardedDirTierProvider().aliases()).isEmpty();
  }

  @Test
  void aTierIsPersistentUnlessConfiguredEphemeral() throws IOException {
    try (Tier plain = create(config(Files.createDirectory(dir.resolve("plain"))).build());
        Tier volatileTier = create(config(Files.createDirectory(dir.resolve("volatile")))
            .flags(EPHEMERAL, READABLE, WRITABLE).build())) {
      assertThat(plain.config().flags()).containsExactlyInAnyOrder(PERSISTENT, READABLE, WRITABLE);
      assertThat(volatileTier.config().flags())
          .containsExactlyInAnyOrder(EPHEMERAL, READABLE, WRITABLE);
      assertThat(plain.localFiles().isPresent()).isTrue();
    }
  }

  @Test
  void aMissingRootFailsUnlessCreateRootIsTrue() throws IOException {
    Path missing = dir.resolve("not/yet");

    assertThatThrownBy(() -> create(config(missing).build()))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("create_root=true");
    assertThat(missing).doesNotExist();

    try (Tier tier = create(config(missing).option("create_root", "true").build())) {
      assertThat(missing).isDirectory();
      assertThat(tier.objectCount()).isZero();
    }
  }

  @Test
  void aRootThatIsAFileIsRejected() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "not a directory");

    assertThatThrownBy(() -> create(config(file).build()))
        .isInstanceOf(NotDirectoryException.class);
  }

  @Test
  void configsTheProviderCannotServeAreRejectedWithTheReason() {
    TierConfig noRoot = TierConfig.builder().name("s").type("sharded").build();
    TierConfig otherType = TierConfig.builder().name("s").type("fs").root(dir).build();
    TierConfig unknownOption = config(dir).option("shard_levels", "3").build();
    TierConfig badFlag = config(dir).option("create_root", "yes").build();

    assertThatThrownBy(() -> create(noRoot)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a root");
    assertThatThrownBy(() -> create(otherType)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"fs\"");
    assertThatThrownBy(() -> create(unknownOption)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shard_levels").hasMessageContaining("known options: create_root");
    assertThatThrownBy(() -> create(badFlag)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be true or false");
  }

  @Test
  void aNameAndANameBelowItAreSeparateObjects() throws IOException {
    try (Tier tier = create(config(dir).build())) {
      tier.write("/a", "parent".getBytes(UTF_8));
      tier.write("/a/b", "child".getBytes(UTF_8));

      assertThat(read(tier, "/a")).isEqualTo("parent");
      assertThat(read(tier, "/a/b")).isEqualTo("child");
      assertThat(scanSizes(tier)).containsOnly(Map.entry("/a", 6L), Map.entry("/a/b", 5L));
      assertThat(tier.delete("/a")).isTrue();
      assertThat(read(tier, "/a/b")).isEqualTo("child");
    }
  }

  @Test
  void aLongNameIsStoredScannedAndDeletedThroughItsCutDirectories() throws IOException {
    // 963 bytes after the '/' encode to 1284 characters: five directories of 254, then 14.
    String name = "/" + "segment-".repeat(120) + "end";
    try (Tier tier = create(config(dir).build())) {
      tier.write(name, "long".getBytes(UTF_8));

      assertThat(read(tier, name)).isEqualTo("long");
      assertThat(root(tier).relativize(tier.localFiles().get().path(name)).getNameCount()).isEqualTo(2 + 5 + 1);
      assertThat(scanSizes(tier)).containsOnly(Map.entry(name, 4L));
      assertThat(tier.delete(name)).isTrue();
      assertThat(tier.stat(name)).isNull();
      assertThat(tier.objectCount()).isZero();
    }
  }

  @Test
  void aWriteInProgressIsATemporaryFileBesideItsTarget() throws IOException {
    try (Tier tier = create(config(dir).build())) {
      Path shard = tier.localFiles().get().path("/in/progress").getParent();
      List<String> seenMidWrite = new ArrayList<>();
      InputStream source = new InputStream() {
        private boolean done;

        @Override
        public int read() throws IOException {
          if (done) {
            return -1;
          }
          done = true;
          try (Stream<Path> files = Files.list(shard)) {
            files.forEach(p -> seenMidWrite.add(p.getFileName().toString()));
          }
          return 'x';
        }
      };

      tier.write("/in/progress", source);

      assertThat(seenMidWrite).singleElement().asString().startsWith(ObjectNames.RESERVED_PREFIX);
      try (Stream<Path> files = Files.list(shard)) {
        assertThat(files).containsExactly(tier.localFiles().get().path("/in/progress"));
      }
    }
  }

  @Test
  void filesOutsideTheLayoutAreNeitherScannedNorCounted() throws IOException {
    Path shard = dir.resolve(ShardedLayout.relativePath("/real")).getParent();
    Files.createDirectories(shard);
    Files.writeString(dir.resolve("left-in-the-root"), "x");
    Files.createDirectories(dir.resolve("notes"));
    Files.writeString(dir.resolve("notes/readme.txt"), "x");
    Files.writeString(shard.resolve("not-base64!"), "x");
    Files.writeString(shard.resolve("YQ"), "x"); // "/a" encoded, in the shards of "/real"

    try (Tier tier = create(config(dir).build())) {
      tier.write("/real", "real".getBytes(UTF_8));

      assertThat(scanSizes(tier)).containsOnly(Map.entry("/real", 4L));
      assertThat(tier.objectCount()).isEqualTo(1);
      assertThat(tier.usedBytes()).isEqualTo(4);
      assertThat(tier.stat("/left-in-the-root")).isNull();
    }
  }

  @Test
  void theIndexFileIsNeverAnObjectEvenWhereAnObjectCouldLie() throws IOException {
    Path index = dir.resolve(ShardedLayout.relativePath("/looks-like-an-object"));
    Files.createDirectories(index.getParent());
    Files.writeString(index, "index bytes");
    TierConfig config = config(dir).persistIndex(true).indexPath(index).build();

    try (Tier tier = create(config)) {
      tier.write("/object", "o".getBytes(UTF_8));

      assertThat(scanSizes(tier)).containsOnlyKeys("/object");
      assertThat(tier.objectCount()).isEqualTo(1);
    }
  }

  @Test
  void readingWritingAndDeletingLeaveNoDescriptorOpen() throws IOException {
    try (Tier tier = create(config(dir).build())) {
      tier.write("/warm-up", "w".getBytes(UTF_8));
      read(tier, "/warm-up");
      long before = openDescriptors();

      for (int i = 0; i < 20; i++) {
        tier.write("/fd/" + i, ("object " + i).getBytes(UTF_8));
        read(tier, "/fd/" + i);
        try (FileChannel ch = tier.localFiles().get().openRead("/fd/" + i).getChannel()) {
          assertThat(ch.size()).isEqualTo(("object " + i).length());
        }
        tier.delete("/fd/" + i);
      }

      assertThat(openDescriptors()).isEqualTo(before);
    }
  }

  @Test
  void aRootThatIsASymbolicLinkIsFollowedOnce() throws IOException {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);

    try (Tier tier = create(config(link).build())) {
      tier.write("/through-the-link", "l".getBytes(UTF_8));

      assertThat(tier.localFiles().get().path("/through-the-link")).startsWith(real.toRealPath());
      assertThat(real.resolve(ShardedLayout.relativePath("/through-the-link"))).isRegularFile();
    }
  }

  private static TierConfig.Builder config(Path root) {
    return TierConfig.builder().name("s").type("sharded").root(root);
  }

  private static Tier create(TierConfig config) throws IOException {
    return new ShardedDirTierProvider().create(config);
  }

  private static Path root(Tier tier) throws IOException {
    return tier.config().root().orElseThrow().toRealPath();
  }

  private static String read(Tier tier, String name) throws IOException {
    try (InputStream in = tier.openStream(name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  private static Map<String, Long> scanSizes(Tier tier) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    tier.scan((name, stat) -> sizes.put(name, stat.size()), Tier.ScanProgress.NONE);
    return sizes;
  }

  /**
   * Descriptors of this JVM open on files below the tier's directory: other tests' background
   * threads (process pipes, cleaners) open and close descriptors of their own meanwhile.
   */
  private long openDescriptors() throws IOException {
    Path root = dir.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(root);
        } catch (IOException gone) {
          return false; // closed while listed
        }
      }).count();
    }
  }
}
